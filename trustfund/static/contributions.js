// Contributions forms: the deposit's rate follows the UN rate of its value date's
// month (until the officer types another one), and the commitment form can add
// instalment rows. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";

  function setupRate(box) {
    var form = box.closest("form");
    var dateInput = form && form.querySelector("input[name='value_date']");
    var rateInput = box.querySelector("input[name='rate']");
    var status = box.querySelector("#rate-status");
    if (!dateInput || !rateInput) { return; }
    var lastTable = box.getAttribute("data-table-rate") || "";
    var typed = rateInput.value !== "" && rateInput.value !== lastTable;
    rateInput.addEventListener("input", function () { typed = rateInput.value !== lastTable; });

    function lookup() {
      if (!dateInput.value) { return; }
      var url = box.getAttribute("data-rate-lookup") + "?currency=" +
        encodeURIComponent(box.getAttribute("data-currency")) + "&date=" + encodeURIComponent(dateInput.value);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var table = data.rate || "";
          if (!typed) { rateInput.value = table; }
          lastTable = table;
          box.setAttribute("data-table-rate", table);
          if (status) {
            status.textContent = table
              ? (box.getAttribute("data-label-rate") || "{month}: {rate}")
                  .replace("{month}", data.month).replace("{rate}", table)
              : (box.getAttribute("data-label-none") || "{month}: —").replace("{month}", data.month);
          }
        })
        .catch(function () { /* the server fills the rate in on submit if left empty */ });
    }
    dateInput.addEventListener("change", lookup);
  }

  function setupInstalments(button) {
    var table = document.getElementById("instalment-rows");
    if (!table) { return; }
    button.addEventListener("click", function () {
      var rows = table.querySelectorAll("tbody tr");
      var last = rows[rows.length - 1];
      if (!last) { return; }
      var copy = last.cloneNode(true);
      var index = rows.length;
      copy.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/instalments-\d+-/, "instalments-" + index + "-");
        input.id = input.id.replace(/instalments-\d+-/, "instalments-" + index + "-");
        input.value = "";
        input.classList.remove("is-invalid");
        var label = input.getAttribute("aria-label");
        if (label) { input.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1))); }
      });
      copy.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
      last.parentNode.appendChild(copy);
      copy.querySelector("input").focus();
    });
  }

  document.querySelectorAll("[data-rate-lookup]").forEach(setupRate);
  document.querySelectorAll("[data-add-instalment]").forEach(setupInstalments);
})();

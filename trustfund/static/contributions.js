// Contributions forms: the deposit form shows what the deposit will record as the
// officer types (its rate follows the UN rate of the value date's month until the
// officer types another one), and the commitment form can add instalment rows.
// Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";

  // The deposit form: as the officer types, the server says what the deposit would
  // record (rate, US dollars, fee, net: the figures the service itself computes) or
  // why it would be refused; the page only shows it. The rate follows the UN rate of
  // the value date's month until the officer types another one.
  function setupDeposit(panel) {
    var form = panel.closest("form");
    var input = function (name) { return form.querySelector("[name='" + name + "']"); };
    var dateInput = input("value_date"), amountInput = input("amount"), rateInput = input("rate");
    var noteInput = input("rate_note");
    var box = document.getElementById("rate-box");
    var status = document.getElementById("rate-status");
    var problem = document.getElementById("deposit-preview-problem");
    if (!dateInput || !amountInput || !rateInput) { return; }
    var lastTable = box ? (box.getAttribute("data-table-rate") || "") : "";
    var typed = rateInput.value !== "" && rateInput.value !== lastTable;
    var asked = 0, timer = null;
    panel.hidden = false;

    function show(name, text) {
      var cell = panel.querySelector("[data-figure='" + name + "']");
      if (cell) { cell.textContent = text; }
    }

    function fill(data) {
      // The rate as the officer's locale writes it ("1,345" in Spanish), as they type it.
      var table = (data.shown && data.shown.table_rate) || "";
      if (!typed && rateInput.value !== table) { rateInput.value = table; }
      lastTable = table;
      if (status && data.month) {
        status.textContent = table
          ? (box.getAttribute("data-label-rate") || "{month}: {rate}")
              .replace("{month}", data.month).replace("{rate}", data.shown.table_rate)
          : (box.getAttribute("data-label-none") || "{month}: —").replace("{month}", data.month);
      }
      var shown = data.shown || {};
      ["amount", "rate", "usd", "fee", "net", "outstanding_after"].forEach(function (name) {
        show(name, shown[name] || "—");
      });
      show("fee_rate", shown.fee_rate ? "(" + shown.fee_rate + ")" : "");
      panel.setAttribute("data-ok", data.ok ? "1" : "0");
      problem.textContent = data.ok ? "" : (data.problem || "");
    }

    function ask() {
      var number = ++asked;
      var params = new URLSearchParams({
        value_date: dateInput.value || "", amount: amountInput.value || "",
        // Not typed: the server takes the UN rate of the month, as it would on saving.
        rate: typed ? rateInput.value : "", rate_note: noteInput ? noteInput.value : ""
      });
      fetch(panel.getAttribute("data-preview") + "?" + params.toString(),
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data && number === asked) { fill(data); } })
        .catch(function () { /* the form is checked in full when it is sent */ });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 200);
    }

    rateInput.addEventListener("input", function () {
      typed = rateInput.value !== "" && rateInput.value !== lastTable;
      later();
    });
    [dateInput, amountInput, noteInput].forEach(function (el) {
      if (el) { el.addEventListener("input", later); el.addEventListener("change", later); }
    });
    ask();
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

  document.querySelectorAll("#deposit-preview[data-preview]").forEach(setupDeposit);
  document.querySelectorAll("[data-add-instalment]").forEach(setupInstalments);
})();

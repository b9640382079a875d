// The SAA form: show the signing details only for a signature or an amendment.
(function () {
  var form = document.querySelector("[data-saa-form]");
  if (!form) { return; }
  var select = form.querySelector("select[name=to_status]");
  var details = document.getElementById("signing-details");
  if (!select || !details) { return; }
  var signing = (form.getAttribute("data-signing-statuses") || "").split(" ");
  function update() {
    var show = signing.indexOf(select.value) !== -1;
    details.hidden = !show;
    details.disabled = !show;
  }
  select.addEventListener("change", update);
  update();
})();

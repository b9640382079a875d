// Preview of a travel-support request's figures while the form is filled in.
// Only a preview: the server computes the figures again (in exact decimals) when
// the request is entered. Amounts are handled in whole cents to avoid float drift.
(function () {
  "use strict";
  var form = document.getElementById("grant-form");
  if (!form) { return; }
  var box = document.getElementById("grant-figures");

  function cents(text) {
    var clean = String(text || "").replace(/[,\s\u00a0]/g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(clean)) { return null; }
    var parts = clean.split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }

  function show(value) {
    if (value === null) { return ""; }
    var whole = Math.floor(value / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return whole + "." + ("0" + (value % 100)).slice(-2);
  }

  function day(text) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text || "")) { return null; }
    var d = new Date(text + "T00:00:00Z");
    return isNaN(d.getTime()) ? null : d.getTime() / 86400000;
  }

  function set(name, text) {
    var cell = box.querySelector('[data-figure="' + name + '"]');
    if (cell) { cell.textContent = text; }
  }

  function update() {
    var option = form.elements.event_id.selectedOptions[0];
    if (!option || !option.dataset.dsaRate) {
      ["dsa_days", "dsa_rate", "dsa_amount", "terminal_expenses", "total"].forEach(function (n) { set(n, ""); });
      return;
    }
    var rate = cents(option.dataset.dsaRate);
    var terminal = cents(option.dataset.terminal);
    var start = day(option.dataset.start), end = day(option.dataset.end);
    var days = end - start + 2;
    var from = day(form.elements.travel_from.value), to = day(form.elements.travel_to.value);
    if (from !== null && to !== null && to >= from) { days = Math.min(days, to - from + 1); }
    var entered = form.elements.dsa_days.value.trim();
    if (/^\d+$/.test(entered)) { days = parseInt(entered, 10); }
    var dsa = cents(form.elements.dsa_amount.value);
    if (dsa === null) { dsa = days * rate; }
    var term = cents(form.elements.terminal_expenses.value);
    if (term === null) { term = terminal; }
    var airfare = cents(form.elements.airfare.value);
    var total = cents(form.elements.total.value);
    if (total === null && airfare !== null) { total = airfare + dsa + term; }
    set("dsa_days", String(days));
    set("dsa_rate", show(rate));
    set("dsa_amount", show(dsa));
    set("terminal_expenses", show(term));
    set("total", show(total));
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();

// Preview of a travel-support request's figures while the form is filled in.
// Only a preview: the server computes the figures again (in exact decimals) when
// the request is entered. Amounts are handled in whole cents to avoid float drift,
// read and written as the server does (money.parse_number): in the reader's
// language first ("1 250,50" in French, "1.250,50" in Spanish: the form's
// data-decimal and data-group), then in the plain form "1,250.50".
(function () {
  "use strict";
  var form = document.getElementById("grant-form");
  if (!form) { return; }
  var box = document.getElementById("grant-figures");
  var DECIMAL = form.dataset.decimal || ".", GROUP = form.dataset.group || ",";
  var SPACE = /[\s\u00a0\u202f]/, SPACES = /[\s\u00a0\u202f]/g;

  // Whole cents of `raw` (one space between groups) read with these separators; undefined when
  // it is not a number written so, null when it is one with more than 2 decimals.
  function read(raw, decimal, group) {
    var parts = raw.split(decimal);
    if (parts.length > 2) { return undefined; }
    var whole = parts[0], fraction = parts.length === 2 ? parts[1] : "";
    // Spaces between digits are groups of three ("1 000 00" is no number), never decimals.
    if (whole.indexOf(" ") >= 0) {
      if (!/^\d{1,3}( \d{3})+$/.test(whole)) { return undefined; }
      whole = whole.replace(/ /g, "");
    }
    if (fraction.indexOf(" ") >= 0) { return undefined; }
    if (group && !SPACE.test(group) && whole.indexOf(group) >= 0) {
      var grouped = whole.split(group);
      if (!/^\d{1,3}$/.test(grouped[0]) || grouped.slice(1).some(function (g) { return !/^\d{3}$/.test(g); })) {
        return undefined;  // "1,00" is not a grouped number
      }
      whole = grouped.join("");
    }
    if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction) || (parts.length === 2 && !fraction)) {
      return undefined;
    }
    // Refused: more than 2 decimals, zeros included, as the server refuses them ("1.500" typed
    // in English is a thousands group read as decimals, not USD 1.50: money.parse_amount).
    if (fraction.length > 2) { return null; }
    return parseInt(whole, 10) * 100 + parseInt((fraction + "00").slice(0, 2), 10);
  }

  // What the user typed, in cents (null: nothing, or not an amount).
  function cents(text) {
    // Direction marks pasted with the number are no part of it; spaces around it neither.
    var raw = String(text || "").replace(/[\u200e\u200f\u061c]/g, "").replace(SPACES, " ").trim()
      .replace(/ +/g, " ");
    if (!raw) { return null; }
    var value = read(raw, DECIMAL, GROUP);
    if (value === undefined && (DECIMAL !== "." || GROUP !== ",")) { value = read(raw, ".", ","); }
    return value === undefined ? null : value;
  }

  // A figure the page wrote for the script ("300.00": Python's str of a Decimal).
  function plain(text) {
    var value = read(String(text || ""), ".", ",");
    return value === undefined ? null : value;
  }

  function show(value) {
    if (value === null) { return ""; }
    var whole = Math.floor(value / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
    return whole + DECIMAL + ("0" + (value % 100)).slice(-2);
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
    var rate = plain(option.dataset.dsaRate);
    var terminal = plain(option.dataset.terminal);
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

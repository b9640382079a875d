// A box above a long select (currencies, time zones) that narrows its options to
// those holding every word typed, in the code or the name, without case or accents.
// The select stays the field that is sent; without script it is a plain select.
// Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";

  function plain(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var MIN_OPTIONS = 12;

  function setup(select, index) {
    if (select.options.length < MIN_OPTIONS) { return; }  // a short list needs no box
    var box = document.createElement("input");
    box.type = "search";
    box.id = (select.id || "select-" + index) + "-filter";
    box.className = "form-control form-control-sm mb-1 select-filter";
    box.autocomplete = "off";
    box.setAttribute("aria-label", select.getAttribute("data-filter-label") || "Filter");
    box.setAttribute("aria-controls", select.id);
    box.placeholder = select.getAttribute("data-filter-label") || "";
    select.parentNode.insertBefore(box, select);

    function narrow() {
      var words = plain(box.value).split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = plain(option.value + " " + option.text);
        var shown = option.value === "" || option.selected ||
          words.every(function (word) { return text.indexOf(word) !== -1; });
        option.hidden = !shown;
        if (shown && option.value !== "" && first === null) { first = option; }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
      });
      return first;
    }

    box.addEventListener("input", narrow);
    // Enter chooses the first option shown (and does not send the form).
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var first = narrow();
      if (first !== null && words(box.value)) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        select.focus();
      }
    });

    function words(text) { return plain(text).trim() !== ""; }
  }

  document.querySelectorAll("select[data-filter-label]").forEach(setup);
})();

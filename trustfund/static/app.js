// Behaviour that would otherwise need inline script (the CSP forbids it).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
// A table wider than the screen scrolls inside its .table-responsive box: keyboard
// users must be able to focus the box to scroll it (WCAG 2.1.1; axe
// scrollable-region-focusable).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".table-responsive:not([tabindex])").forEach(function (box) {
    box.tabIndex = 0;
  });
});
// A refused form: take the keyboard and the screen reader to the summary of its
// errors first (templates/macros.html form_errors), whose links lead to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});

// Behaviour that would otherwise need inline script (the CSP forbids it).
// A list that acts as soon as it is chosen (data-autosubmit: the language, the review
// queue's event): a choice made with the mouse acts at once; from the keyboard the
// arrow keys only move through the options, and Enter acts (WCAG 3.2.2 On Input: one
// arrow key reloaded the page in another language, a half-filled form lost).
// A list opened (Alt+arrow, F4, Space; every arrow key on macOS) takes the keys itself
// and its Enter confirms a choice: that change acts. On the closed list every other key
// (arrows, Home, End, a letter: the browser's type-ahead) only moves the choice. Enter
// on a list left as the page gave it does nothing (it reloaded the page).
var keyedList = null;
function autosubmits(el) { return el && el.matches && el.matches("[data-autosubmit]") && el.form; }
function changed(el) {
  var option = el.options[el.selectedIndex];
  return option && !option.defaultSelected;
}
document.addEventListener("keydown", function (event) {
  var el = event.target;
  if (!autosubmits(el)) { return; }
  if (event.key === "Enter") {
    event.preventDefault();
    keyedList = null;
    if (changed(el)) { el.form.submit(); }
    return;
  }
  var opens = event.altKey || event.key === "F4" || event.key === " ";
  keyedList = (opens || event.key === "Tab") ? null : el;
});
document.addEventListener("mousedown", function () { keyedList = null; }, true);
document.addEventListener("change", function (event) {
  var el = event.target;
  if (autosubmits(el) && keyedList !== el) { el.form.submit(); }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
// A form is sent once: a second click on its button (a double click) while the answer
// is on its way sends nothing, where it would send the form again (and an edit would
// come back refused as "changed by someone else": the first sending changed it). The
// page that comes back, or Back to this one, frees it; so do ten seconds (a download
// answers without leaving the page).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
  if (form.hasAttribute("data-sent")) { event.preventDefault(); return; }
  form.setAttribute("data-sent", "");
  window.setTimeout(function () { form.removeAttribute("data-sent"); }, 10000);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (form) { form.removeAttribute("data-sent"); });
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

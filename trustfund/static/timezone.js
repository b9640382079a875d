// The login form sends the browser's time zone (an IANA name such as
// "Europe/Paris"): a user who has none yet gets it at this login, and may change it
// on the profile page. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  document.querySelectorAll("input[data-browser-zone]").forEach(function (input) { input.value = zone; });
})();

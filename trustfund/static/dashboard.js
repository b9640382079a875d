/* Draws every dashboard chart: a <canvas data-chart="ID"> whose figures are in
   <script type="application/json" id="ID"> (data, never executed, so the CSP holds).
   Without JavaScript or Chart.js the tables beside the charts still say it all. */
(function () {
  "use strict";

  function drawAll() {
    if (!window.Chart || !window.TrustfundCharts) { return; }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source || canvas.getAttribute("data-drawn")) { return; }
      var spec;
      try {
        spec = JSON.parse(source.textContent);
      } catch (error) {
        return;
      }
      window.TrustfundCharts.draw(canvas, spec);
      canvas.setAttribute("data-drawn", "true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

/* Trustfund charts: bar charts drawn with Chart.js (vendored) that stay readable
   without colour: each series has its own fill pattern as well as its own colour
   (Okabe-Ito palette, safe for colour-blind readers), the bars carry their values,
   the legend names every series, and the page has the same figures as a table.
   The figures arrive as exact decimal strings; they are turned into numbers here
   only to draw them. */
(function (global) {
  "use strict";

  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"];
  var PATTERNS = ["solid", "diagonal", "dots", "cross", "horizontal", "vertical", "zigzag"];

  function lang() {
    return document.documentElement.getAttribute("lang") || "en";
  }

  function isRtl() {
    return document.documentElement.getAttribute("dir") === "rtl";
  }

  /* A repeating fill: the colour, with a dark or light pattern drawn over it. */
  function pattern(kind, colour) {
    var size = 10;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "rgba(0, 0, 0, 0.55)";
    ctx.fillStyle = "rgba(0, 0, 0, 0.55)";
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    switch (kind) {
      case "diagonal":
        ctx.moveTo(0, size); ctx.lineTo(size, 0);
        ctx.moveTo(-2, 2); ctx.lineTo(2, -2);
        ctx.moveTo(size - 2, size + 2); ctx.lineTo(size + 2, size - 2);
        break;
      case "dots":
        ctx.arc(size / 2, size / 2, 1.8, 0, 2 * Math.PI);
        ctx.fill();
        break;
      case "cross":
        ctx.moveTo(0, 0); ctx.lineTo(size, size);
        ctx.moveTo(size, 0); ctx.lineTo(0, size);
        break;
      case "horizontal":
        ctx.moveTo(0, size / 2); ctx.lineTo(size, size / 2);
        break;
      case "vertical":
        ctx.moveTo(size / 2, 0); ctx.lineTo(size / 2, size);
        break;
      case "zigzag":
        ctx.moveTo(0, size * 0.7); ctx.lineTo(size / 2, size * 0.3); ctx.lineTo(size, size * 0.7);
        break;
      default:
        break;
    }
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  function formatter(unit, compact) {
    var options = unit === "count"
      ? { maximumFractionDigits: 0 }
      : (compact ? { notation: "compact", maximumSignificantDigits: 3 }
                 : { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    var nf = new Intl.NumberFormat(lang(), options);
    return function (value) {
      var text = nf.format(value);
      return unit === "count" || compact ? text : text + " " + unit;
    };
  }

  /* Writes each bar's value on it (inside a stacked segment when it fits, else at
     the end of the bar), so that no figure depends on telling colours apart. */
  function valueLabels(spec) {
    return {
    id: "trustfundValueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var format = formatter(spec.unit, true);
      var horizontal = spec.horizontal;
      ctx.save();
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        meta.data.forEach(function (bar, j) {
          var value = dataset.data[j];
          if (!value) { return; }
          var text = format(value);
          var width = ctx.measureText(text).width;
          var props = bar.getProps(["x", "y", "base", "width", "height"], true);
          var length = horizontal ? Math.abs(props.x - props.base) : Math.abs(props.base - props.y);
          var thickness = horizontal ? props.height : props.width;
          var x, y;
          if (spec.stacked) {
            if ((horizontal ? width + 6 : 14) > length || (horizontal ? 14 : width + 4) > thickness) { return; }
            x = horizontal ? (props.x + props.base) / 2 : props.x;
            y = horizontal ? props.y : (props.y + props.base) / 2;
            ctx.fillStyle = "#fff";
            ctx.strokeStyle = "rgba(0,0,0,0.85)";
            ctx.lineWidth = 3;
            ctx.textAlign = "center";
            ctx.strokeText(text, x, y);
            ctx.fillText(text, x, y);
            return;
          }
          ctx.fillStyle = "#212529";
          if (horizontal) {
            var forward = props.x >= props.base;
            ctx.textAlign = forward ? "left" : "right";
            x = props.x + (forward ? 4 : -4);
            y = props.y;
          } else {
            ctx.textAlign = "center";
            x = props.x;
            y = props.y - 8;
          }
          ctx.fillText(text, x, y);
        });
      });
      ctx.restore();
    }
    };
  }

  function shorten(label) {
    label = String(label);
    return label.length > 42 ? label.slice(0, 40) + "…" : label;
  }

  function draw(canvas, spec) {
    var rtl = isRtl();
    var full = formatter(spec.unit, false);
    var datasets = spec.datasets.map(function (set, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: set.label,
        data: set.data.map(function (v) { return v === null ? 0 : parseFloat(v); }),
        backgroundColor: pattern(PATTERNS[i % PATTERNS.length], colour),
        borderColor: "#212529",
        borderWidth: 1,
        maxBarThickness: 48
      };
    });
    var box = canvas.parentElement;
    if (spec.horizontal && box) {
      var rows = spec.labels.length * (spec.stacked ? 1 : Math.max(1, datasets.length));
      box.style.height = Math.max(200, 70 + rows * 26) + "px";
    }
    var valueAxis = {
      beginAtZero: true,
      stacked: spec.stacked,
      grace: spec.stacked ? 0 : "12%",
      ticks: { callback: function (v) { return formatter(spec.unit, true)(v); } }
    };
    var categoryAxis = {
      stacked: spec.stacked,
      ticks: { callback: function (v) { return shorten(this.getLabelForValue(v)); } }
    };
    var scales = spec.horizontal
      ? { x: Object.assign({ reverse: rtl }, valueAxis), y: Object.assign({ position: rtl ? "right" : "left" }, categoryAxis) }
      : { x: Object.assign({ reverse: rtl }, categoryAxis), y: Object.assign({ position: rtl ? "right" : "left" }, valueAxis) };
    return new global.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      plugins: [valueLabels(spec)],
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: lang(),
        layout: { padding: { top: 8, right: 16, left: 16 } },
        scales: scales,
        plugins: {
          legend: {
            display: datasets.length > 1,
            rtl: rtl,
            position: "bottom",
            labels: { boxWidth: 22, boxHeight: 14 }
          },
          tooltip: {
            rtl: rtl,
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + full(item.parsed[spec.horizontal ? "x" : "y"]);
              }
            }
          }
        }
      }
    });
  }

  global.TrustfundCharts = { draw: draw, pattern: pattern, formatter: formatter };
})(window);

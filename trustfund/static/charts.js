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

  var LABEL_FONT = "600 11px system-ui, sans-serif";
  var LABEL_HEIGHT = 14;  /* the box of one line of 11 px text */
  var GAP = 4;  /* between a bar's end and its label */

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function inside(a, b) {
    return a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
  }

  function box(cx, cy, width, height) {
    return { left: cx - width / 2, right: cx + width / 2, top: cy - height / 2, bottom: cy + height / 2,
             cx: cx, cy: cy };
  }

  /* Where a bar's label may go, best first: beside the bar's end, written across;
     for a vertical bar too narrow for it, written upwards beyond its end; inside the
     bar near its end (on the bar: white with a dark outline); a stacked segment's
     only place is its middle. Each place is a box (left/right/top/bottom) with the
     bar it may lie on ("own") and whether the text is turned. */
  function places(bar, width, spec) {
    var h = LABEL_HEIGHT;
    var up = !spec.horizontal && bar.y <= bar.base;  /* the bar grows upwards */
    var forward = spec.horizontal && bar.x >= bar.base;  /* grows rightwards */
    var length = spec.horizontal ? bar.rect.right - bar.rect.left : bar.rect.bottom - bar.rect.top;
    var thickness = spec.horizontal ? bar.rect.bottom - bar.rect.top : bar.rect.right - bar.rect.left;
    var found = [];
    if (spec.stacked) {
      if (spec.horizontal) {
        found.push({ box: box((bar.x + bar.base) / 2, bar.y, width + 2, h), turned: false, on: true });
      } else {
        found.push({ box: box(bar.x, (bar.y + bar.base) / 2, width + 2, h), turned: false, on: true });
        found.push({ box: box(bar.x, (bar.y + bar.base) / 2, h, width + 2), turned: true, on: true });
      }
      return found;
    }
    if (spec.horizontal) {
      var x = forward ? bar.x + GAP + width / 2 : bar.x - GAP - width / 2;
      found.push({ box: box(x, bar.y, width, h), turned: false, on: false });
      if (length >= width + 2 * GAP && thickness >= h) {
        var xin = forward ? bar.x - GAP - width / 2 : bar.x + GAP + width / 2;
        found.push({ box: box(xin, bar.y, width, h), turned: false, on: true });
      }
    } else {
      var end = up ? bar.rect.top : bar.rect.bottom;
      var sign = up ? -1 : 1;
      found.push({ box: box(bar.x, end + sign * (GAP + h / 2), width, h), turned: false, on: false });
      found.push({ box: box(bar.x, end + sign * (GAP + width / 2), h, width), turned: true, on: false });
      if (length >= width + 2 * GAP && thickness >= h) {
        found.push({ box: box(bar.x, end - sign * (GAP + width / 2), h, width), turned: true, on: true });
      }
    }
    return found;
  }

  /* Writes each bar's value by it, so that no figure depends on telling colours
     apart, and never over another label or another bar: each label takes the first
     of its places (see places) that stays in the chart's area (or above it), covers
     no other bar (nor its own, unless written on it) and no label already written.
     A value with no such place is left out of the picture: the table beside the
     chart has it. The boxes written are kept on the chart ($trustfundLabels, in CSS
     pixels) for the tests, with the values left out ($trustfundSkipped). */
  function valueLabels(spec) {
    return {
    id: "trustfundValueLabels",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var format = formatter(spec.unit, true);
      var area = chart.chartArea;
      var bounds = { left: area.left, right: area.right, top: 0, bottom: area.bottom };
      var bars = [];
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) { return; }
        meta.data.forEach(function (element, j) {
          var p = element.getProps(["x", "y", "base", "width", "height"], true);
          var rect = spec.horizontal
            ? { left: Math.min(p.x, p.base), right: Math.max(p.x, p.base), top: p.y - p.height / 2, bottom: p.y + p.height / 2 }
            : { left: p.x - p.width / 2, right: p.x + p.width / 2, top: Math.min(p.y, p.base), bottom: Math.max(p.y, p.base) };
          bars.push({ dataset: i, index: j, value: dataset.data[j], x: p.x, y: p.y, base: p.base, rect: rect });
        });
      });
      var written = [];
      var skipped = [];
      ctx.save();
      ctx.font = LABEL_FONT;
      ctx.textBaseline = "middle";
      ctx.textAlign = "center";
      ctx.direction = isRtl() ? "rtl" : "ltr";
      bars.forEach(function (bar) {
        if (!bar.value) { return; }
        var text = format(bar.value);
        var width = Math.ceil(ctx.measureText(text).width) + 2;
        var chosen = null;
        places(bar, width, spec).some(function (place) {
          var b = place.box;
          if (!inside(b, bounds)) { return false; }
          if (place.on && !inside(b, bar.rect)) { return false; }
          var clear = bars.every(function (other) {
            return other === bar ? (place.on || !overlaps(b, other.rect)) : !overlaps(b, other.rect);
          }) && written.every(function (label) { return !overlaps(b, label); });
          if (clear) { chosen = place; }
          return clear;
        });
        if (!chosen) {
          skipped.push({ dataset: bar.dataset, index: bar.index, text: text });
          return;
        }
        var b = chosen.box;
        ctx.save();
        ctx.translate(b.cx, b.cy);
        if (chosen.turned) { ctx.rotate(-Math.PI / 2); }
        if (chosen.on) {
          ctx.fillStyle = "#fff";
          ctx.strokeStyle = "rgba(0,0,0,0.85)";
          ctx.lineWidth = 3;
          ctx.strokeText(text, 0, 0);
        } else {
          ctx.fillStyle = "#212529";
        }
        ctx.fillText(text, 0, 0);
        ctx.restore();
        written.push({ left: b.left, right: b.right, top: b.top, bottom: b.bottom, text: text,
                       dataset: bar.dataset, index: bar.index, on: chosen.on, turned: chosen.turned });
      });
      ctx.restore();
      chart.$trustfundLabels = written;
      chart.$trustfundSkipped = skipped;
    }
    };
  }

  /* A long label is cut at its end ("…" after its first 40 characters, fewer where the
     labels of a chart's rows share a narrow box with the bars). In a right-to-left
     page a label written left to right (an English title without its Arabic one) is
     isolated (U+2066 … U+2069), so that it keeps its own order and its "…" after its
     last word, not before its first. */
  var RTL_LETTER = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
  var LTR_LETTER = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u3040-\u9FFF]/;

  function firstStrongIsLtr(text) {
    for (var i = 0; i < text.length; i += 1) {
      if (RTL_LETTER.test(text[i])) { return false; }
      if (LTR_LETTER.test(text[i])) { return true; }
    }
    return false;
  }

  function shorten(label, most) {
    label = String(label);
    most = most || 40;
    var text = label.length > most + 2 ? label.slice(0, most) + "\u2026" : label;
    return isRtl() && firstStrongIsLtr(label) ? "\u2066" + text + "\u2069" : text;
  }

  /* Bars side by side need room for their values: below MIN_COLUMN pixels a bar (a
     phone, many currencies) the chart is drawn with its bars as rows instead, where
     each value has the width of the chart. */
  var MIN_COLUMN = 30;

  function fitted(canvas, spec) {
    if (spec.horizontal || !canvas.parentElement) { return spec; }
    var bars = spec.labels.length * (spec.stacked ? 1 : Math.max(1, spec.datasets.length));
    if (canvas.parentElement.clientWidth / Math.max(bars, 1) >= MIN_COLUMN) { return spec; }
    return Object.assign({}, spec, { horizontal: true });
  }

  function draw(canvas, spec) {
    spec = fitted(canvas, spec);
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
      /* A count has whole-number ticks only (no "0.5 grants"). */
      ticks: { precision: spec.unit === "count" ? 0 : undefined,
               callback: function (v) { return formatter(spec.unit, true)(v); } }
    };
    /* About 6.5 px a character at 12 px: a row's label takes at most a third of the box. */
    var room = box ? box.clientWidth : 600;
    var most = spec.horizontal ? Math.max(12, Math.min(40, Math.floor(room * 0.35 / 6.5))) : 40;
    var categoryAxis = {
      stacked: spec.stacked,
      ticks: { callback: function (v) { return shorten(this.getLabelForValue(v), most); } }
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
                return item.dataset.label + (spec.separator || ": ") + full(item.parsed[spec.horizontal ? "x" : "y"]);
              }
            }
          }
        }
      }
    });
  }

  global.TrustfundCharts = { draw: draw, pattern: pattern, formatter: formatter };
})(window);

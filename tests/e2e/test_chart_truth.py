"""Charts that tell the truth, in English and in Arabic, read from the drawn charts
themselves (Chart.js's objects in the page): value labels overlap neither each other
nor the bars, every value of the charts the issue named has its label, count axes
tick whole numbers; and a long label of a table is cut at its end, not its start."""
from __future__ import annotations

import re

import pytest

from tests.e2e.browser import login, screenshot

pytestmark = pytest.mark.e2e

# What each chart drew: its value labels' boxes, the values left without one, its
# bars' rectangles, and the ticks of its count axis (if it counts).
READ_CHARTS = """() => [...document.querySelectorAll('canvas[data-chart]')].map(canvas => {
  const chart = Chart.getChart(canvas);
  const spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
  const horizontal = chart.options.indexAxis === 'y';  // as drawn (rows on a phone)
  const bars = [];
  chart.data.datasets.forEach((set, i) => {
    const meta = chart.getDatasetMeta(i);
    if (meta.hidden) return;
    meta.data.forEach((el, j) => {
      const p = el.getProps(['x', 'y', 'base', 'width', 'height'], true);
      bars.push({dataset: i, index: j, value: set.data[j], rect: horizontal
        ? {left: Math.min(p.x, p.base), right: Math.max(p.x, p.base), top: p.y - p.height / 2,
           bottom: p.y + p.height / 2}
        : {left: p.x - p.width / 2, right: p.x + p.width / 2, top: Math.min(p.y, p.base),
           bottom: Math.max(p.y, p.base)}});
    });
  });
  const axis = chart.scales[horizontal ? 'x' : 'y'];
  const categories = chart.scales[horizontal ? 'y' : 'x'];
  return {id: canvas.id, unit: spec.unit, labels: chart.$trustfundLabels, skipped: chart.$trustfundSkipped,
          bars: bars, ticks: axis.ticks.map(t => t.value), tickLabels: axis.ticks.map(t => t.label),
          tickLabelsCategory: categories.ticks.map(t => String(t.label))};
})"""


def _overlap(a, b, slack=0.5) -> bool:
    return (a["left"] < b["right"] - slack and b["left"] < a["right"] - slack
            and a["top"] < b["bottom"] - slack and b["top"] < a["bottom"] - slack)


def _inside(a, b, slack=0.5) -> bool:
    return (a["left"] >= b["left"] - slack and a["right"] <= b["right"] + slack
            and a["top"] >= b["top"] - slack and a["bottom"] <= b["bottom"] + slack)


def _drawn_charts(page):
    page.goto("/dashboard/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart]')].every(c => c.dataset.drawn)")
    return page.evaluate(READ_CHARTS)


@pytest.mark.parametrize("lang,width", [("en", 1366), ("ar", 1366), ("zh", 1366), ("ru", 1366),
                                        ("ar", 1920), ("ar", 390)])
def test_value_labels_overlap_nothing_in_any_language(new_page, lang, width):
    """At 1920 px two charts share a row; at 390 px (a phone) every bar is thin."""
    page = login(new_page(), "admin", lang=lang)
    page.set_viewport_size({"width": width, "height": 900})
    charts = _drawn_charts(page)
    assert len(charts) >= 6
    problems = []
    for chart in charts:
        labels, bars = chart["labels"], chart["bars"]
        for i, label in enumerate(labels):
            for other in labels[i + 1:]:
                if _overlap(label, other):
                    problems.append(f"{chart['id']}: {label['text']} over {other['text']}")
            own = next(b for b in bars if (b["dataset"], b["index"]) == (label["dataset"], label["index"]))
            if label["on"]:
                assert _inside(label, own["rect"]), (chart["id"], label)
            for bar in bars:
                if bar is own and label["on"]:
                    continue
                if _overlap(label, bar["rect"]):
                    where = f"{bar['dataset']}/{bar['index']}"
                    problems.append(f"{chart['id']}: {label['text']} over the bar {where}")
        # Every non-zero value of the charts named in the issue has its label.
        if chart["id"] in ("chart-by_type", "chart-by_currency", "chart-overview", "chart-by_earmark"):
            assert not chart["skipped"], (chart["id"], chart["skipped"])
            assert len(labels) == sum(1 for b in bars if b["value"]), chart["id"]
    screenshot(page, f"charts-{lang}-{width}")
    assert not problems, problems
    assert not page.errors, page.errors


def test_count_axes_tick_whole_numbers(new_page):
    page = login(new_page(), "srsg_staff")
    counted = [c for c in _drawn_charts(page) if c["unit"] == "count"]
    assert {c["id"] for c in counted} >= {"chart-grants_by_status", "chart-ldc"}
    for chart in counted:
        assert chart["ticks"] and all(float(v).is_integer() for v in chart["ticks"]), chart
        assert len(set(chart["tickLabels"])) == len(chart["tickLabels"]), chart  # no "1, 1, 2, 2"


def test_a_long_latin_label_of_a_chart_in_arabic_keeps_its_start(new_page):
    page = login(new_page(), "srsg_staff", lang="ar")
    charts = {c["id"]: c for c in _drawn_charts(page)}
    # Events without an Arabic title show their English one (an Arabic title reads right
    # to left on its own and is not isolated).
    long_ones = [t for t in charts["chart-events"]["tickLabelsCategory"]
                 if "\u2026" in t and re.match(r"[A-Za-z]", t.lstrip("\u2066"))]
    assert long_ones, "no English event title is long enough to be cut"
    for label in long_ones:
        # Isolated left to right, its first words kept and "…" after its last kept word.
        assert label.startswith("\u2066") and label.endswith("\u2026\u2069"), repr(label)


def test_a_long_label_in_arabic_is_cut_at_its_end(new_page):
    """In a right-to-left page a long Latin label (an event without an Arabic title) shows
    its first words and loses its last ones, as an Arabic label does."""
    page = login(new_page(), "srsg_staff", lang="ar")
    page.goto("/dashboard/")
    cells = page.locator("#table-events tbody th.label-cell")
    assert cells.count() >= 1
    cut = page.evaluate("""() => [...document.querySelectorAll('#table-events tbody th.label-cell')]
      .filter(cell => cell.scrollWidth > cell.clientWidth + 1).map(cell => {
        const text = cell.firstChild;
        const range = document.createRange();
        range.setStart(text, 0); range.setEnd(text, 1);
        const first = range.getBoundingClientRect();
        const n = text.textContent.length;
        range.setStart(text, n - 1); range.setEnd(text, n);
        const last = range.getBoundingClientRect();
        const box = cell.getBoundingClientRect();
        const within = r => r.left >= box.left - 1 && r.right <= box.right + 1;
        return {text: text.textContent, first: within(first), last: within(last)};
      })""")
    assert cut, "no label is long enough to be cut: the test proves nothing"
    for label in cut:
        assert label["first"] and not label["last"], label

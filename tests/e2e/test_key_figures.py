"""The dashboards' key figures never break inside a number (issue 17): each role's
tiles, on a phone (390×844), a tablet (768×1024) and a laptop (1366×768), in English, French (its
group separator is a narrow no-break space, U+202F), Arabic and Russian (a no-break
space). A figure is whole when the boxes of the text of its amount all sit on one
line."""
from __future__ import annotations

import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e

# Each role with key figures, and where its dashboard is.
DASHBOARDS = {"mptf_officer": "/dashboard/", "srsg_staff": "/dashboard/", "admin": "/dashboard/",
              "auditor": "/dashboard/", "donor": "/statements/portal"}
LANGUAGES = ["en", "fr", "ar", "ru"]
# A tablet too: at 768 px four tiles share the width, the narrowest they get, where
# a long amount no longer fits its tile (main's overflow-wrap would then break it).
SIZES = {"390x844": (390, 844), "768x1024": (768, 1024), "1366x768": (1366, 768)}

# For each key figure: its text and the distinct lines (tops of the boxes) that a
# Range over its text covers; a number split over two lines gives two tops.
_LINES = """() => [...document.querySelectorAll('.num-tile')].map(el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                       .map(r => Math.round(r.top + r.height / 2)));
  return {text: el.textContent.trim(), lines: tops.size, width: Math.round(el.getBoundingClientRect().width)};
})"""


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", list(DASHBOARDS))
def test_no_key_figure_breaks_inside_its_number(new_page, role, lang):
    page = new_page()
    login(page, role, lang)
    problems = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(DASHBOARDS[role])
        page.wait_for_load_state("load")
        figures = page.evaluate(_LINES)
        assert len(figures) >= 3, (role, lang, size, figures)
        if lang == "fr":  # the amounts are grouped with the narrow no-break space
            assert any("\u202f" in f["text"] for f in figures), figures
        problems += [f"{role} {lang} {size}: {f['text']!r} on {f['lines']} lines ({f['width']} px)"
                     for f in figures if f["lines"] != 1]
    assert not problems, problems
    assert not page.errors, page.errors

"""Keyboard focus in the page's body is visible: every field, list, box and button a
Tab lands on shows an indicator that contrasts at least 3:1 with the page around it
(WCAG 2.4.7, 1.4.11). Bootstrap's own ring is a quarter-tint of its blue, about
1.4:1 on white: an officer working by keyboard lost their place in a form."""
import pytest

from tests.e2e.browser import login
from tests.e2e.test_bar_focus_visible import _contrast, _rgba

pytestmark = pytest.mark.e2e

# The focused element's indicator: its outline if it draws one (Chromium's own ring is
# 'auto'), else the first colour of its box-shadow; and the page's background.
_FOCUSED = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName, type: el.type || '', id: el.id, cls: el.className,
          inMain: !!el.closest('main'), outlineStyle: s.outlineStyle,
          outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor,
          boxShadow: s.boxShadow, page: getComputedStyle(document.body).backgroundColor};
}"""


def _ratio(found) -> float:
    page, _ = _rgba(found["page"])
    if found["outlineStyle"] == "auto":
        return 99.0
    if found["outlineStyle"] != "none" and found["outlineWidth"] > 0:
        colour, alpha = _rgba(found["outlineColor"])
    elif found["boxShadow"] != "none":
        colour, alpha = _rgba(found["boxShadow"].split(")")[0] + ")")
    else:
        return 1.0
    shown = [alpha * c + (1 - alpha) * b for c, b in zip(colour, page, strict=True)]
    return _contrast(shown, page)


@pytest.mark.parametrize(("lang", "path"), [("en", "/contributions/pledges/new"),
                                            ("ar", "/contributions/pledges/new"),
                                            ("en", "/contributions/deposits")])
def test_the_focus_in_a_form_can_be_seen(new_page, lang, path):
    page = new_page("en-GB" if lang == "en" else "ar")
    login(page, "mptf_officer", english=lang == "en")
    page.goto(path)
    page.locator("main").evaluate("m => { m.tabIndex = -1; m.focus(); }")
    weak, seen = [], 0
    for _ in range(12):
        page.keyboard.press("Tab")
        page.wait_for_timeout(200)  # Bootstrap's transitions
        found = page.evaluate(_FOCUSED)
        if not found["inMain"] or found["tag"] == "A" and "btn" not in found["cls"]:
            continue  # plain links: the browser's own ring
        seen += 1
        ratio = _ratio(found)
        if ratio < 3:
            weak.append(f"{found['tag']} {found['type']} #{found['id']} .{found['cls']}: "
                        f"{found['outlineStyle']} {found['outlineColor']} / {found['boxShadow']} "
                        f"= {ratio:.2f}:1")
    assert seen >= 3, "Tab reached no field or button in the page"
    assert not weak, "focus in the page is all but invisible:\n" + "\n".join(weak)

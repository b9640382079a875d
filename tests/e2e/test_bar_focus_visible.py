"""Keyboard focus on the menus of the bar is visible (WCAG 2.4.7; 1.4.11: a focus
indicator contrasts at least 3:1 with what is around it). (A colleague's review.)"""
import re

import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e

# The focus indicator of the focused element: its outline if it has one, else the ring
# of its box-shadow laid over the bar's background; with the bar's colour.
_INDICATOR = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  const bar = getComputedStyle(document.querySelector('nav.navbar')).backgroundColor;
  return {name: (el.textContent || el.value || '').trim().slice(0, 30), cls: el.className,
          outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
          outlineColor: s.outlineColor,
          boxShadow: s.boxShadow, bar: bar};
}"""


def _rgba(text):
    parts = [float(x) for x in re.findall(r"[\d.]+", text)]
    return parts[:3], (parts[3] if len(parts) > 3 else 1.0)


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(channel, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _indicator_contrast(found) -> float:
    bar, _ = _rgba(found["bar"])
    if found["outlineStyle"] == "auto":
        return 99.0  # Chromium's own two-tone focus ring
    if found["outlineStyle"] != "none" and found["outlineWidth"] > 0:
        colour, alpha = _rgba(found["outlineColor"])
    else:
        shadow = found["boxShadow"]
        if shadow == "none":
            return 1.0
        colour, alpha = _rgba(re.match(r"rgba?\([^)]*\)", shadow).group(0))
    shown = [alpha * c + (1 - alpha) * b for c, b in zip(colour, bar, strict=True)]
    return _contrast(shown, bar)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_focus_on_the_bars_menus_can_be_seen(new_page, lang):
    page = new_page("en-GB" if lang == "en" else "ar")
    login(page, "mptf_officer", english=lang == "en")
    page.goto("/dashboard/")
    page.locator(".navbar-brand").focus()
    weak = []
    for _ in range(6):  # Dashboard, Contributions, Travel, Reports, Administration, ...
        page.keyboard.press("Tab")
        page.wait_for_timeout(300)  # Bootstrap's transitions
        found = page.evaluate(_INDICATOR)
        if "nav-link" not in found["cls"]:
            continue
        ratio = _indicator_contrast(found)
        if ratio < 3:
            weak.append(f"{found['name']!r}: focus ring {found['boxShadow']} on the bar {found['bar']} "
                        f"= {ratio:.2f}:1")
    assert not weak, "focus on the bar's menus is all but invisible:\n" + "\n".join(weak)


# Keyboard focus in the page's body is visible: every field, list, box and button a
# Tab lands on shows an indicator that contrasts at least 3:1 with the page around it
# (WCAG 2.4.7, 1.4.11). Bootstrap's own ring is a quarter-tint of its blue, about
# 1.4:1 on white: an officer working by keyboard lost their place in a form.
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

"""The keyboard's focus on the bar's language list (a white list on UN blue) is seen: the
bar's white focus line was drawn inside it, white on white. (A colleague's review.)"""
import io

import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e


def _luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b):
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _shot(page, box):
    from PIL import Image

    clip = {"x": box["x"] - 6, "y": box["y"] - 6, "width": box["width"] + 12, "height": box["height"] + 12}
    return Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")


def _focus_change(page, selector):
    """The strongest contrast between a pixel focused and the same pixel not focused."""
    element = page.locator(selector)
    box = element.bounding_box()
    page.keyboard.press("Shift")  # the last interaction is the keyboard's
    element.focus()
    assert page.evaluate(f"document.querySelector('{selector}').matches(':focus-visible')")
    focused = _shot(page, box)
    page.evaluate("document.activeElement.blur()")
    plain = _shot(page, box)
    return max(_contrast(a, b) for a, b in zip(_pixels(focused), _pixels(plain), strict=True))


def _pixels(image) -> list[bytes]:
    data = image.tobytes()
    return [data[i:i + 3] for i in range(0, len(data), 3)]


def test_the_language_list_shows_the_keyboards_focus(new_page):
    page = new_page()
    login(page, "srsg_staff")
    change = _focus_change(page, "#lang-picker")
    assert change >= 3, f"the language list focused differs from unfocused by {change:.2f}:1 at most"


def test_a_nav_link_shows_the_keyboards_focus(new_page):
    """The control: on a bar link the white line is seen (passes today)."""
    page = new_page()
    login(page, "srsg_staff")
    assert _focus_change(page, "nav .navbar-brand") >= 3

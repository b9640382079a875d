"""In Arabic, a date written after Latin words (a city, "USD") is cut in two
by the bidirectional algorithm: "10/12/2018" after "Marrakech, " shows as
"2018/12/Marrakech, 10" -- the day stays with the city, the month and year jump to the
other side of it. The date's day and year sit side by side: each Arabic date is an isolate
of its own (formatting.isolated). (Found by a colleague's review.)"""
from __future__ import annotations

import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e

# Each Arabic date d‏/m‏/yyyy in <main>: is its day next to its year on screen?
SPLIT = r"""() => {
  const out = [];
  const re = /(\d{1,2})\u200f\/(\d{1,2})\u200f\/(\d{4})/g;
  const w = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  let n;
  while ((n = w.nextNode())) {
    const t = n.textContent; let m; re.lastIndex = 0;
    while ((m = re.exec(t))) {
      const r = document.createRange();
      r.setStart(n, m.index); r.setEnd(n, m.index + m[1].length); const day = r.getBoundingClientRect();
      const ys = m.index + m[0].length - 4; r.setStart(n, ys); r.setEnd(n, ys + 4);
      const year = r.getBoundingClientRect();
      if (!day.width || !year.width || Math.abs(day.top - year.top) > 3) continue;
      const gap = day.left - year.right;   // right to left: day, /, month, /, year
      if (gap < 0 || gap > 40) {
        const el = n.parentElement.closest('dd,td,li,p,div') || n.parentElement;
        out.push(el.innerText.replace(/\u200f/g, '').slice(0, 100) + ` (gap ${Math.round(gap)} px)`);
      }
    }
  }
  return out; }"""


@pytest.mark.parametrize("role, url", [
    ("srsg_staff2", "/travel/grants"),       # "Marrakech, 10/12/2018" under each event
    ("srsg_staff2", "/travel/queue"),
    ("srsg_staff2", "/travel/grants/7"),     # the grant's event: title, city, date
    ("admin", "/dashboard/"),                # audit box: "... USD، 30/11/2018"
])
def test_an_arabic_date_after_latin_words_stays_whole(new_page, role, url):
    page = new_page("ar")
    login(page, role, english=False)
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("dir") == "rtl"
    split = page.evaluate(SPLIT)
    assert not split, f"{len(split)} date(s) cut in two on {url}:\n" + "\n".join(split[:5])

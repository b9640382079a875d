"""With one long reference on the statement, the other columns keep their words whole:
only the cells of references and notes may break anywhere (statement-pdf.css). (Found by
a colleague's review: every text cell could, its smallest width one letter, and the
table's layout squeezed the deposits' Pool column to "Objectiv / e 1".)"""
from __future__ import annotations

import re

import pypdfium2

from tests.factories import statements as data

PERIOD = {"from": "2017-01-01", "to": "2017-12-31", "format": "pdf"}


def test_a_long_reference_does_not_break_the_pool_names_inside_their_words(client, login_as, db):
    sweden, _evil = data.two_donor_fund()
    c = data.commitment(sweden, "5000.00", reference="R" * 99 + "Z")
    data.deposit(c, "1000.00")
    db.session.commit()
    login_as("mptf_officer")
    answer = client.get(f"/statements/{sweden.id}", query_string=PERIOD)
    document = pypdfium2.PdfDocument(answer.data)
    try:
        drawn = "\n".join(document[n].get_textpage().get_text_range() for n in range(len(document)))
    finally:
        document.close()
    broken = re.findall(r"Objectiv\s*\n\s*e|earmar\s*\n\s*ked", drawn)
    assert broken == [], f"pool names broken inside a word: {broken}"

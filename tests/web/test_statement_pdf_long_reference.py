"""A commitment's reference of 100 characters without a space (the form takes 100)
must stay inside the statement PDF's pages, as a long donor name does. (Found by a
colleague's review: 347 characters were drawn past the right edge, the deposits' Net,
Pool and Note columns among them.)"""
from __future__ import annotations

from tests.factories import statements as data
from tests.pages import drawn_past_the_right_edge

PERIOD = {"from": "2017-01-01", "to": "2017-12-31", "format": "pdf"}


def test_a_long_commitment_reference_stays_inside_the_pdf_page(client, login_as, db):
    sweden, _evil = data.two_donor_fund()
    reference = "R" * 99 + "Z"
    c = data.commitment(sweden, "5000.00", reference=reference)
    data.deposit(c, "1000.00")
    db.session.commit()
    login_as("mptf_officer")
    answer = client.get(f"/statements/{sweden.id}", query_string=PERIOD)
    assert answer.status_code == 200
    drawn, outside = drawn_past_the_right_edge(answer.data)
    assert "Z" in drawn
    assert outside == [], f"{len(outside)} characters drawn past the page's right edge: {outside[:5]}"

"""A request waitlisted because no pool had the money tells its requester so in the
requester's language throughout: the sentence saying which pools lacked how much was
the one stored on the grant in its approver's language, with the amount formatted for
it (a colleague's review of the e-mail, 2026-12-07)."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import browser_of
from tests.factories.travel import fund_pool, make_event, make_request
from tests.pages import post_and_confirm, text
from trustfund.mail.models import OutboxMessage


def test_funds_short_waitlist_mail_is_all_in_the_requesters_language(client, login_as, db, users):
    fund_pool(1, "1000")  # USD 990 in the pool: a USD 2,300 request cannot be paid
    users["srsg_staff"].locale = "fr"  # the requester reads French
    db.session.commit()
    grant = make_request(make_event(), name="Awa Ndiaye")
    login_as("srsg_staff2")  # the approver works in English
    answer = post_and_confirm(client, f"/travel/grants/{grant.id}/approve", data={"pool_id": "0", "next": ""})
    assert answer.status_code == 302
    [mail] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "grant_waitlisted")).all()
    assert mail.locale == "fr"
    assert "No pool had" not in mail.body_text, mail.body_text
    assert "USD 2,300.00" not in mail.body_text, mail.body_text
    assert "2\u202f300,00\u00a0USD" in mail.body_text, mail.body_text
    assert "Objectif 1" in mail.body_text and "Sans préaffectation" in mail.body_text, mail.body_text


def test_why_a_request_waits_is_read_in_each_readers_language(app, client, login_as, db, users):
    """The grant's page, the review queue and the grants' download said why a request
    was waitlisted in its approver's words ("No pool had USD 2,300.00 available") to a
    colleague reading French; each now reads it in their own."""
    import io

    from openpyxl import load_workbook

    fund_pool(1, "1000")
    grant = make_request(make_event(), name="Awa Ndiaye")
    login_as("srsg_staff2")  # the approver works in English
    post_and_confirm(client, f"/travel/grants/{grant.id}/approve", data={"pool_id": "0", "next": ""})
    english = text(client.get(f"/travel/grants/{grant.id}"))
    assert "No pool had USD 2,300.00 available (Objective 1, Un-earmarked)." in english
    users["srsg_staff"].locale = "fr"
    db.session.commit()
    reader = browser_of(app, "srsg_staff")
    french = "Aucune enveloppe ne disposait de 2\u202f300,00\u00a0USD (Objectif 1, Sans préaffectation)."
    page = text(reader.get(f"/travel/grants/{grant.id}"))
    assert text(french) in page and "No pool had" not in page  # as read: text() folds the spaces
    queue = text(reader.get("/travel/queue"))
    assert text(french) in queue and "No pool had" not in queue
    book = load_workbook(io.BytesIO(reader.get("/travel/grants?format=xlsx").data))
    cells = [cell.value for row in book.worksheets[0].iter_rows() for cell in row]
    assert french in cells and not any(isinstance(c, str) and "No pool had" in c for c in cells)

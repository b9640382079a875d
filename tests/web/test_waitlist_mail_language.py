"""A request waitlisted because no pool had the money tells its requester so in the
requester's language throughout: the sentence saying which pools lacked how much was
the one stored on the grant in its approver's language, with the amount formatted for
it (a colleague's review of the e-mail, 2026-12-07)."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request
from tests.pages import post_and_confirm
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

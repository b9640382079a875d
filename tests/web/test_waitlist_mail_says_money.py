"""A request waitlisted by hand (the grant page's "Waitlist" button, with a note such as
"the nomination letter has not arrived") while its pool has ample money: the e-mail to
its requester still says "it stays in the review queue until a pool has the money"
(templates/mail/grant_decision.txt, the waitlisted sentence, written for every
waitlisting), then the note. The grant page shows the pool with the money and the
note; the flash says "Request waitlisted."; only the e-mail blamed money, and the
requester waited for a deposit nobody needs (a colleague's review)."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request
from tests.pages import post_and_confirm
from trustfund.mail.models import OutboxMessage


def test_a_request_waitlisted_for_a_reason_not_money_is_not_said_to_wait_for_money(client, login_as, db,
                                                                                   users):
    fund_pool(1, "100000")  # USD 99,000 in the pool: the USD 2,300 request can be paid
    grant = make_request(make_event(), name="Awa Ndiaye")
    login_as("srsg_staff2")
    note = "The nomination letter (note verbale) has not arrived yet."
    answer = post_and_confirm(client, f"/travel/grants/{grant.id}/waitlist",
                              data={"reason": note, "next": ""})
    assert answer.status_code == 302
    [mail] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "grant_waitlisted")).all()
    assert note in mail.body_text
    assert "until a pool has the money" not in mail.body_text, mail.body_text
    assert "srsg_staff2 waitlisted the travel grant request for Awa Ndiaye (" in mail.body_text
    assert ": it stays in the review queue until it is approved or rejected. Reason: The nomination letter" \
        in mail.body_text

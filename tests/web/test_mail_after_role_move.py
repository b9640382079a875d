"""A message is read for deliverability when it is sent, not when it was written
(mail.sender.undeliverable: a deactivated account, a changed address). An account
moved meanwhile to the donor role, or to another donor, must not receive what was
written for its former role: the officers' digest lists every donor's overdue
instalments; a donor's document notice names that donor's statement. (Found by a
colleague's review: both were sent.) A message about the account itself (its new role)
still goes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import make_user
from tests.factories import statements as data
from tests.pages import form_token
from trustfund.audit import utcnow
from trustfund.mail.models import OutboxMessage
from trustfund.mail.sender import send_due


def _move(client, login_as, user, *, role: str, donor_id: int) -> None:
    login_as("admin")
    answer = client.post(f"/admin/users/{user.id}", data={
        "email": user.email, "name": user.name, "role": role, "donor_id": donor_id, "active": "y",
        "version": user.version})
    assert answer.status_code == 302


def test_an_officer_moved_to_a_donor_before_the_sender_runs_gets_no_officers_digest(
        client, login_as, db, users, smtp_server):
    from trustfund.contributions.services import record_commitment
    from trustfund.donors.models import Donor
    from trustfund.notifications.digests import officer_digests

    officer = users["mptf_officer"]
    users["mptf_officer2"].digests = False
    other = db.session.scalar(sa.select(Donor).where(Donor.saa_status == "signed").limit(1))
    mine = data.donor("Officer's New Donor")
    record_commitment(officer, other, currency="EUR", amount=Decimal("300000.00"), objective_id=None,
                      committed_on=dt.date(2017, 4, 20), reference="OTHER-DONOR-EUR-7",
                      instalments=[(dt.date(2017, 5, 1), Decimal("100000.00")),
                                   (dt.date(2999, 1, 1), Decimal("200000.00"))])
    db.session.commit()
    assert officer_digests(utcnow()) == 1  # written for the officer
    _move(client, login_as, officer, role="donor", donor_id=mine.id)
    db.session.refresh(officer)
    assert (officer.role, officer.donor_id) == ("donor", mine.id)
    send_due()
    leaked = [m for m in smtp_server.messages
              if "OTHER-DONOR-EUR-7" in m.get_body(preferencelist=("plain",)).get_content()]
    assert leaked == [], "another donor's overdue instalment reached a donor user"
    # Marked not sent, with why, on the admin's outbox page; the role's own notice went.
    digest = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "digest_officers",
                                                               OutboxMessage.user_id == officer.id))
    assert digest.status == "failed"
    assert digest.last_error == ("Not sent: the account's role or donor was changed after the message "
                                 "was written.")
    assert any(m["Subject"] == "Your role in Trustfund changed" for m in smtp_server.messages
               if m["To"] == officer.email)


def test_a_donor_user_moved_to_another_donor_gets_no_notice_of_the_first_donors_statement(
        client, login_as, db, users, smtp_server):
    sweden, evil = data.two_donor_fund()
    reader = make_user("donor", "moving@test.example", donor_id=sweden.id)
    login_as("mptf_officer")
    assert client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                  "from": "2017-01-01", "to": "2017-06-30",
                                                  "donors": [str(sweden.id)]}).status_code == 302
    _move(client, login_as, reader, role="donor", donor_id=evil.id)
    send_due()
    to_mover = [m["Subject"] for m in smtp_server.messages if m["To"] == "moving@test.example"]
    assert to_mover == [], f"a user of {evil.name!r} was told of {sweden.name}'s statement: {to_mover}"

"""Notifications (issue 20): the requester of a travel grant learns of each decision on
it and on its overrun, once, in their own language, with a link to the grant; a
refused decision writes nothing; nobody else gets the message."""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import force_locale

from tests.factories.travel import fund_pool, make_event, make_request
from trustfund.audit import AuditEntry
from trustfund.formatting import date, money
from trustfund.mail.models import OutboxMessage
from trustfund.mail.sender import send_due

BASE = "https://trustfund.test.example"


def _text(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def _outbox(db) -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_requester_learns_of_the_approval_in_their_language_with_the_amount_and_a_link(
        client, login_as, db, users, smtp_server):
    fund_pool(1, "100000")
    users["srsg_staff"].locale = "fr"
    db.session.commit()
    event = make_event()
    grant = make_request(event, name="Awa Ndiaye")
    login_as("srsg_staff2")
    answer = client.post(f"/travel/grants/{grant.id}/approve",
                         data={"pool_id": "0", "next": "", "confirmed": "1"})
    assert answer.status_code == 302
    assert send_due().sent == 1
    [mail] = smtp_server.messages
    assert mail["To"] == "srsg@test.example"
    assert mail["Subject"] == "Aide au voyage approuvée : Awa Ndiaye"
    db.session.refresh(grant)
    with force_locale("fr"):
        amount, start = money(grant.committed_amount, "USD"), date(event.start_on)
    text = _text(mail)
    assert amount in text and start in text and "Awa Ndiaye" in text
    assert f"{BASE}/travel/grants/{grant.id}" in text
    assert send_due().sent == 0


def test_rejection_waitlist_and_overruns_reach_the_requester_only(client, login_as, db, users, smtp_server):
    from trustfund.travel.decisions import approve_grant, reject_grant, waitlist_grant
    from trustfund.travel.overruns import approve_overrun
    from trustfund.travel.reconcile import record_travel

    fund_pool(1, "100000")
    event = make_event(cap=5)
    rejected, waiting, travelled = (make_request(event, name=n) for n in ("Ana", "Bo", "Chen"))
    srsg2 = users["srsg_staff2"]
    reject_grant(srsg2, rejected, "Not nominated by the government")
    waitlist_grant(srsg2, waiting, "")
    approve_grant(srsg2, travelled)
    db.session.commit()
    record_travel(users["srsg_staff2"], travelled, ticket=travelled.airfare + 250, dsa=travelled.dsa_amount,
                  terminal=travelled.terminal_expenses)
    db.session.commit()
    approve_overrun(users["srsg_staff"], travelled)
    db.session.commit()
    send_due()
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert subjects == ["Travel grant rejected: Ana", "Travel grant waitlisted: Bo",
                        "Travel grant approved: Chen", "Overrun awaiting approval: Chen",
                        "Overrun approved: Chen"]
    assert {m["To"] for m in smtp_server.messages} == {"srsg@test.example"}
    assert "Reason: Not nominated by the government" in _text(smtp_server.messages[0])
    assert "USD\u00a0250.00" in _text(smtp_server.messages[3])


def test_a_refused_decision_writes_no_message(client, login_as, db, users, smtp_server):
    event = make_event()
    grant = make_request(event)
    login_as("srsg_staff")  # the requester may not decide their own request
    client.post(f"/travel/grants/{grant.id}/reject", data={"reason": "No", "next": "", "confirmed": "1"})
    login_as("srsg_staff2")
    # No reason: refused.
    client.post(f"/travel/grants/{grant.id}/reject", data={"reason": "", "next": "", "confirmed": "1"})
    assert _outbox(db) == []
    assert send_due().sent == 0 and smtp_server.messages == []


def test_a_throttled_sign_in_tells_the_accounts_owner_once(app, db, users, smtp_server):
    limit = int(app.config["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"].split()[0])
    client = app.test_client()
    for email in ("officer@test.example", "nobody@test.example"):
        for _ in range(limit):
            assert client.post("/login", data={"email": email, "password": "wrong"}).status_code == 200
        for _ in range(3):
            assert client.post("/login", data={"email": email, "password": "wrong"}).status_code == 429
    assert [(m.to_address, m.kind) for m in _outbox(db)] == [("officer@test.example", "signin_throttled")]
    assert send_due().sent == 1
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Trustfund: sign-in to your account paused"
    assert "127.0.0.1" in _text(mail) and f"{BASE}/password/forgot" in _text(mail)


def _digests(now):
    from trustfund.notifications.digests import grant_request_digests, officer_digests

    return grant_request_digests(now), officer_digests(now)


def test_requests_awaiting_decision_reach_the_other_srsg_staff_at_most_hourly(
        app, client, login_as, db, users, runner, smtp_server):
    import datetime as dt

    from trustfund.audit import utcnow

    event = make_event(cap=5)
    make_request(event, name="Awa Ndiaye")  # by srsg_staff
    assert "1 message(s) sent" in runner.invoke(args=["send-mail"]).output
    [mail] = smtp_server.messages
    assert mail["To"] == "srsg2@test.example"  # not its requester, nor any other role
    assert mail["Subject"] == "Trustfund: 1 travel grant request awaiting decision"
    assert "Awa Ndiaye" in _text(mail) and f"{BASE}/travel/queue" in _text(mail)
    assert f"{BASE}/profile" in _text(mail)
    make_request(event, name="Bo Li", country="ML")
    now = utcnow()
    assert _digests(now + dt.timedelta(minutes=30)) == (0, 0)  # within the hour: nothing
    assert _digests(now + dt.timedelta(minutes=61)) == (1, 0)
    [later] = [m for m in _outbox(db) if m.kind == "digest_grant_requests"][1:]
    assert "Bo Li" in later.body_text and "Awa Ndiaye" not in later.body_text  # only what is new
    assert _digests(now + dt.timedelta(hours=5)) == (0, 0)  # nothing new: no digest

    login_as("srsg_staff2")
    page = client.get("/profile").get_data(as_text=True)
    assert "always sent" in page
    box = re.search(r'<input[^>]*name="digests"[^>]*>', page).group(0)
    assert " checked" in box  # digests on until turned off
    # The profile's one form: the zone as it was, the box unticked: digests off.
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    answer = client.post("/profile", data={"timezone": "UTC", "version": version})
    assert answer.status_code == 302
    make_request(event, name="Chen Wu", country="NE")
    assert _digests(now + dt.timedelta(hours=6)) == (0, 0)
    assert 'name="digests"' in client.get("/profile").get_data(as_text=True)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user.preferences")).one()
    assert entry.after == {"digests": False}


def test_officers_get_a_weekly_digest_of_overdue_instalments_and_saas_awaiting_signature(
        app, db, users, smtp_server):
    import datetime as dt
    from decimal import Decimal

    from trustfund.audit import utcnow
    from trustfund.contributions.services import record_commitment
    from trustfund.donors.models import Donor
    from trustfund.donors.services import change_saa_status, create_donor

    officer = users["mptf_officer"]
    officer.locale = "ru"
    signed = db.session.scalar(sa.select(Donor).where(Donor.saa_status == "signed").limit(1))
    record_commitment(officer, signed, currency="EUR", amount=Decimal("300000.00"), objective_id=None,
                      committed_on=dt.date(2017, 4, 20), reference="SE-EUR-7",
                      instalments=[(dt.date(2017, 5, 1), Decimal("100000.00")),
                                   (dt.date(2999, 1, 1), Decimal("200000.00"))])
    slow = create_donor(officer, name="Slow Foundation", donor_type="philanthropic_organization")
    change_saa_status(officer, slow, "draft_shared")
    db.session.commit()
    now = utcnow()
    assert _digests(now) == (0, 1)  # the SAA is 0 days old: only the instalment is reported
    [digest] = [m for m in _outbox(db) if m.kind == "digest_officers"]
    assert digest.to_address == "officer@test.example" and digest.locale == "ru"
    with force_locale("ru"):
        assert money(Decimal("100000.00"), "EUR") in digest.body_text
    assert "SE-EUR-7" in digest.body_text and "Slow Foundation" not in digest.body_text
    assert _digests(now + dt.timedelta(days=6)) == (0, 0)  # weekly
    assert _digests(now + dt.timedelta(days=31)) == (0, 1)
    latest = [m for m in _outbox(db) if m.kind == "digest_officers"][-1]
    assert "Slow Foundation" in latest.body_text
    assert {m.to_address for m in _outbox(db)} == {"officer@test.example"}  # no donor, no other role
    send_due()
    assert {m["To"] for m in smtp_server.messages} == {"officer@test.example"}

"""Notifications (issue 20): the requester of a travel grant learns of each decision on
it and on its overrun, once, in their own language, with a link to the grant; a
refused decision writes nothing; nobody else gets the message."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request
from tests.pages import form_token, post_and_confirm
from trustfund.audit import AuditEntry
from trustfund.formatting import date, money
from trustfund.language import speaking
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
    event.title_translations = {"fr": "Session thématique, Genève"}
    db.session.commit()
    grant = make_request(event, name="Awa Ndiaye")
    login_as("srsg_staff2")
    answer = post_and_confirm(client, f"/travel/grants/{grant.id}/approve", data={"pool_id": "0", "next": ""})
    assert answer.status_code == 302
    assert send_due().sent == 1
    [mail] = smtp_server.messages
    assert mail["To"] == "srsg@test.example"
    assert mail["Subject"] == "Aide au voyage approuvée\u00a0: Awa Ndiaye"
    db.session.refresh(grant)
    with speaking("fr"):
        amount, start = money(grant.committed_amount, "USD"), date(event.start_on)
    text = _text(mail)
    assert amount in text and start in text and "Awa Ndiaye" in text
    # The event by its title in the reader's language, where it has one.
    assert "Session thématique, Genève" in text and "Thematic session" not in text
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
                        "Travel grant approved: Chen", "An overrun waits for your approval: Chen",
                        "Overrun approved: Chen"]
    assert {m["To"] for m in smtp_server.messages} == {"srsg@test.example"}
    assert "Reason: Not nominated by the government" in _text(smtp_server.messages[0])
    assert "USD\u00a0250.00" in _text(smtp_server.messages[3])
    # Each says what happens next.
    assert "it stays in the review queue until it is approved or rejected" in _text(smtp_server.messages[1])
    # The requester did not record the costs: asked to decide, as any colleague of the recorder.
    assert ("The fund pays this overrun only once an SRSG staff member other than the one who recorded the "
            "costs approves it. Approve or reject it on the grant’s page:") in " ".join(
                _text(smtp_server.messages[3]).split())


def test_a_requester_who_left_the_srsg_staff_learns_nothing_of_the_decision(db, users, smtp_server):
    """The requester was moved to the donor role since (a move to less power takes
    effect at once): a donor may not read travel grants, so no message with the
    delegate, the event and the amount goes to them."""
    from trustfund.admin.services import save_user
    from trustfund.travel.decisions import approve_grant

    fund_pool(1, "10000.00")
    grant = make_request(make_event())
    requester = users["srsg_staff"]
    assert grant.requested_by_id == requester.id
    save_user(users["admin"], requester, email=requester.email, name=requester.name, role="donor",
              donor_id=users["donor"].donor_id, active=True, password=None, version=requester.version)
    db.session.commit()
    approve_grant(users["srsg_staff2"], grant)
    db.session.commit()
    assert [message for message in _outbox(db) if message.kind.startswith("grant_")] == []
    send_due()
    assert not any(m["Subject"].startswith("Travel grant") for m in smtp_server.messages)


def test_a_refused_decision_writes_no_message(client, login_as, db, users, smtp_server):
    event = make_event()
    grant = make_request(event)
    login_as("srsg_staff")  # the requester may not decide their own request
    client.post(f"/travel/grants/{grant.id}/reject",
                data={"reason": "No", "next": "", "confirmed": "1", "confirmed_in": "en"})
    login_as("srsg_staff2")
    # No reason: refused.
    client.post(f"/travel/grants/{grant.id}/reject",
                data={"reason": "", "next": "", "confirmed": "1", "confirmed_in": "en"})
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
    assert mail["Subject"] == "Trustfund: logging in to your account paused"
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
    users["mptf_officer2"].digests = False  # the second officer has turned the weekly digest off
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
    with speaking("ru"):
        assert money(Decimal("100000.00"), "EUR") in digest.body_text
    assert "SE-EUR-7" in digest.body_text and "Slow Foundation" not in digest.body_text
    assert _digests(now + dt.timedelta(days=6)) == (0, 0)  # weekly
    assert _digests(now + dt.timedelta(days=31)) == (0, 1)
    latest = [m for m in _outbox(db) if m.kind == "digest_officers"][-1]
    assert "Slow Foundation" in latest.body_text
    assert {m.to_address for m in _outbox(db)} == {"officer@test.example"}  # no donor, no other role
    send_due()
    assert {m["To"] for m in smtp_server.messages} == {"officer@test.example"}


def _two_donors_with_users(db):
    from tests.factories import make_user
    from tests.factories import statements as data

    sweden, evil = data.two_donor_fund()
    make_user("donor", "sweden2@test.example", donor_id=sweden.id).locale = "fr"
    make_user("donor", "gone@test.example", donor_id=sweden.id, active=False)
    make_user("donor", "evil@test.example", donor_id=evil.id).locale = "es"
    db.session.commit()
    return sweden, evil


def test_each_donors_users_learn_of_their_own_statement_only_in_their_language(
        client, login_as, db, users, smtp_server):
    sweden, evil = _two_donors_with_users(db)
    login_as("mptf_officer")
    answer = client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                    "from": "2017-01-01", "to": "2017-06-30",
                                                    "donors": [str(sweden.id), str(evil.id)]})
    assert answer.status_code == 302
    assert send_due().sent == 3
    mails = {m["To"]: m for m in smtp_server.messages}
    assert set(mails) == {"donor@test.example", "sweden2@test.example", "evil@test.example"}
    # The statement's title in each reader's language, with their dates, whoever issued it.
    titles = {"donor@test.example": "Statement from 1 Jan 2017 to 30 Jun 2017",
              "sweden2@test.example": "Relevé du 1er janv. 2017 au 30 juin 2017",
              "evil@test.example": "Estado de cuenta del 1 ene 2017 al 30 jun 2017"}
    # The title says "Statement" once: not "Statement issued for …: Statement from …".
    assert mails["donor@test.example"]["Subject"] == \
        f"{titles['donor@test.example']} for Kingdom of Sweden"
    assert mails["sweden2@test.example"]["Subject"] == \
        f"{titles['sweden2@test.example']} de Kingdom of Sweden"
    assert mails["evil@test.example"]["Subject"].startswith("Estado de cuenta del 1 ene 2017")
    assert f"{titles['donor@test.example']} for Kingdom of Sweden is in your documents on Trustfund." in \
        _text(mails["donor@test.example"])
    for address, mail in mails.items():
        text = _text(mail)
        assert titles[address] in mail["Subject"] and titles[address] in text
        assert f"{BASE}/statements/portal#documents-heading" in text
        mine, other = (evil.name, sweden.name) if address == "evil@test.example" else (sweden.name, evil.name)
        assert mine in text and mine in mail["Subject"]
        assert other not in text and other not in mail["Subject"]
    # Issued again: a new version, told again to the same users only.
    client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                    "from": "2017-01-01", "to": "2017-06-30",
                                           "donors": [str(evil.id)]})
    assert send_due().sent == 1
    assert smtp_server.messages[-1]["To"] == "evil@test.example"
    assert "de nuevo" in _text(smtp_server.messages[-1])


def test_the_command_tells_each_donors_users(runner, db, users, smtp_server):
    sweden, evil = _two_donors_with_users(db)
    result = runner.invoke(args=["issue-statements", "--from", "2017-01-01", "--to", "2017-12-31"])
    assert result.exit_code == 0, result.output
    by_address = {m.to_address: m for m in _outbox(db)}
    assert set(by_address) == {"donor@test.example", "sweden2@test.example", "evil@test.example"}
    assert sweden.name in by_address["donor@test.example"].body_text
    assert evil.name not in by_address["donor@test.example"].body_text


def test_a_failed_issue_sends_nothing(client, login_as, db, users, smtp_server, monkeypatch):
    from trustfund.errors import DomainError
    from trustfund.statements import issue

    sweden, evil = _two_donors_with_users(db)
    real = issue.statement_pdf

    def failing(donor, *args):
        if donor.id == evil.id:  # after Sweden's statement and its messages were written
            raise DomainError("The statement could not be made.")
        return real(donor, *args)

    monkeypatch.setattr(issue, "statement_pdf", failing)
    login_as("mptf_officer")
    answer = client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                    "from": "2017-01-01", "to": "2017-06-30",
                                                    "donors": [str(sweden.id), str(evil.id)]})
    assert answer.status_code == 200 and "The statement could not be made." in answer.get_data(as_text=True)
    assert _outbox(db) == []
    assert send_due().sent == 0 and smtp_server.messages == []


def test_a_document_for_the_donor_tells_its_users_and_a_staff_only_one_nobody(
        client, login_as, db, users, smtp_server):
    from tests.factories import documents as files
    from tests.factories.travel import make_event, make_request

    sweden, _evil = _two_donors_with_users(db)
    grant = make_request(make_event())
    db.session.commit()
    login_as("srsg_staff")  # a travel grant's document: staff only, no donor reads it
    answer = files.post_file(client, f"/documents/grant/{grant.id}/new", files.pdf(), "note.pdf",
                             kind="note_verbale", title="Note verbale")
    assert answer.status_code == 302
    assert _outbox(db) == []
    login_as("mptf_officer")
    answer = files.post_file(client, f"/documents/donor/{sweden.id}/new", files.pdf(), "saa.pdf",
                             kind="saa", title="The signed SAA")
    assert answer.status_code == 302
    assert send_due().sent == 2
    assert {m["To"] for m in smtp_server.messages} == {"donor@test.example", "sweden2@test.example"}
    english = next(m for m in smtp_server.messages if m["To"] == "donor@test.example")
    assert english["Subject"] == "New document for Kingdom of Sweden: The signed SAA"
    text = _text(english)
    assert "(Signed SAA)" in text and f"{BASE}/statements/portal#documents-heading" in text


@pytest.mark.parametrize("first", [True, False], ids=["first digest", "a later digest"])
def test_two_senders_at_once_write_a_persons_digest_once(app, db, users, monkeypatch, first):
    """The --loop service and the scheduler's send-mail write digests at the same moment
    (a person's first, or a later one once due): the person gets one digest, and the
    second sender neither writes another nor fails. The second runs in its own thread,
    session and connection while the first is writing the digest it has claimed."""
    import datetime as dt

    from tests.security.helpers import Attempt
    from trustfund.audit import utcnow
    from trustfund.notifications import digests

    event = make_event(cap=5)
    make_request(event, name="Awa Ndiaye")  # by srsg_staff: the digest goes to srsg_staff2
    now = utcnow()
    if not first:
        assert digests.grant_request_digests(now) == 1
        make_request(event, name="Bo Li", country="ML")
        now += dt.timedelta(hours=2)  # the next digest is due
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    written = digests.enqueue
    other = Attempt(app, lambda: digests.grant_request_digests(now))
    started = []

    def enqueue(*args, **kwargs):
        if not started:
            started.append(other.start())
            other.done.wait(timeout=1.5)  # it waits for this one's claim, or would write too
        return written(*args, **kwargs)

    monkeypatch.setattr(digests, "enqueue", enqueue)
    assert digests.grant_request_digests(now) == 1
    assert other.join() == 0
    db.session.expire_all()
    after = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert after - before == 1


def test_the_officers_digest_says_how_often_it_comes(app, db, users, monkeypatch):
    """Its subject said "weekly" whatever TRUSTFUND_DIGEST_OFFICERS_DAYS set: an officer
    receiving it every three days read a weekly digest."""
    import datetime as dt
    from decimal import Decimal

    from trustfund.audit import utcnow
    from trustfund.auth.models import User
    from trustfund.contributions.services import record_commitment
    from trustfund.donors.models import Donor

    officer = users["mptf_officer"]
    users["mptf_officer2"].digests = False
    signed = db.session.scalar(sa.select(Donor).where(Donor.saa_status == "signed").limit(1))
    record_commitment(officer, signed, currency="EUR", amount=Decimal("1000.00"), objective_id=None,
                      committed_on=dt.date(2017, 4, 20), reference="SE-EUR-8",
                      instalments=[(dt.date(2017, 5, 1), Decimal("1000.00"))])
    db.session.commit()
    monkeypatch.setitem(app.config, "DIGEST_OFFICERS_DAYS", 3)
    now = utcnow()
    assert _digests(now) == (0, 1)
    assert _digests(now + dt.timedelta(days=2)) == (0, 0)
    db.session.execute(sa.update(User).where(User.id == officer.id).values(locale="fr"))
    db.session.commit()
    assert _digests(now + dt.timedelta(days=3)) == (0, 1)
    subjects = [m.subject for m in _outbox(db) if m.kind == "digest_officers"]
    assert subjects[0] == "Trustfund: digest for MPTF officers, every 3 days"
    assert subjects[1] == "Trustfund\u00a0: récapitulatif des fonctionnaires du Bureau MPTF, tous les 3 jours"

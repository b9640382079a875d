"""The outbox (issue 20): a message is a row written with the change that causes it,
sent by `flask --app trustfund send-mail` to a real SMTP server (tests/smtp_server.py),
with retries; the admin sees what was sent or failed and sends again."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from trustfund.audit import AuditEntry, utcnow
from trustfund.errors import DomainError
from trustfund.mail.models import FAILED, PENDING, SENT, OutboxMessage

LINK = "https://trustfund.test.example/"


def _messages(db) -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _change_role(client, user, role: str):
    return client.post(f"/admin/users/{user.id}", data={
        "email": user.email, "name": user.name, "role": role, "donor_id": 0, "active": "y",
        "version": user.version})


def _body(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_a_role_change_arrives_once_in_the_users_language_with_a_link(
        client, login_as, db, users, runner, smtp_server):
    # An officer moved to auditor: less power, at once (a move to a role with power over
    # money waits for a second admin, and the message goes when it is confirmed).
    officer = users["mptf_officer"]
    officer.locale, officer.name = "fr", "Jean Dupont"
    users["admin"].name = "Amina Diallo"
    db.session.commit()
    login_as("admin")
    assert _change_role(client, officer, "auditor").status_code == 302
    assert smtp_server.messages == []  # written, not sent: the sender sends
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "1 message(s) sent" in result.output
    again = runner.invoke(args=["send-mail"])
    assert "0 message(s) sent" in again.output
    [mail] = smtp_server.messages
    assert mail["To"] == "officer@test.example"
    assert mail["Subject"] == "Votre rôle dans Trustfund a changé"
    text, html = _body(mail, "plain"), _body(mail, "html")
    assert "Auditeur" in text and "Fonctionnaire du Bureau MPTF" in text and "Amina Diallo" in text
    assert "Bonjour Jean Dupont," in text
    assert LINK in text and f'href="{LINK}"' in html and 'lang="fr"' in html
    [row] = _messages(db)
    assert (row.status, row.attempts, row.locale) == (SENT, 1, "fr")


def test_a_request_that_fails_after_writing_its_message_sends_nothing(
        client, login_as, db, users, runner, smtp_server, monkeypatch):
    from trustfund.admin import services

    def refuse(*args, **kwargs):
        raise DomainError("Refused after the message was written.")

    monkeypatch.setattr(services, "record", refuse)
    login_as("admin")
    page = _change_role(client, users["mptf_officer"], "auditor")
    assert page.status_code == 200 and b"Refused after the message was written." in page.data
    assert _messages(db) == []
    assert db.session.get(type(users["mptf_officer"]), users["mptf_officer"].id).role == "mptf_officer"
    assert "0 message(s) sent" in runner.invoke(args=["send-mail"]).output
    assert smtp_server.messages == []


def test_a_server_that_refuses_the_first_time_gets_the_message_on_the_retry(
        app, client, login_as, db, users, smtp_server):
    from trustfund.mail.sender import send_due

    login_as("admin")
    _change_role(client, users["mptf_officer"], "auditor")
    smtp_server.refuse_next = 1
    now = utcnow()
    report = send_due(now)
    assert (report.sent, report.retried, smtp_server.refused) == (0, 1, 1)
    [row] = _messages(db)
    assert row.status == PENDING and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at == now + dt.timedelta(seconds=app.config["MAIL_FIRST_BACKOFF"])
    assert send_due(now + dt.timedelta(seconds=30)).sent == 0  # not before its time
    assert smtp_server.messages == []
    assert send_due(now + dt.timedelta(seconds=61)).sent == 1
    assert len(smtp_server.messages) == 1
    db.session.expire_all()
    assert (row.status, row.attempts, row.last_error) == (SENT, 2, "")


def test_the_waits_grow_and_a_message_refused_too_often_fails_then_the_admin_sends_it_again(
        app, client, login_as, db, users, smtp_server):
    from trustfund.mail.sender import send_due

    login_as("admin")
    _change_role(client, users["mptf_officer"], "auditor")
    smtp_server.refuse_next = app.config["MAIL_MAX_ATTEMPTS"]
    now, waits = utcnow(), []
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        send_due(now)
        row = _messages(db)[0]
        waits.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    assert waits[:4] == [60, 120, 240, 480]
    db.session.expire_all()
    row = _messages(db)[0]
    assert row.status == FAILED and row.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    page = client.get("/admin/mail/", query_string={"status": "failed"}).get_data(as_text=True)
    assert "officer@test.example" in page and "451" in page and "Send again" in page

    login_as("auditor")
    assert client.post(f"/admin/mail/{row.id}/resend").status_code == 403
    login_as("admin")
    answer = client.post(f"/admin/mail/{row.id}/resend")
    assert answer.status_code == 302
    db.session.expire_all()
    assert (row.status, row.attempts) == (PENDING, 0)
    assert send_due().sent == 1 and len(smtp_server.messages) == 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "mail.resend"))
    assert entry.user_id == users["admin"].id and "body_text" not in entry.after
    trail = client.get("/admin/audit", query_string={"action": "mail.resend"}).get_data(as_text=True)
    assert "sent the message to officer@test.example again." in trail


def test_a_waiting_message_is_not_sent_again_twice(client, login_as, db, users, smtp_server):
    login_as("admin")
    _change_role(client, users["mptf_officer"], "auditor")
    row = _messages(db)[0]
    client.post(f"/admin/mail/{row.id}/resend")
    assert _messages(db)[0].attempts == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "mail.resend")) == 0


def test_send_mail_refuses_when_mail_is_switched_off(app, runner, smtp_server):
    app.config["MAIL_ENABLED"] = False
    try:
        result = runner.invoke(args=["send-mail"])
    finally:
        app.config["MAIL_ENABLED"] = True
    assert result.exit_code != 0 and "switched off" in result.output


def test_a_message_claimed_late_in_a_long_round_is_not_sent_again_by_a_second_sender(
        client, login_as, db, users, smtp_server, monkeypatch):
    """The first message of a round takes 10.5 minutes to hand over (a slow server);
    the second is claimed then, and while it is handed over another sender (the
    scheduler's send-mail beside the --loop service) starts its round: the second
    message's lease runs from its claim, not from the round's start, so it is sent once."""
    from trustfund.mail import sender

    login_as("admin")
    assert _change_role(client, users["mptf_officer"], "auditor").status_code == 302
    assert _change_role(client, users["srsg_staff"], "auditor").status_code == 302
    first, second = _messages(db)
    start = utcnow()
    clock = [start]
    monkeypatch.setattr(sender, "utcnow", lambda: clock[0])
    handed_over = sender.deliver
    other_round = []

    def deliver(message):
        handed_over(message)
        if message.id == first.id:
            clock[0] = start + dt.timedelta(minutes=10, seconds=30)
        elif message.id == second.id and not other_round:
            other_round.append(sender.send_due(clock[0]))

    monkeypatch.setattr(sender, "deliver", deliver)
    sender.send_due(start)
    assert len(smtp_server.to(second.to_address)) == 1
    assert other_round[0].sent == 0


def _edit_account(client, user, **changes):
    fields = {"email": user.email, "name": user.name, "role": user.role, "donor_id": user.donor_id or 0,
              "active": "y", "version": user.version}
    fields.update(changes)
    return client.post(f"/admin/users/{user.id}", data={k: v for k, v in fields.items() if v is not None})


def _statement_notice(db, runner):
    from tests.factories import statements as data

    sweden, _other = data.two_donor_fund()
    result = runner.invoke(args=["issue-statements", "--from", "2017-01-01", "--to", "2017-12-31",
                                 "--donor", str(sweden.id)])
    assert result.exit_code == 0, result.output
    [notice] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "statement_issued"))
    return notice


def test_a_waiting_notice_does_not_go_to_an_address_corrected_since(client, login_as, db, users, runner,
                                                                     smtp_server):
    """Sweden's statement notice waits in the outbox; the admin corrects the donor user's
    address (it was someone else's): the sender does not send it to the old address,
    and the outbox says why."""
    from trustfund.mail.sender import send_due

    notice = _statement_notice(db, runner)
    old = notice.to_address
    login_as("admin")
    assert _edit_account(client, users["donor"], email="anna.berg@gov.example").status_code == 302
    send_due()
    # The old address learns only that the account's address changed (a security notice).
    assert [m["Subject"] for m in smtp_server.to(old)] == ["The address of your Trustfund account changed"]
    db.session.expire_all()
    message = db.session.get(OutboxMessage, notice.id)
    assert (message.status, message.last_error) == (
        FAILED, "Not sent: the account's address was changed after the message was written.")


def test_a_waiting_notice_does_not_go_to_a_deactivated_account(client, login_as, db, users, runner,
                                                                smtp_server):

    notice = _statement_notice(db, runner)
    login_as("admin")
    assert _edit_account(client, users["donor"], active=None).status_code == 302  # left the ministry
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0  # not sent on purpose: nothing for a scheduler to report
    assert "1 not sent: the account changed since, or the link they carry expired." in result.output
    assert smtp_server.to(notice.to_address) == []
    db.session.expire_all()
    message = db.session.get(OutboxMessage, notice.id)
    assert (message.status, message.last_error) == (
        FAILED, "Not sent: the account was deactivated after the message was written.")


def test_a_messages_moments_are_in_its_recipients_zone_whoever_writes_it(client, login_as, db, users):
    """An admin in Tokyo invites a user in UTC: the invitation says until when its link
    works in UTC, labelled UTC (it said the Tokyo hour labelled "(UTC)"); an invitation
    to a user in New York says the New York hour."""
    from zoneinfo import ZoneInfo

    from trustfund.auth.models import PasswordToken, User

    users["admin"].timezone = "Asia/Tokyo"
    db.session.commit()
    login_as("admin")
    for email, zone in (("nadia@example.org", "UTC"), ("maria@example.org", "America/New_York")):
        assert client.post("/admin/users/new", data={
            "email": email, "name": "Nadia Haddad", "role": "auditor", "donor_id": 0, "active": "y",
            "password": "", "timezone": zone}).status_code == 302
    for email, zone, label in (("nadia@example.org", "UTC", "UTC"), ("maria@example.org", "America/New_York",
                                                                       "EST")):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        token = db.session.scalar(sa.select(PasswordToken).where(PasswordToken.user_id == user.id))
        [message] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.user_id == user.id))
        local = token.expires_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
        said = message.body_text.replace("\u202f", " ").replace("\u00a0", " ")
        assert f"{local:%-I:%M} {local:%p}".lower() + f" {label}" in said, said
        assert "(UTC)" not in message.body_text


def test_send_mail_run_once_exits_with_1_when_a_message_failed_for_good(app, runner, client, login_as, db,
                                                                        users, smtp_server):
    """A scheduler runs send-mail with wrong credentials: the round that fails a message
    for good exits with 1 and says so, so the scheduler notices; a round that only
    waits for a retry exits with 0."""
    login_as("admin")
    _change_role(client, users["mptf_officer"], "auditor")
    smtp_server.refuse_next = 1
    retried = runner.invoke(args=["send-mail"])
    assert retried.exit_code == 0 and "1 to be tried again" in retried.output
    message = _messages(db)[0]
    message.attempts = app.config["MAIL_MAX_ATTEMPTS"] - 1
    message.next_attempt_at = utcnow()
    db.session.commit()
    smtp_server.refuse_next = 1
    failed = runner.invoke(args=["send-mail"])
    assert failed.exit_code == 1
    assert "1 failed." in failed.output
    assert "1 message(s) failed for good: see the outbox page." in failed.output


def test_a_user_who_chose_no_language_gets_messages_in_the_one_they_signed_in_with(
        app, client, login_as, db, users):
    """Three colleagues moved to auditor: one who never signed in (English, the
    default); one who chose no language and signed in from a browser in Spanish (their
    pages are in Spanish, and so is their message); one who chose French and signed in
    from the same browser (French: their own choice wins over the browser's)."""
    from tests.factories import PASSWORD

    officer, srsg, officer2 = users["mptf_officer"], users["srsg_staff"], users["mptf_officer2"]
    officer2.locale = "fr"
    db.session.commit()
    for user in (srsg, officer2):
        assert user.locale != "es"
        browser = app.test_client()
        assert browser.post("/login", data={"email": user.email, "password": PASSWORD},
                            headers={"Accept-Language": "es-419,es;q=0.9,en;q=0.5"}).status_code == 302
    db.session.expire_all()
    login_as("admin")
    for user in (officer, srsg, officer2):
        assert _change_role(client, db.session.get(type(user), user.id), "auditor").status_code == 302
    messages = {m.to_address: m for m in _messages(db)}
    assert [messages[u.email].locale for u in (officer, srsg, officer2)] == ["en", "es", "fr"]
    assert messages[officer.email].subject == "Your role in Trustfund changed"
    assert messages[officer2.email].subject == "Votre rôle dans Trustfund a changé"
    assert messages[srsg.email].subject == "Su función en Trustfund ha cambiado"


def test_an_invitee_who_chose_french_on_the_links_page_is_written_to_in_french(
        app, client, db, users):
    """The invitation's page in French (the menu, from an English browser): the notice
    that the password is set, the login page after it and every later message are in
    French, though the invitee chose no language for the account."""
    from tests.factories import make_user
    from trustfund.auth.models import INVITE, User
    from trustfund.auth.tokens import issue

    new = "violet harbour seven lanterns"
    user = make_user("auditor", "new.person@example.org")
    url, _token = issue(user, INVITE)
    db.session.commit()
    path = url[url.index("/password/"):]
    english = {"Accept-Language": "en"}
    client.post("/language", data={"lang": "fr", "next": path}, headers=english)
    assert '<html lang="fr"' in client.get(path, headers=english).get_data(as_text=True)
    done = client.post(path, data={"password": new, "confirm": new}, headers=english, follow_redirects=True)
    assert '<html lang="fr"' in done.get_data(as_text=True)  # the login page, still in French
    [notice] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "password_changed"))
    assert notice.locale == "fr"
    assert client.post("/login", data={"email": user.email, "password": new},
                       headers=english).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.locale, user.seen_locale) == (None, "fr")

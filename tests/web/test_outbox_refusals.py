"""A message the mail server refuses for good (a 5xx to its recipient or to its content)
fails at once, with the server's reply, instead of being tried 8 times over 4 hours;
a refusal for now (4xx) and a fault of our own settings (a wrong password, a sender
address refused) keep the messages waiting, as before. Against a real SMTP server
(tests/smtp_server.py)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.smtp_server import PASSWORD, USER
from trustfund.audit import utcnow
from trustfund.mail.models import FAILED, PENDING, SENT, OutboxMessage
from trustfund.mail.sender import send_due

UNKNOWN_MAILBOX = "550 5.1.1 mailbox unavailable"


def _role_changes(client, login_as, users) -> tuple[str, str]:
    """Two messages waiting: the officer's and the SRSG staff member's (both moved to auditor)."""
    login_as("admin")
    for user in (users["mptf_officer"], users["srsg_staff"]):
        assert client.post(f"/admin/users/{user.id}", data={
            "email": user.email, "name": user.name, "role": "auditor", "donor_id": 0, "active": "y",
            "version": user.version}).status_code == 302
    return users["mptf_officer"].email, users["srsg_staff"].email


def _message_to(db, address: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == address)).one()


def test_a_mailbox_the_server_says_does_not_exist_fails_in_one_round_and_send_mail_exits_with_1(
        client, login_as, db, users, runner, smtp_server):
    officer, staff = _role_changes(client, login_as, users)
    smtp_server.recipient_refusals[officer] = UNKNOWN_MAILBOX
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1, result.output
    assert "1 message(s) sent, 0 to be tried again, 1 failed." in result.output
    assert "1 message(s) failed for good: see the outbox page." in result.output
    refused = _message_to(db, officer)
    assert (refused.status, refused.attempts) == (FAILED, 1)
    assert "550" in refused.last_error and "5.1.1 mailbox unavailable" in refused.last_error
    assert smtp_server.to(officer) == [] and len(smtp_server.to(staff)) == 1

    later = send_due(utcnow() + dt.timedelta(hours=5))  # not tried again, however long one waits
    assert (later.sent, later.retried, later.failed) == (0, 0, 0)
    assert _message_to(db, officer).attempts == 1
    page = client.get("/admin/mail/", query_string={"status": "failed"}).get_data(as_text=True)
    assert officer in page and "5.1.1 mailbox unavailable" in page and "Send again" in page


def test_a_mailbox_full_for_now_is_tried_again_while_an_unknown_one_fails_at_once(
        app, client, login_as, db, users, smtp_server):
    officer, staff = _role_changes(client, login_as, users)
    smtp_server.recipient_refusals.update({
        officer: "450 4.2.1 mailbox temporarily unavailable, try again later",
        staff: UNKNOWN_MAILBOX})
    now = utcnow()
    report = send_due(now)
    assert (report.sent, report.retried, report.failed) == (0, 1, 1)
    waiting, refused = _message_to(db, officer), _message_to(db, staff)
    assert (waiting.status, waiting.attempts) == (PENDING, 1) and "450" in waiting.last_error
    assert waiting.next_attempt_at == now + dt.timedelta(seconds=app.config["MAIL_FIRST_BACKOFF"])
    assert (refused.status, refused.attempts) == (FAILED, 1) and "550" in refused.last_error

    smtp_server.recipient_refusals.clear()  # the full mailbox was emptied; the unknown one stays unknown
    report = send_due(now + dt.timedelta(seconds=61))
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert (_message_to(db, officer).status, _message_to(db, officer).attempts) == (SENT, 2)
    assert _message_to(db, staff).attempts == 1
    assert len(smtp_server.to(officer)) == 1 and smtp_server.to(staff) == []


def test_a_message_whose_content_the_server_refuses_fails_at_once(client, login_as, db, users, smtp_server):
    officer, staff = _role_changes(client, login_as, users)
    smtp_server.refuse_next, smtp_server.data_refusal = 1, "554 5.6.0 message content rejected"
    report = send_due(utcnow())
    assert (report.sent, report.retried, report.failed) == (1, 0, 1)
    [refused] = [_message_to(db, address) for address in (officer, staff)
                 if _message_to(db, address).status == FAILED]
    assert refused.attempts == 1 and "554" in refused.last_error
    assert "5.6.0 message content rejected" in refused.last_error


@pytest.mark.parametrize("fault", ["a wrong password", "the sender's address refused",
                                   "login required at each recipient", "relay denied at each recipient",
                                   "relay refused without an enhanced code", "send-as denied at DATA",
                                   "DMARC refusal at DATA", "the sender's domain refused at each recipient"])
def test_a_fault_of_our_settings_keeps_every_message_waiting_until_it_is_put_right(
        app, client, login_as, db, users, smtp_server, monkeypatch, fault):
    """The same 5xx on every message says our settings are wrong, not the messages: they
    wait (a typo in a password must not fail the whole outbox at once). Once the settings
    are right, the message whose mailbox does not exist fails at once, the other goes."""
    officer, staff = _role_changes(client, login_as, users)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", USER.decode())
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", PASSWORD.decode())
    if fault == "a wrong password":  # 535 5.7.8 at the login
        monkeypatch.setitem(app.config, "MAIL_PASSWORD", "a typo")
    elif fault == "the sender's address refused":
        smtp_server.mail_from_refusal = "553 5.7.1 sender address rejected: not owned by user"
    elif fault == "login required at each recipient":
        smtp_server.recipient_refusals.update({officer: "530 5.7.0 Authentication required",
                                               staff: "530 5.7.0 Authentication required"})
    elif fault == "relay denied at each recipient":  # Postfix's, to a sender not logged in as it should
        smtp_server.recipient_refusals.update({address: f"554 5.7.1 <{address}>: Relay access denied"
                                               for address in (officer, staff)})
    elif fault == "relay refused without an enhanced code":  # Exim's default
        smtp_server.recipient_refusals.update({address: "550 relay not permitted"
                                               for address in (officer, staff)})
    elif fault == "send-as denied at DATA":  # Office 365: a sender address the account may not use
        smtp_server.refuse_next = 2
        smtp_server.data_refusal = "554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException"
    elif fault == "DMARC refusal at DATA":
        smtp_server.refuse_next = 2
        smtp_server.data_refusal = "550 5.7.26 Unauthenticated email is not accepted from this domain"
    else:
        smtp_server.recipient_refusals.update({address: "553 5.1.8 Sender address domain does not exist"
                                               for address in (officer, staff)})
    now = utcnow()
    report = send_due(now)
    assert (report.sent, report.retried, report.failed) == (0, 2, 0)
    assert [_message_to(db, address).status for address in (officer, staff)] == [PENDING, PENDING]

    monkeypatch.setitem(app.config, "MAIL_PASSWORD", PASSWORD.decode())
    smtp_server.mail_from_refusal, smtp_server.refuse_next = "", 0
    smtp_server.recipient_refusals.clear()
    smtp_server.recipient_refusals[officer] = UNKNOWN_MAILBOX
    report = send_due(now + dt.timedelta(seconds=61))
    assert (report.sent, report.retried, report.failed) == (1, 0, 1)
    assert (_message_to(db, officer).status, _message_to(db, officer).attempts) == (FAILED, 2)
    assert _message_to(db, staff).status == SENT and len(smtp_server.to(staff)) == 1


def test_a_full_mailbox_refused_with_552_is_tried_again(app, client, login_as, db, users, smtp_server):
    """RFC 5321 §4.5.3.1.10: a 552 to RCPT TO (mailbox full) is read as temporary."""
    officer, _staff = _role_changes(client, login_as, users)
    smtp_server.recipient_refusals[officer] = "552 5.2.2 Mailbox full"
    now = utcnow()
    report = send_due(now)
    assert (report.sent, report.retried, report.failed) == (1, 1, 0)
    assert _message_to(db, officer).status == PENDING
    smtp_server.recipient_refusals.clear()
    assert send_due(now + dt.timedelta(seconds=61)).sent == 1
    assert _message_to(db, officer).status == SENT

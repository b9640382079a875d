"""Mail about an account, as its holder and the admin read it (a colleague's review of
the e-mail, 2026-12-07): the holder of an account's old address learns that an admin
gave the account another address (a changed role and a changed password were told,
the address that lets "Forgot your password?" hand the account to another mailbox was
not); the outbox says why a message was not sent in its reader's language; a message
whose single-use link died before it went out is neither sent nor sent again."""
from __future__ import annotations

import datetime as dt
import email.policy
import html
import re

import sqlalchemy as sa

from trustfund.admin.services import save_user
from trustfund.audit import utcnow
from trustfund.auth.tokens import handle_reset_requests, request_reset
from trustfund.mail.models import FAILED, OutboxMessage
from trustfund.mail.sender import send_due


def _body(mail) -> str:
    message = email.message_from_bytes(mail.as_bytes(), policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_old_address_is_told_when_an_admin_changes_an_accounts_address(client, login_as, db, users,
                                                                         smtp_server):
    donor_user = users["donor"]
    old = donor_user.email
    donor_user.locale = "fr"
    db.session.commit()
    login_as("admin")
    answer = client.post(f"/admin/users/{donor_user.id}", data={
        "email": "someone.else@elsewhere.example", "name": donor_user.name, "role": "donor",
        "donor_id": donor_user.donor_id, "active": "y", "version": donor_user.version})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(donor_user), donor_user.id).email == "someone.else@elsewhere.example"
    report = send_due()
    assert report.skipped == 0
    [notice] = [m for m in smtp_server.messages if m["To"] == old]
    assert notice["Subject"] == "L’adresse de votre compte Trustfund a changé"
    text = _body(notice)
    assert "someone.else@elsewhere.example" not in text  # the old mailbox may be someone else's now
    assert "Admin" in text or "admin" in text
    assert not [m for m in smtp_server.messages if m["To"] == "someone.else@elsewhere.example"
                and "adresse" in m["Subject"]]


def test_an_address_left_as_it_was_sends_no_notice(client, login_as, db, users):
    donor_user = users["donor"]
    login_as("admin")
    answer = client.post(f"/admin/users/{donor_user.id}", data={
        "email": donor_user.email, "name": "A new name", "role": "donor",
        "donor_id": donor_user.donor_id, "active": "y", "version": donor_user.version})
    assert answer.status_code == 302
    assert db.session.scalars(sa.select(OutboxMessage.kind)).all() == []


def test_the_outbox_says_why_a_message_was_not_sent_in_the_admins_language(client, login_as, db, users,
                                                                            smtp_server):
    officer = users["mptf_officer"]
    # A role change written to the officer, then the officer leaves before it is sent.
    save_user(users["admin"], officer, email=officer.email, name=officer.name, role="auditor", donor_id=None,
              active=True, password=None, version=officer.version)
    db.session.commit()
    save_user(users["admin"], officer, email=officer.email, name=officer.name, role="auditor", donor_id=None,
              active=False, password=None, version=officer.version)
    db.session.commit()
    assert send_due().skipped == 1
    users["admin"].locale = "fr"
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/mail/", query_string={"status": "failed"}).get_data(as_text=True)
    assert "Renvoyer" in page  # the page speaks French ("Send again")
    assert "Not sent: the account was deactivated after the message was written." not in page
    assert "Non envoyé" in page


def _failed_reset(app, db, users, smtp_server, *, hours_ago: int):
    """A reset link issued `hours_ago` hours ago, its message refused by the mail server
    for every try since."""
    officer = users["mptf_officer"]
    request_reset(officer.email)
    db.session.commit()
    handle_reset_requests(now=utcnow() - dt.timedelta(hours=hours_ago))
    db.session.commit()
    [message] = db.session.scalars(sa.select(OutboxMessage)
                                   .where(OutboxMessage.kind == "password_reset")).all()
    smtp_server.refuse_next = app.config["MAIL_MAX_ATTEMPTS"]
    return message


def test_a_reset_whose_link_died_is_neither_sent_nor_sent_again(app, client, login_as, db, users,
                                                                smtp_server):
    """The reset's link (1 hour) died while the mail server refused the message: it is
    marked not sent, saying why, at its next try; "Send again" is refused, saying what
    to do. Before, the sender went on trying and "Send again" delivered a dead link."""
    message = _failed_reset(app, db, users, smtp_server, hours_ago=2)
    report = send_due()
    db.session.expire_all()
    found = db.session.get(OutboxMessage, message.id)
    assert (report.skipped, found.status) == (1, FAILED)
    assert found.last_error == "Not sent: the single-use link it carries expired before it could be sent."
    assert smtp_server.messages == []
    login_as("admin")
    page = client.post(f"/admin/mail/{message.id}/resend", follow_redirects=True).get_data(as_text=True)
    assert "The single-use link this message carries has expired" in html.unescape(page)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == FAILED


def test_a_reset_whose_link_still_lives_is_sent_again_and_opens(app, client, login_as, db, users,
                                                                smtp_server):
    message = _failed_reset(app, db, users, smtp_server, hours_ago=0)
    smtp_server.refuse_next = 1
    send_due()
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message.id)
                       .values(status=FAILED))  # given up on, as after its last try
    db.session.commit()
    login_as("admin")
    assert client.post(f"/admin/mail/{message.id}/resend").status_code == 302
    send_due()
    [mail] = smtp_server.to(users["mptf_officer"].email)
    url = re.search(r"https://trustfund\.test\.example(/password/\S+)", _body(mail))
    client.get("/auth/logout")
    assert client.get(url.group(1)).status_code == 200

"""Sending the outbox through SMTP (Python's smtplib), with retries and backoff; a
message the server refuses for good (its recipient or its content) fails at once.

Each due message is first claimed with one guarded UPDATE (its attempt counted and
its next try put a lease ahead), committed, then handed to the server: two senders
running at once never send the same message, and a sender that dies mid-send leaves
the message to be tried again when the lease ends (a message may then arrive twice,
never zero times)."""
from __future__ import annotations

import datetime as dt
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit import utcnow
from ..extensions import db
from ..language import speaking
from .models import FAILED, PENDING, SENT, OutboxMessage

# How long a claimed message waits before another sender may try it (a sender that
# died while talking to the server).
CLAIM_LEASE = dt.timedelta(minutes=10)
WIPED = ""


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0   # refused by the mail server for good, or too often: lost unless sent again
    skipped: int = 0  # not sent on purpose: the account changed since, or its link expired

    @property
    def message(self) -> str:
        said = (f"{self.sent} message(s) sent, {self.retried} to be tried again, "
                f"{self.failed} failed.")
        if self.skipped:
            said += f" {self.skipped} not sent: the account changed since, or the link they carry expired."
        return said


# The enhanced status codes (RFC 3463) that name this very message, at the start of a
# reply's text: its address (5.1.x: no such mailbox, bad destination), its content
# (5.6.x), its size over what the system takes (5.3.4) or the mailbox's limit (5.2.3).
# (5.1.7 and 5.1.8 are the sender's address: ours, the same for every message.)
_ABOUT_THE_MESSAGE = re.compile(rb"\s*5\.(1\.(?!7\b|8\b)\d{1,3}|6\.\d{1,3}|3\.4|2\.3)\b")


def refused_for_good(error: Exception) -> bool:
    """Whether the server refused this very message permanently: a 5xx reply to its
    recipient (RCPT TO) or to its content (DATA) whose enhanced status code names the
    message (_ABOUT_THE_MESSAGE: "550 5.1.1 mailbox unavailable", "554 5.6.0 content
    rejected"). It would answer the same on every try, so the message fails at once,
    with the reply.

    Everything else is retried with backoff, as before, and fails after
    MAIL_MAX_ATTEMPTS tries (about 4 hours): 4xx replies (busy, greylisting), no answer
    (connection refused, timeout, a dropped line), 5xx replies to the greeting, EHLO,
    STARTTLS, the login or MAIL FROM, and every other 5xx to RCPT TO or DATA: a policy
    refusal (5.7.x: "554 5.7.1 Relay access denied" when we are not logged in as the
    server wants, "550 5.7.26" DMARC, a login required), a sender the account may not
    use ("554 5.2.0 SendAsDenied"), a full mailbox ("552 5.2.2", temporary by RFC 5321
    §4.5.3.1.10) or a reply without an enhanced code ("550 relay not permitted"). Those
    are often faults of our own sending, true of every waiting message alike: failing
    them at once would lose the whole outbox to one mistake in the settings, while
    retrying keeps them until the settings are put right. A refusal that names the
    message is the only one read as the message's own."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
    elif isinstance(error, smtplib.SMTPDataError):
        replies = [(error.smtp_code, error.smtp_error)]
    else:
        return False
    return bool(replies) and all(500 <= code < 600 and _ABOUT_THE_MESSAGE.match(_as_bytes(reply))
                                 for code, reply in replies)


def _as_bytes(reply) -> bytes:
    return reply if isinstance(reply, bytes) else str(reply or "").encode()


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th refused try: 1, 2, 4, 8 ... times the first
    wait (MAIL_FIRST_BACKOFF seconds), at most MAIL_MAX_BACKOFF."""
    first = int(current_app.config["MAIL_FIRST_BACKOFF"])
    longest = int(current_app.config["MAIL_MAX_BACKOFF"])
    return dt.timedelta(seconds=min(longest, first * 2 ** max(0, attempts - 1)))


def build_email(message: OutboxMessage) -> EmailMessage:
    sender = current_app.config["MAIL_SENDER"]
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(f"outbox.{message.id}", domain=domain)
    email["Content-Language"] = message.locale
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), int(config["MAIL_TIMEOUT"])
    security = config["MAIL_SECURITY"]
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()  # a refused login or STARTTLS left the socket open: one per message and round
        raise
    return smtp


def deliver(message: OutboxMessage) -> None:
    """Hand one message to the SMTP server; raises what smtplib raises on a refusal."""
    with connect() as smtp:
        smtp.send_message(build_email(message))


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Claim a message due by `now` (the round's moment), its lease counted from the
    moment of the claim: a round that takes longer than a lease (hundreds of messages,
    a slow server) must not hand a second sender a message it is about to send."""
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=max(now, utcnow()) + CLAIM_LEASE)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


# Messages about the account itself (its sign-in, its password, its role): sent whatever
# role or donor it has now. Every other message is of its role's work or its donor's.
# The notice of an address changed goes to the old address, the one its holder reads.
ADDRESS_CHANGED = "address_changed"
ACCOUNT_KINDS = frozenset({"account_created", "role_changed", "invitation", "password_reset",
                           "password_changed", "signin_throttled", ADDRESS_CHANGED})


# Why a message was not sent: stored in English among the servers' own replies (the
# outbox's last answer), shown in its reader's language (shown_error).
DEACTIVATED = _l("Not sent: the account was deactivated after the message was written.")
READDRESSED = _l("Not sent: the account's address was changed after the message was written.")
MOVED = _l("Not sent: the account's role or donor was changed after the message was written.")
LINK_DIED = _l("Not sent: the single-use link it carries expired before it could be sent.")
NOT_SENT = (DEACTIVATED, READDRESSED, MOVED, LINK_DIED)


def stored(reason) -> str:
    """A reason of ours as the outbox stores it: in English, whoever's request sends it."""
    with speaking("en"):
        return str(reason)


def shown_error(last_error: str) -> str:
    """The outbox's last answer as its reader reads it: a reason of ours in the reader's
    language, a server's reply as the server gave it."""
    if not last_error.startswith("Not sent: "):
        return last_error
    for reason in NOT_SENT:
        if stored(reason) == last_error:
            return str(reason)
    return last_error


def undeliverable(message: OutboxMessage) -> str | None:
    """Why a message written for an account must no longer go out, or None: the account
    was deactivated since (someone who left), or its address was changed (the message
    was written for the old one, which may be a mistyped address or a mailbox the user
    no longer holds), or, for a message of its role's work, its role or its donor was
    changed (an officer's digest listing every donor's overdue instalments must not
    reach the donor user the account became, nor one donor's statement notice a user
    moved to another donor). Read when the message is sent, not when it was written.
    (The table by name: mail sits below the accounts in the layers.)"""
    if message.link_expires_at is not None and message.link_expires_at <= utcnow():
        return stored(LINK_DIED)
    if message.user_id is None:
        return None
    users = db.metadata.tables["user"]
    account = db.session.execute(sa.select(users.c.email, users.c.active, users.c.role, users.c.donor_id)
                                 .where(users.c.id == message.user_id)).first()
    if account is None or not account.active:
        return stored(DEACTIVATED)
    readdressed = account.email.strip().lower() != message.to_address.strip().lower()
    if readdressed and message.kind != ADDRESS_CHANGED:
        return stored(READDRESSED)
    if message.kind not in ACCOUNT_KINDS and message.written_for_role is not None and (
            account.role != message.written_for_role or account.donor_id != message.written_for_donor_id):
        return stored(MOVED)
    return None


def due_ids(now: dt.datetime, limit: int) -> list[int]:
    return list(db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)))


def send_due(now: dt.datetime | None = None, limit: int = 200) -> SendReport:
    """Send every pending message whose time has come. A refusal (the server's answer
    or no answer) leaves the message pending with its next try after backoff(); after
    MAIL_MAX_ATTEMPTS tries it is marked failed, with the server's last answer, for the
    admin's outbox page. A permanent refusal of the message itself (refused_for_good:
    a 5xx to its recipient or content) marks it failed at once, with that answer. A
    message for an account deactivated or given another address since it was written
    is not sent (marked failed, with the reason). Commits after each message."""
    now = now or utcnow()
    report = SendReport()
    for message_id in due_ids(now, limit):
        if not _claim(message_id, now):
            continue  # another sender took it
        message = db.session.get(OutboxMessage, message_id)
        reason = undeliverable(message)
        if reason is not None:
            message.status, message.last_error = FAILED, reason
            report.skipped += 1
            db.session.commit()
            continue
        try:
            deliver(message)
        except (smtplib.SMTPException, OSError) as error:
            message.last_error = (str(error) or type(error).__name__)[:500]
            if (refused_for_good(error)
                    or message.attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"])):
                message.status = FAILED
                report.failed += 1
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                report.retried += 1
        else:
            message.status, message.sent_at, message.last_error = SENT, utcnow(), ""
            if message.sensitive:  # a single-use link has no business staying in the database
                message.body_text = message.body_html = WIPED
            report.sent += 1
        db.session.commit()
    return report

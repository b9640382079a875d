"""What an admin does with the outbox."""
from __future__ import annotations

from flask_babel import gettext as _

from ..audit import record, snapshot, utcnow
from ..errors import DomainError
from .models import FAILED, PENDING, SENT, OutboxMessage


def resend(actor, message: OutboxMessage) -> OutboxMessage:
    """Put a sent or failed message back in the queue, with a full set of tries. A
    message whose single-use link was wiped after sending cannot be sent again (the
    admin sends a new invitation instead)."""
    if message.status not in (SENT, FAILED):
        raise DomainError(_("This message is still waiting to be sent."))
    if message.sensitive and message.status == SENT:
        raise DomainError(_("This message held a single-use link and was wiped once sent: "
                            "send a new one instead."))
    if message.link_expires_at is not None and message.link_expires_at <= utcnow():
        raise DomainError(_("The single-use link this message carries has expired: it would open nothing. "
                            "Send a new invitation, or the user asks for a new password link."))
    before = snapshot(message, ["status", "attempts"])
    message.status, message.attempts, message.next_attempt_at = PENDING, 0, utcnow()
    message.last_error = ""
    record(actor, "mail.resend", message, before=before,
           after={"status": PENDING, "to_address": message.to_address, "subject": message.subject})
    return message

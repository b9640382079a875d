"""The audit trail in words (trustfund/audit_text.py): messages of the outbox."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import Book, Field, Target
from ..extensions import db
from .models import OutboxMessage


def load_messages(keys: list[str]) -> dict[str, Target]:
    ids = [int(k) for k in keys if k.isdigit()]
    rows = db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.subject)
                              .where(OutboxMessage.id.in_(ids)))
    return {str(row.id): Target(row.subject, "mail.outbox") for row in rows}


def register(book: Book) -> None:
    book.reference("message", load_messages)
    book.object("OutboxMessage", _l("Email message"), {
        "to_address": Field(_l("Recipient")),
        "subject": Field(_l("Subject")),
    }, reference="message", hidden=("status", "attempts"))
    book.action("mail.resend", _l("Message sent again"), "OutboxMessage",
                lambda e: _("%(user)s sent the message to %(address)s again.", user=e.who,
                            address=e.iso(e.value("to_address"))), changes=False)

"""Writing messages to the outbox, rendered in the recipient's language."""
from __future__ import annotations

from flask import current_app, render_template

from ..audit import utcnow
from ..extensions import db
from ..language import in_zone, speaking
from ..timezones import UTC
from .links import external_url
from .models import PENDING, OutboxMessage


def recipient_locale(user) -> str:
    """The language the user chose, else the one their pages spoke at their last
    sign-in (a user who never chose follows their browser there), else the default."""
    languages = current_app.config["LANGUAGES"]
    for locale in (getattr(user, "locale", None), getattr(user, "seen_locale", None)):
        if locale in languages:
            return locale
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def enqueue(user, kind: str, template: str, subject, *, sensitive: bool = False,
            **context) -> OutboxMessage:
    """Write a message to `user` (a User: its email and saved language) in the current
    transaction: rolled back with it, committed with it, never sent before the change
    that causes it is committed. `subject` is a lazy string (flask_babel.lazy_gettext)
    or a function giving it (called in the user's language); the body is the templates
    mail/<template>.txt and .html; all rendered in the user's language (amounts and
    dates formatted for it) and moments in the user's time zone (else UTC), the zone
    named beside each. No commit."""
    locale = recipient_locale(user)
    with speaking(locale), in_zone(getattr(user, "timezone", None) or UTC):
        subject_text = str(subject() if callable(subject) else subject)
        context = dict(context, subject=subject_text, recipient=user, link=external_url)
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    message = OutboxMessage(user_id=getattr(user, "id", None), to_address=user.email, locale=locale,
                            written_for_role=getattr(user, "role", None),
                            written_for_donor_id=getattr(user, "donor_id", None),
                            kind=kind, subject=subject_text[:255], body_text=text, body_html=html,
                            sensitive=sensitive, status=PENDING, next_attempt_at=utcnow(),
                            link_expires_at=context.get("expires_at") if sensitive else None)
    db.session.add(message)
    db.session.flush()
    return message

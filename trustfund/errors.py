"""Domain errors: raised by services, shown by routes beside the field they name."""


class DomainError(Exception):
    """A rule refused the operation. `message` is for the user (already translated);
    `field` names the form field it belongs beside, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def stale_message() -> str:
    """What a user is told when the record changed since their form was built."""
    from flask_babel import gettext as _

    return _("Someone else changed this record while you were editing it. "
             "Reload the page to see their change, then try again.")


def check_version(current: int, seen, message: str | None = None) -> None:
    """Optimistic locking: refuse a save built on another version than the record's
    (`seen`, the version the form was built from). None means a caller that saw no
    form (the demo, a command); every edit form sends its version (forms.VersionField
    refuses a save without one)."""
    if seen is None:
        return
    if isinstance(seen, bool) or not isinstance(seen, int):
        seen = str(seen).strip()
        seen = int(seen) if seen.isascii() and seen.isdigit() else -1
    if seen != current:
        raise DomainError(message or stale_message())


def attach(form, error: DomainError) -> None:
    """Show a domain error beside its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def run(form, operation):
    """Carry out one operation for a request: commit if it succeeds; otherwise roll
    everything back and show the refusal beside its field. Returns the operation's
    result, or None when it was refused."""
    from sqlalchemy.orm.exc import StaleDataError

    from .extensions import db

    try:
        result = operation()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        attach(form, error)
    except StaleDataError:
        db.session.rollback()
        attach(form, DomainError(stale_message()))
    return None

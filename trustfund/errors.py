"""Domain errors: raised by services, shown by routes beside the field they name."""


class DomainError(Exception):
    """A rule refused the operation. `message` is for the user (already translated);
    `field` names the form field it belongs beside, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class DomainErrors(DomainError):
    """Several refusals of one form at once, each beside its field (a form missing
    several details is refused once, naming all of them). Its message: all of theirs."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(" ".join(error.message for error in errors), errors[0].field)
        self.errors = errors


def refuse_all(errors: list[DomainError]) -> None:
    """Raise the refusals found, if any: one alone as itself, several together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DomainErrors(errors)


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


def _field(form, name: str | None):
    """The form's field of that name, or of a list's row ("instalments-0-amount", the
    id WTForms gives it); the list itself if the row is not on the form."""
    if not name:
        return None
    field = getattr(form, name, None)
    parts = name.split("-")
    if field is None and len(parts) == 3 and parts[1].isdigit():
        rows = getattr(form, parts[0], None)
        entries = getattr(rows, "entries", None) or []
        index = int(parts[1])
        if index < len(entries):
            row = getattr(entries[index], "form", None)
            return getattr(row, parts[2], None) if row is not None else entries[index]
        return rows
    return field


def attach(form, error: DomainError) -> None:
    """Show a domain error beside its field, or at the top of the form (each of
    DomainErrors' beside its own)."""
    for one in getattr(error, "errors", None) or [error]:
        field = _field(form, one.field)
        if field is not None:
            field.errors = list(field.errors) + [one.message]
        else:
            form.form_errors.append(one.message)


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

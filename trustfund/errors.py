"""Domain errors: raised by services, shown by routes beside the field they name."""


class DomainError(Exception):
    """A rule refused the operation. `message` is for the user (already translated);
    `field` names the form field it belongs beside, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


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
    from flask_babel import gettext as _
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
        attach(form, DomainError(_("Someone else changed this record while you were editing it. "
                                   "Reload the page to see their change, then try again.")))
    return None

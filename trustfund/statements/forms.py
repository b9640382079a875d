"""The statement's period picker (a GET form: no CSRF token, the query string is
the bookmarkable state of the page)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField
from wtforms.validators import DataRequired, Optional

from ..forms import BaseForm


class PeriodForm(BaseForm):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), name="from", validators=[Optional()],
                          description=_l("Default: 3 April 2017, the fund's start."))
    date_to = DateField(_l("To"), name="to", validators=[Optional()],
                        description=_l("Default: today."))


class IssueForm(BaseForm):
    """Issuing the statements of a period for the donors chosen (none: every donor)."""

    date_from = DateField(_l("From"), name="from", validators=[DataRequired()])
    date_to = DateField(_l("To"), name="to", validators=[DataRequired()])
    donors = SelectMultipleField(_l("Donors (none chosen: every donor)"), coerce=int, choices=[],
                                 validate_choice=False)

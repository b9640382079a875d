"""The statement's period picker (a GET form: no CSRF token, the query string is
the bookmarkable state of the page)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectMultipleField
from wtforms.validators import InputRequired, Optional

from ..formatting import date as fmt_date
from ..forms import BaseForm
from .services import fund_start


class PeriodForm(BaseForm):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), name="from", validators=[Optional()])
    date_to = DateField(_l("To"), name="to", validators=[Optional()],
                        description=_l("Default: today."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The fund's start as its record holds it (the fund's page may correct it).
        self.date_from.description = _("Default: %(date)s, the fund's start.", date=fmt_date(fund_start()))


class IssueForm(BaseForm):
    """Issuing the statements of a period for the donors chosen (none: every donor)."""

    date_from = DateField(_l("From"), name="from", validators=[InputRequired()])
    date_to = DateField(_l("To"), name="to", validators=[InputRequired()])
    donors = SelectMultipleField(_l("Donors (none chosen: every donor)"), coerce=int, choices=[],
                                 validate_choice=False)
    form_token = HiddenField()  # trustfund.submissions: sent twice, issued once

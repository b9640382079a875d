"""Forms of the fund's life: closing a year, the fund's own entries, write-offs,
the pools' closing decisions, the financial closure and the final statements.
Amounts are text fields: the services read them exactly (Decimal)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import BaseForm, Needed

NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CloseYearForm(BaseForm):
    report_reference = StringField(_l("Annual report (reference or title)"),
                                   validators=[DataRequired(), Length(max=200)], filters=[_strip],
                                   description=_l("The report whose publication allows the year to close, "
                                                  "e.g. the consolidated annual financial report."))


class FundEntryForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=[], validate_choice=True)
    pool_id = SelectField(_l("Pool"), coerce=int, choices=[], validate_choice=True)
    value_date = DateField(_l("Value date"), validators=[InputRequired()])
    usd_amount = StringField(_l("Amount (USD)"), validators=[Length(max=30)], filters=[_strip],
                             render_kw=NUMBER)
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=2000)],
                                filters=[_strip])
    form_token = HiddenField()


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)], filters=[_strip])


class WriteOffForm(BaseForm):
    amount = StringField(_l("Amount written off"), validators=[Length(max=30)], filters=[_strip],
                         render_kw=NUMBER, description=_l("Empty: all that is outstanding."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)], filters=[_strip])
    # A write-off cannot be reversed: a resent confirmation writes off nothing more.
    form_token = HiddenField()
    # The outstanding amount the confirmation page showed (set by the view): "all that is
    # outstanding" writes off that, or is refused if the commitment changed meanwhile.
    outstanding_seen = HiddenField()


class DecisionForm(BaseForm):
    kind = SelectField(_l("Decision"), choices=[], validate_choice=True)
    fund_name = StringField(_l("Receiving fund (for a transfer)"), validators=[Optional(), Length(max=300)],
                            filters=[_strip])
    fund_reference = StringField(_l("Reference of the transfer"), validators=[Optional(), Length(max=100)],
                                 filters=[_strip])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], filters=[_strip])
    balance = HiddenField()  # the balance the page showed: a decision on another one is refused


class AnswerDecisionForm(BaseForm):
    """Confirm or withdraw a closing decision waiting for a second SRSG staff member (the
    CSRF token only)."""


class RefuseDecisionForm(BaseForm):
    # Required (Needed: marked so) and checked by the service, which says so beside the
    # field after who may refuse (second_person.decide).
    reason = TextAreaField(_l("Reason for refusing"), validators=[Needed(), Length(max=2000)],
                           filters=[_strip])


class FinancialClosureForm(BaseForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], filters=[_strip])

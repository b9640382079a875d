"""Forms of travel support. Amounts are text fields parsed by the services with
money.parse_amount (never a float); choices are filled by the routes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from .. import localized
from ..forms import BaseForm, Needed, VersionField
from .models import EVENT_KINDS, GRANT_STATUSES


class EventForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in EVENT_KINDS.items()],
                       validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)],
                        description=localized.ENGLISH_TITLE_HELP)
    title_fr = localized.title_field("fr", 300)
    title_es = localized.title_field("es", 300)
    title_ar = localized.title_field("ar", 300)
    title_zh = localized.title_field("zh", 300)
    title_ru = localized.title_field("ru", 300)
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    start_on = DateField(_l("First day"), validators=[InputRequired()])
    end_on = DateField(_l("Last day"), validators=[InputRequired()])
    dsa_rate = StringField(_l("DSA rate (USD per day)"), validators=[DataRequired(), Length(max=20)],
                           description=_l("The UN daily subsistence allowance rate for the city."))
    max_per_country = IntegerField(_l("Maximum number of funded delegates per country"), default=1,
                                   validators=[InputRequired(), NumberRange(min=1, max=50)])
    dates_note = StringField(_l("Note on the dates"), validators=[Optional(), Length(max=200)],
                             description=_l("For example: dates subject to change."))
    # A new event: one per render of the form (trustfund.submissions); each event has its
    # own cap per country, so an event recorded twice would fund a country twice.
    form_token = HiddenField()


class EventEditForm(EventForm):
    form_token = None  # a correction is guarded by its version instead
    # The version the user started from: a save based on an older one is refused.
    version = VersionField()


class DelegateForm(BaseForm):
    """A delegate's details, corrected by the SRSG staff (a field left empty is cleared);
    `seen` carries the details the form was built from; `reason`, why a delegate whose
    travel was approved is renamed."""

    name = StringField(_l("Delegate's name"), validators=[DataRequired(), Length(max=200)])
    function = StringField(_l("Function"), validators=[Optional(), Length(max=200)],
                           description=_l("For example: Director, Ministry of Labour."))
    email = EmailField(_l("Email"), description=_l("Leave empty to remove it."),
                       validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)],
                        description=_l("Leave empty to remove it."))
    # Shown only for a delegate whose travel was approved (travel.delegates): a new name
    # then waits for a second SRSG staff member, with this reason.
    reason = TextAreaField(_l("Why the name is corrected"), validators=[Optional(), Length(max=2000)],
                           description=_l("A grant of this delegate was approved: a new name takes effect "
                                          "when a second SRSG staff member confirms it."))
    seen = HiddenField()


class GrantForm(BaseForm):
    event_id = SelectField(_l("Event"), coerce=int, choices=[], validators=[DataRequired()])
    delegate_name = StringField(_l("Delegate's name"), validators=[DataRequired(), Length(max=200)])
    delegate_function = StringField(_l("Function"), validators=[Optional(), Length(max=200)],
                                    description=_l("For example: Director, Ministry of Labour."))
    country_code = SelectField(_l("State represented"), choices=[],
                               validators=[DataRequired()])
    email = EmailField(_l("Email"), validators=[Optional(), Email(check_deliverability=False),
                                                Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    travel_from = DateField(_l("Departure"), validators=[InputRequired()])
    travel_to = DateField(_l("Return"), validators=[InputRequired()])
    origin_city = StringField(_l("Travelling from (city)"), validators=[DataRequired(), Length(max=120)])
    airfare = StringField(_l("Economy-class airfare quote (USD)"),
                          validators=[DataRequired(), Length(max=20)])
    dsa_days = IntegerField(_l("DSA days"), validators=[Optional(), NumberRange(min=0, max=60)],
                            description=_l("Leave empty for the event's days plus one, no more than "
                                           "the days of the trip."))
    dsa_amount = StringField(_l("DSA amount (USD)"), validators=[Optional(), Length(max=20)],
                             description=_l("Leave empty for the DSA days × the event's DSA rate."))
    terminal_expenses = StringField(_l("Terminal expenses (USD)"), validators=[Optional(), Length(max=20)],
                                    description=_l("Leave empty for the standard amount in force on "
                                                   "the event's first day."))
    total = StringField(_l("Total (USD)"), validators=[Optional(), Length(max=20)],
                        description=_l("Leave empty for airfare + DSA + terminal expenses."))
    override_reason = TextAreaField(_l("Reason for changing a computed figure"),
                                    validators=[Optional(), Length(max=2000)])
    form_token = HiddenField()  # one request per render of the form (trustfund.submissions)


class ApproveForm(BaseForm):
    pool_id = SelectField(_l("Pay from pool"), coerce=int, choices=[], validate_choice=False)
    next = HiddenField()
    # Carried by the confirmation page: who it said travels (decisions.approval_seen).
    seen = HiddenField()


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    next = HiddenField()


class CancelForm(ReasonForm):
    # Carried by the confirmation page: what it said is undone (reconcile.cancellation_seen).
    seen = HiddenField()


class CostsForm(BaseForm):
    # Required, each checked by the service (0 if nothing was paid).
    actual_ticket = StringField(_l("Actual airfare (USD)"), validators=[Needed(), Optional(), Length(max=20)])
    actual_dsa = StringField(_l("DSA paid (USD)"), validators=[Needed(), Optional(), Length(max=20)])
    actual_terminal = StringField(_l("Terminal expenses paid (USD)"),
                                  validators=[Needed(), Optional(), Length(max=20)])
    reason = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class CorrectionForm(CostsForm):
    """The corrected costs of a closed trip (travel.corrections), with the reason."""

    reason = TextAreaField(_l("Why the costs are corrected"), validators=[Needed(), Length(max=2000)])


class GrantFilterForm(BaseForm):
    class Meta:
        csrf = False

    event = SelectField(_l("Event"), coerce=int, choices=[], validate_choice=False)
    country = SelectField(_l("Country"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[("", _l("Any"))] + list(GRANT_STATUSES.items()),
                         validate_choice=False)
    ldc = SelectField(_l("LDC"), choices=[("", _l("Any")), ("yes", _l("LDC requests")),
                                          ("no", _l("Other developing countries"))],
                      validate_choice=False)

"""Forms of the contributions pages. Amounts and rates are text fields: the
services read them exactly (Decimal) and refuse them beside the field with the
currency's own rule. Labels are lazy so that they follow the user's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    HiddenField,
    IntegerField,
    MonthField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .. import localized
from ..donors.models import DONOR_TYPES
from ..forms import BaseForm, GroupedSelect, Needed, Rows, SubForm, VersionField
from .services import MAX_INSTALMENTS, too_many_instalments

NUMBER = {"inputmode": "decimal", "autocomplete": "off"}
# Required fields, refused empty by the form with the services' own words (so that
# every empty field is named at once, beside itself).
AMOUNT_NEEDED = DataRequired(_l("Enter an amount."))
CURRENCY_NEEDED = DataRequired(_l("Choose a currency from the list."))
# Currencies: the fund's first, then the current ones, with a box to narrow the list.
CURRENCY_SELECT = GroupedSelect(searchable=True)


def _strip(value):
    return value.strip() if isinstance(value, str) else value



# The most instalment rows a post may carry (filled in or left empty); a schedule holds
# MAX_INSTALMENTS filled in.
ROWS_POSTED = 10 * MAX_INSTALMENTS

class ObjectiveForm(BaseForm):
    number = IntegerField(_l("Number"), validators=[InputRequired(), NumberRange(min=1, max=999)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)], filters=[_strip],
                        description=localized.ENGLISH_TITLE_HELP)
    title_fr = localized.title_field("fr", 300)
    title_es = localized.title_field("es", 300)
    title_ar = localized.title_field("ar", 300)
    title_zh = localized.title_field("zh", 300)
    title_ru = localized.title_field("ru", 300)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)],
                                filters=[_strip])
    active = BooleanField(_l("Active (new pledges and commitments may be earmarked to it)"), default=True)


class ObjectiveEditForm(ObjectiveForm):
    # The version the admin started from: a save based on an older one is refused.
    version = VersionField()


class RateForm(BaseForm):
    currency = SelectField(_l("Currency"), choices=[], validate_choice=True,
                           validators=[CURRENCY_NEEDED], widget=CURRENCY_SELECT)
    month = MonthField(_l("Month"), validators=[InputRequired()])
    rate = StringField(_l("Rate (units of the currency per 1 US dollar)"),
                       validators=[Needed(), Length(max=30)], filters=[_strip], render_kw=NUMBER,
                       description=_l("The UN operational rate of exchange for the month, e.g. 0.941 "
                                      "for the euro."))


class RateEditForm(RateForm):
    # The version of the rate the officer corrects: a correction of an older one is refused.
    version = VersionField()


class RateFilterForm(BaseForm):
    class Meta:
        csrf = False

    currency = SelectField(_l("Currency"), choices=[], validate_choice=False, widget=CURRENCY_SELECT)


class PledgeForm(BaseForm):
    donor_id = SelectField(_l("Donor"), coerce=int, choices=[], validate_choice=True, validators=[Needed()])
    currency = SelectField(_l("Currency"), choices=[], validate_choice=True,
                           validators=[CURRENCY_NEEDED], widget=CURRENCY_SELECT)
    amount = StringField(_l("Amount"), validators=[AMOUNT_NEEDED, Length(max=40)], filters=[_strip],
                         render_kw=NUMBER)
    objective_id = SelectField(_l("Earmarking"), choices=[], validate_choice=True)
    pledged_on = DateField(_l("Date of the pledge"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], filters=[_strip])
    form_token = HiddenField()  # one entry per render of the form (trustfund.submissions)


class InstalmentForm(SubForm):
    due_on = DateField(_l("Due date"), validators=[Optional()])
    amount = StringField(_l("Amount due"), validators=[Length(max=40)], filters=[_strip],
                         render_kw=NUMBER)


class CommitmentForm(BaseForm):
    donor_id = SelectField(_l("Donor"), coerce=int, choices=[], validate_choice=True, validators=[Needed()])
    currency = SelectField(_l("Currency"), choices=[], validate_choice=True,
                           validators=[CURRENCY_NEEDED], widget=CURRENCY_SELECT)
    amount = StringField(_l("Amount"), validators=[AMOUNT_NEEDED, Length(max=40)], filters=[_strip],
                         render_kw=NUMBER,
                         description=_l("The amount in the signed SAA, in its currency."))
    objective_id = SelectField(_l("Earmarking"), choices=[], validate_choice=True,
                               description=_l("Un-earmarked contributions are encouraged."))
    committed_on = DateField(_l("Date of the commitment"), validators=[InputRequired()])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=100)], filters=[_strip],
                            description=_l("Unique; deposit imports name the commitment by it."))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], filters=[_strip])
    # Room for the schedule's 120 rows filled in among rows left empty; the service
    # refuses more than 120 filled in, and the form any more rows posted, in words.
    instalments = Rows(FormField(InstalmentForm), min_entries=4, max_entries=ROWS_POSTED,
                       too_many=too_many_instalments)
    pledge_id = HiddenField()  # the pledge this commitment fulfils ("Record the commitment")
    form_token = HiddenField()


class DepositForm(BaseForm):
    value_date = DateField(_l("Value date"), validators=[InputRequired()])
    amount = StringField(_l("Amount received"), validators=[AMOUNT_NEEDED, Length(max=40)], filters=[_strip],
                         render_kw=NUMBER)
    rate = StringField(_l("Rate (units of the currency per 1 US dollar)"), validators=[Length(max=30)],
                       # Its description, with the admin's tolerance: the deposit form's route.
                       filters=[_strip], render_kw=NUMBER)
    rate_note = TextAreaField(_l("Why another rate"), validators=[Optional(), Length(max=2000)],
                              filters=[_strip])
    bank_reference = StringField(_l("Bank reference"), validators=[Optional(), Length(max=100)],
                                 filters=[_strip])
    form_token = HiddenField()
    # No deposit twice: a reference that another deposit holds needs both of these.
    separate_transfer = BooleanField(_l("This is a separate bank transfer with the same reference"))
    separate_note = TextAreaField(_l("Why it is a separate bank transfer"),
                                  validators=[Optional(), Length(max=2000)], filters=[_strip],
                                  description=_l("Needed with the box ticked, when another deposit "
                                                 "already has this bank reference."))


class ReferenceForm(BaseForm):
    """Correcting a commitment's reference (services.correct_reference): the new one,
    why, and the reference the page showed (a correction built on another is refused)."""

    reference = StringField(_l("New reference"), validators=[Needed(), Length(max=100)], filters=[_strip],
                            description=_l("Unique; deposit imports name the commitment by it."))
    reason = TextAreaField(_l("Reason"), validators=[Needed(), Length(max=2000)], filters=[_strip])
    reference_seen = HiddenField()


class ReasonForm(BaseForm):
    # Required; the service says why in the words of its decision.
    reason = TextAreaField(_l("Reason"), validators=[Needed(), Length(max=2000)], filters=[_strip])


class InterestForm(BaseForm):
    value_date = DateField(_l("Value date"), validators=[InputRequired()])
    usd_amount = StringField(_l("Amount (USD)"), validators=[AMOUNT_NEEDED, Length(max=40)],
                             filters=[_strip], render_kw=NUMBER)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], filters=[_strip],
                         description=_l("For example the period the interest covers."))
    # No interest twice: the same value date and amount as interest already credited
    # or waiting needs both of these (interest_changes.propose).
    separate = BooleanField(_l("This is a different interest payment with the same amount and value date"),
                            description=_l("Needed when interest of this amount and value date is "
                                           "already credited or waiting; say why in the note."))
    form_token = HiddenField()


class TransferForm(BaseForm):
    from_pool_id = SelectField(_l("From pool"), coerce=int, choices=[], validate_choice=True,
                               validators=[Needed()])
    to_pool_id = SelectField(_l("To pool"), coerce=int, choices=[], validate_choice=True,
                             validators=[Needed()])
    usd_amount = StringField(_l("Amount (USD)"), validators=[AMOUNT_NEEDED, Length(max=40)],
                             filters=[_strip], render_kw=NUMBER)
    transferred_on = DateField(_l("Date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Needed(), Length(max=2000)], filters=[_strip],
                           description=_l("For example: surplus of Objective 1 used for Objective 2."))
    form_token = HiddenField()


class RefuseTransferForm(BaseForm):
    """Refuse a transfer waiting for a second admin (transfer_changes), with a reason.
    Confirm and withdraw post admin.forms.DecideChangeForm (the CSRF token only)."""

    # Required (Needed: marked so) and checked by the service, which says so beside the
    # field after who may refuse (second_person.decide).
    reason = TextAreaField(_l("Reason for refusing"), validators=[Needed(), Length(max=2000)])
    back = HiddenField()


class DecideTransferForm(BaseForm):
    """Confirm or withdraw a waiting transfer: the CSRF token, and the page to go back to."""

    back = HiddenField()


class ImportForm(BaseForm):
    file = FileField(_l("Deposits workbook (.xlsx)"), validators=[Needed()])


class RateImportForm(BaseForm):
    file = FileField(_l("Rates file (.xlsx or .csv)"), validators=[Needed()],
                     description=_l("One rate per row: currency (ISO code), month (YYYY-MM), rate (units of "
                                    "the currency per 1 US dollar)."))


class ConfirmImportForm(BaseForm):
    """Confirming an import's preview: nothing to fill in but the CSRF token, and the
    fingerprint of the figures the preview showed (import_uploads.figures_seen)."""

    seen = HiddenField()


class ListFilterForm(BaseForm):
    """The lists' filters, read from the query string."""

    class Meta:
        csrf = False

    donor = SelectField(_l("Donor"), choices=[], validate_choice=False)
    donor_type = SelectField(_l("Type of donor"), choices=[("", _l("All types"))] + list(DONOR_TYPES.items()),
                             validate_choice=False)
    currency = SelectField(_l("Currency"), choices=[], validate_choice=False, widget=CURRENCY_SELECT)
    earmark = SelectField(_l("Earmarking"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

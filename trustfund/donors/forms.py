"""Forms for donors and their SAA. Labels and choices are lazy: they follow the
user's language, not the language at start-up."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..forms import BaseForm, Needed, VersionField
from .models import DONOR_TYPES, SAA_STATUSES
from .services import LOOKALIKE_CONFIRMATION


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DonorForm(BaseForm):
    name = StringField(lazy_pgettext("donor", "Name"), validators=[DataRequired(), Length(max=200)],
                       filters=[_strip],
                       description=_l("The donor's official name, as in the SAA."))
    donor_type = SelectField(_l("Type of donor"), validators=[DataRequired()],
                             choices=[("", "—")] + list(DONOR_TYPES.items()))
    country_code = SelectField(_l("Country"), choices=[], validate_choice=True,
                               description=_l("Required for a Member State. For other donors, "
                                              "the country of their seat (optional)."))
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200)],
                               filters=[_strip])
    contact_email = StringField(_l("Contact email"),
                                validators=[Optional(), Email(check_deliverability=False,
                                                              message=_l("Enter a valid email address.")),
                                            Length(max=254)],
                                filters=[_strip])
    # Shown when the name looks like another donor's (donors.services._check_name).
    lookalike_confirmed = BooleanField(LOOKALIKE_CONFIRMATION)


class DonorEditForm(DonorForm):
    # The version the user started from: a save based on an older one is refused.
    version = VersionField()
    # Shown only for a donor whose contributions are recorded (donors.renamings): a new
    # name, type or country then waits for a second MPTF officer, with this reason.
    reason = TextAreaField(_l("Why the name, type or country is corrected"),
                           validators=[Optional(), Length(max=2000)],
                           description=_l("Contributions of this donor are recorded: a new name, type or "
                                          "country takes effect when a second MPTF officer confirms it."))


class RenamingAnswerForm(BaseForm):
    """Confirm or withdraw a waiting change of a donor's name, type or country: the CSRF token only."""


class RenamingRefusalForm(BaseForm):
    """Refuse a waiting change of a donor's name, with a reason (required, and checked by
    the service, which says so beside the field after who may refuse)."""

    reason = TextAreaField(_l("Reason for refusing"), validators=[Needed(), Length(max=2000)])


class SaaForm(BaseForm):
    to_status = SelectField(_l("New SAA status"), choices=[], validate_choice=True,
                            validators=[DataRequired()])
    signed_on = DateField(_l("Date signed"), validators=[Optional()],
                          description=_l("For a signature or an amendment: the date of the last "
                                         "signature."))
    signatory_donor = StringField(_l("Signatory for the donor"), filters=[_strip],
                                  validators=[Optional(), Length(max=200)],
                                  description=_l("Name and title, e.g. Permanent Representative."))
    signatory_mptf = StringField(_l("Signatory for the MPTF Office"), filters=[_strip],
                                 validators=[Optional(), Length(max=200)])
    reference = StringField(_l("Reference"), filters=[_strip],
                            validators=[Optional(), Length(max=100)],
                            description=_l("The SAA's (or the amendment's) reference number."))
    note = TextAreaField(_l("Note"), filters=[_strip], validators=[Optional(), Length(max=2000)],
                         description=_l("What happened, for the history (required to close)."))
    version = VersionField()


class DonorFilterForm(BaseForm):
    """The list's search and filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Name contains"), filters=[_strip], validators=[Optional(), Length(max=200)])
    type = SelectField(_l("Type"), choices=[("", _l("All types"))] + list(DONOR_TYPES.items()),
                       validators=[Optional()])
    saa = SelectField(_l("SAA status"), choices=[("", _l("All statuses"))] + list(SAA_STATUSES.items()),
                      validators=[Optional()])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..forms import BaseForm, GroupedSelect, Needed, VersionField
from ..permissions import ROLE_LABELS


class UserForm(BaseForm):
    """A new user (UserEditForm: an existing one). The role starts empty: the admin
    chooses it, rather than a new user defaulting to any role (let alone Administrator)."""

    email = StringField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False),
                                                 Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[("", _l("Choose a role"))] + list(ROLE_LABELS.items()),
                       validators=[DataRequired(message=_l("Choose the user's role."))], default="")
    donor_id = SelectField(_l("Donor (for a donor user)"), coerce=int, choices=[], validate_choice=True)
    active = BooleanField(_l("Active"), default=True)
    timezone = SelectField(_l("Time zone"), choices=[], default="", validate_choice=False,
                           widget=GroupedSelect(searchable=True),
                           description=_l("Dates and times are shown to the user in this zone."))
    # Optional on creation: without one, the user is invited to choose their own.
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=12, max=200)],
                             description=_l("Leave empty: the user receives an email with a link to "
                                            "choose their own password (valid 72 hours)."))
    submit = SubmitField(_l("Save"))


class UserEditForm(UserForm):
    # The version the admin started from: a save based on an older one is refused.
    version = VersionField()
    # An edit left without a password keeps the current one.
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=12, max=200)],
                             description=_l("At least 12 characters. Leave empty to keep the current one."))


class DecideChangeForm(BaseForm):
    """Confirm or withdraw a user change waiting for a second admin (the CSRF token only)."""

    submit = SubmitField(_l("Confirm"))


class RefuseChangeForm(BaseForm):
    # Required (Needed: marked so) and checked by the service, which says so beside the
    # field after who may refuse (second_person.decide).
    reason = TextAreaField(_l("Reason for refusing"), validators=[Needed(), Length(max=2000)])
    submit = SubmitField(_l("Refuse"))


class SettingForm(BaseForm):
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=40)])
    effective_from = DateField(_l("In force from"), validators=[InputRequired()])
    # The version of the setting's history the admin saw (admin.models.settings_version).
    version = VersionField()
    submit = SubmitField(_l("Save"))


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    # Lists of what the trail holds, in words (admin.audit_trail.offer_choices fills them).
    action = SelectField(_l("Action"), choices=[], default="", validate_choice=True)
    object_type = SelectField(_l("Object"), choices=[], default="", validate_choice=True)
    user = SelectField(_l("User"), choices=[], default="", validate_choice=True)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    sign_ins = BooleanField(_l("Show logins and logouts"))

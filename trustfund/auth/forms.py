from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import BaseForm, GroupedSelect, VersionField


class LoginForm(BaseForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))
    # The browser's time zone (static/timezone.js), kept for a user who has none yet.
    timezone = HiddenField(render_kw={"data-browser-zone": ""})


class ForgotPasswordForm(BaseForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False),
                                                 Length(max=254)])


class SetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                             description=_l("At least 12 characters, not your email, not a common "
                                            "password: a few words that do not go together work well."))
    confirm = PasswordField(_l("The same password again"),
                            validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))])


class ProfileForm(BaseForm):
    """What users set for themselves: their time zone, and whether they get the digests."""

    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=True,
                           widget=GroupedSelect(searchable=True),
                           description=_l("Dates and times of records are shown in this zone."))
    # Named for the reader's role, and offered to the roles that receive one only
    # (auth.routes.profile).
    digests = BooleanField(_l("Send me the digests by email (requests awaiting decision, overdue "
                              "instalments, SAAs awaiting signature)"),
                           description=_l("Messages about the security of your account (password, role, "
                                          "logins) are always sent."))
    version = VersionField()

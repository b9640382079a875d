from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm, GroupedSelect, VersionField


class LoginForm(BaseForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))
    # The browser's time zone (static/timezone.js), kept for a user who has none yet.
    timezone = HiddenField(render_kw={"data-browser-zone": ""})


class ProfileForm(BaseForm):
    """What users set for themselves."""

    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=True,
                           widget=GroupedSelect(searchable=True),
                           description=_l("Dates and times of records are shown in this zone."))
    version = VersionField()

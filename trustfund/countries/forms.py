from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import BaseForm, VersionField


class CountryForm(BaseForm):
    name = StringField(_l("Name (English, as the UN writes it)"),
                       validators=[DataRequired(), Length(max=120)])
    un_member = BooleanField(_l("UN Member State"))
    observer = BooleanField(_l("Non-member observer State"))
    developing = BooleanField(
        _l("Developing country"),
        description=_l("Least developed countries count as developing whatever this says."))
    version = VersionField()


class LdcPeriodForm(BaseForm):
    start_on = DateField(_l("Included in the LDC list on"), validators=[InputRequired()])
    end_on = DateField(
        _l("Graduated on"), validators=[Optional()],
        description=_l("Empty while the country is an LDC. From this day it is no longer one."))
    note = TextAreaField(_l("Source and note"), validators=[Optional(), Length(max=2000)])
    version = VersionField()


class CountryFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or code"), validators=[Optional(), Length(max=80)])
    ldc_on = DateField(_l("LDC on"), validators=[Optional()])
    ldc = BooleanField(_l("Only LDCs on that day"))
    developing = BooleanField(_l("Only developing countries on that day"))
    membership = SelectField(_l("Membership"), validate_choice=False, choices=[
        ("", _l("Member and observer States")), ("member", _l("UN Member States")),
        ("observer", _l("Non-member observer States"))])

"""Forms of the fund's record: its details, an extension of its end date, an early
closure of its operations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import BaseForm, VersionField


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class FundForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)], filters=[_strip])
    code = StringField(_l("Code on the MPTF Gateway"), validators=[DataRequired(), Length(max=30)],
                       filters=[_strip])
    start_on = DateField(_l("Start date"), validators=[InputRequired()])
    version = VersionField()


class ExtendForm(BaseForm):
    end_on = DateField(_l("New end date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason for the extension"), validators=[DataRequired(), Length(max=2000)],
                           filters=[_strip])
    version = VersionField()


class CloseOperationsForm(BaseForm):
    reason = TextAreaField(_l("Why the operations close before the end date"),
                           validators=[DataRequired(), Length(max=2000)], filters=[_strip])
    version = VersionField()

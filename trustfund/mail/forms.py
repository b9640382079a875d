from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField

from ..forms import BaseForm
from .models import FAILED, PENDING, SENT

STATUS_LABELS = {PENDING: _l("Waiting"), SENT: _l("Sent"), FAILED: _l("Failed")}


class ResendForm(BaseForm):
    submit = SubmitField(_l("Send again"))


class OutboxFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[("", _l("All"))] + list(STATUS_LABELS.items()),
                         default="", validate_choice=True)

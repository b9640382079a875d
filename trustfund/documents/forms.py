"""Attaching a document, and replacing one with a reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from ..forms import BaseForm

FILE_HELP = _l("PDF, PNG, JPEG, Excel (.xlsx) or Word (.docx); at most %(size)s MB.")


class AttachForm(BaseForm):
    kind = SelectField(_l("Kind of document"), choices=[])
    title = StringField(_l("Title"))
    file = FileField(_l("File"))
    # One document per render of the form (trustfund.submissions): a file sent twice is
    # attached, and told to the donor's users, once.
    form_token = HiddenField()


class ReplaceForm(BaseForm):
    file = FileField(_l("New version"))
    reason = TextAreaField(_l("Why it is replaced"))


class DownloadForm(BaseForm):
    """A download is a POST: a donor's download is written to the audit trail, and a
    GET only reads (trustfund/read_only.py)."""

"""The base forms of the application: BaseForm for every form, SubForm for the
repeated parts inside one (FormField / FieldList). tests/unit/test_structure.py
fails on a form that derives from neither."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, PasswordField, StringField, TextAreaField

from .validation import PlainText


def _plain_text_validator(field) -> PlainText | None:
    if isinstance(field, PasswordField) or not isinstance(field, StringField):
        return None
    return PlainText(multiline=isinstance(field, TextAreaField))


class _PlainTextFields:
    """Refuses control and bidi-override characters in every text field
    (validation.text_problem; never in passwords, which are only hashed). A hidden
    field shows no message of its own: its refusal goes above the form."""

    def validate(self, extra_validators=None):
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for field in self:
            check = _plain_text_validator(field)
            if check is not None:
                extra.setdefault(field.short_name, []).append(check)
        valid = super().validate(extra)
        for field in self:
            if isinstance(field, HiddenField) and field.errors:
                self.form_errors.extend(e for e in field.errors if e not in self.form_errors)
        return valid


class BaseForm(_PlainTextFields, FlaskForm):
    """The base of every form: Flask-WTF's (CSRF on, unless a GET form's Meta turns
    it off), with the plain-text check on every text field."""


class SubForm(_PlainTextFields, Form):
    """A repeated part of a form (an instalment of a commitment): no CSRF token of
    its own, the same plain-text check (a FormField validates it without the
    outer form's extra validators)."""

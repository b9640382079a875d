"""The base forms of the application: BaseForm for every form, SubForm for the
repeated parts inside one (FormField / FieldList). tests/unit/test_structure.py
fails on a form that derives from neither.

What every form does, whatever its fields (so that a new form cannot forget it):
- text fields refuse control, bidi-override and invisible format characters
  (validation.text_problem; never passwords, which are only hashed);
- dates are ASCII YYYY-MM-DD between params.MIN_DATE and params.MAX_DATE (a date
  of 9999-12-31 overflowed as soon as a day was added to it);
- whole numbers (IntegerField, a select of ids) are ASCII digits: int() would read
  "１２３" as 123;
- a field left out of a posted form is empty, never the stored value the form was
  built from (WTForms keeps `obj`'s value for a missing field: an edit posted
  without its version passed the version check with the current one, and a rate
  left out reached the validators as a Decimal);
- an edit form's VersionField is required: a save that does not say which version
  it was built on is refused like one built on an older version.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    MonthField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.utils import unset_value
from wtforms.validators import StopValidation
from wtforms.widgets import Select, html_params

from .params import MAX_DATE, MAX_ID, MIN_DATE, in_date_range, whole_number
from .validation import PlainText

_ASCII_WHOLE = re.compile(r"-?[0-9]+\Z")
_ASCII_DATE = re.compile(r"[0-9-]+\Z")
_ASCII_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_ASCII_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}\Z")


def _plain_text_validator(field) -> PlainText | None:
    if isinstance(field, PasswordField) or not isinstance(field, StringField):
        return None
    return PlainText(multiline=isinstance(field, TextAreaField))


def _raw(field) -> str | None:
    return field.raw_data[0] if field.raw_data and isinstance(field.raw_data[0], str) else None


def _date_in_range(form, field) -> None:
    raw = _raw(field)
    month = isinstance(field, MonthField)
    if raw is not None and raw.strip() and (field.process_errors or not _ASCII_DATE.match(raw.strip())):
        # One refusal in place of WTForms' own (a date typed by hand, "05/2018", had two
        # wordings of "not a valid date" beside it): how to write it, or, written so
        # ("2018-02-30"), that the calendar has no such day.
        field.data = None
        field.errors.clear()
        if (_ASCII_MONTH if month else _ASCII_DAY).match(raw.strip()):
            raise StopValidation(_l("There is no such month.") if month else _l("There is no such day."))
        raise StopValidation(_l("Enter the month as YYYY-MM, for example 2018-05.") if month
                             else _l("Enter the date as YYYY-MM-DD, for example 2018-05-10."))
    if field.data is not None and not in_date_range(field.data):
        raise StopValidation(_l("Enter a date between %(first)s and %(last)s.",
                                first=MIN_DATE.isoformat(), last=MAX_DATE.isoformat()))


def _whole_number_field(field) -> bool:
    return isinstance(field, IntegerField) or (isinstance(field, SelectField) and field.coerce is int)


def _typed(field) -> list[str]:
    """What was typed or chosen for the field: every value of a multiple choice."""
    return [raw.strip() for raw in field.raw_data or () if isinstance(raw, str) and raw.strip()]


def _loose_whole_number(field) -> bool:
    """A number the field read that nobody typed: other digits than 0-9, or past
    what a database column holds (a view may look the id up before validating); in
    any of the values of a multiple choice."""
    if any(not _ASCII_WHOLE.match(raw) for raw in _typed(field)):
        return True
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    return any(isinstance(value, int) and abs(value) > MAX_ID for value in values)


def _unread(field) -> None:
    """The field as if nothing was read: no number (a multiple choice: none chosen)."""
    field.data = [] if isinstance(field, SelectMultipleField) else None


def _ascii_whole_number(form, field) -> None:
    if _loose_whole_number(field) or (field.data in (None, []) and _typed(field)):
        _unread(field)
        field.errors.clear()  # the field's own reading of it ("not a valid integer") said once, here
        raise StopValidation(_l("Enter a whole number in digits 0-9."))


def _checks_for(field) -> list:
    text = _plain_text_validator(field)
    return [text] if text is not None else []


def _read_first(field) -> list:
    """The checks of what was typed (a date, a whole number), run before the field's own
    validators: a number typed in other digits was refused "between 1 and 50", a
    value the user never typed, before being refused for its digits."""
    if isinstance(field, DateField):  # MonthField too
        return [_date_in_range]
    if _whole_number_field(field):
        return [_ascii_whole_number]
    return []


def _checked_first(field, checks) -> None:
    """Run `checks` as the field's pre_validate, before its validators (WTForms runs a
    form's extra validators after them); a refusal stops the field's validation."""
    own = field.pre_validate

    def pre_validate(form):
        for check in checks:
            check(form, field)
        own(form)

    field.pre_validate = pre_validate


# Fields whose absence from a posted form means something of their own.
_ABSENCE_MEANS_SOMETHING = (BooleanField, FileField, FieldList, FormField)


class _CommonChecks:
    """The checks of the module's docstring, run before each field's own validators.
    A hidden field shows no message of its own: its refusal goes above the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            first = _read_first(field)
            if first:
                _checked_first(field, first)

    def validate(self, extra_validators=None):
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for field in self:
            for check in _checks_for(field):
                extra.setdefault(field.short_name, []).insert(0, check)
        valid = super().validate(extra)
        for field in self:
            if isinstance(field, HiddenField) and field.errors:
                self.form_errors.extend(e for e in field.errors if e not in self.form_errors)
        return valid


def _text_where_text_is_read(form, formdata):
    """The posted values, a file only under a file field's name: a file posted as the
    value of a text field (a hand-made multipart request, even to the sign-in page) is
    left out, so the field reads as not filled in rather than failing on a value no
    browser sends."""
    if formdata is None:
        return None
    files = {field.name for field in form if isinstance(field, FileField)}
    if not any(not isinstance(value, str) and key not in files for key, value in formdata.items(multi=True)):
        return formdata
    return MultiDict([(key, value) for key, value in formdata.items(multi=True)
                      if isinstance(value, str) or key in files])


class BaseForm(_CommonChecks, FlaskForm):
    """The base of every form: Flask-WTF's (CSRF on, unless a GET form's Meta turns
    it off), with the common checks on every field. Its hidden fields (the CSRF
    token, versions, form tokens) are rendered without an id: a page holding several
    forms (a button per row) would otherwise repeat id="csrf_token", which HTML
    forbids; no label or script points at a hidden field (a script finds one by name
    or a data- attribute)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, HiddenField) and "id" not in (field.render_kw or {}):
                field.render_kw = {**(field.render_kw or {}), "id": False}

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        formdata = _text_where_text_is_read(self, self.meta.wrap_formdata(self, formdata))
        super().process(formdata, obj, data=data, extra_filters=extra_filters, **kwargs)
        for field in self:
            if _whole_number_field(field) and _loose_whole_number(field):
                _unread(field)
        if formdata and self.is_submitted():
            for field in self:
                if field.name not in formdata and field.type != "CSRFTokenField" \
                        and not isinstance(field, _ABSENCE_MEANS_SOMETHING):
                    field.raw_data = []
                    field.data = "" if isinstance(field, StringField) else None


class SubForm(_CommonChecks, Form):
    """A repeated part of a form (an instalment of a commitment): no CSRF token of
    its own, the same common checks (a FormField validates it without the outer
    form's extra validators)."""


def _stale_message():
    from .errors import stale_message

    return stale_message()


class Rows(FieldList):
    """A list of repeated rows (an instalment schedule) that refuses more rows than it
    may hold, where WTForms' FieldList keeps the first `max_entries` rows posted and
    drops the rest without a word (a colleague's review: a commitment was recorded
    with a schedule shorter than typed). `max_entries` bounds what is read of a
    hand-made post; the rows' own limit (of rows filled in) is the service's: give
    room for the rows the form shows empty. `too_many` is the message."""

    def __init__(self, *args, too_many, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_many = too_many
        self.posted = 0

    def process(self, formdata, data=unset_value, extra_filters=None):
        # The rows posted: the indices of the fields named "<name>-<index>-...".
        prefix = f"{self.name}-"
        indices = {key[len(prefix):].split("-", 1)[0] for key in (formdata or ()) if key.startswith(prefix)}
        self.posted = sum(index.isdigit() for index in indices)
        super().process(formdata, data, extra_filters)

    def validate(self, form, extra_validators=()):
        valid = super().validate(form, extra_validators)
        if self.max_entries and self.posted > self.max_entries:
            self.errors.append(str(self.too_many()))
            return False
        return valid


class VersionField(HiddenField):
    """The version of the record the form was built from, sent back with the save.
    Its data is an int; missing or not a version, the save is refused with the
    "someone else changed this" message (the user reloads and gets a good one)."""

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = whole_number(valuelist[0])

    def process_data(self, value):
        self.data = value if isinstance(value, int) else whole_number(value)

    def _value(self):
        return "" if self.data is None else str(self.data)

    def pre_validate(self, form):
        if not isinstance(self.data, int):
            raise StopValidation(_stale_message())


class Needed:
    """Marks a field the user must fill in (the `*` beside its label, the `required`
    attribute) whose check, with its own message, is the service's: a reason, whose
    message names the decision ("Say why the grant is cancelled."). Fields checked
    by the form itself carry DataRequired or InputRequired, which mark them too."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


@dataclass(frozen=True)
class Problem:
    """An error of a posted form, for the summary above it: the field's id (None for
    the form's own errors), its label and the message."""

    field_id: str | None
    label: str
    message: str


def _is_message(message) -> bool:
    """A message (a string, or a lazy one), not the errors of a repeated part."""
    return not isinstance(message, (list, tuple, dict))


def problems(form) -> list[Problem]:
    """Every error of the form, in the order of its fields, so that the summary at the
    top links to each field shown with its message beside it. Rows of a repeated part
    are named by their number; hidden fields' errors are the form's own."""
    found = [Problem(None, "", str(message)) for message in getattr(form, "form_errors", [])]

    def walk(fields, row: int | None = None) -> None:
        for field in fields:
            if isinstance(field, FieldList):
                for index, entry in enumerate(field.entries, start=1):
                    if isinstance(entry, FormField):
                        walk(entry.form, index)
                    else:
                        walk([entry], index)
                found.extend(Problem(field.id, str(field.label.text), str(message))
                             for message in field.errors if _is_message(message))
            elif isinstance(field, FormField):
                walk(field.form, row)
            elif not isinstance(field, HiddenField) and field.type != "CSRFTokenField":
                label = str(field.label.text)
                if row is not None:
                    label = f"{label} ({row})"
                found.extend(Problem(field.id, label, str(message)) for message in field.errors
                             if _is_message(message))

    walk(form)
    return found


class GroupedSelect(Select):
    """A select of grouped choices ({group label: [(value, label), ...]}): each group an
    <optgroup>, but the group "" (the blank choice), whose options come first, ungrouped.
    With `searchable`, static/select-filter.js puts a box above it that narrows the
    options to those holding the words typed (a long list such as the currencies)."""

    def __init__(self, searchable: bool = False):
        super().__init__()
        self.searchable = searchable

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.searchable:
            kwargs.setdefault("data-filter-label", str(_l("Filter the list")))
        if not field.has_groups():
            return super().__call__(field, **kwargs)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for group, choices in field.iter_groups():
            if group:
                html.append(f"<optgroup {html_params(label=group)}>")
            for value, label, selected, render_kw in choices:
                html.append(self.render_option(value, label, selected, **render_kw))
            if group:
                html.append("</optgroup>")
        html.append("</select>")
        return Markup("".join(html))


def answer_refused(form: FlaskForm, *, waits: bool = True, decided: str = "") -> bool:
    """After a refused answer to a waiting change (Confirm, Refuse with a reason or
    Withdraw, posted from that change's row of a list: second_person): the errors
    about no field as messages; True when a field holds one, for the view to render
    the list again with this form in that row, its error beside the field (the
    reason's: templates/_second_person.html). A change that no longer waits (`waits`
    false: answered meanwhile) has no row in the list to show a field's error: then
    `decided` (the caller's "already decided") as a message, and False."""
    for error in form.form_errors:
        flash(str(error), "danger")
    if not any(field.errors for field in form):
        return False
    if not waits:
        flash(str(decided), "danger")
        return False
    return True

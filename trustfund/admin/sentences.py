"""The audit trail in words (trustfund/audit_text.py): users and settings changed by an admin."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import Book, Field, Target, Told, show_value
from ..extensions import db
from .models import FEE_RATE, SETTINGS, Setting

# How each setting's value reads: the fee rate as a percentage, the rest in US dollars.
SETTING_KINDS = {FEE_RATE: Field("", "percent")}
USD_VALUE = Field("", "money", currency="USD")


def setting_value(key: str, value) -> str:
    """A setting's value as the reader reads it (1% for the fee rate 0.01)."""
    return show_value(SETTING_KINDS.get(key, USD_VALUE), value, {}, None)


def setting_label(key: str) -> str:
    return str(SETTINGS[key][0]) if key in SETTINGS else _("Setting")


def load_settings(keys: list[str]) -> dict[str, Target]:
    ids = [int(k) for k in keys if k.isdigit()]
    rows = db.session.execute(sa.select(Setting.id, Setting.key).where(Setting.id.in_(ids)))
    return {str(row.id): Target(setting_label(row.key), "admin.settings") for row in rows}


def _user_created(e: Told) -> str:
    return _("Created by %(user)s with the role %(role)s.", user=e.who, role=e.show("role"))


def _setting_set(e: Told) -> str:
    key = e.value("key")
    values = {"setting": e.iso(setting_label(key)), "user": e.who, "date": e.show("effective_from"),
              "value": e.iso(setting_value(key, e.value("value")))}
    if e.before:
        return _("%(setting)s in force from %(date)s corrected by %(user)s: %(before)s → %(value)s.",
                 before=e.iso(setting_value(key, e.value("value", "before"))), **values)
    return _("%(setting)s set by %(user)s to %(value)s, in force from %(date)s.", **values)


def register(book: Book) -> None:
    book.reference("setting", load_settings)
    book.object("Setting", _l("Setting"), {
        "effective_from": Field(_l("In force from"), "date"),
    }, reference="setting", hidden=("key", "value", "created_by_id", "created_at"))
    book.action("user.create", _l("User account created"), "User", _user_created)
    book.action("user.update", _l("User account changed"), "User",
                lambda e: _("Changed by %(user)s.", user=e.who))
    book.action("setting.set", _l("Setting set"), "Setting", _setting_set, changes=False)

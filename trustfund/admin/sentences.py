"""The audit trail in words (trustfund/audit_text.py): users and settings changed by an admin."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import Book, Field, Target, Told, show_value
from ..auth.sentences import ACCOUNT_FIELDS
from ..extensions import db
from .models import FRACTION_SETTINGS, SETTINGS, Setting

# How each setting's value reads: the fee rate and the rates' tolerance as percentages,
# the rest in US dollars.
SETTING_KINDS = {key: Field("", "percent") for key in FRACTION_SETTINGS}
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


def _account(e: Told) -> str:
    """The account a user change is about: its name, or the email of a new one."""
    if e.value("user_id"):
        return e.name("user", e.value("user_id"))
    return e.iso(e.value("email"))


def _change_proposed(e: Told) -> str:
    if e.value("user_id"):
        return _("%(user)s proposed a change to %(account)s (role %(role)s); it waits for another "
                 "administrator.", user=e.who, account=_account(e), role=e.show("role"))
    return _("%(user)s proposed a new account %(account)s with the role %(role)s; it waits for another "
             "administrator.", user=e.who, account=_account(e), role=e.show("role"))


def _change_confirmed(e: Told) -> str:
    return _("%(user)s confirmed the change to %(account)s proposed by %(proposer)s: it took effect.",
             user=e.who, account=_account(e), proposer=e.name("user", e.value("proposed_by_id")))


def _change_refused(e: Told) -> str:
    return _("%(user)s refused the change to %(account)s proposed by %(proposer)s: %(reason)s",
             user=e.who, account=_account(e), proposer=e.name("user", e.value("proposed_by_id")),
             reason=e.iso(e.value("refusal_reason") or ""))


def _setting_change(e: Told) -> dict:
    key = e.value("key")
    return {"user": e.who, "setting": e.iso(setting_label(key)), "date": e.show("effective_from"),
            "value": e.iso(setting_value(key, e.value("value")))}


def _setting_proposed(e: Told) -> str:
    return _("%(user)s proposed %(value)s for %(setting)s, in force from %(date)s; it waits for another "
             "administrator.", **_setting_change(e))


def _setting_confirmed(e: Told) -> str:
    return _("%(user)s confirmed %(value)s for %(setting)s, in force from %(date)s, proposed by "
             "%(proposer)s.", proposer=e.name("user", e.value("proposed_by_id")),
             **_setting_change(e))


def _setting_refused(e: Told) -> str:
    return _("%(user)s refused %(value)s for %(setting)s proposed by %(proposer)s: %(reason)s",
             proposer=e.name("user", e.value("proposed_by_id")),
             reason=e.iso(e.value("refusal_reason") or ""), **_setting_change(e))


def _sign_in_renewed(e: Told) -> str:
    if e.value("invited") is False:
        return _("%(user)s confirmed the account's new role: its password stopped working; the account is "
                 "deactivated, and no invitation was sent.", user=e.who)
    return _("%(user)s confirmed the account's new role: its password stopped working, and an invitation "
             "to choose one was sent to %(email)s.", user=e.who, email=e.iso(e.value("email") or ""))


def register(book: Book) -> None:
    book.reference("setting", load_settings)
    book.object("Setting", _l("Setting"), {
        "effective_from": Field(_l("In force from"), "date"),
    }, reference="setting", hidden=("key", "value", "created_by_id", "created_at"))
    book.action("user.create", _l("User account created"), "User", _user_created)
    book.action("user.update", _l("User account changed"), "User",
                lambda e: _("Changed by %(user)s.", user=e.who))
    book.action("user.sign_in_renewed", _l("Password renewed at a promotion"), "User", _sign_in_renewed,
                changes=False)
    book.action("user.password_typed", _l("Password typed by an administrator"), "User",
                lambda e: _("%(user)s typed a new password for this account: its sessions ended, and it "
                            "signs in with that password until its user chooses another.", user=e.who),
                changes=False)
    book.object("UserChange", _l("User change waiting for a second administrator"), {
        **ACCOUNT_FIELDS,
        "sign_in_typed": Field(_l("Password typed by the administrator"), "bool"),
        "user_id": Field(_l("User account"), "ref", ref="user"),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, hidden=("based_on_version", "proposed_at", "status", "decided_by_id", "decided_at",
               "refusal_reason"))
    book.action("user_change.propose", _l("User change proposed"), "UserChange", _change_proposed,
                changes=False)
    book.action("user_change.confirm", _l("User change confirmed"), "UserChange", _change_confirmed,
                changes=False)
    book.action("user_change.refuse", _l("User change refused"), "UserChange", _change_refused,
                changes=False)
    book.action("user_change.withdraw", _l("User change withdrawn"), "UserChange",
                lambda e: _("%(user)s withdrew the change to %(account)s they had proposed.",
                            user=e.who, account=_account(e)), changes=False)
    book.action("setting.set", _l("Setting value recorded"), "Setting", _setting_set, changes=False)
    book.object("SettingChange", _l("Setting value waiting for a second administrator"), {
        "effective_from": Field(_l("In force from"), "date"),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, hidden=("key", "value", "based_on_version", "proposed_at", "status", "decided_by_id", "decided_at",
               "refusal_reason", "setting_id"))
    book.action("setting_change.propose", _l("Setting value proposed"), "SettingChange", _setting_proposed,
                changes=False)
    book.action("setting_change.confirm", _l("Setting value confirmed"), "SettingChange", _setting_confirmed,
                changes=False)
    book.action("setting_change.refuse", _l("Setting value refused"), "SettingChange", _setting_refused,
                changes=False)
    book.action("setting_change.withdraw", _l("Setting value withdrawn"), "SettingChange",
                lambda e: _("%(user)s withdrew %(value)s for %(setting)s they had proposed.",
                            **_setting_change(e)), changes=False)

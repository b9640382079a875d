"""The audit trail in words: what happened, as a sentence in the reader's language.

Audit entries keep codes and values (STYLE.md: "Sentences for people, codes for
machines"): the action "grant.approve", snapshots of columns before and after. People
read "Approved by Ana Silva from 1. Travel and participation: USD 2,670.00", with
names and links instead of ids, amounts and dates formatted by trustfund.formatting,
and changed values by their labels ("Airfare (economy class): USD 1,200.00 → USD 1,350.00").

The core knows no feature. Each feature describes its own objects and actions in its
`sentences.py` (`register(book)`): how a recorded field is labelled and shown
(Field), how an object is named and where its page is (a reference loader), and the
sentence of each action. trustfund/__init__.py (register_sentences) wires them by
plain imports, in one place. An action nobody describes still reads as a sentence
("Changed by Ana Silva."), never as its code; an unknown field is counted, never named.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, url_for
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import formatting

EMPTY = "—"
# Columns no reader needs: the row's own key, the optimistic-locking counter, secrets.
HIDDEN = frozenset({"id", "version", "password_hash", "session_token"})


@dataclass(frozen=True)
class Field:
    """How one recorded value is named and shown. kind: text, money (in `currency`, or
    the currency held by the snapshot's `currency_key`), date, datetime, month, bool,
    int, rate, percent, choice (`choices`: code -> label), ref (`ref`: the name of a
    reference loader), or `show(value, snapshot)` for anything else."""

    label: Any
    kind: str = "text"
    currency: str | None = None
    currency_key: str | None = None
    choices: Mapping | None = None
    ref: str | None = None
    show: Callable[[Any, dict], str] | None = None


@dataclass(frozen=True)
class Target:
    """An object as a reader names it, and the page that shows it (if any)."""

    label: str
    endpoint: str | None = None
    args: dict = field(default_factory=dict)
    # How a sentence names it, where that differs from the label (a pool: the label
    # "Un-earmarked", "the %(pool)s pool" takes "un-earmarked"): Told.in_sentence.
    sentence: str | None = None

    def url(self) -> str | None:
        """The object's page, when the reader's role may open it."""
        if not self.endpoint or not current_user.is_authenticated:
            return None
        from .navigation import may_open

        return url_for(self.endpoint, **self.args) if may_open(current_user.role, self.endpoint) else None


@dataclass(frozen=True)
class ObjectKind:
    name: str  # the entry's object_type, e.g. "TravelGrant"
    label: Any  # e.g. "Travel grant"
    fields: dict[str, Field]
    reference: str | None = None  # the loader naming one object of this kind
    collection: Target | None = None  # what an entry about no single object names
    hidden: frozenset = frozenset()


@dataclass(frozen=True)
class Action:
    code: str
    label: Any  # short, for the audit trail's list of actions
    object_type: str
    sentence: Callable[[Told], str]
    told: frozenset = frozenset()  # fields the sentence already says: not listed again
    changes: bool = True  # list the values that changed
    routine: bool = False  # sign-ins and sign-outs: hidden from the trail unless asked for


class Book:
    """Every object kind, reference loader and action the features describe."""

    def __init__(self):
        self.kinds: dict[str, ObjectKind] = {}
        self.loaders: dict[str, Callable[[list[str]], dict[str, Target]]] = {}
        self.actions: dict[str, Action] = {}

    def object(self, name: str, label, fields: dict[str, Field], *, reference: str | None = None,
               collection: Target | None = None, hidden: Iterable[str] = ()) -> None:
        self.kinds[name] = ObjectKind(name, label, fields, reference, collection, frozenset(hidden))

    def reference(self, name: str, load: Callable[[list[str]], dict[str, Target]]) -> None:
        """`load(keys)` names many objects at once: {key (as text): Target}."""
        self.loaders[name] = load

    def action(self, code: str, label, object_type: str, sentence: Callable[[Told], str], *,
               told: Iterable[str] = (), changes: bool = True, routine: bool = False) -> None:
        self.actions[code] = Action(code, label, object_type, sentence, frozenset(told), changes, routine)

    def routine_actions(self) -> list[str]:
        return sorted(code for code, action in self.actions.items() if action.routine)


def install(app) -> Book:
    book = Book()
    _core(book)
    app.extensions["trustfund_sentences"] = book
    app.jinja_env.globals["object_history"] = object_history
    return book


def book() -> Book:
    return current_app.extensions["trustfund_sentences"]


# --- What an entry says -----------------------------------------------------------

@dataclass
class Change:
    label: str
    before: str
    after: str

    @property
    def text(self) -> str:
        # One message, so that each language sets its own colon and arrow (Arabic reads
        # right to left: its arrow points left).
        return _("%(label)s: %(before)s → %(after)s", label=self.label, before=self.before, after=self.after)


@dataclass
class Described:
    entry: Any
    sentence: str
    target: Target | None
    changes: list[Change]
    more: int  # values that changed and have no label
    note: str
    action_label: str
    kind_label: str
    email: str = ""  # the acting account's address when it acted (the download names it)

    @property
    def url(self) -> str | None:
        return self.target.url() if self.target else None


class Names:
    """Objects named by reference loaders, loaded a kind at a time and kept for one batch of entries."""

    def __init__(self, book: Book):
        self.book = book
        self.known: dict[tuple[str, str], Target | None] = {}
        self.nobody = _("the system")  # who did what no user did (translated once per batch)
        self.accounts: dict[str, list] | None = None  # account_at: read once per batch, on demand
        locale = get_locale()
        self.rtl = locale is not None and locale.character_order == "right-to-left"

    def load(self, wanted: Iterable[tuple[str, str]]) -> None:
        by_loader: dict[str, set[str]] = {}
        for name, key in wanted:
            if name in self.book.loaders and (name, key) not in self.known:
                by_loader.setdefault(name, set()).add(key)
        for name, keys in by_loader.items():
            found = self.book.loaders[name](sorted(keys))
            for key in keys:
                self.known[(name, key)] = found.get(key)

    def get(self, name: str, key) -> Target | None:
        if key is None or key == "":
            return None
        key = str(key)
        if (name, key) not in self.known:
            self.load([(name, key)])
        return self.known.get((name, key))

    def account_at(self, user_id, at, current: tuple[str, str]) -> tuple[str, str]:
        """(name, email) of a user account as they were when `at` happened, by the trail's
        own entries of the account (its creation and every change), so that an entry goes
        on naming who acted, and who proposed what was confirmed, after an admin renamed
        an account (a colleague's review: a rename made one officer's confirmation read as
        if its proposer had confirmed it). `current`: the account as it is now, for an
        account the trail holds nothing of."""
        if self.accounts is None:
            self.accounts = _account_history()
        return _account_as_at(self.accounts.get(str(user_id)), at, current)


def account_name_at(user, at: dt.datetime) -> str:
    """The name (else the address) a user account had when `at` happened, by the trail's
    own entries of it (Names.account_at): a document kept as issued names who signed it
    as they were named then. "" for no account."""
    if user is None:
        return ""
    name, email = _account_as_at(_account_history(user.id).get(str(user.id)), at, (user.name, user.email))
    return name or email


def _account_as_at(history: list | None, at, current: tuple[str, str]) -> tuple[str, str]:
    """(name, email) as they were at `at`, from an account's `history` (_account_history)."""
    if not history:
        return current

    def over(base: tuple[str, str], values: dict) -> tuple[str, str]:
        return values.get("name", base[0]) or "", values.get("email", base[1]) or ""

    found = None
    for when, before, after in history:  # oldest first
        if when > at:
            return found or over(current, before)
        found = over(found or over(current, before), after)
    return found or current


def _account_history(user_id: int | None = None) -> dict[str, list[tuple[dt.datetime, dict, dict]]]:
    """{user id: [(when, its name and email before, after)], oldest first}: every entry of
    the trail about a user account (or the one of `user_id`) that names it (few: one per
    account change); each side holds only the keys the entry recorded."""
    import sqlalchemy as sa

    from .audit import AuditEntry
    from .extensions import db

    def named(values: dict | None) -> dict:
        return {key: values[key] for key in ("name", "email") if key in (values or {})}

    history: dict[str, list] = {}
    for key, when, before, after in db.session.execute(
            sa.select(AuditEntry.object_id, AuditEntry.at, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.object_type == "User",
                   sa.true() if user_id is None else AuditEntry.object_id == str(user_id))
            .order_by(AuditEntry.at, AuditEntry.id)):
        if named(before) or named(after):
            history.setdefault(key, []).append((when, named(before), named(after)))
    return history


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def show_value(spec: Field, value, snapshot: dict, names: Names) -> str:
    """One recorded value as the reader reads it (an em dash for none)."""
    if spec.show is not None:
        return spec.show(value, snapshot) or EMPTY
    if value is None or value == "" or value == []:
        return EMPTY
    kind = spec.kind
    if kind == "money":
        number = _decimal(value)
        currency = spec.currency or snapshot.get(spec.currency_key or "currency") or "USD"
        return formatting.money(number, currency) if number is not None else str(value)
    if kind in ("date", "month"):
        day = _day(value)
        if day is None:
            return str(value)
        # A month stands alone ("май 2017 г." in Russian, not the genitive "мая").
        return formatting.month(day) if kind == "month" else formatting.date(day)
    if kind == "datetime":
        try:
            return formatting.datetime(dt.datetime.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if kind == "bool":
        return _("yes") if value else _("no")
    if kind == "int":
        return formatting.number(value)
    if kind == "rate":
        number = _decimal(value)
        return formatting.rate(number) if number is not None else str(value)
    if kind == "percent":
        number = _decimal(value)
        return format_percent(number, "#,##0.####%") if number is not None else str(value)
    if kind == "choice":
        return str((spec.choices or {}).get(value, value))
    if kind == "ref":
        target = names.get(spec.ref, value)
        return target.label if target else EMPTY
    return str(value)


class Told:
    """An audit entry as a sentence function sees it: who, the values before and
    after, and helpers that show a recorded value the way its Field says."""

    def __init__(self, entry, kind: ObjectKind | None, names: Names):
        self.entry = entry
        self.kind = kind
        self.names = names
        self.before: dict = entry.before or {}
        self.after: dict = entry.after or {}
        self.note: str = entry.note or ""
        user = entry.user
        self.account: tuple[str, str] | None = None if user is None else names.account_at(
            user.id, entry.at, (user.name or "", user.email))
        self.who: str = self.iso((self.account[0] or self.account[1]) if self.account else names.nobody)

    def iso(self, text) -> str:
        """A value set into a right-to-left sentence, isolated (U+2068 … U+2069) so that a
        Latin name or an amount keeps its place and its punctuation among Arabic words."""
        return f"\u2068{text}\u2069" if self.names.rtl else str(text)

    def value(self, key: str, side: str = "after"):
        return (self.before if side == "before" else self.after).get(key)

    def show(self, key: str, side: str = "after", spec: Field | None = None) -> str:
        snapshot = self.before if side == "before" else self.after
        spec = spec or (self.kind.fields.get(key) if self.kind else None) or Field("")
        return self.iso(show_value(spec, snapshot.get(key), snapshot, self.names))

    def money(self, key: str, currency: str | None = None, side: str = "after",
              absolute: bool = False) -> str:
        """An amount in `currency` (or the snapshot's own); `absolute`: without its sign
        (a reversal's negative amounts, told as what was taken back)."""
        snapshot = self.before if side == "before" else self.after
        number = _decimal(snapshot.get(key)) if snapshot.get(key) is not None else None
        if number is None:
            return EMPTY
        currency = currency or snapshot.get("currency") or "USD"
        return self.iso(formatting.money(abs(number) if absolute else number, currency))

    def in_sentence(self, key: str, side: str = "after") -> str:
        """The object a recorded reference names, as a sentence names it (its Target's
        `sentence`, else its label), loaded with the other references of the batch."""
        spec = self.kind.fields.get(key) if self.kind else None
        if spec is None or spec.kind != "ref":
            return self.show(key, side)
        target = self.names.get(spec.ref, self.value(key, side))
        return self.iso((target.sentence or target.label) if target else EMPTY)

    def name(self, reference: str, key) -> str:
        target = self.names.get(reference, key)
        if target is not None and reference == "user":  # as named when this happened
            name, email = self.names.account_at(key, self.entry.at, (str(target.label), ""))
            return self.iso(name or email)
        return self.iso(target.label if target else EMPTY)


def _target(entry, kind: ObjectKind | None, names: Names) -> Target | None:
    if kind is None:
        return None
    if entry.object_id is None:
        return kind.collection
    return names.get(kind.reference, entry.object_id) if kind.reference else None


def _wanted(entry, kind: ObjectKind | None) -> Iterable[tuple[str, str]]:
    if kind is None:
        return
    if kind.reference and entry.object_id is not None:
        yield kind.reference, str(entry.object_id)
    for snapshot in (entry.before or {}, entry.after or {}):
        for key, spec in kind.fields.items():
            if spec.kind == "ref" and snapshot.get(key) not in (None, ""):
                yield spec.ref, str(snapshot[key])


def _changes(told: Told, action: Action | None) -> tuple[list[Change], int]:
    before, after = told.before, told.after
    if not before or not after or (action is not None and not action.changes):
        return [], 0
    kind = told.kind
    fields = kind.fields if kind else {}
    hidden = HIDDEN | (kind.hidden if kind else frozenset()) | (action.told if action else frozenset())
    listed, more = [], 0
    for key, spec in fields.items():
        if key not in hidden and before.get(key) != after.get(key):
            was, now = told.show(key, "before"), told.show(key)
            if was == now:  # a difference the reader cannot see (a note inside a list)
                more += 1
            else:
                listed.append(Change(str(spec.label), was, now))
    for key in set(before) | set(after):
        if key not in fields and key not in hidden and before.get(key) != after.get(key):
            more += 1
    return listed, more


def _fallback(told: Told) -> str:
    if told.before and told.after:
        return _("Changed by %(user)s.", user=told.who)
    if told.after:
        return _("Recorded by %(user)s.", user=told.who)
    return _("Done by %(user)s.", user=told.who)


def describe_many(entries: Iterable) -> list[Described]:
    """Each entry in words, the objects it names loaded a kind at a time."""
    entries = list(entries)
    registry = book()
    names = Names(registry)
    names.load(pair for entry in entries for pair in _wanted(entry, registry.kinds.get(entry.object_type)))
    described = []
    # Labels translated once per batch, not once per entry (a download has 100,000).
    labels: dict = {"action": _("Other change"), "kind": _("Other record")}
    for entry in entries:
        action = registry.actions.get(entry.action)
        kind = registry.kinds.get(entry.object_type) or (
            registry.kinds.get(action.object_type) if action else None)
        action_key = ("action", action.code) if action else "action"
        kind_key = ("kind", kind.name) if kind else "kind"
        if action_key not in labels:
            labels[action_key] = str(action.label)
        if kind_key not in labels:
            labels[kind_key] = str(kind.label)
        told = Told(entry, kind, names)
        sentence = action.sentence(told) if action else _fallback(told)
        changes, more = _changes(told, action)
        described.append(Described(
            entry=entry, sentence=sentence, target=_target(entry, kind, names), changes=changes,
            more=more, note=told.note, action_label=labels[action_key], kind_label=labels[kind_key],
            email=told.account[1] if told.account else ""))
    return described


def object_history(object_type: str, object_id, skip: Iterable[str] = ()) -> list[Described]:
    """The audit entries of one object, oldest first, in words (for its page's History)."""
    import sqlalchemy as sa

    from .audit import AuditEntry
    from .extensions import db

    query = sa.select(AuditEntry).where(AuditEntry.object_type == object_type,
                                        AuditEntry.object_id == str(object_id))
    skip = list(skip)
    if skip:
        query = query.where(AuditEntry.action.not_in(skip))
    return describe_many(db.session.scalars(query.order_by(AuditEntry.id)))


def described_in_batches(entries: Iterable, size: int = 500):
    """describe_many over a long stream (an export), a batch at a time."""
    batch = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == size:
            yield from describe_many(batch)
            batch = []
    if batch:
        yield from describe_many(batch)


# --- What the core itself records ---------------------------------------------------

def _core(book: Book) -> None:
    book.object("Fund", _l("The fund"), {})
    book.action("demo.scale_data", _l("Demonstration data loaded"), "Fund",
                lambda e: _("Demonstration data for a test at scale loaded by %(user)s.", user=e.who))

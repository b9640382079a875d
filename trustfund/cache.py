"""Figures computed from many rows, kept in each worker while the data is unchanged.

A dashboard or a statement at a hundred times the fund's size sums 100,000
deposits and 50,000 grants; the result changes only when the ledger does. Every
change of the ledger records an audit entry in its own transaction
(audit.record), so the newest audit entries are a version of the data:

    version = (highest audit entry id, how many entries have an id among the last WINDOW)

The count catches an entry with a lower id committed after a higher one (a
PostgreSQL sequence hands out ids in the order transactions start, not the order
they commit): its arrival changes the count though not the highest id. Reading
the version is one statement on the primary key's index, however large the
trail.

remember(key, compute) returns the value stored under `key` if it was computed
at the current version (and less than `max_age` seconds ago), else computes it,
stores it and returns it. The workers keep no state that matters: each one
reads the version from the database in every request that uses a kept value, so
all of them show the figures of the current data, and a restarted worker just
computes again. A reading request (GET; trustfund.read_only: it cannot write)
reads the version once, in the same statement as its user (load_user, with
VERSION_COLUMNS); other code reads it at every use, so that a request's own
uncommitted changes count: the version read in a transaction that recorded an
audit entry differs, and it computes afresh.

Rules for callers:
- the key names everything the value depends on besides the data: the role,
  the donor, the period, and today's date when "overdue" or "as of today"
  figures are in it;
- the value is plain data (Decimals, dates, strings, tuples, dataclasses), never
  ORM objects (they belong to the request's session) and never translated text
  (lazy strings are fine: they are translated when shown).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app

from .audit import AuditEntry
from .extensions import db
from .read_only import note, per_request

T = TypeVar("T")
WINDOW = 1000
MAX_AGE = 300.0  # seconds: a safety net, not the way values go stale
MAX_ENTRIES = 256

_store: OrderedDict[tuple, tuple[tuple[int, int], float, object]] = OrderedDict()
_lock = threading.Lock()


# Built once: every request of a cached page reads the version, and building the
# statement (and its compiled-cache key) again each time cost more than running it.
# The two figures are columns another statement can carry: the login's user load
# reads them with the user (trustfund.load_user), saving a statement (and on
# PostgreSQL a round trip) on every page that uses kept figures.
_TOP = sa.select(sa.func.max(AuditEntry.id)).scalar_subquery()
VERSION_COLUMNS = (
    _TOP,
    sa.select(sa.func.count(AuditEntry.id))
    .where(AuditEntry.id > sa.func.coalesce(_TOP, 0) - WINDOW)
    .scalar_subquery(),
)
_VERSION = sa.select(*VERSION_COLUMNS)
_VERSION_KEY = ("trustfund.cache", "data version")


def data_version() -> tuple[int, int]:
    """(highest audit entry id, entries among the last WINDOW ids). A reading request
    (trustfund.read_only: it cannot change the data itself) reads it once, with its
    user or by this statement, for all its kept values; any other code reads it
    each time, so that its own changes count."""
    return per_request(_VERSION_KEY, _read_version)


def _read_version() -> tuple[int, int]:
    row = db.session.execute(_VERSION).one()
    return (row[0] or 0, row[1] or 0)


def note_version(top: int | None, count: int | None) -> tuple[int, int]:
    """The version read by a statement carrying VERSION_COLUMNS, kept by a reading request."""
    return note(_VERSION_KEY, (top or 0, count or 0))


def remember(key: Hashable, compute: Callable[[], T], *, max_age: float = MAX_AGE) -> T:
    """The value of compute() at the current data version, computed at most once
    per version, key and worker."""
    version = data_version()
    full_key = (str(db.engine.url), key)
    now = time.monotonic()
    with _lock:
        hit = _store.get(full_key)
        if hit is not None and hit[0] == version and now - hit[1] < max_age:
            _store.move_to_end(full_key)
            return hit[2]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _store[full_key] = (version, now, value)
        _store.move_to_end(full_key)
        while len(_store) > MAX_ENTRIES:
            _store.popitem(last=False)
    return value


def enabled() -> bool:
    """Whether values are kept: always in production; under TESTING only when
    FIGURE_CACHE is set (test factories add rows without audit entries, which
    would leave a kept value in place)."""
    return current_app.config.get("FIGURE_CACHE", not current_app.testing)


def keep(key: Hashable, compute: Callable[[], T]) -> T:
    """remember(key, compute) where values are kept (enabled()), else compute()."""
    return remember(key, compute) if enabled() else compute()


def clear() -> None:
    """Forget every stored value (tests; after restoring a backup)."""
    with _lock:
        _store.clear()

"""Figures computed from many rows, kept in each worker for exactly the data they
were computed from.

A dashboard or a statement at a hundred times the fund's size sums 100,000
deposits and 50,000 grants; the result changes only when the data does. Every
transaction that writes replaces the data version, a random token, in the same
transaction (trustfund.data_version), so a kept value is keyed by the token of
the data it was computed from:

- keep(key, compute) reads the token (one statement on a one-row table; a
  reading request reuses the token it read last, see _version); if a value is
  stored under `key` with that token, it is returned, else compute() runs;
- the value is stored only if the token read after computing is still the one
  read before: then no writing transaction committed in between, and the value
  is that token's data's value, even though each statement of compute() may see
  the newest committed data (READ COMMITTED; SQLite outside a transaction);
- while the session has written and not committed, its data is not any token's:
  compute() runs and nothing is stored or read.

So a kept value never outlives its data: after any change the token differs and
the next use computes afresh; a restored backup carries the token it was taken
with, and a value kept under that token is exactly that data's. The workers keep
no state that matters: each reads the token in every request, and a restarted
one just computes again. Each app (a worker) has its own store.

Rules for callers:
- the key names everything the value depends on besides the data: the role,
  the donor, the period, the locale when the value holds translated text, and
  today's date when "overdue" or "as of today" figures are in it;
- the value is plain data (Decimals, dates, strings, tuples, dataclasses), never
  ORM objects (they belong to the request's session), never anything of the user
  or the request (rendered pages are not kept: they hold the user's name and the
  session's CSRF token).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, current_app

from . import data_version
from .extensions import db
from .read_only import memo

T = TypeVar("T")
MAX_ENTRIES = 256
_EXTENSION = "trustfund.cache"


class _Store:
    """One app's kept values (an app is a worker: two apps in one process, as in the
    tests, keep apart), the least recently used dropped beyond MAX_ENTRIES."""

    def __init__(self):
        self.values: OrderedDict[Hashable, tuple[str, object]] = OrderedDict()
        self.lock = threading.Lock()


def _store(app: Flask | None = None) -> _Store:
    app = app or current_app
    store = app.extensions.get(_EXTENSION)
    if store is None:
        store = app.extensions.setdefault(_EXTENSION, _Store())
    return store


_VERSION = "trustfund.cache.version"


def _version(session, *, again: bool = False) -> str | None:
    """The data version. A reading request (it cannot change the data itself) reads it
    at its first kept figure and after each one it computes, and uses the last read
    for the next figure; anywhere else it is read at every use."""
    store = memo()
    if store is not None and not again and _VERSION in store:
        return store[_VERSION]
    version = data_version.current(session)
    if store is not None:
        store[_VERSION] = version
    return version


def keep(key: Hashable, compute: Callable[[], T]) -> T:
    """The value of compute() for the data as it is, computed at most once per data
    version, key and worker (see the module's doc)."""
    return keep_many([key], lambda _keys: {key: compute()})[key]


def keep_many(keys: list[Hashable],
              compute: Callable[[list[Hashable]], dict[Hashable, T]]) -> dict[Hashable, T]:
    """keep() for values computed together (one pass over the data for several dates),
    and keep() itself for one key:
    {key: value} for every key, those not kept at the data version computed by one
    compute(missing keys) -> {key: value}, and all of them stored under the version
    read before it, only if it is still the version after. (A value of that pass kept
    under a later version by a keep() per key would hold the data before the change.)"""
    session = db.session()  # the request's Session (not its scoped proxy)
    version = _version(session)
    if version is None or data_version.uncommitted_writes(session):
        return compute(list(keys))
    store = _store()
    found: dict[Hashable, T] = {}
    with store.lock:
        for key in keys:
            hit = store.values.get(key)
            if hit is not None and hit[0] == version:
                store.values.move_to_end(key)
                found[key] = hit[1]  # type: ignore[assignment]
    missing = [key for key in keys if key not in found]
    if not missing:
        return found
    values = compute(missing)
    found.update(values)
    if _version(session, again=True) != version or data_version.uncommitted_writes(session):
        return found  # the data changed while computing: not kept
    with store.lock:
        for key in missing:
            store.values[key] = (version, values[key])
            store.values.move_to_end(key)
        while len(store.values) > MAX_ENTRIES:
            store.values.popitem(last=False)
    return found


def clear(app: Flask | None = None) -> None:
    """Forget every value kept by the app (the current one by default): for
    benchmarks and tests that time or count a first view."""
    store = _store(app)
    with store.lock:
        store.values.clear()

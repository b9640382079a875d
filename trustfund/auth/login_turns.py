"""Logins to one account are answered one at a time.

Flask-Limiter counts a refused login after its answer (`deduct_when`): it tests the
counts before the view and adds the failure after it. Attempts that arrive together
on different workers would all pass the test before any of them is counted, and an
attacker with N connections would get N - 1 guesses beyond each limit in every window
(found by a colleague's review). So a login's POST takes a turn on its account before
Flask-Limiter tests the counts, and gives it back once the answer has been counted
(teardown, after Flask-Limiter's after_request): the next attempt on the same account
is tested against a count that holds this one, for both limits that protect an
account (per account and address, per account). The turns are locks in the storage
the counts live in (Redis: every worker and machine shares them; they expire after
LOCK_SECONDS should a worker die holding one), or in the process for memory://
(development: one process). One that cannot get its turn within WAIT_SECONDS is
answered as a throttled login is (429). The per-address limit (any accounts) takes
no turn: an office's users behind one address would wait for each other's logins;
attempts on several accounts at once may pass it by a worker's count or two, and
each account's own limits still hold.
"""
from __future__ import annotations

import threading
from collections import defaultdict

from flask import Flask, abort, current_app, g, request

LOCK_SECONDS = 30
WAIT_SECONDS = 10
ENDPOINT = "auth.login"


class _ProcessTurns:
    """Turns within one process (memory:// storage)."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)

    def take(self, name: str):
        with self._guard:
            lock = self._locks[name]
        return lock if lock.acquire(timeout=WAIT_SECONDS) else None


class _RedisTurns:
    """Turns in Redis (redis-py's Lock: a token of its own, released only by its holder)."""

    def __init__(self, url: str):
        import redis

        self._client = redis.Redis.from_url(url)

    def take(self, name: str):
        lock = self._client.lock(f"trustfund:{name}", timeout=LOCK_SECONDS, blocking_timeout=WAIT_SECONDS)
        return lock if lock.acquire() else None


def _turns():
    return current_app.extensions["trustfund_login_turns"]


def account() -> str:
    """The account a login or reset form names, as the throttling counts key it (and
    as its turn is named here: the same spelling for both)."""
    return (request.form.get("email") or "").strip().lower()[:254]


def _take() -> None:
    if request.endpoint != ENDPOINT or request.method != "POST":
        return
    # The form is read first: a body still on its way holds no turn.
    name = f"login-turn:account:{account()}"
    g.login_turns = []
    lock = _turns().take(name)
    if lock is None:
        abort(429)
    g.login_turns.append(lock)


def _give_back(_error=None) -> None:
    for lock in reversed(g.pop("login_turns", [])):
        try:
            lock.release()
        except Exception:  # expired meanwhile: the turn may be someone else's already
            current_app.logger.warning("A login's turn had expired before it was given back.")


def register(app: Flask) -> None:
    """Before limiter.init_app(app): the turn is taken before Flask-Limiter tests the
    counts, and given back after it added this attempt's."""
    url = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    app.extensions["trustfund_login_turns"] = (_RedisTurns(url) if url.startswith(("redis://", "rediss://"))
                                               else _ProcessTurns())
    app.before_request(_take)
    app.teardown_request(_give_back)

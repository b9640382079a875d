"""What a preview showed, carried by its confirmation (the deposit and rate imports):
a fingerprint of the figures the page showed, row by row, and the refusal when the
same confirmation would now record other figures. Like a record's version
(errors.check_version), but for figures computed from the ledger as it stands, which
a colleague's correction (a month's rate, the fee) changes without touching the
previewed file."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .errors import DomainError, stale_message


def fingerprint(rows: Iterable[tuple]) -> str:
    """A fingerprint of the rows a preview shows (each a tuple of plain values:
    ids, dates, and amounts as their text, so that 0.941 and 0.9410 differ as the
    page does)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def require_unchanged(seen: str | None, now: str, message: str | None = None) -> None:
    """Refuse a confirmation whose preview showed other figures than those it would
    record now (`seen`, the fingerprint the page carried; `now`, today's). A
    confirmation that carries none (a hand-made post, a page older than the field) is
    refused alike: nobody saw what it would record. An import without a preview (the
    command line) does not come here. `message`: the refusal's words, by default that
    of a record changed meanwhile."""
    if not seen or seen != now:
        raise DomainError(message or stale_message())

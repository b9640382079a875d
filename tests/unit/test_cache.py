"""trustfund.cache: values kept while the data is unchanged, computed afresh after any
audited change, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from trustfund import cache
from trustfund.audit import AuditEntry, record


def counting(value="figures"):
    calls = []

    def compute():
        calls.append(1)
        return (value, len(calls))

    return compute, calls


def test_a_value_is_computed_once_while_nothing_changes(db):
    cache.clear()
    compute, calls = counting()
    assert cache.remember(("board", "officer"), compute) == ("figures", 1)
    assert cache.remember(("board", "officer"), compute) == ("figures", 1)
    assert len(calls) == 1
    # Another key is another value.
    assert cache.remember(("board", "srsg"), compute) == ("figures", 2)


def test_any_audited_change_computes_afresh(db, users):
    cache.clear()
    compute, calls = counting()
    cache.remember("board", compute)
    record(users["mptf_officer"], "deposit.create", object_type="Deposit", object_id=1)
    # The request's own change counts before it is committed ...
    assert cache.remember("board", compute) == ("figures", 2)
    db.session.commit()
    # ... and after.
    assert cache.remember("board", compute) == ("figures", 2)
    assert len(calls) == 2


def test_an_entry_committed_late_with_a_lower_id_is_seen(db, users):
    """PostgreSQL hands out ids in start order: an entry with a lower id can commit after a
    higher one. The version counts the newest entries, so it still changes."""
    cache.clear()
    for n in (1, 2, 3):
        record(users["admin"], "setting.change", object_type="Setting", object_id=n)
    db.session.commit()
    ids = sorted(db.session.scalars(sa.select(AuditEntry.id)))
    gap = ids[1]
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == gap))
    db.session.commit()
    compute, _calls = counting()
    cache.remember("board", compute)
    db.session.execute(sa.insert(AuditEntry).values(id=gap, action="late.commit", object_type="X"))
    db.session.commit()
    assert max(ids) == db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    assert cache.remember("board", compute) == ("figures", 2)


def test_old_values_expire(db):
    cache.clear()
    compute, calls = counting()
    cache.remember("board", compute, max_age=0)
    cache.remember("board", compute, max_age=0)
    assert len(calls) == 2

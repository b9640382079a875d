"""trustfund.cache and trustfund.data_version: a value is kept for exactly the data it
was computed from. Every committed write replaces the data version (a random token)
in its own transaction, whatever the write and whether or not it records an audit
entry; on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from trustfund import cache, data_version
from trustfund.contributions.models import Pool
from trustfund.contributions.pools import move, unearmarked_pool
from trustfund.donors.models import Donor


def counting(value="figures"):
    calls = []

    def compute():
        calls.append(1)
        return (value, len(calls))

    return compute, calls


def _version(db):
    return data_version.current(db.session())


def test_a_value_is_computed_once_while_nothing_changes(db):
    cache.clear()
    compute, calls = counting()
    assert cache.keep(("board", "officer"), compute) == ("figures", 1)
    assert cache.keep(("board", "officer"), compute) == ("figures", 1)
    assert len(calls) == 1
    # Another key is another value.
    assert cache.keep(("board", "srsg"), compute) == ("figures", 2)


def _rename_donor(db):
    donor = db.session.scalars(sa.select(Donor)).first()
    donor.name = donor.name + " (renamed)"


def _move_money(db):
    move(unearmarked_pool().id, interest=Decimal("1.00"), available=Decimal("1.00"))


def _text_update(db):
    db.session.execute(sa.text("UPDATE donor SET name = name || ' (sql)'"))


def _connection_update(db):
    db.session.connection().execute(sa.update(Donor).values(name=Donor.name + " (core)"))


def _insert_rows(db):
    db.session.execute(sa.insert(Donor), [
        {"name": f"Bulk donor {i}", "donor_type": "philanthropic_organization"} for i in range(3)])


WRITES = {"an ORM change": _rename_donor, "pools.move (a bulk UPDATE)": _move_money,
          "text() SQL": _text_update, "a Core UPDATE on the session's connection": _connection_update,
          "a bulk INSERT": _insert_rows}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_any_committed_write_replaces_the_version_without_an_audit_entry(db, write):
    from trustfund.audit import AuditEntry

    cache.clear()
    compute, _calls = counting()
    cache.keep("board", compute)
    before, entries = _version(db), db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    write(db)
    # Until the commit the session's own changes count: computed afresh, nothing kept.
    assert cache.keep("board", compute) == ("figures", 2)
    assert cache.keep("board", compute) == ("figures", 3)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == entries  # no audit entry
    after = _version(db)
    assert after != before and len(after) == 32
    assert cache.keep("board", compute) == ("figures", 4)
    assert cache.keep("board", compute) == ("figures", 4)  # kept again at the new version


def test_a_rolled_back_write_leaves_the_version_and_the_kept_value(db):
    cache.clear()
    compute, _calls = counting()
    cache.keep("board", compute)
    before = _version(db)
    _move_money(db)
    assert cache.keep("board", compute) == ("figures", 2)  # the uncommitted data's figures
    db.session.rollback()
    assert _version(db) == before
    assert cache.keep("board", compute) == ("figures", 1)  # the data it was computed from


def test_a_transaction_that_only_reads_keeps_the_version(db):
    before = _version(db)
    db.session.scalars(sa.select(Pool)).all()
    db.session.commit()
    assert _version(db) == before


def test_a_value_computed_while_another_transaction_commits_is_not_kept(db, app):
    """Each statement of compute() may see data committed after the version was read:
    such a value belongs to no version and is not kept. Were it kept under the version
    read first, a database restored to that version would show the later data."""
    cache.clear()
    donor_id = db.session.scalars(sa.select(Donor.id)).first()
    original = db.session.get(Donor, donor_id).name
    db.session.commit()
    first_version = _version(db)
    calls = []

    def donor_name_while_someone_renames_it():
        calls.append(1)
        if len(calls) == 1:
            with Session(db.engine) as other:
                other.execute(sa.update(Donor).where(Donor.id == donor_id).values(name="Meanwhile"))
                other.commit()
        return db.session.scalar(sa.select(Donor.name).where(Donor.id == donor_id))

    assert cache.keep("name", donor_name_while_someone_renames_it) == "Meanwhile"
    assert len(calls) == 1
    # The database comes back as it was at the first version (a backup restored): the
    # name and the version both.
    with db.engine.begin() as conn:
        conn.execute(sa.update(Donor).where(Donor.id == donor_id).values(name=original))
        conn.execute(sa.text("UPDATE data_version SET token = :token"), {"token": first_version})
    db.session.expire_all()
    assert cache.keep("name", donor_name_while_someone_renames_it) == original


def test_the_version_is_a_new_random_token_each_time(db):
    seen = {_version(db)}
    for _ in range(5):
        _move_money(db)
        db.session.commit()
        seen.add(_version(db))
    assert len(seen) == 6

"""trustfund.cache and trustfund.data_version: a value is kept for exactly the data it
was computed from. Every committed write replaces the data version (a random token)
in its own transaction, whatever the write and whether or not it records an audit
entry; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
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


def test_values_computed_together_are_kept_only_for_the_data_they_read(db):
    """keep_many: the keys not kept are computed in one call; while nothing changes
    they are all served from the store; a pass during which another transaction
    commits keeps none of its values, not even under the version read after it (the
    values of one pass are of the data before the change)."""
    cache.clear()
    donor_id = db.session.scalars(sa.select(Donor.id)).first()
    db.session.commit()
    passes = []

    def names(keys, meanwhile=None):
        passes.append(list(keys))
        name = db.session.scalar(sa.select(Donor.name).where(Donor.id == donor_id))
        if meanwhile:
            with Session(db.engine) as other:
                other.execute(sa.update(Donor).where(Donor.id == donor_id).values(name=meanwhile))
                other.commit()
        return {key: f"{key}: {name}" for key in keys}

    original = db.session.get(Donor, donor_id).name
    db.session.commit()
    assert cache.keep_many(["a", "b"], names) == {"a": f"a: {original}", "b": f"b: {original}"}
    assert cache.keep_many(["b", "c"], names) == {"b": f"b: {original}", "c": f"c: {original}"}
    assert passes == [["a", "b"], ["c"]]
    # A write commits during the pass: its values are returned to this caller only.
    _move_money(db)
    db.session.commit()
    assert cache.keep_many(["a", "b"], lambda keys: names(keys, meanwhile="Meanwhile")) == {
        "a": f"a: {original}", "b": f"b: {original}"}
    db.session.expire_all()
    assert cache.keep_many(["a", "b"], names) == {"a": "a: Meanwhile", "b": "b: Meanwhile"}
    assert passes[-2:] == [["a", "b"], ["a", "b"]]


def test_positions_computed_while_a_deposit_commits_are_not_kept_for_the_new_data(db, app, monkeypatch):
    """The statements' positions of two dates come from one pass (shares.positions): a
    deposit committed during it, by another worker, is in the next reading of either
    date, whatever the request that made the pass (here outside any reading request,
    as an issue of statements or a command)."""
    from tests.factories import statements as data
    from trustfund.contributions.models import Commitment
    from trustfund.statements import shares

    sweden = data.donor("Sweden")
    commitment_id = data.commitment(sweden, "5000000.00").id
    data.deposit(db.session.get(Commitment, commitment_id), "100000.00", value_date=dt.date(2017, 6, 1))
    db.session.commit()
    cache.clear()
    original = shares._compute_positions

    def while_another_worker_deposits(dates, *args, **kwargs):
        result = original(dates, *args, **kwargs)
        monkeypatch.setattr(shares, "_compute_positions", original)
        with app.app_context():  # another worker's session (one per app context)
            data.deposit(db.session.get(Commitment, commitment_id), "1000000.00",
                         value_date=dt.date(2017, 6, 15))
            db.session.commit()
            db.session.remove()
        return result

    monkeypatch.setattr(shares, "_compute_positions", while_another_worker_deposits)
    days = dt.date(2017, 4, 30), dt.date(2017, 12, 31)
    shares.positions(*days)
    db.session.expire_all()
    kept = [position.net_of(sweden.id) for position in shares.positions(*days)]
    cache.clear()
    assert kept == [position.net_of(sweden.id) for position in shares.positions(*days)]


def test_the_version_is_a_new_random_token_each_time(db):
    seen = {_version(db)}
    for _ in range(5):
        _move_money(db)
        db.session.commit()
        seen.add(_version(db))
    assert len(seen) == 6

"""No deposit twice (issue 14), in the services and the database: references compared
normalised; the rule of record_deposit; the partial unique index that holds whatever
the interleaving; the ledger check of the keys; and the upgrade of a database that
already holds a reference twice."""
import datetime as dt
import os
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.factories.contributions import commitment, officer
from trustfund.contributions import confirmed, services
from trustfund.contributions.models import Deposit
from trustfund.contributions.rules import reference_key
from trustfund.errors import DomainError

D = Decimal
ON = dt.date(2018, 5, 10)


@pytest.mark.parametrize("typed, key", [
    ("SEB 2018/77", "seb2018/77"), ("  seb2018/77\t", "seb2018/77"), ("SEB\u00a02018 / 77", "seb2018/77"),
    ("ＳＥＢ２０１８/77", "seb2018/77"), ("Straße-1", "strasse-1"), ("", None), ("   ", None), (None, None),
])
def test_references_are_compared_without_case_spaces_or_width(typed, key):
    assert reference_key(typed) == key


def _deposit(c, reference, **more):
    return services.record_deposit(officer(), c, value_date=ON, amount="10.00", bank_reference=reference,
                                   **more)


def test_record_deposit_refuses_a_reference_a_standing_deposit_holds(app, db):
    c = commitment("USD", "1000.00")
    first = _deposit(c, "FT 123")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        _deposit(c, "ft123")
    assert refused.value.field == "bank_reference"
    assert f"Deposit #{first.id} (USD\u00a010.00" in refused.value.message
    db.session.rollback()
    with pytest.raises(DomainError) as refused:
        _deposit(c, "FT123", separate_transfer=True, separate_note="  ")
    assert refused.value.field == "separate_note"
    db.session.rollback()
    second = _deposit(c, "FT123", separate_transfer=True, separate_note="Two transfers, one advice")
    db.session.commit()
    assert (second.separate_transfer, second.separate_note, second.reference_key) == (
        True, "Two transfers, one advice", "ft123")
    confirmed.reverse_deposit(officer(), first, "Entered twice")
    db.session.commit()
    # Deposit #2 still stands with the reference, marked separate: an unmarked one is refused.
    with pytest.raises(DomainError):
        _deposit(c, "FT 123")


def test_the_database_refuses_a_second_unmarked_deposit_of_a_reference(app, db):
    """Past the service's look-up (as a request racing another would be), the partial
    unique index refuses the row; a separate transfer or a reversal holds no place."""
    c = commitment("USD", "1000.00")
    first = _deposit(c, "ABC-1")
    db.session.commit()

    def row(**more):
        values = {"commitment_id": c.id, "donor_id": c.donor_id, "pool_id": first.pool_id, "value_date": ON,
                  "currency": "USD", "amount": D("1.00"), "rate": D(1), "usd_amount": D("1.00"),
                  "fee_rate": D("0.01"), "fee": D("0.01"), "net": D("0.99"), "bank_reference": "abc-1"}
        return Deposit(**(values | more))

    db.session.add(row())
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(row(separate_transfer=True, separate_note="Separate"))
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).where(Deposit.reference_key == "abc-1")) == 2
    db.session.rollback()


def test_the_ledger_check_finds_a_key_that_does_not_match(app, db):
    from trustfund.ledger_check import run_checks as problems

    c = commitment("USD", "1000.00")
    first = _deposit(c, "KEY-1")
    confirmed.reverse_deposit(officer(), first, "Wrong")
    db.session.commit()
    assert problems() == []
    db.session.execute(sa.update(Deposit).where(Deposit.id == first.id).values(reference_key="key-1"))
    db.session.commit()
    assert any(f"Deposit #{first.id}" in p and "reference key" in p for p in problems())


# --- the upgrade of a database that already holds a reference twice -----------------------

@pytest.fixture
def empty_database_url(backend, request, sqlite_dir):
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(sqlite_dir, f'refs-{uuid.uuid4().hex}.sqlite3')}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("TEST_POSTGRES_URL given: no server to create a fresh database in")
    return server.createdb(f"refs_{uuid.uuid4().hex[:12]}")


def test_the_upgrade_marks_deposits_already_twice_as_separate(empty_database_url):
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db
    from trustfund.money import Money, Rate

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0001")
            now = dt.datetime(2018, 6, 1)
            with db.engine.begin() as conn:
                conn.execute(sa.table("donor", *(sa.column(c) for c in (
                    "id", "name", "donor_type", "contact_name", "contact_email", "saa_status", "created_at",
                    "version"))).insert().values(id=1, name="D", donor_type="philanthropic_organization",
                                                 contact_name="", contact_email="", saa_status="not_started",
                                                 created_at=now, version=1))
                conn.execute(sa.table("pool", sa.column("id"), sa.column("code"),
                                      *(sa.column(f, Money(2)) for f in (
                                          "deposits_usd", "fees", "deposits_net", "interest", "transfers_in",
                                          "transfers_out", "committed", "spent", "available")))
                             .insert().values(id=1, code="UNEARMARKED", deposits_usd=0, fees=0,
                                              deposits_net=0, interest=0, transfers_in=0, transfers_out=0,
                                              committed=0, spent=0, available=0))
                conn.execute(sa.table("commitment", sa.column("id"), sa.column("donor_id"),
                                      sa.column("currency"), sa.column("amount", Money(3)),
                                      sa.column("deposited", Money(3)), sa.column("committed_on"),
                                      sa.column("reference"), sa.column("note"), sa.column("created_at"))
                             .insert().values(id=1, donor_id=1, currency="USD", amount=D("1000.000"),
                                              deposited=D("30.000"), committed_on=ON, reference="C",
                                              note="", created_at=now))
                deposit = sa.table("deposit", sa.column("id"), sa.column("commitment_id"),
                                   sa.column("donor_id"), sa.column("pool_id"), sa.column("value_date"),
                                   sa.column("currency"),
                                   sa.column("amount", Money(3)), sa.column("rate", Rate()),
                                   sa.column("rate_note"), sa.column("usd_amount", Money(2)),
                                   sa.column("fee_rate", Rate()), sa.column("fee", Money(2)),
                                   sa.column("net", Money(2)), sa.column("bank_reference"),
                                   sa.column("reverses_id"), sa.column("reason"), sa.column("created_at"))
                base = {"commitment_id": 1, "donor_id": 1, "pool_id": 1, "value_date": ON, "currency": "USD",
                        "rate": D(1), "rate_note": "", "fee_rate": D("0.01"), "reason": "", "created_at": now}
                plus = {"amount": D("10.000"), "usd_amount": D("10.00"), "fee": D("0.10"), "net": D("9.90")}
                minus = {k: -v for k, v in plus.items()}
                for values in ({"id": 1, "bank_reference": "SEB 1", **plus},
                               {"id": 2, "bank_reference": "seb1", **plus},       # the same transfer
                               {"id": 3, "bank_reference": "UBS-2", **plus},      # reversed by #4
                               {"id": 4, "bank_reference": "UBS-2", "reverses_id": 3, **minus},
                               {"id": 5, "bank_reference": "ubs-2", **plus},
                               {"id": 6, "bank_reference": "", **plus}):
                    conn.execute(deposit.insert().values(**(base | values)))
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT id, reference_key, separate_transfer, separate_note "
                                            "FROM deposit ORDER BY id")).all()
            assert [(r[0], r[1], bool(r[2])) for r in rows] == [
                (1, "seb1", False), (2, "seb1", True), (3, None, False), (4, None, False),
                (5, "ubs-2", False), (6, None, False)]
            assert "deposit #1 already had this bank reference" in rows[1][3]
        finally:
            db.session.remove()
            db.engine.dispose()

"""Migration 0041: a standing deposit whose bank reference holds a direction mark takes
the key rules.reference_key now gives it (without the mark), so that "no deposit
twice" sees the transfer it is; a database where that key is already another standing
deposit's (one transfer recorded twice) stops the upgrade and names both."""
import datetime as dt
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

RLM, LRM = "\u200f", "\u200e"


def _fund(db, references: dict[int, tuple[str, str]]):
    from trustfund.contributions.models import UNEARMARKED, Commitment, Deposit, Pool
    from trustfund.donors.models import Donor

    D = Decimal
    count = len(references)
    db.session.add_all([Pool(id=1, code=UNEARMARKED, deposits_usd=D("1000.00") * count,
                             fees=D("10.00") * count, deposits_net=D("990.00") * count,
                             available=D("990.00") * count),
                        Donor(id=1, name="Gates Foundation", donor_type="philanthropic_organization"),
                        Commitment(id=1, donor_id=1, currency="USD", amount=D("5000.00"),
                                   deposited=D("1000.00") * count, deposited_usd=D("1000.00") * count,
                                   deposit_fees=D("10.00") * count, committed_on=dt.date(2017, 5, 1))])
    db.session.flush()
    db.session.add_all([Deposit(id=id_, commitment_id=1, donor_id=1, pool_id=1,
                                value_date=dt.date(2017, 6, id_),
                                currency="USD", amount=D("1000.00"), rate=D("1"), usd_amount=D("1000.00"),
                                fee_rate=D("0.01"), fee=D("10.00"), net=D("990.00"),
                                bank_reference=reference, reference_key=key)
                        for id_, (reference, key) in references.items()])
    db.session.commit()


@pytest.fixture
def app_at_0040(empty_database_url):
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0040")
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_reference_with_a_mark_takes_the_key_without_it(app_at_0040):
    from flask_migrate import upgrade

    from trustfund.contributions.models import Deposit
    from trustfund.extensions import db
    from trustfund.ledger_check import run_checks

    _fund(db, {1: ("FT18130XYZ", "ft18130xyz"), 2: (RLM + "FT18130ABC", RLM + "ft18130abc")})
    upgrade()
    keys = dict(db.session.execute(sa.select(Deposit.id, Deposit.reference_key)).all())
    assert keys == {1: "ft18130xyz", 2: "ft18130abc"}
    assert not [p for p in run_checks() if "reference key" in p]


def test_one_transfer_recorded_twice_behind_a_mark_stops_the_upgrade(app_at_0040, capfd):
    from flask_migrate import upgrade

    from trustfund.extensions import db

    _fund(db, {1: ("FT18130XYZ", "ft18130xyz"), 2: (RLM + "FT18130XYZ", RLM + "ft18130xyz")})
    with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's error and exits
        upgrade()
    said = capfd.readouterr().err
    assert re.search(r"deposits (1 and 2|2 and 1)", said) and "Reverse the one recorded twice" in said, said


# Two marked references meeting on one new key, and a declared separate transfer (which
# may share its key): a colleague's review of the migration.
def test_two_marked_references_of_one_transfer_stop_with_the_message(app_at_0040, capfd):
    from flask_migrate import upgrade

    from trustfund.extensions import db

    _fund(db, {1: (RLM + "FT18130XYZ", RLM + "ft18130xyz"), 2: (LRM + "FT18130XYZ", LRM + "ft18130xyz")})
    with pytest.raises(SystemExit):  # the migration's own stop, naming both deposits
        upgrade()
    said = capfd.readouterr().err
    assert re.search(r"deposits (1 and 2|2 and 1)", said) and "Reverse the one recorded twice" in said, said


def test_a_separate_transfer_does_not_stop_the_upgrade(app_at_0040):
    from flask_migrate import upgrade

    from trustfund.contributions.models import Deposit
    from trustfund.extensions import db
    from trustfund.ledger_check import run_checks

    _fund(db, {1: ("FT18130XYZ", "ft18130xyz"), 2: (RLM + "FT18130XYZ", RLM + "ft18130xyz")})
    db.session.execute(sa.update(Deposit).where(Deposit.id == 2).values(
        separate_transfer=True, separate_note="Second instalment; the bank reuses the reference."))
    db.session.commit()
    upgrade()  # a separate transfer may share its key: no stop
    keys = dict(db.session.execute(sa.select(Deposit.id, Deposit.reference_key)).all())
    assert keys == {1: "ft18130xyz", 2: "ft18130xyz"}
    assert not [p for p in run_checks() if "reference key" in p]

"""A bank reference or a commitment reference pasted with an invisible direction mark
(RLM/LRM/ALM, which the text checks let through) is the same reference: "no deposit
twice" and the commitment reference's uniqueness saw another key, and the same
transfer was recorded twice. (A colleague's review of typing in other scripts.)"""
import datetime as dt

import pytest

from tests.factories.contributions import commitment, officer
from trustfund.contributions import services
from trustfund.errors import DomainError

ON = dt.date(2018, 5, 10)


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u061c"])
def test_a_bank_reference_with_a_direction_mark_is_the_same_transfer(app, db, mark):
    c = commitment("USD", "1000.00")
    services.record_deposit(officer(), c, value_date=ON, amount="10.00", bank_reference="FT 123")
    db.session.commit()
    # The same bank transfer, its reference pasted from an Arabic bank advice.
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=ON, amount="10.00",
                                bank_reference="FT 123" + mark)
    assert refused.value.field == "bank_reference"


@pytest.mark.parametrize("mark", ["\u200f", "\u200e"])
def test_a_commitment_reference_with_a_direction_mark_is_taken(app, db, mark):
    """Imports name a commitment by its reference: two commitments that show the same
    reference must not both exist (the second would take the first's deposits or none)."""
    commitment("EUR", "1000.00", reference="SE-2017/4")
    with pytest.raises(DomainError) as refused:
        commitment("EUR", "1000.00", reference="SE-2017/4" + mark)
    assert refused.value.field == "reference"


def test_the_deposit_form_takes_the_same_transfer_twice_behind_a_direction_mark(app, db, client, login_as):
    """Through the real form: an Arabic-speaking officer pastes the bank reference from
    the bank's Arabic advice (it carries an RLM); the form takes it as a new transfer."""
    import sqlalchemy as sa

    from tests.factories.contributions import un_rate
    from tests.pages import post_entry
    from trustfund.contributions.models import Deposit

    user = login_as("mptf_officer")
    user.locale = "ar"
    db.session.commit()
    un_rate("EUR", dt.date(2018, 5, 1), "0.941")
    c = commitment("EUR", "1000000.00")
    url = f"/contributions/commitments/{c.id}/deposits/new"
    form = {"value_date": "2018-05-10", "amount": "1000.00", "rate": "", "rate_note": ""}
    assert post_entry(client, url, {**form, "bank_reference": "FT18130XYZ"}).status_code == 302
    post_entry(client, url, {**form, "bank_reference": "\u200fFT18130XYZ"})
    db.session.expire_all()
    # The second post should have been refused as the same transfer (or asked to be marked separate).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 1


def test_an_import_row_with_a_direction_mark_in_its_bank_reference_is_the_same_transfer(app, db):
    from tests.factories.contributions import un_rate
    from tests.factories.workbooks import deposits_workbook
    from trustfund.contributions.importer import plan_import

    un_rate("EUR", dt.date(2018, 5, 1), "0.941")
    c = commitment("EUR", "1000000.00", reference="C-1")
    services.record_deposit(officer(), c, value_date=ON, amount="1000.00", bank_reference="FT18130XYZ")
    db.session.commit()
    result = plan_import(deposits_workbook([("C-1", "2018-05-10", "1000.00", "FT18130XYZ\u200f")],
                                           header=("Commitment", "Value date", "Amount", "Bank reference")))
    assert [(e.row, e.column) for e in result.errors] == [(2, "bank_reference")]

"""The deposits export reads plain columns of the deposit list's query (not ORM
objects): its rows must be the page's rows, in the page's order, under every
filter, sort and ownership rule, with every figure exact."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from trustfund.contributions import queries
from trustfund.contributions.models import Deposit
from trustfund.exports import REGISTERS, build_workbook
from trustfund.extensions import db
from trustfund.language import speaking


@pytest.fixture
def fund(db):
    sweden, evil = data.two_donor_fund()
    from tests.factories.contributions import commitment, deposit

    # A deposit at an overridden rate carries a rate note instead of a reason.
    deposit(commitment("CHF", "5000.00", who=evil, reference=""), Decimal("1234.56"),
            rate=Decimal("0.97"), value_date=dt.date(2017, 5, 12), note="-rate agreed by phone")
    return sweden, evil


def _recorder(d):
    from trustfund.auth.models import User

    who = db.session.get(User, d.created_by_id) if d.created_by_id else None
    return (who.name or who.email) if who else None


def _expected(filters, user):
    """The page's rows (the list's ORM query), as the export should show them."""
    rows = db.session.execute(queries.deposit_query(queries.parse_filters(filters, queries.DEPOSIT_SORTS),
                                                    user)).all()
    reversals = {original: (reversal, on) for reversal, original, on in db.session.execute(
        sa.select(Deposit.id, Deposit.reverses_id, Deposit.value_date)
        .where(Deposit.reverses_id.is_not(None)))}
    out = []
    for r in rows:
        d = r.Deposit
        by, on = reversals.get(d.id, (None, None))
        out.append((d.id, dt.datetime.combine(d.value_date, dt.time()), r.donor_name,
                    r.reference or f"#{d.commitment_id}", queries.earmark_label(r.objective_number),
                    d.currency, d.amount, d.rate, d.usd_amount, d.fee_rate, d.fee, d.net,
                    d.bank_reference or None, d.reverses_id, by,
                    dt.datetime.combine(on, dt.time()) if on else None,
                    d.reason or d.rate_note or None, d.separate_note or None,
                    d.created_at.replace(microsecond=0))
                   + ((_recorder(d),) if getattr(user, "role", None) != "donor" else ()))
    return out


def _exported(filters, user):
    sheets, what = REGISTERS["deposits"].build(dict(filters), user)
    with build_workbook(sheets, what=what, user=user, filters=filters) as handle:
        wb = openpyxl.load_workbook(io.BytesIO(handle.read()))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(min_row=2))
    values = []
    for row in rows:
        cells = [c.value for c in row]
        # Figures: the exact decimal digits, with the currency's number format.
        places = {"JPY": 0, "KWD": 3}.get(cells[5], 2)
        assert row[6].number_format == "#,##0" + ("." + "0" * places if places else "")
        assert row[7].number_format == "0.000000" and row[9].number_format == "0.000000"
        assert {row[i].number_format for i in (8, 10, 11)} == {"#,##0.00"}
        assert row[1].is_date and row[1].number_format == "yyyy-mm-dd"
        for i in (2, 3, 4, 5, 12, 16, 17):
            if cells[i] is not None:
                assert row[i].data_type == "s", (ws.title, row[i].coordinate, cells[i])
                assert row[i].quotePrefix == cells[i].startswith(("=", "+", "-", "@"))
        for i in (6, 7, 8, 9, 10, 11):
            cells[i] = Decimal(str(cells[i]))
        values.append(tuple(cells))
    return values


FILTERS = [{}, {"sort": "usd"}, {"sort": "-usd"}, {"sort": "donor"}, {"sort": "-currency"},
           {"currency": "JPY"}, {"earmark": "none"}, {"earmark": "1"}, {"date_from": "2017-05-11"},
           {"date_to": "2017-05-10", "sort": "date"}, {"donor_type": "member_state"}]


def test_the_export_has_the_pages_rows_in_the_pages_order(fund, users):
    sweden, evil = fund
    officer = users["mptf_officer"]
    with speaking("en"):
        for filters in FILTERS + [{"donor": evil.id}, {"donor": sweden.id, "sort": "-usd"}]:
            expected = _expected(filters, officer)
            assert expected, filters
            assert _exported(filters, officer) == expected, filters
        everything = _exported({}, None)
    assert len(everything) == 7
    # The values a user would look for: a formula-like name stays text, JPY has no
    # decimals, the reversal shows its reason, the overridden rate its note.
    assert {r[2] for r in everything} == {sweden.name, data.EVIL}
    assert {r[6] for r in everything if r[5] == "JPY"} == {Decimal(55555555)}
    assert "Booked to the wrong commitment" in {r[16] for r in everything}
    assert "-rate agreed by phone" in {r[16] for r in everything}
    assert {r[3] for r in everything} >= {"=EVIL-REF", "+EVIL-OBJ1", "SE-2017-EUR"}


def test_a_donor_user_exports_only_its_own_deposits(fund, users):
    sweden, evil = fund
    donor_user = users["donor"]
    assert donor_user.donor_id == sweden.id
    with speaking("en"):
        rows = _exported({}, donor_user)
        assert rows == _expected({}, donor_user)
        assert _exported({"donor": evil.id}, donor_user) == []
    assert rows and {r[2] for r in rows} == {sweden.name}
    assert not any(mark in str(r) for r in rows for mark in ("EVIL", "55555555", "444444.44"))

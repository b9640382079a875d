"""The import writes its rows in bulk (trustfund/bulk.py), past the ORM: each value
must still reach the database exactly as the ORM would write it."""
import datetime as dt
import io
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories.contributions import commitment, pool_figures
from trustfund.audit import AuditEntry
from trustfund.contributions.models import Deposit

D = Decimal


def _workbook(rows) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Deposits")
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_an_amount_no_float_can_hold_is_imported_to_the_last_decimal(app, db, runner, tmp_path):
    # KWD has three decimals: 9,999,999,999,999.999 is 9999999999999999 thousandths, past
    # the integers a float holds exactly (2**53): through a float it became 10,000,000,000,000.000
    # on SQLite and 9,999,999,999,999.998 on PostgreSQL.
    commitment("KWD", "9999999999999.999", reference="KW-BIG")
    before = pool_figures()
    path = tmp_path / "big.xlsx"
    # At 0.3 KWD to the dollar the deposit would be worth USD 33 trillion, past the
    # ledger's largest figure (money.MAX_AMOUNT): refused, nothing imported.
    path.write_bytes(_workbook([("KW-BIG", dt.date(2018, 5, 10), "9999999999999.999", "KWD", "0.3",
                                 "Central bank rate", "NBK/1")]))
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code != 0 and "The amount is too large." in result.output, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0
    # At a rate that keeps the dollars within it, every decimal of the amount arrives.
    path.write_bytes(_workbook([("KW-BIG", dt.date(2018, 5, 10), "9999999999999.999", "KWD", "1.3",
                                 "Central bank rate", "NBK/1")]))
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 deposits: USD 7,692,307,692,307.69 " in result.output
    db.session.expire_all()
    deposit = db.session.scalar(sa.select(Deposit))
    assert (deposit.amount, deposit.rate, deposit.usd_amount) == (
        D("9999999999999.999"), D("1.3"), D("7692307692307.69"))
    assert deposit.net == deposit.usd_amount - deposit.fee
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create"))
    assert entry.after["amount"] == "9999999999999.999"
    pool = pool_figures()["UNEARMARKED"]
    assert pool["deposits_net"] - before["UNEARMARKED"]["deposits_net"] == deposit.net



def test_a_reference_recorded_while_the_file_is_imported_stops_the_import(app, db):
    """Between the plan (which found no deposit with the file's bank reference) and the
    writing, another officer records one with that reference: the database's unique
    index refuses the file's row (PostgreSQL's COPY as SQLite's INSERT), the import says
    so in words and records nothing; the other deposit stands."""
    from tests.factories.contributions import PAST, officer
    from trustfund.contributions import importer, services

    c = commitment("USD", "900000.00", reference="US-RACE")
    planned = importer.plan_import(io.BytesIO(_workbook([
        ("US-RACE", PAST, "1000.00", "USD", "", "", "BANK/RACE/1"),
        ("US-RACE", PAST, "2000.00", "USD", "", "", "BANK/RACE/2")])))
    assert planned.ok, planned.errors
    meanwhile = services.record_deposit(officer(), c, value_date=PAST, amount=D("500.00"),
                                        bank_reference="bank/race/2")
    db.session.commit()
    before = pool_figures()
    result = importer.post_import(officer(), planned)
    assert not result.ok and result.imported == 0
    assert [e.message for e in result.errors] == [
        "Another deposit with one of this file's bank references was recorded while it was being "
        "imported: nothing was imported. Upload the file again to see which."]
    db.session.rollback()
    assert db.session.scalars(sa.select(Deposit.id)).all() == [meanwhile.id]
    assert pool_figures() == before

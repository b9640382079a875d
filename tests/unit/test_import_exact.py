"""The import writes its rows in bulk (trustfund/bulk.py), past the ORM: each value
must still reach the database exactly as the ORM would write it."""
import datetime as dt
import io
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories.contributions import commitment, pool_figures
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed
from trustfund.contributions.models import Deposit

D = Decimal


def _workbook(rows, separate_column: bool = False) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("Deposits")
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"]
                 + ["Separate transfer note"] * separate_column)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_the_largest_kwd_amount_is_imported_to_the_last_decimal(app, db, runner, tmp_path):
    # KWD has three decimals: its largest amount, 999,999,999,999.999 (15 significant digits,
    # as many as a spreadsheet keeps: money.max_amount), arrives to its last decimal (through
    # a float, 9,999,999,999,999.999 became 10,000,000,000,000.000 on SQLite and
    # 9,999,999,999,999.998 on PostgreSQL when amounts could have 17 digits).
    commitment("KWD", "999999999999.999", reference="KW-BIG")
    # A UN rate near which a typed rate is taken (no real one: the test wants dollars of either side
    # of the ledger's largest figure within the tolerance of it).

    confirmed.set_rate(None, "KWD", dt.date(2018, 4, 1), "0.11")
    db.session.commit()
    before = pool_figures()
    path = tmp_path / "big.xlsx"
    # At 0.099 KWD to the dollar the deposit would be worth USD 10.1 trillion, past the
    # ledger's largest figure (money.MAX_AMOUNT): refused, nothing imported.
    path.write_bytes(_workbook([("KW-BIG", dt.date(2018, 5, 10), "999999999999.999", "KWD", "0.099",
                                 "Central bank rate", "NBK/1")]))
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code != 0 and "The amount is too large." in result.output, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0
    # At a rate that keeps the dollars within it, every decimal of the amount arrives.
    path.write_bytes(_workbook([("KW-BIG", dt.date(2018, 5, 10), "999999999999.999", "KWD", "0.12",
                                 "Central bank rate", "NBK/1")]))
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 0, result.output
    assert "Imported 1 deposits: USD 8,333,333,333,333.33 " in result.output
    db.session.expire_all()
    deposit = db.session.scalar(sa.select(Deposit))
    assert (deposit.amount, deposit.rate, deposit.usd_amount) == (
        D("999999999999.999"), D("0.12"), D("8333333333333.33"))
    assert deposit.net == deposit.usd_amount - deposit.fee
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create"))
    assert entry.after["amount"] == "999999999999.999"
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


def test_an_import_records_what_typing_the_same_deposits_in_records(app, db, runner, tmp_path):
    """Three rows imported (a table rate, a rate of the donor's bank with its note and
    earmarked, a separate transfer; the fee rate changed between their value dates)
    leave the deposits, the commitments, the pools and the audit trail as the same
    three deposits recorded one by one on the deposit
    form's service do; and the data version changes with them."""
    from tests.factories.contributions import PAST, admin, donor, officer
    from trustfund import data_version
    from trustfund.admin.confirmed_settings import set_setting
    from trustfund.admin.models import FEE_RATE
    from trustfund.contributions import services

    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    # April's UN rates: a typed rate of May is held to them (May has none).
    confirmed.set_rate(None, "CHF", dt.date(2018, 4, 1), "0.975")
    confirmed.set_rate(None, "JPY", dt.date(2018, 4, 1), "109.9")
    # The fee rate changes between the rows' value dates: each row takes the rate of its own.
    set_setting(admin(), FEE_RATE, "0.015", dt.date(2018, 5, 11))
    db.session.commit()
    pairs = [(commitment("EUR", "900000.00", reference=f"{kind}-EUR"),
              commitment("CHF", "90000.00", who=donor(), objective_number=1, reference=f"{kind}-CHF"),
              commitment("JPY", "90000000", reference=f"{kind}-JPY")) for kind in ("IMP", "TYP")]
    rows = [("EUR", PAST, 250000, None, None, "{}/1", None),
            ("CHF", dt.date(2018, 5, 11), 50000.5, 0.97, "Bank rate", "{}/2", None),
            ("JPY", dt.date(2018, 5, 12), 11050000, 110.5, "Donor's rate", "{}/3", "Second instalment")]
    path = tmp_path / "three.xlsx"
    path.write_bytes(_workbook([(f"IMP-{cur}", day, amount, cur, rate, note, ref.format("IMP"), separate)
                                for cur, day, amount, rate, note, ref, separate in rows],
                               separate_column=True))

    def state():
        db.session.expire_all()
        return (pool_figures(), db.session.scalar(sa.select(sa.func.max(AuditEntry.id))) or 0,
                data_version.current(db.session))

    start, start_audit, start_token = state()
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 0, result.output
    imported, imported_audit, imported_token = state()
    for cur, day, amount, rate, note, ref, separate in rows:
        target = {c.currency: c for c in pairs[1]}[cur]
        services.record_deposit(officer(), target, value_date=day, amount=str(amount),
                                rate=None if rate is None else str(rate), rate_note=note or "",
                                bank_reference=ref.format("TYP"), separate_transfer=bool(separate),
                                separate_note=separate or "")
    db.session.commit()
    typed, _typed_audit, _typed_token = state()
    assert start_token != imported_token

    def moved(after, before):
        return {code: {k: v - before[code][k] for k, v in figures.items()} for code, figures in after.items()}

    assert moved(imported, start) == moved(typed, imported)
    assert any(v for figures in moved(imported, start).values() for v in figures.values())
    for imp, typ in zip(*pairs, strict=True):
        db.session.refresh(imp)
        db.session.refresh(typ)
        assert (imp.deposited, imp.outstanding) == (typ.deposited, typ.outstanding) != (D(0), imp.amount)
        # and the sums of their deposits the dashboards read
        assert (imp.deposited_usd, imp.deposit_fees) == (typ.deposited_usd, typ.deposit_fees) != (0, 0)
    # Each deposit and its audit entry, but for what tells the twins apart.
    own = {"id", "commitment_id", "created_at", "bank_reference", "reference_key"}

    def deposits(kind):
        ids = [c.id for c in pairs[0 if kind == "IMP" else 1]]
        found = db.session.scalars(sa.select(Deposit).where(Deposit.commitment_id.in_(ids))
                                   .order_by(Deposit.id)).all()
        assert [d.bank_reference for d in found] == [ref.format(kind) for *_, ref, _s in rows]
        return found

    def entry(deposit):
        e = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create",
                                                          AuditEntry.object_id == str(deposit.id)))
        assert e.after["id"] == deposit.id and e.after["bank_reference"] == deposit.bank_reference
        after = {k: v for k, v in e.after.items() if k not in own}
        return e.user_id, e.object_type, e.before, e.note, after

    def columns(deposit):
        return {c.key: getattr(deposit, c.key) for c in sa.inspect(Deposit).column_attrs if c.key not in own}

    for imp, typ in zip(deposits("IMP"), deposits("TYP"), strict=True):
        assert columns(imp) == columns(typ)
        assert entry(imp) == entry(typ)
    assert [d.separate_note for d in deposits("IMP")] == ["", "", "Second instalment"]
    assert [d.fee_rate for d in deposits("IMP")] == [D("0.01"), D("0.015"), D("0.015")]
    # One entry for the import itself, and one per deposit: nothing else.
    assert db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.id > start_audit,
                                                                 AuditEntry.id <= imported_audit)
                              .order_by(AuditEntry.id)).all() == ["deposit.create"] * 3 + ["deposit.import"]


def test_a_bare_number_in_a_file_is_a_reference_never_a_commitments_id(app, db, runner, tmp_path):
    """An old file names a commitment by its reference "<n>", corrected since; another
    donor's commitment has the id n. The row is refused as naming no commitment, rather
    than crediting that other donor; "#n" still names the commitment of id n."""
    from tests.factories.contributions import officer
    from trustfund.contributions import services

    other = commitment("USD", "50000.00", reference="OTHER-1")
    mine = commitment("USD", "50000.00", reference=str(other.id))
    services.correct_reference(officer(), mine, reference="MINE-2018", reason="Typed wrong",
                               reference_seen=str(other.id))
    db.session.commit()
    path = tmp_path / "old.xlsx"
    path.write_bytes(_workbook([(str(other.id), dt.date(2018, 5, 10), "1000.00", "USD", "", "", "B/1")]))
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code != 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0
    path.write_bytes(_workbook([(f"#{other.id}", dt.date(2018, 5, 10), "1000.00", "USD", "", "", "B/1")]))
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Deposit.commitment_id)) == other.id

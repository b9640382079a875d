"""Accounting periods (issue 18): the admin closes a calendar year once its annual
report is out; nothing may then be dated in it, a correction is dated in the open
year and names what it corrects, and the year's statements keep their figures for
ever: what the closing fixed is stored and read back, and the spending of a
closed year is never shared again."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from tests.factories import base_users
from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.closure.checks import year_problems
from trustfund.closure.years import close_year
from trustfund.contributions import confirmed, services
from trustfund.errors import DomainError
from trustfund.fund.models import AccountingYear, YearShare
from trustfund.statements.exports import statement_export
from trustfund.statements.services import statement

START, END_2017, END_2018 = dt.date(2017, 4, 3), dt.date(2017, 12, 31), dt.date(2018, 12, 31)


def _close(year: int, who: str = "admin"):
    row = close_year(base_users()[who], year, report_reference=f"Annual financial report {year}")
    data.db.session.commit()
    return row


def _refused(operation) -> DomainError:
    with pytest.raises(DomainError) as caught:
        operation()
    data.db.session.rollback()
    return caught.value


def test_a_year_closes_after_its_end_in_order_with_its_report(db, users):
    this_year = dt.date.today().year
    admin = users["admin"]
    assert "has not ended yet" in _refused(lambda: close_year(admin, this_year, report_reference="R")).message
    assert "started in 2017" in _refused(lambda: close_year(admin, 2016, report_reference="R")).message
    assert "Close 2017 first" in _refused(lambda: close_year(admin, 2018, report_reference="R")).message
    error = _refused(lambda: close_year(admin, 2017, report_reference="  "))
    assert error.field == "report_reference"
    assert "Only an administrator" in _refused(
        lambda: close_year(users["mptf_officer"], 2017, report_reference="R")).message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountingYear)) == 0
    _close(2017)
    assert "already closed" in _refused(lambda: close_year(admin, 2017, report_reference="R")).message
    _close(2018)
    assert sorted(db.session.scalars(sa.select(AccountingYear.year))) == [2017, 2018]


def _entries_dated(day: dt.date, users, donor, commitment) -> dict:
    """Each kind of entry dated `day`, to be tried: {kind: the call that records it}."""
    officer, admin = users["mptf_officer"], users["admin"]
    return {
        "deposit": lambda: services.record_deposit(officer, commitment, value_date=day, amount="100.00"),
        "interest": lambda: confirmed.record_interest(officer, value_date=day, usd_amount="10.00"),
        "transfer": lambda: confirmed.transfer(admin, data.pool(), data.pool("OBJ1"), "1.00", "Move", on=day),
        "pledge": lambda: services.record_pledge(officer, donor, currency="USD", amount="1000",
                                                 objective_id=None, pledged_on=day),
        "commitment": lambda: services.record_commitment(officer, donor, currency="USD", amount="1000",
                                                         objective_id=None, committed_on=day),
    }


def test_nothing_may_be_dated_in_a_closed_year(db, users):
    officer = users["mptf_officer"]
    donor = data.donor()
    commitment = data.commitment(donor, "500000.00")
    db.session.commit()
    _close(2017)
    fields = {"deposit": "value_date", "interest": "value_date", "transfer": "transferred_on",
              "pledge": "pledged_on", "commitment": "committed_on"}
    for what, operation in _entries_dated(dt.date(2017, 11, 30), users, donor, commitment).items():
        error = _refused(operation)
        assert error.field == fields[what], what
        assert "2017 is a closed year: nothing may be dated in it." in error.message, what
    # The same entries dated in the open year are recorded.
    services.record_deposit(officer, commitment, value_date=dt.date(2018, 1, 2), amount="100.00")
    confirmed.record_interest(officer, value_date=dt.date(2018, 1, 2), usd_amount="10.00")
    db.session.commit()


def test_nothing_may_be_dated_before_the_first_closed_year_either(db, users):
    """Years close in order from the fund's first (2017 here), and a closed year's
    figures hold everything dated before it: an entry dated in 2016 (a mistyped year,
    before the fund) would change them as much as one dated in 2017."""
    from trustfund.closure.funding import funding_status

    officer = users["mptf_officer"]
    donor = data.donor()
    donor.saa_signed_on = dt.date(2016, 12, 1)  # its money may come from then on
    commitment = data.commitment(donor, "500000.00")
    db.session.commit()
    # Before any year is closed, a year before the fund is open like any other.
    services.record_deposit(officer, commitment, value_date=dt.date(2016, 12, 30), amount="100.00")
    db.session.commit()
    _close(2017)
    closed = funding_status(END_2017)
    for what, operation in _entries_dated(dt.date(2016, 6, 30), users, donor, commitment).items():
        error = _refused(operation)
        assert error.message.startswith("2016 comes before 2017, the first closed year: nothing may be "
                                        "dated in or before a closed year."), what
    assert funding_status(END_2017) == closed


def test_an_import_row_dated_in_a_closed_year_is_refused_beside_its_value_date(db, users):
    from openpyxl import Workbook

    from trustfund.contributions.importer import import_deposits

    data.commitment(data.donor(), "500000.00", reference="IMP-1")
    db.session.commit()
    _close(2017)
    book = Workbook()
    sheet = book.active
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    sheet.append(["IMP-1", dt.date(2017, 6, 2), 100, "USD", 1, "", "IMP/1"])
    sheet.append(["IMP-1", dt.date(2018, 6, 2), 100, "USD", 1, "", "IMP/2"])
    sheet.append(["IMP-1", dt.date(2016, 6, 2), 100, "USD", 1, "", "IMP/3"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = import_deposits(users["mptf_officer"], buffer, filename="late.xlsx")
    assert not result.ok
    closed, before = result.errors
    assert (closed.row, closed.column) == (2, "value_date")
    assert "2017 is a closed year" in closed.message
    assert (before.row, before.column) == (4, "value_date")
    assert "2016 comes before 2017, the first closed year" in before.message


def test_a_correction_of_a_closed_years_deposit_is_dated_in_the_open_year_and_names_it(db, users):
    donor = data.donor()
    wrong = data.deposit(data.commitment(donor, "500000.00"), "1000.00", value_date=dt.date(2017, 6, 1))
    db.session.commit()
    before = statement(donor, START, END_2017)
    _close(2017)
    reversal = confirmed.reverse_deposit(users["mptf_officer"], wrong, "Booked twice")
    db.session.commit()
    assert reversal.value_date == dt.date.today() and reversal.reverses_id == wrong.id
    after = statement(donor, START, END_2017)
    assert (after.opening, after.net_in_period, after.closing) == (before.opening, before.net_in_period,
                                                                   before.closing)
    today = statement(donor, dt.date(2018, 1, 1), dt.date.today())
    assert today.net_in_period == -wrong.net and today.closing == D("0.00")


def _figures(donor, date_from, date_to) -> list:
    """Every cell of the statement's .xlsx, sheet by sheet, but the sheet that says who
    exported it and when."""
    from openpyxl import load_workbook

    from trustfund.exports import build_workbook

    sheets, what = statement_export({"donor_id": donor.id, "date_from": date_from, "date_to": date_to}, None)
    with build_workbook(sheets, what=what, user=None) as handle:
        book = load_workbook(handle)
        return [(name, [list(row) for row in book[name].iter_rows(values_only=True)])
                for name in book.sheetnames if name != "About this export"]


def _spending_fund():
    """Sweden deposits 100,000 in 2017, 40,000 of it spent in 2017."""
    sweden = data.donor("Sweden (years)")
    data.deposit(data.commitment(sweden, "100000.00"), "100000.00", fee_rate="0",
                 value_date=dt.date(2017, 5, 2))
    data.spend(data.pool(), "40000.00", reconciled_on=dt.date(2017, 7, 1))
    data.db.session.commit()
    return sweden


def test_a_closed_years_statement_keeps_its_figures_whatever_is_recorded_later(db, users):
    sweden = _spending_fund()
    _close(2017)
    before = _figures(sweden, START, END_2017)
    # Later: another donor gives, in the open year, and more is spent.
    norway = data.donor("Norway (years)")
    commitment = data.commitment(norway, "300000.00", committed_on=dt.date(2018, 2, 1))
    services.record_deposit(users["mptf_officer"], commitment, value_date=dt.date(2018, 3, 1),
                            amount="100000.00")
    data.spend(data.pool(), "20000.00", reconciled_on=dt.date(2018, 9, 1))
    db.session.commit()
    # Norway's deposit dated in 2017 is refused by the service ...
    error = _refused(lambda: services.record_deposit(users["mptf_officer"], commitment,
                                                     value_date=dt.date(2017, 6, 1), amount="50000.00"))
    assert error.field == "value_date"
    # ... and one written into 2017 behind its back (an old import, a hand-made fix) would re-share
    # 2017's spending, were the statement not read from what the closing stored.
    data.deposit(data.commitment(norway, "100000.00"), "100000.00", fee_rate="0",
                 value_date=dt.date(2017, 6, 1))
    db.session.commit()
    assert _figures(sweden, START, END_2017) == before


def test_what_the_closing_fixed_is_read_back_even_if_an_entry_slips_into_the_year(db, users):
    """A row written into the closed year behind the services' back (an old import, a
    hand-made fix) changes nothing of the year's statements: they read what the
    closing stored."""
    sweden = _spending_fund()
    _close(2017)
    before = statement(sweden, START, END_2017)
    assert [line.share_closing for line in before.shares] == [D("40000.00")]
    stored = db.session.scalar(sa.select(YearShare).where(YearShare.donor_id == sweden.id))
    assert (stored.weight, stored.share) == (D("100000.00"), D("40000.00"))
    intruder = data.donor("Intruder")
    data.deposit(data.commitment(intruder, "100000.00"), "100000.00", fee_rate="0",
                 value_date=dt.date(2017, 6, 1))
    db.session.commit()
    after = statement(sweden, START, END_2017)
    assert [line.share_closing for line in after.shares] == [D("40000.00")]
    assert after.closing == before.closing == D("60000.00")
    # `flask check` names it: no statement after 2017 holds it either.
    assert year_problems() == ["Closed year 2017: 1 deposits dated in it were recorded after its closing "
                               "(the closing's figures do not hold them)."]


def test_the_spending_of_a_closed_year_is_never_shared_again(db, users):
    """Without the closing, Norway's deposit of 2018 would take half of 2017's spending
    from Sweden: Sweden's share for 2018 would be 30,000 − 40,000 = −10,000, a credit.
    After it, 2018's spending alone is shared, over what remains of each donor's net
    deposits (Sweden 60,000, Norway 100,000)."""
    sweden = _spending_fund()
    norway = data.donor("Norway (years)")
    data.deposit(data.commitment(norway, "100000.00"), "100000.00", fee_rate="0",
                 value_date=dt.date(2018, 3, 1))
    data.spend(data.pool(), "20000.00", reconciled_on=dt.date(2018, 9, 1))
    db.session.commit()
    assert statement(sweden, dt.date(2018, 1, 1), END_2018).share_in_period == D("-10000.00")
    _close(2017)
    year = statement(sweden, dt.date(2018, 1, 1), END_2018)
    assert year.share_in_period == D("7500.00")
    assert statement(norway, dt.date(2018, 1, 1), END_2018).share_in_period == D("12500.00")
    assert year.opening == D("60000.00") and year.closing == D("52500.00")
    assert year.opening + year.net_in_period - year.share_in_period == year.closing

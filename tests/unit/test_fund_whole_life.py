"""The whole life of a fund in one test (issue 18's proof), on SQLite and PostgreSQL:
deposits and grants, 2017 closed, a late correction dated in the open year, the
operations closed, what will not arrive written off, each pool refunded to its
donors by largest remainder to the cent, the fund closed, and every later write
refused; `flask check` passes at each step and 2017's statement never changes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import travel
from tests.factories.statements import D
from trustfund.closure import closing_decisions, financial
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.closure.final import final_statement, issue_final_statements
from trustfund.closure.years import close_year
from trustfund.contributions import confirmed, services
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.models import Objective, Pool
from trustfund.contributions.pools import unearmarked_pool
from trustfund.donors.models import Donor
from trustfund.errors import DomainError
from trustfund.exports import build_workbook
from trustfund.extensions import db as _db
from trustfund.fund import services as fund_services
from trustfund.fund.entries import ClosingPart
from trustfund.fund.status import current_fund, effective_status
from trustfund.statements.exports import statement_export
from trustfund.travel import decisions, reconcile

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today_as_the_test_starts():
    """TODAY read again as each test starts: a suite run across midnight imported this
    module the day before (its PostgreSQL half failed after 00:00 UTC, the day it
    recorded and the day it expected being one apart)."""
    global TODAY
    TODAY = dt.date.today()
START, END_2017 = dt.date(2017, 4, 3), dt.date(2017, 12, 31)


def _check_passes(runner) -> None:
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "Ledger check passed: every invariant holds." in result.output


def _refused(operation) -> str:
    with pytest.raises(DomainError) as caught:
        operation()
        _db.session.flush()
    _db.session.rollback()
    return caught.value.message


def _donor(name: str, country: str) -> Donor:
    donor = Donor(name=name, donor_type="member_state", country_code=country, saa_status="signed",
                  saa_signed_on=dt.date(2017, 4, 10),
                  saa_signatory_donor="Minister", saa_signatory_mptf="Executive Coordinator",
                  saa_reference=f"SAA-{name}")
    _db.session.add(donor)
    _db.session.flush()
    return donor


def _objective_id(number: int) -> int:
    return _db.session.scalar(sa.select(Objective.id).where(Objective.number == number))


def _statement_cells(donor: Donor) -> list:
    """Every cell of the donor's 2017 statement (.xlsx), but the sheet saying who exported it."""
    sheets, what = statement_export({"donor_id": donor.id, "date_from": START, "date_to": END_2017}, None)
    with build_workbook(sheets, what=what, user=None) as handle:
        book = load_workbook(handle)
        return [(name, [list(row) for row in book[name].iter_rows(values_only=True)])
                for name in book.sheetnames if name != "About this export"]


def test_the_whole_life_of_a_fund(db, users, runner):
    officer, admin = users["mptf_officer"], users["admin"]
    srsg, srsg2 = users["srsg_staff"], users["srsg_staff2"]

    # 2017: three donors give (1% fee), one of them twice by mistake; a trip is paid.
    sweden, norway, mexico = _donor("Sweden", "SE"), _donor("Norway", "NO"), _donor("Mexico", "MX")
    japan = _donor("Japan", "JP")
    se = services.record_commitment(officer, sweden, currency="USD", amount="100000.00", objective_id=None,
                                    committed_on=dt.date(2017, 4, 20))
    no = services.record_commitment(officer, norway, currency="USD", amount="50000.00", objective_id=None,
                                    committed_on=dt.date(2017, 4, 20))
    mx = services.record_commitment(officer, mexico, currency="USD", amount="30000.00",
                                    objective_id=_objective_id(1), committed_on=dt.date(2017, 4, 20))
    services.record_deposit(officer, se, value_date=dt.date(2017, 5, 2), amount="100000.00")
    jp = services.record_commitment(officer, japan, currency="USD", amount="10000.00", objective_id=None,
                                    committed_on=dt.date(2017, 4, 20))
    services.record_deposit(officer, jp, value_date=dt.date(2017, 5, 2), amount="10000.00")
    first = services.record_deposit(officer, no, value_date=dt.date(2017, 5, 3), amount="20000.00")
    twice = services.record_deposit(officer, no, value_date=dt.date(2017, 5, 4), amount="20000.00",
                                    bank_reference="NO-TWICE")
    services.record_deposit(officer, mx, value_date=dt.date(2017, 6, 1), amount="30000.00")
    event = travel.make_event(cap=5)
    early = travel.make_request(event, "SN", "Awa Ndiaye", airfare="1000.00")
    decisions.approve_grant(srsg2, early, pool_id=unearmarked_pool().id)
    reconcile.record_travel(srsg, early, ticket="950.00", dsa="800.00", terminal="100.00")
    early.reconciled_at = dt.datetime(2017, 5, 20, 12)  # the story's date: spending of 2017
    confirmed.record_interest(officer, value_date=dt.date(2017, 12, 31), usd_amount="123.45")
    db.session.commit()
    _check_passes(runner)

    # 2017 closes once its report is out; nothing may then be dated in it.
    close_year(admin, 2017, report_reference="Annual financial report 2017")
    db.session.commit()
    _check_passes(runner)
    closed_2017 = _statement_cells(sweden)
    message = _refused(lambda: services.record_deposit(officer, no, value_date=dt.date(2017, 12, 1),
                                                       amount="1.00"))
    assert message.startswith("2017 is a closed year: nothing may be dated in it.")

    # The deposit entered twice is corrected late: the reversal is dated in the open year and names it.
    reversal = confirmed.reverse_deposit(officer, twice, "Entered twice from the same bank advice")
    db.session.commit()
    assert (reversal.value_date, reversal.reverses_id) == (TODAY, twice.id)
    _check_passes(runner)

    # The open year: Norway pays the rest late, two more trips, the fund's own costs.
    services.record_deposit(officer, no, value_date=TODAY, amount="10000.00", bank_reference="NO-LATE")
    later = travel.make_event(title="Regional consultation, Bangkok", city="Bangkok", cap=5,
                              dates=(dt.date(2018, 3, 5), dt.date(2018, 3, 6)))
    travelled = travel.make_request(later, "NP", "Sita Gurung", airfare="1200.00")
    decisions.approve_grant(srsg2, travelled)
    approved = travel.make_request(later, "BT", "Karma Wangchuk", airfare="900.00")
    decisions.approve_grant(srsg2, approved, pool_id=unearmarked_pool().id)
    waiting = travel.make_request(later, "LA", "Somsak Vong", airfare="700.00")
    reconcile.record_travel(srsg, travelled, ticket="1180.00", dsa="800.00", terminal="100.00")
    record_fund_entry(officer, kind="bank_charge", pool_id=unearmarked_pool().id, value_date=TODAY,
                      usd_amount="37.49", description="Charges on incoming transfers")
    db.session.commit()
    _check_passes(runner)

    # Operational closure by the admin: nothing new; what runs is settled.
    fund_services.close_operations(admin, current_fund(), reason="The Compact was adopted")
    db.session.commit()
    assert effective_status(current_fund()) == "operationally_closed"
    assert "no new pledges, commitments, events, grant requests or approvals" in _refused(
        lambda: travel.make_request(later, "KH", "Sok Dara"))
    assert "no new pledges" in _refused(lambda: decisions.approve_grant(srsg2, waiting))
    reconcile.record_travel(srsg, approved, ticket="880.00", dsa="800.00", terminal="100.00")
    decisions.reject_grant(srsg2, waiting, "The fund's operations are closed")
    db.session.commit()
    _check_passes(runner)
    assert any("1 commitment has money outstanding" in p for p in financial.unsettled())
    assert "1 commitment has money outstanding" in _refused(
        lambda: closing_decisions.decide(srsg, unearmarked_pool(), "refund"))
    write_off(officer, no, reason="Norway will pay no more")
    db.session.commit()
    assert financial.unsettled() == []
    _check_passes(runner)

    # Each pool's balance refunded to its donors by largest remainder, to the cent.
    balances = {pool.code: pool.available for pool in db.session.scalars(sa.select(Pool))
                if pool.available > 0}
    assert set(balances) == {"UNEARMARKED", "OBJ1"}
    for code, balance in balances.items():
        pool = db.session.scalar(sa.select(Pool).where(Pool.code == code))
        closing = closing_decisions.decide(srsg, pool, "refund", balance_seen=str(balance))
        db.session.commit()
        parts = closing.parts
        assert sum(part.usd_amount for part in parts) == balance == closing.usd_amount
        total_weight = sum(part.weight for part in parts)
        for part in parts:
            assert abs(part.usd_amount - balance * part.weight / total_weight) < Decimal("0.01")
        assert pool.available == D("0.00")
        _check_passes(runner)
    weights = {part.donor.name: part.weight for part in db.session.scalars(
        sa.select(ClosingPart).where(ClosingPart.pool_id == unearmarked_pool().id))}
    # Net deposits: Sweden 99,000.00, Japan 9,900.00; Norway 19,800 + 19,800 − 19,800 + 9,900 = 29,700.00.
    assert weights == {"Sweden": D("99000.00"), "Norway": D("29700.00"), "Japan": D("9900.00")}
    # 135,055.96 in fourteenths (Sweden 10, Norway 3, Japan 1) leaves 4/14, 4/14 and 6/14 of a cent:
    # rounded, the parts would fall a cent short; the largest remainder (Japan's) takes it.
    assert {part.donor.name: part.usd_amount for part in db.session.scalars(
        sa.select(ClosingPart).where(ClosingPart.pool_id == unearmarked_pool().id))} == {
        "Sweden": D("96468.54"), "Norway": D("28940.56"), "Japan": D("9646.86")}

    # The fund closes; nothing more is written to it.
    financial.close_fund(admin, current_fund(), note="Certified final statements to follow")
    db.session.commit()
    _check_passes(runner)
    issue_final_statements(admin)
    db.session.commit()
    assert final_statement("fund") is not None
    mexico_id = mexico.id
    later_writes = {
        "deposit": lambda: services.record_deposit(officer, se, value_date=TODAY, amount="1.00"),
        "reversal": lambda: confirmed.reverse_deposit(officer, first,
                                                      "Late doubt"),
        "interest": lambda: confirmed.record_interest(officer, value_date=TODAY, usd_amount="0.01"),
        "bank charge": lambda: record_fund_entry(officer, kind="bank_charge", pool_id=unearmarked_pool().id,
                                                 value_date=TODAY, usd_amount="0.01", description="Fee"),
        "year": lambda: close_year(admin, 2018, report_reference="Annual financial report 2018"),
        "record": lambda: fund_services.update_fund(admin, current_fund(), name="Renamed", code="MCS00",
                                                    start_on=START),
        "donor": lambda: setattr(db.session.get(Donor, mexico_id), "name", "Renamed"),
    }
    for what, operation in later_writes.items():
        message = _refused(operation)
        assert "financially closed" in message, (what, message)
    assert db.session.get(Donor, mexico_id).name == "Mexico"
    _check_passes(runner)

    # 2017's statement kept every figure through all of it.
    assert _statement_cells(sweden) == closed_2017

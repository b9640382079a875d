"""Financial closure (issue 18): settle (grants, overruns, outstanding commitments
written off), decide pool by pool (refund by largest remainder to the cent,
transfer to another fund, or a residual within the waiver), then the admin closes
the fund and every later write is refused by the one guard."""
from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import base_users
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import confirmation, post_entry
from tests.security.helpers import changed_counts, table_counts
from trustfund.admin import setting_changes
from trustfund.admin.confirmed_settings import set_setting
from trustfund.admin.models import REFUND_WAIVER
from trustfund.closure import closing_decisions, financial
from trustfund.closure.confirmed_write_offs import write_off
from trustfund.closure.refunds import refund_parts
from trustfund.contributions import confirmed, services
from trustfund.contributions.confirmed import set_rate
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.models import Deposit, ExchangeRate, Pool
from trustfund.donors.models import Donor
from trustfund.errors import DomainError
from trustfund.fund import services as fund_services
from trustfund.fund.entries import ClosingPart, PoolClosing
from trustfund.fund.guard import GUARDED_TABLES, NOT_GUARDED, FundClosed
from trustfund.fund.status import current_fund
from trustfund.ledger_check import run_checks
from trustfund.statements.services import statement

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today_as_the_test_starts():
    """TODAY read again as each test starts: a suite run across midnight imported this
    module the day before (its PostgreSQL half failed after 00:00 UTC, the day it
    recorded and the day it expected being one apart)."""
    global TODAY
    TODAY = dt.date.today()


def _refused(operation, kind=DomainError) -> DomainError:
    with pytest.raises(kind) as caught:
        operation()
    data.db.session.rollback()
    return caught.value


def _operations_closed(db):
    fund_services.close_operations(base_users()["admin"], current_fund(), reason="The Compact was adopted")
    db.session.commit()


@pytest.fixture
def fund(db, users):
    """Three donors in the un-earmarked pool (net 100,000.00, 200,000.00 and
    33,333.33, the last in euros), 60,000.00 spent, 1,000.01 of interest; a EUR
    commitment with 50,000 still outstanding; 5,000.00 in Objective 1 from the
    first donor."""
    a, b, c = data.donor("Alpha"), data.donor("Beta"), data.donor("Gamma")
    data.deposit(data.commitment(a, "100000.00"), "100000.00", fee_rate="0")
    data.deposit(data.commitment(b, "200000.00"), "200000.00", fee_rate="0")
    euros = data.commitment(c, "80000.00", "EUR")
    data.deposit(euros, "30000.00", rate="0.9", fee_rate="0")  # USD 33,333.33
    db.session.add(ExchangeRate(currency="EUR", month=dt.date(2017, 5, 1), rate=D("0.9")))  # its UN rate
    data.spend(data.pool(), "60000.00", reconciled_on=dt.date(2018, 7, 1))
    data.interest("1000.01", on=dt.date(2018, 9, 30))
    data.deposit(data.commitment(a, "5000.00", objective_number=1), "5000.00", fee_rate="0")
    db.session.commit()
    return {"a": a, "b": b, "c": c, "euros": euros}


def test_nothing_is_decided_while_anything_is_unsettled(db, users, fund):
    srsg = users["srsg_staff"]
    problems = financial.unsettled()
    assert any("operations are still open" in p for p in problems)
    assert any("1 commitment has money outstanding" in p for p in problems)
    error = _refused(lambda: closing_decisions.decide(srsg, data.pool(), "refund"))
    assert "operations are still open" in error.message
    _operations_closed(db)
    assert "1 commitment has money outstanding" in _refused(
        lambda: closing_decisions.decide(srsg, data.pool(), "refund")).message
    assert run_checks() == []


def test_a_write_off_takes_what_will_not_arrive_and_no_deposit_fills_it(db, users, fund):
    officer = users["mptf_officer"]
    euros = fund["euros"]
    error = _refused(lambda: write_off(officer, euros, amount="50000.01", reason="Never paid"))
    assert error.field == "amount" and "Only EUR\u00a050,000.00 is outstanding." in error.message
    assert _refused(lambda: write_off(users["srsg_staff"], euros, reason="x")).message == (
        "Only MPTF officers may do this.")
    write_off(officer, euros, amount="20000.00", reason="Budget cut by the donor's parliament")
    db.session.commit()
    assert (euros.written_off, euros.outstanding) == (D("20000.000"), D("30000.000"))
    error = _refused(lambda: services.record_deposit(officer, euros, value_date=TODAY, amount="30000.01",
                                                     rate="0.9", rate_note="Bank rate"))
    assert "only EUR\u00a030,000.00 is outstanding" in error.message
    write_off(officer, euros, reason="Nothing more will come")
    db.session.commit()
    assert euros.outstanding == 0 and financial.outstanding_commitments() == []
    assert run_checks() == []


def _settled(db, users, fund):
    _operations_closed(db)
    write_off(users["mptf_officer"], fund["euros"], reason="Nothing more will come")
    db.session.commit()


def test_a_refund_splits_the_balance_by_net_deposits_to_the_cent(db, users, fund):
    _settled(db, users, fund)
    pool = data.pool()
    balance = pool.available
    assert balance == D("274333.34")  # 333,333.33 − 60,000.00 + 1,000.01
    closing = closing_decisions.decide(users["srsg_staff"], pool, "refund", balance_seen=str(balance))
    db.session.commit()
    parts = {p.donor.name: p for p in closing.parts}
    # 274,333.34 × 100,000 ÷ 333,333.33 = 82,300.0028...; × 200,000 … = 164,600.0056...;
    # × 33,333.33 … = 27,433.3315...: the floors leave one cent, to the largest remainder.
    assert {name: p.usd_amount for name, p in parts.items()} == {
        "Alpha": D("82300.00"), "Beta": D("164600.01"), "Gamma": D("27433.33")}
    assert sum(p.usd_amount for p in closing.parts) == balance
    assert (pool.available, pool.closed_out) == (D("0.00"), balance)
    # Each donor's statement: its balance goes to zero; the rest of its refund is interest.
    for donor in (fund["a"], fund["b"], fund["c"]):
        s = statement(donor, dt.date(2018, 1, 1), TODAY)
        unearmarked = next(line for line in s.shares if line.pool.code == "UNEARMARKED")
        part = parts[donor.name]
        assert part.balance == unearmarked.donor_weight - unearmarked.share_closing
        assert s.returned_in_period == part.balance
    assert statement(fund["b"], dt.date(2018, 1, 1), TODAY).closing == D("0.00")
    assert run_checks() == []


def test_the_payment_instruction_shows_the_donors_currency_at_the_months_rate(db, users, fund, client,
                                                                               login_as):
    _settled(db, users, fund)
    closing = closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    login_as("mptf_officer")
    page = client.get(f"/fund/closing/decisions/{closing.id}").get_data(as_text=True)
    assert "no UN rate for this month yet" in page
    set_rate(users["mptf_officer"], "EUR", TODAY.replace(day=1), "0.95")
    db.session.commit()
    page = client.get(f"/fund/closing/decisions/{closing.id}").get_data(as_text=True)
    assert "26,061.66" in page  # 27,433.33 × 0.95, half-up to the cent


def test_the_rate_that_converts_a_decided_refund_is_not_corrected_afterwards(db, users, fund, client,
                                                                              login_as):
    """Two SRSG staff members decided the refunds; the euros' rate of the decision's
    month, added afterwards, converts Gamma's part (EUR 26,061.66). One officer can no
    longer move that payment by correcting the rate: refused from the form and from a
    file, and the instruction stays; another currency's rate, or another month's, is
    corrected as before."""
    from trustfund.contributions.models import ExchangeRate
    from trustfund.contributions.rate_import import plan_rates

    _settled(db, users, fund)
    closing = closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    officer, month = users["mptf_officer"], TODAY.replace(day=1)
    set_rate(officer, "EUR", month, "0.95")  # a missing month's rate may still be added
    db.session.commit()
    entry = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.currency == "EUR",
                                                            ExchangeRate.month == month))
    error = _refused(lambda: set_rate(officer, "EUR", month, "0.5", entry=entry, version=entry.version))
    assert error.field == "rate" and "converts refunds decided at the fund's closing" in error.message
    error = _refused(lambda: set_rate(officer, "EUR", month, "0.5"))
    assert "converts refunds decided at the fund's closing" in error.message
    plan = plan_rates(f"Currency,Month,Rate\nEUR,{month:%Y-%m},0.5\n".encode(), "rates.csv")
    assert [e.message for e in plan.errors if "converts refunds" in e.message]
    assert not plan.ok
    set_rate(officer, "GBP", month, "0.8")
    db.session.commit()
    login_as("mptf_officer")
    page = client.get(f"/fund/closing/decisions/{closing.id}").get_data(as_text=True)
    assert "26,061.66" in page and db.session.get(ExchangeRate, entry.id).rate == D("0.95")


def test_a_transfer_names_the_fund_and_a_waiver_stays_within_the_setting(db, users, fund):
    _settled(db, users, fund)
    srsg, obj1 = users["srsg_staff"], data.pool("OBJ1")
    error = _refused(lambda: closing_decisions.decide(srsg, obj1, "transfer", fund_name="",
                                                      fund_reference="X"))
    assert error.field == "fund_name"
    error = _refused(lambda: closing_decisions.decide(srsg, obj1, "waived"))
    assert "up to USD\u00a00.00" in error.message
    error = _refused(lambda: closing_decisions.decide(srsg, obj1, "refund", balance_seen="4999.99"))
    assert "balance changed meanwhile" in error.message
    closing_decisions.decide(srsg, obj1, "transfer", fund_name="Migration MPTF (FMR00)",
                             fund_reference="MPTF/2019/7", balance_seen="5000.00")
    db.session.commit()
    assert data.pool("OBJ1").available == 0
    # A residual of 250.00 may be left unrefunded once the admin's setting allows it.
    record_fund_entry(users["mptf_officer"], kind="other_income", pool_id=obj1.id, value_date=TODAY,
                      usd_amount="250.00", description="Bank interest adjustment")
    set_setting(users["admin"], REFUND_WAIVER, "250", dt.date(2017, 1, 1))
    db.session.commit()
    waived = closing_decisions.decide(srsg, data.pool("OBJ1"), "waived")
    db.session.commit()
    assert waived.usd_amount == D("250.00") and data.pool("OBJ1").closed_out == D("5250.00")
    assert run_checks() == []


def test_money_reaching_a_pool_after_its_refund_is_refunded_as_income_alone(db, users, fund):
    """A pool refunded, then late bank income credited to it and refunded too: the
    second decision gives back no donor's balance again (it was given back by the
    first), so every donor's statement still ends at 0.00 and the new money is
    shown as income."""
    _settled(db, users, fund)
    srsg = users["srsg_staff"]
    closing_decisions.decide(srsg, data.pool(), "refund")
    closing_decisions.decide(srsg, data.pool("OBJ1"), "refund")
    db.session.commit()
    donors = (fund["a"], fund["b"], fund["c"])
    assert [statement(donor, dt.date(2017, 1, 1), TODAY).closing for donor in donors] == [D("0.00")] * 3
    record_fund_entry(users["mptf_officer"], kind="other_income", pool_id=data.pool().id, value_date=TODAY,
                      usd_amount="300.00", description="Late interest")
    db.session.commit()
    second = closing_decisions.decide(srsg, data.pool(), "refund")
    db.session.commit()
    assert sum(part.usd_amount for part in second.parts) == D("300.00")
    assert {part.balance for part in second.parts} == {D("0.00")}
    assert [statement(donor, dt.date(2017, 1, 1), TODAY).closing for donor in donors] == [D("0.00")] * 3
    assert run_checks() == []


def test_a_deposit_counted_in_a_refund_is_not_reversed_afterwards(db, users, fund, client, login_as):
    """A pool refunded to its donors in proportion to their net deposits, then late
    income credited: one officer could reverse a refunded donor's deposit (the pool had
    the money again), leaving that donor refunded on deposits the ledger no longer has.
    Refused, on the page before confirming as in the service. (No deposit reaches a
    pool after its decision: nothing is decided while a commitment is outstanding.)"""
    _settled(db, users, fund)
    counted = db.session.scalar(sa.select(Deposit).where(Deposit.donor_id == fund["b"].id))
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    record_fund_entry(users["mptf_officer"], kind="other_income", pool_id=data.pool().id, value_date=TODAY,
                      usd_amount="300000.00", description="Late income")
    db.session.commit()
    login_as("mptf_officer")
    before = table_counts(db)
    page = client.post(f"/contributions/deposits/{counted.id}/reverse",
                       data={"reason": "Booked to the wrong donor"}).get_data(as_text=True)
    assert "no deposit can be reversed any more" in html.unescape(page), page
    assert confirmation(page) is None
    assert changed_counts(before, table_counts(db)) == {}
    error = _refused(lambda: confirmed.reverse_deposit(users["mptf_officer"], counted, "Wrong donor"))
    assert "no deposit can be reversed any more" in error.message
    # Nor one into a pool not decided on yet (Objective 1's 5,000.00, which has the money):
    # its money may have reached the decided pool by a transfer, and been counted there.
    earmarked = db.session.scalar(sa.select(Deposit).where(Deposit.pool_id == data.pool("OBJ1").id))
    assert data.pool("OBJ1").available >= earmarked.net
    error = _refused(lambda: confirmed.reverse_deposit(users["mptf_officer"], earmarked, "Wrong pool"))
    assert "no deposit can be reversed any more" in error.message
    assert run_checks() == []


def test_the_admin_closes_the_fund_and_every_later_write_is_refused(db, users, fund, client, login_as):
    _settled(db, users, fund)
    admin, officer, srsg = users["admin"], users["mptf_officer"], users["srsg_staff"]
    assert "2 pools still hold money" in _refused(lambda: financial.close_fund(admin, current_fund())).message
    closing_decisions.decide(srsg, data.pool(), "refund")
    closing_decisions.decide(srsg, data.pool("OBJ1"), "refund")
    db.session.commit()
    assert financial.closable_problems() == []
    financial.close_fund(admin, current_fund(), note="Certified statement to follow")
    db.session.commit()
    assert current_fund().status == "financially_closed"
    assert run_checks() == []

    # Even a row written behind the services' back (a test builder's) is refused.
    _refused(lambda: data.commitment(fund["a"], "1000.00"), FundClosed)
    writes = {
        "deposit": lambda: services.record_deposit(officer, fund["euros"], value_date=TODAY, amount="1.00",
                                                   rate="0.9", rate_note="x"),
        "interest": lambda: confirmed.record_interest(officer, value_date=TODAY, usd_amount="1.00"),
        "cost": lambda: record_fund_entry(officer, kind="bank_charge", pool_id=data.pool().id,
                                          value_date=TODAY, usd_amount="0.01", description="Fee"),
        "record": lambda: fund_services.update_fund(admin, current_fund(), name="Renamed", code="MCS00",
                                                    start_on=dt.date(2017, 4, 3)),
        "setting": lambda: set_setting(admin, REFUND_WAIVER, "1", dt.date(2030, 1, 1)),
        "setting's value proposed": lambda: setting_changes.propose(
            admin, REFUND_WAIVER, "1", dt.date(2030, 1, 1),
            version=setting_changes.form_version(REFUND_WAIVER)),
    }
    for what, operation in writes.items():
        error = _refused(lambda op=operation: (op(), db.session.flush()))
        assert error.message.startswith("The fund is financially closed: nothing can be recorded"), what
    assert current_fund().name != "Renamed"
    # Every table of the fund's records, whatever writes to it (here an UPDATE through
    # the session, as the guarded services do): a waiting transfer or closing decision,
    # a rates file, not only the entries.
    for table in sorted(GUARDED_TABLES):
        rows = db.metadata.tables[table]
        key = next(iter(rows.primary_key.columns))
        _refused(lambda rows=rows, key=key: db.session.execute(sa.update(rows).values({key: key})),
                 FundClosed)
    login_as("mptf_officer")
    before = table_counts(db)
    page = post_entry(client, "/fund/entries/new", {
        "kind": "bank_charge", "pool_id": str(data.pool().id), "value_date": TODAY.isoformat(),
        "usd_amount": "0.01", "description": "Fee"})
    assert "The fund is financially closed: nothing can be recorded" in page.get_data(as_text=True)
    assert changed_counts(before, table_counts(db)) == {}
    assert run_checks() == []


def test_every_table_is_guarded_by_the_financial_closure_or_left_out_on_purpose(app):
    """A new table is a decision: the fund's records are refused once it is closed
    (fund.guard.GUARDED_TABLES), or the guard's NOT_GUARDED says why not."""
    assert GUARDED_TABLES.isdisjoint(NOT_GUARDED)
    assert set(data.db.metadata.tables) == GUARDED_TABLES | NOT_GUARDED


def test_changes_waiting_for_a_second_admin_hold_back_the_financial_closure(db, users, fund):
    """A transfer between pools or a setting's value still waiting would wait for ever
    once the fund is closed (no answer can be written then): settled first."""
    from trustfund.contributions import transfer_changes

    _settled(db, users, fund)
    transfer = transfer_changes.propose(users["admin"], data.pool().id, data.pool("OBJ1").id, D("1.00"),
                                        "Move", TODAY)
    setting = setting_changes.propose(users["admin"], REFUND_WAIVER, "1", TODAY,
                                      version=setting_changes.form_version(REFUND_WAIVER))
    db.session.commit()
    problems = financial.closable_problems()
    assert ("1 transfer between pools waits for a second administrator: confirm or refuse it first."
            in problems)
    assert "1 setting's value waits for a second administrator: confirm or refuse it first." in problems
    transfer_changes.withdraw(users["admin"], transfer.id)
    setting_changes.withdraw(users["admin"], setting.id)
    db.session.commit()
    assert not any("second administrator" in problem for problem in financial.closable_problems())


def test_close_fund_dry_run_shows_the_refunds_it_would_make(db, users, fund, runner):
    result = runner.invoke(args=["close-fund", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "To settle first: The fund's operations are still open" in result.output
    assert "Un-earmarked (UNEARMARKED): unspent balance USD\u00a0274,333.34" in result.output
    assert "  Alpha: USD\u00a082,300.00 (net deposits USD\u00a0100,000.00)" in result.output
    assert "  total refunded: USD\u00a0274,333.34" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolClosing)) == 0
    assert runner.invoke(args=["close-fund"]).exit_code != 0


weights = st.dictionaries(st.integers(min_value=1, max_value=10_000),
                          st.integers(min_value=1, max_value=10**13), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(balance=st.integers(min_value=0, max_value=10**13), weights=weights)
def test_refunds_always_sum_to_the_balance_within_a_cent_of_the_exact_proportion(balance, weights):
    """Property: over random pools and donors, the refunds add up to the pool's balance
    exactly and none is a cent or more from its donor's exact proportion."""
    usd = Decimal(balance).scaleb(-2)
    given_weights = {donor: Decimal(w).scaleb(-2) for donor, w in weights.items()}
    parts = refund_parts(usd, given_weights)
    assert sum(parts.values()) == usd
    total = sum(given_weights.values())
    for donor, part in parts.items():
        assert part >= 0
        assert abs(part - usd * given_weights[donor] / total) < Decimal("0.01")
    assert set(parts) == set(given_weights)
    assert ClosingPart  # the rows a decision stores hold exactly these parts (tested above)


def _refunded(db, users, fund) -> PoolClosing:
    _settled(db, users, fund)
    closing = closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    return closing


def _part_of(closing: PoolClosing, name: str):
    return sa.select(ClosingPart.id).join(Donor, Donor.id == ClosingPart.donor_id).where(
        ClosingPart.closing_id == closing.id, Donor.name == name).scalar_subquery()


@pytest.mark.parametrize("tamper, expected", [
    (lambda c: [sa.update(ClosingPart).where(ClosingPart.id == _part_of(c, "Beta"))
                .values(usd_amount=ClosingPart.usd_amount + D("0.01"))],
     "its donors' parts add up to USD 274,333.35."),
    (lambda c: [sa.update(ClosingPart).where(ClosingPart.id == _part_of(c, "Alpha"))
                .values(usd_amount=ClosingPart.usd_amount + D("0.02")),
                sa.update(ClosingPart).where(ClosingPart.id == _part_of(c, "Beta"))
                .values(usd_amount=ClosingPart.usd_amount - D("0.02"))],
     "a part of USD 82,300.02 is a cent or more from its donor's proportion (82300.0028)."),
    (lambda c: [sa.update(Pool).where(Pool.code == "UNEARMARKED")
                .values(closed_out=Pool.closed_out - D("1.00"), available=Pool.available + D("1.00"))],
     "Pool UNEARMARKED: closed out is 274,332.34, but its entries say 274,333.34."),
])
def test_flask_check_reports_a_refund_changed_behind_the_applications_back(db, users, fund, runner, tamper,
                                                                           expected):
    closing = _refunded(db, users, fund)
    assert run_checks() == []
    for statement_ in tamper(closing):
        db.session.execute(statement_)
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert expected in result.output, result.output


def test_flask_check_reports_a_closed_years_shares_above_its_spending(db, users, fund, runner):
    from trustfund.closure.years import close_year
    from trustfund.fund.models import YearShare

    data.spend(data.pool(), "1000.00", reconciled_on=dt.date(2017, 7, 1))
    db.session.commit()
    close_year(users["admin"], 2017, report_reference="Annual financial report 2017")
    db.session.commit()
    assert run_checks() == []
    db.session.execute(sa.update(YearShare).where(YearShare.year == 2017, YearShare.pool_id == data.pool().id,
                                                  YearShare.donor_id == fund["a"].id)
                       .values(share=YearShare.share + D("5.00")))
    db.session.commit()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "Closed year 2017, pool #" in result.output
    assert "shares of USD 1,005.00 are more than its spending of USD 1,000.00." in result.output


def test_five_decisions_at_once_on_one_pool_refund_it_once(app, db, users, fund):
    """Five SRSG staff sessions decide the same pool's refund at once (threads, each with
    its own session and connection): one decision, one set of parts, the pool at zero."""
    import threading

    from tests.security.helpers import attempts
    from trustfund.auth.models import User

    _settled(db, users, fund)
    pool_id, balance = data.pool().id, str(data.pool().available)
    srsg_id = users["srsg_staff"].id
    barrier = threading.Barrier(5)

    def decide() -> str:
        actor, pool = db.session.get(User, srsg_id), db.session.get(Pool, pool_id)
        db.session.commit()
        barrier.wait(timeout=30)
        closing_decisions.decide(actor, pool, "refund", balance_seen=balance)
        db.session.commit()
        return "decided"

    results = [each.outcome for each in attempts(app, [decide] * 5)]
    db.session.expire_all()
    assert results.count("decided") == 1, results
    assert all(r.startswith("refused: ") for r in results if r != "decided"), results
    closings = db.session.scalars(sa.select(PoolClosing).where(PoolClosing.pool_id == pool_id)).all()
    assert len(closings) == 1 and sum(p.usd_amount for p in closings[0].parts) == D(balance)
    assert db.session.get(Pool, pool_id).available == D("0.00")
    assert run_checks() == []


def test_a_refund_is_paid_in_the_currency_of_the_donors_last_deposit_that_stands(db, users):
    """A deposit booked to the donor by mistake and reversed says nothing of how the
    donor pays: the refund instruction is in the currency of its last deposit that
    stands (Sweden only ever paid in euros)."""
    sweden = data.donor("Sweden (currency)")
    euros = data.commitment(sweden, "100000.00", "EUR")
    data.deposit(euros, "100000.00", rate="0.9", fee_rate="0", value_date=dt.date(2017, 5, 2))
    dollars = data.commitment(sweden, "50000.00", "USD")
    wrong = data.deposit(dollars, "50000.00", fee_rate="0", value_date=dt.date(2017, 6, 1))
    data.reverse(wrong, on=dt.date(2017, 6, 8), reason="Norway's transfer, booked to Sweden")
    db.session.commit()
    fund_services.close_operations(users["admin"], current_fund(), reason="Adopted")
    db.session.commit()
    write_off(users["mptf_officer"], dollars, reason="Never paid")
    db.session.commit()
    closing = closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    [part] = closing.parts
    assert part.currency == "EUR"


def test_the_final_statements_hold_a_refund_decided_in_tokyo_on_the_morning_after(db, users, monkeypatch):
    """The refund is dated in its decider's zone (Tokyo: 5 December, 08:00), the
    closure in UTC half an hour later (4 December, 23:30): the certified final
    statements end on the later day, so the refund is in them."""
    import zoneinfo

    from trustfund import clock
    from trustfund.closure import final
    from trustfund.fund.entries import FUND_SUBJECT, donor_subject

    a, b = data.donor("Alpha"), data.donor("Beta")
    data.deposit(data.commitment(a, "100000.00"), "100000.00", fee_rate="0")
    data.deposit(data.commitment(b, "200000.00"), "200000.00", fee_rate="0")
    data.spend(data.pool(), "60000.00", reconciled_on=dt.date(2018, 7, 1))
    db.session.commit()
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2026, 12, 4, 23, 0, tzinfo=dt.UTC))
    fund_services.close_operations(users["admin"], current_fund(), reason="Adopted")
    db.session.commit()
    monkeypatch.setattr(clock, "get_timezone", lambda: zoneinfo.ZoneInfo("Asia/Tokyo"))
    closing = closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    assert closing.decided_on == dt.date(2026, 12, 5)
    monkeypatch.setattr(clock, "get_timezone", lambda: zoneinfo.ZoneInfo("UTC"))
    monkeypatch.setattr(financial, "utcnow", lambda: dt.datetime(2026, 12, 4, 23, 30))
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    final.issue_final_statements(users["admin"])
    db.session.commit()
    alpha = final.final_statement(donor_subject(a.id)).content
    fund = final.final_statement(FUND_SUBJECT).content
    status = {line["key"]: line["amount"] for line in fund["funding_status"]}
    assert (alpha["totals"]["refund_due"], alpha["totals"]["closing_balance"]) == ("80000.00", "0.00")
    assert (status["refunds"], status["balance"]) == ("240000.00", "0.00")
    assert fund["fund"]["closed_on"] == "2026-12-05"


def test_the_final_statements_hold_a_deposit_received_before_the_funds_start(db, users):
    """Money received three days before the start date the fund's record names: the
    donor's certified final statement starts with it, and adds up."""
    from trustfund.closure import final
    from trustfund.fund.entries import donor_subject

    early = data.donor("Early bird")
    data.deposit(data.commitment(early, "100000.00", committed_on=dt.date(2017, 3, 20)), "100000.00",
                 fee_rate="0", value_date=dt.date(2017, 3, 31))
    data.spend(data.pool(), "40000.00", reconciled_on=dt.date(2018, 7, 1))
    db.session.commit()
    fund_services.close_operations(users["admin"], current_fund(), reason="Adopted")
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    final.issue_final_statements(users["admin"])
    db.session.commit()
    content = final.final_statement(donor_subject(early.id)).content
    totals = {key: D(value) for key, value in content["totals"].items()}
    assert content["period"][0] == "2017-03-31"
    assert content["contributions"]["usd"] == "100000.00"
    assert (totals["net"], totals["share"], totals["refund_due"], totals["closing_balance"]) == (
        D("100000.00"), D("40000.00"), D("60000.00"), D("0.00"))


def test_a_reversed_deposit_dated_by_a_typo_does_not_move_the_final_statements_start(db, users):
    """A deposit dated 1981 by a typo, reversed: the certified final statements still
    start on the fund's start date (they could not be issued at all: statements start
    in 1990 at the earliest)."""
    from trustfund.closure import final
    from trustfund.fund.entries import donor_subject

    donor = data.donor("Typo")
    c = data.commitment(donor, "100000.00", committed_on=dt.date(2017, 4, 20))
    wrong = data.deposit(c, "50000.00", fee_rate="0", value_date=dt.date(1981, 5, 2))
    data.reverse(wrong, on=dt.date(2017, 5, 3), reason="Typo in the value date")
    data.deposit(c, "50000.00", fee_rate="0", value_date=dt.date(2017, 5, 2))
    db.session.commit()
    fund_services.close_operations(users["admin"], current_fund(), reason="Adopted")
    write_off(users["mptf_officer"], c, reason="Never paid")
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    final.issue_final_statements(users["admin"])
    db.session.commit()
    content = final.final_statement(donor_subject(donor.id)).content
    assert content["period"][0] == current_fund().start_on.isoformat()
    assert D(content["totals"]["closing_balance"]) == D("0.00")

"""The contributions services: the rules of DESIGN.md §4, without HTTP."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories.contributions import (
    PAST,
    admin,
    commitment,
    count,
    counts,
    deposit,
    donor,
    objective,
    officer,
    pool,
    pool_figures,
    sweden,
    un_rate,
)
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed, services
from trustfund.contributions.models import Deposit, Instalment, Pool
from trustfund.contributions.rules import overdue_instalments
from trustfund.errors import DomainError

D = Decimal


def test_design_example_eur_deposit_credits_the_pool(db):
    c = commitment("EUR", "1000000.00")
    d = deposit(c, D("1000000.00"), rate=D("0.941"))
    assert (d.usd_amount, d.fee, d.net) == (D("1062699.26"), D("10626.99"), D("1052072.27"))
    assert d.fee_rate == D("0.01")
    unearmarked = pool("UNEARMARKED")
    assert (unearmarked.deposits_usd, unearmarked.fees, unearmarked.deposits_net, unearmarked.available) == (
        D("1062699.26"), D("10626.99"), D("1052072.27"), D("1052072.27"))
    db.session.refresh(c)
    assert c.deposited == D("1000000.00") and c.outstanding == 0


def test_earmarked_deposit_goes_to_the_objectives_pool(db):
    c = commitment("USD", "5000.00", objective_number=1)
    deposit(c, D("1000.00"))
    assert pool("OBJ1").available == D("990.00")
    assert pool("UNEARMARKED").available == D("0.00")


def test_rate_comes_from_the_table_for_the_value_dates_month(db):
    confirmed.set_rate(officer(), "EUR", dt.date(2018, 5, 1), "0.850")
    db.session.commit()
    c = commitment("EUR", "10000.00")
    d = deposit(c, D("850.00"))  # no rate given
    assert d.rate == D("0.85") and d.usd_amount == D("1000.00") and d.rate_note == ""


def test_no_rate_on_file_and_none_given_is_refused_beside_the_rate(db):
    c = commitment("EUR", "10000.00")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount="100.00")
    assert refused.value.field == "rate"
    assert refused.value.message.startswith("There is no UN operational rate for EUR yet, and a deposit's "
                                            "rate is held to one. Propose the UN rate of May 2018")
    # With another month's UN rate, the deposit's month still has none: a rate typed with a note.
    un_rate("EUR", dt.date(2018, 4, 1), "0.93")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount="100.00")
    assert refused.value.field == "rate"
    assert ("no UN operational rate for EUR in May 2018. Propose it on the exchange rates page, or enter "
            "the rate here") in refused.value.message


def test_overriding_the_table_rate_needs_a_note(db):
    confirmed.set_rate(officer(), "EUR", dt.date(2018, 5, 1), "0.850")
    db.session.commit()
    c = commitment("EUR", "10000.00")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount="100.00", rate="0.86")
    assert refused.value.field == "rate_note"
    assert "0.85" in refused.value.message
    db.session.rollback()
    d = services.record_deposit(officer(), c, value_date=PAST, amount="100.00", rate="0.86",
                                rate_note="Bank's rate on the value date, agreed with the donor")
    assert d.rate == D("0.86") and d.rate_note.startswith("Bank's rate")


def test_usd_deposit_is_at_rate_one(db):
    c = commitment("USD", "100.00")
    with pytest.raises(DomainError, match="rate 1"):
        services.record_deposit(officer(), c, value_date=PAST, amount="10.00", rate="1.1", rate_note="x")
    db.session.rollback()
    assert deposit(c, D("10.00")).usd_amount == D("10.00")


def test_jpy_amount_with_decimals_is_refused(db):
    c = commitment("JPY", "100000000")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount="1000.5", rate="110.5",
                                rate_note="x")
    assert (refused.value.field, refused.value.message) == ("amount", "JPY amounts have no decimals.")
    d = deposit(c, "11050000", rate=D("110.5"))
    assert d.usd_amount == D("100000.00") and d.amount == D("11050000")


def test_kwd_takes_three_decimals_and_not_four(db):
    c = commitment("KWD", "1000.000")
    with pytest.raises(DomainError, match="at most 3 decimal places"):
        services.record_deposit(officer(), c, value_date=PAST, amount="1.2345", rate="0.302",
                                rate_note="x")
    db.session.rollback()
    d = deposit(c, "302.001", rate=D("0.302"))
    assert d.usd_amount == D("1000.00")  # 1000.00331... rounds down


@pytest.mark.parametrize("currency, amount, rate, usd, fee, net", [
    ("EUR", "1.01", "2", "0.51", "0.01", "0.50"),       # 0.505 rounds half-up (not to even) to 0.51
    ("EUR", "0.01", "2", "0.01", "0.00", "0.01"),       # 0.005 -> 0.01; fee 0.0001 -> 0.00
    ("KWD", "2.010", "2", "1.01", "0.01", "1.00"),      # 1.005 -> 1.01
    ("EUR", "1.00", "0.300003", "3.33", "0.03", "3.30"),  # 3.333330... -> 3.33
    ("USD", "100.50", "1", "100.50", "1.01", "99.49"),  # fee 1.005 -> 1.01
    ("USD", "100.49", "1", "100.49", "1.00", "99.49"),  # fee 1.0049 -> 1.00
    ("USD", "0.99", "1", "0.99", "0.01", "0.98"),       # fee 0.0099 -> 0.01
])
def test_half_cent_boundaries_round_half_up(db, currency, amount, rate, usd, fee, net):
    c = commitment(currency, "1000.00")
    d = deposit(c, D(amount), rate=D(rate))
    assert (d.usd_amount, d.fee, d.net) == (D(usd), D(fee), D(net))


def test_fee_rate_in_force_on_the_value_date(db):
    from trustfund.admin.confirmed_settings import set_setting

    set_setting(admin(), "fee_rate", "0.02", dt.date(2018, 6, 1))
    db.session.commit()
    c = commitment("USD", "1000.00")
    before = deposit(c, D("100.00"), value_date=dt.date(2018, 5, 31))
    after = deposit(c, D("100.00"), value_date=dt.date(2018, 6, 1))
    assert (before.fee_rate, before.fee) == (D("0.01"), D("1.00"))
    assert (after.fee_rate, after.fee) == (D("0.02"), D("2.00"))


@pytest.mark.parametrize("status", ["not_started", "draft_shared", "under_negotiation", "closed"])
def test_commitment_needs_an_saa_in_force(db, status):
    waiting = donor(f"Donor {status}", status=status, country="MX")
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.record_commitment(officer(), waiting, currency="USD", amount="100.00", objective_id=None,
                                   committed_on=PAST)
    assert refused.value.field == "donor_id"
    said = "is closed, and a closed SAA is not signed again" if status == "closed" else str(waiting.saa_label)
    assert said in refused.value.message and waiting.name in refused.value.message
    db.session.rollback()
    assert counts() == before


def test_pledge_is_allowed_whatever_the_saa(db):
    waiting = donor("Republic of Testland", status="draft_shared", country="MX")
    pledge = services.record_pledge(officer(), waiting, currency="JPY", amount="5000000", objective_id=None,
                                    pledged_on=PAST)
    db.session.commit()
    assert pledge.amount == D("5000000")
    services.withdraw_pledge(officer(), pledge, "Not approved")
    db.session.commit()
    assert pledge.withdrawn_at is not None and pledge.withdrawn_reason == "Not approved"
    with pytest.raises(DomainError, match="already withdrawn"):
        services.withdraw_pledge(officer(), pledge, "again")


def test_deposit_refused_when_the_saa_is_no_longer_in_force(db):
    c = commitment("USD", "1000.00")
    sweden().saa_status = "closed"
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount="10.00")
    assert refused.value.message == ("A deposit cannot be recorded: Kingdom of Sweden's SAA is closed, and a "
                                     "closed SAA is not signed again.")


def test_deposit_past_the_commitment_is_refused_with_the_outstanding_amount(db):
    c = commitment("EUR", "1000.00")
    deposit(c, D("600.00"), rate=D("0.9"))
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount="400.01", rate="0.9", rate_note="x")
    assert refused.value.field == "amount"
    assert "EUR\u00a0400.00" in refused.value.message
    db.session.rollback()
    assert counts() == before
    deposit(c, D("400.00"), rate=D("0.9"))
    db.session.refresh(c)
    assert c.outstanding == 0


def test_future_value_date_is_refused(db):
    c = commitment("USD", "1000.00")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=dt.date.today() + dt.timedelta(days=1),
                                amount="10.00")
    assert refused.value.field == "value_date"


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "NaN", "Infinity", "", "1e3.5"])
def test_bad_amounts_are_refused_beside_the_amount(db, amount):
    c = commitment("USD", "1000.00")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount=amount)
    assert refused.value.field == "amount"


@pytest.mark.parametrize("rate", ["0", "-1", "x", "0.1234567"])
def test_bad_rates_are_refused(db, rate):
    c = commitment("EUR", "1000.00")
    with pytest.raises(DomainError) as refused:
        services.record_deposit(officer(), c, value_date=PAST, amount="10.00", rate=rate, rate_note="x")
    assert refused.value.field == "rate"


def test_reversal_restores_every_balance_exactly(db):
    c = commitment("EUR", "1000000.00", objective_number=1)
    deposit(c, D("250000.00"), rate=D("0.93"))
    before_pools = pool_figures()
    db.session.refresh(c)
    before_deposited = c.deposited
    d = deposit(c, D("1000000.00") - before_deposited, rate=D("0.941"))
    reversal = confirmed.reverse_deposit(officer(), d, "Bank advice entered against the wrong commitment")
    db.session.commit()
    assert (reversal.amount, reversal.usd_amount, reversal.fee, reversal.net) == (
        -d.amount, -d.usd_amount, -d.fee, -d.net)
    assert reversal.reverses_id == d.id and reversal.reason.startswith("Bank advice")
    assert pool_figures() == before_pools
    db.session.refresh(c)
    assert c.deposited == before_deposited
    assert count(Deposit) == 3  # the original stays on record
    with pytest.raises(DomainError, match="already been reversed"):
        confirmed.reverse_deposit(officer(), d, "again")
    db.session.rollback()
    with pytest.raises(DomainError, match="cannot itself be reversed"):
        confirmed.reverse_deposit(officer(), reversal, "again")
    db.session.rollback()
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("deposit.reverse") == 1


def test_reversal_needs_a_reason(db):
    c = commitment("USD", "100.00")
    d = deposit(c, D("100.00"))
    with pytest.raises(DomainError) as refused:
        confirmed.reverse_deposit(officer(), d, "   ")
    assert refused.value.field == "reason"


def test_reversal_refused_when_the_money_is_already_committed(db):
    from trustfund.contributions.pools import move

    c = commitment("USD", "1000.00")
    d = deposit(c, D("1000.00"))
    move(pool("UNEARMARKED").id, available=D("-500.00"), committed=D("500.00"))  # a grant
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        confirmed.reverse_deposit(officer(), d, "Wrong donor")
    assert "USD\u00a0990.00" in refused.value.message and "USD\u00a0490.00" in refused.value.message
    db.session.rollback()
    assert count(Deposit) == 1


def test_interest_credits_the_unearmarked_pool_and_reverses(db):
    entry = confirmed.record_interest(officer(), value_date=PAST, usd_amount="123.45", note="Q2 2018")
    db.session.commit()
    assert pool("UNEARMARKED").interest == D("123.45")
    assert pool("UNEARMARKED").available == D("123.45")
    confirmed.reverse_interest(officer(), entry, "Interest belonged to another fund")
    db.session.commit()
    assert pool("UNEARMARKED").interest == D("0.00") and pool("UNEARMARKED").available == D("0.00")
    with pytest.raises(DomainError, match="already been reversed"):
        confirmed.reverse_interest(officer(), entry, "again")


def test_transfer_moves_only_available_money(db):
    c = commitment("USD", "10000.00", objective_number=1)
    deposit(c, D("10000.00"))
    obj1, obj2 = pool("OBJ1"), pool("OBJ2")
    with pytest.raises(DomainError) as refused:
        confirmed.transfer(admin(), obj1, obj2, "9900.01", "Surplus", PAST)
    assert refused.value.field == "usd_amount" and "USD\u00a09,900.00" in refused.value.message
    db.session.rollback()
    confirmed.transfer(admin(), obj1.id, obj2.id, "9900.00", "Surplus of Objective 1 to Objective 2", PAST)
    db.session.commit()
    assert pool("OBJ1").available == 0 and pool("OBJ1").transfers_out == D("9900.00")
    assert pool("OBJ2").available == D("9900.00") and pool("OBJ2").transfers_in == D("9900.00")
    with pytest.raises(DomainError, match="different pools"):
        confirmed.transfer(admin(), obj2, obj2, "1.00", "x", PAST)
    with pytest.raises(DomainError) as refused:
        confirmed.transfer(admin(), obj1, obj2, "1.00", " ", PAST)
    assert refused.value.field == "reason"


def test_instalments_may_not_exceed_the_commitment(db):
    before = counts()
    with pytest.raises(DomainError) as refused:
        services.record_commitment(officer(), sweden(), currency="SEK", amount="1000.00", objective_id=None,
                                   committed_on=PAST, instalments=[(dt.date(2018, 6, 1), "600.00"),
                                                                   (dt.date(2018, 7, 1), "400.01")])
    assert refused.value.field == "instalments" and "SEK" in refused.value.message  # the total: the list
    db.session.rollback()
    assert counts() == before
    c = commitment("SEK", "1000.00", instalments=[(dt.date(2018, 6, 1), "600.00"),
                                                  (dt.date(2018, 7, 1), "400.00")], committed_on=PAST)
    assert [i.amount for i in c.instalments] == [D("600.00"), D("400.00")]


def test_overdue_when_cumulative_deposits_fall_behind(db):
    c = commitment("USD", "1000.00", committed_on=dt.date(2017, 4, 20),
                   instalments=[(dt.date(2017, 5, 1), "300.00"), (dt.date(2017, 6, 1), "300.00"),
                                (dt.date(2099, 1, 1), "400.00")])
    deposit(c, D("300.00"), value_date=dt.date(2017, 5, 1))
    rows = db.session.scalars(sa.select(Instalment).order_by(Instalment.due_on)).all()
    late = overdue_instalments(rows, D("300.00"), dt.date(2018, 1, 1))
    assert [i.due_on for i in late] == [dt.date(2017, 6, 1)]
    assert overdue_instalments(rows, D("600.00"), dt.date(2018, 1, 1)) == []
    # Not overdue on its due date itself.
    assert overdue_instalments(rows, D("300.00"), dt.date(2017, 6, 1)) == []


def test_reference_is_unique(db):
    commitment("USD", "10.00", reference="SE-2018-1")
    with pytest.raises(DomainError) as refused:
        services.record_commitment(officer(), sweden(), currency="USD", amount="10.00", objective_id=None,
                                   committed_on=PAST, reference="se-2018-1")
    assert refused.value.field == "reference"


def test_new_objective_gets_its_pool(db):
    o = services.save_objective(admin(), None, number=4, title="Follow-up and review", description="")
    db.session.commit()
    assert db.session.scalar(sa.select(Pool.code).where(Pool.objective_id == o.id)) == "OBJ4"
    with pytest.raises(DomainError) as refused:
        services.save_objective(admin(), None, number=4, title="Again")
    assert refused.value.field == "number"
    db.session.rollback()
    services.save_objective(admin(), o, number=5, title="Follow-up", active=False)
    db.session.commit()
    assert db.session.scalar(sa.select(Pool.code).where(Pool.objective_id == o.id)) == "OBJ5"
    with pytest.raises(DomainError) as refused:
        services.record_commitment(officer(), sweden(), currency="USD", amount="10.00",
                                   objective_id=o.id, committed_on=PAST)
    assert refused.value.field == "objective_id"


def test_set_rate_refuses_usd_and_replaces_a_months_rate(db):
    with pytest.raises(DomainError) as refused:
        confirmed.set_rate(officer(), "USD", PAST, "1")
    assert refused.value.field == "currency"
    confirmed.set_rate(officer(), "EUR", dt.date(2018, 5, 17), "0.85")
    confirmed.set_rate(officer(), "EUR", dt.date(2018, 5, 1), "0.86")
    db.session.commit()
    assert services.rate_for("EUR", dt.date(2018, 5, 31)) == D("0.86")
    assert services.rate_for("EUR", dt.date(2018, 6, 1)) is None
    assert services.rate_for("USD", dt.date(2030, 1, 1)) == D("1")
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["exchange_rate.create", "exchange_rate.update"]
    assert objective(1) is not None

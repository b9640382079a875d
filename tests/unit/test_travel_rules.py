"""The travel rules as pure functions: eligibility on a date, DSA, totals, queue order."""
import datetime as dt
from decimal import Decimal

from trustfund.travel import rules

D = dt.date
GQ = [(D(1982, 1, 1), D(2017, 6, 4))]
VU = [(D(1985, 1, 1), D(2020, 12, 4))]


def test_an_ldc_period_ends_on_the_graduation_day():
    assert rules.ldc_on(GQ, D(2017, 6, 3))
    assert not rules.ldc_on(GQ, D(2017, 6, 4))
    assert not rules.ldc_on(GQ, D(1981, 12, 31))
    assert rules.ldc_on([(D(1971, 11, 18), None)], D(2030, 1, 1))


def test_eligibility_is_judged_on_the_date_given():
    assert rules.eligibility(True, GQ, D(2017, 5, 8)) == rules.Eligibility(eligible=True, ldc=True)
    assert rules.eligibility(True, GQ, D(2017, 10, 2)) == rules.Eligibility(eligible=True, ldc=False)
    assert rules.eligibility(False, [], D(2017, 5, 8)) == rules.Eligibility(eligible=False, ldc=False)
    # An LDC is eligible even if its developing flag were wrongly unset.
    assert rules.eligibility(False, VU, D(2017, 12, 4)).eligible


def test_default_dsa_days_are_event_days_plus_one_within_the_trip():
    start, end = D(2017, 5, 8), D(2017, 5, 9)
    assert rules.event_days(start, end) == 2
    assert rules.default_dsa_days(start, end) == 3
    assert rules.default_dsa_days(start, end, D(2017, 5, 7), D(2017, 5, 10)) == 3
    assert rules.default_dsa_days(start, end, D(2017, 5, 8), D(2017, 5, 9)) == 2
    assert rules.default_dsa_days(start, end, D(2017, 5, 1), D(2017, 5, 16)) == 3


def test_dsa_is_days_times_rate_exactly():
    assert rules.dsa_amount(3, Decimal("397.33")) == Decimal("1191.99")
    assert rules.dsa_amount(0, Decimal("400.00")) == Decimal("0.00")


def test_figures_and_which_changes_need_a_reason():
    plain = rules.grant_figures(airfare=Decimal("1850.10"), dsa_days=3, default_days=3,
                                dsa_rate=Decimal("400.00"), terminal_setting=Decimal("100"))
    assert (plain.dsa_amount, plain.terminal_expenses, plain.total) == (
        Decimal("1200.00"), Decimal("100.00"), Decimal("3150.10"))
    assert not plain.needs_reason
    same = rules.grant_figures(airfare=Decimal("1850.10"), dsa_days=3, default_days=3,
                               dsa_rate=Decimal("400.00"), terminal_setting=Decimal("100"),
                               dsa_override=Decimal("1200.00"), total_override=Decimal("3150.10"))
    assert not same.needs_reason
    changed = rules.grant_figures(airfare=Decimal("1850.10"), dsa_days=4, default_days=3,
                                  dsa_rate=Decimal("400.00"), terminal_setting=Decimal("100"),
                                  terminal_override=Decimal("0.00"))
    assert changed.overridden == ("dsa_days", "terminal_expenses")
    assert changed.total == Decimal("3450.10")
    total = rules.grant_figures(airfare=Decimal("1000.00"), dsa_days=3, default_days=3,
                                dsa_rate=Decimal("400.00"), terminal_setting=Decimal("100"),
                                total_override=Decimal("2000.00"))
    assert total.overridden == ("total",) and total.total == Decimal("2000.00")
    assert total.computed_total == Decimal("2300.00")


def test_travel_dates_must_overlap_the_event_within_a_week():
    start, end = D(2017, 5, 8), D(2017, 5, 9)
    assert rules.travel_date_problems(start, end, D(2017, 5, 7), D(2017, 5, 10)) == {}
    assert rules.travel_date_problems(start, end, D(2017, 5, 10), D(2017, 5, 7)) == {"travel_to": "order"}
    assert rules.travel_date_problems(start, end, D(2017, 4, 30), D(2017, 5, 10)) == {
        "travel_from": "too_early"}
    assert rules.travel_date_problems(start, end, D(2017, 5, 1), D(2017, 5, 10)) == {}
    assert rules.travel_date_problems(start, end, D(2017, 5, 10), D(2017, 5, 11)) == {
        "travel_from": "too_late_start"}
    assert rules.travel_date_problems(start, end, D(2017, 5, 1), D(2017, 5, 7)) == {
        "travel_to": "too_early_end"}
    assert rules.travel_date_problems(start, end, D(2017, 5, 7), D(2017, 5, 17)) == {"travel_to": "too_late"}


def test_queue_puts_ldc_requests_first_then_by_time():
    t = dt.datetime(2017, 4, 1, 9)
    requests = [(1, False, t), (2, True, t + dt.timedelta(hours=2)), (3, False, t - dt.timedelta(hours=1)),
                (4, True, t + dt.timedelta(hours=1)), (5, True, t + dt.timedelta(hours=1))]
    ordered = sorted(requests, key=lambda r: rules.queue_key(r[1], r[2], r[0]))
    assert [r[0] for r in ordered] == [4, 5, 2, 3, 1]


def test_reconciliation_returns_the_difference():
    assert rules.reconciliation_deltas(Decimal("3150.10"), Decimal("3095.40")) == {
        "committed": Decimal("-3150.10"), "spent": Decimal("3095.40"), "available": Decimal("54.70")}
    assert rules.reconciliation_deltas(Decimal("100.00"), Decimal("130.00"))["available"] == Decimal("-30.00")

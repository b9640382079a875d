"""The donor portal's figures: instalments outstanding and overdue, balance."""
import datetime as dt

from tests.factories import statements as data
from tests.factories.statements import D
from trustfund.statements.portal import overview


def test_deposits_cover_instalments_in_due_order_and_late_ones_are_overdue(db):
    donor = data.donor()
    c = data.commitment(donor, "900.00", "EUR", instalments=[
        (dt.date(2017, 6, 30), "300.00"), (dt.date(2017, 12, 31), "300.00"),
        (dt.date(2018, 6, 30), "300.00")])
    data.deposit(c, "450.00", rate="0.9", value_date=dt.date(2017, 6, 1))
    db.session.commit()

    view = overview(donor, on=dt.date(2018, 1, 15))
    lines = [(line.instalment.due_on, line.covered, line.outstanding, line.overdue)
             for line in view.instalments]
    # 450 pays the first instalment and half the second; the third is not yet due.
    assert lines == [
        (dt.date(2017, 12, 31), D("150.000"), D("150.000"), True),
        (dt.date(2018, 6, 30), D("0.000"), D("300.000"), False),
    ]
    assert [line.cumulative_due for line in view.instalments] == [D("600.000"), D("900.000")]
    assert len(view.overdue) == 1
    # On the due date itself it is not yet overdue.
    assert not overview(donor, on=dt.date(2017, 12, 31)).overdue


def test_a_fully_paid_schedule_leaves_nothing_outstanding(db):
    donor = data.donor()
    c = data.commitment(donor, "200.00", instalments=[(dt.date(2017, 5, 1), "100.00"),
                                                      (dt.date(2017, 6, 1), "100.00")])
    data.deposit(c, "200.00", value_date=dt.date(2017, 7, 1))
    db.session.commit()
    view = overview(donor, on=dt.date(2018, 1, 1))
    assert view.instalments == []
    assert (view.net_deposits, view.share_of_spending, view.balance) == (D("198.00"), D("0.00"), D("198.00"))

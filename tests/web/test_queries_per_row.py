"""Pages whose SQL statements grew with their rows (one query a row: a colleague's
crawl of every page at two scales of the demo). The closing page sent 10,718
statements on the scale-100 demo (3.8 s): each outstanding commitment's donor, one
exchange rate per donor's part of each pool, and every deposit of the fund read once
per pool; a commitment's page one per deposit (its reversal: 1,993 statements for the
largest); the users page and its download one per donor account; the deposits list
one per waiting reversal; the travel queue one per waiting correction of costs. Each
page here sends as many statements for thirty rows as for three."""
from __future__ import annotations

import datetime as dt

from tests.factories import base_users, make_user
from tests.factories import statements as data
from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.sql_log import first_view_statements
from trustfund.contributions import reversal_changes
from trustfund.contributions.confirmed import reverse_deposit
from trustfund.extensions import db
from trustfund.travel import corrections
from trustfund.travel.decisions import approve_grant
from trustfund.travel.reconcile import record_travel


def _counts(client, login_as, roles, paths) -> dict:
    counts = {}
    for role in roles:
        login_as(role)
        for path in paths:
            counts[(role, path)] = first_view_statements(client, path)
    return counts


def _same_for_more_rows(client, login_as, add_rows, roles, paths) -> None:
    add_rows(3)
    before = _counts(client, login_as, roles, paths)
    add_rows(27)
    after = _counts(client, login_as, roles, paths)
    assert after == before, {key: (before[key], after[key]) for key in before if after[key] != before[key]}


def _half_paid_eur_donors(n: int) -> None:
    for _ in range(n):
        commitment = data.commitment(data.donor(), "2000.00", "EUR")
        data.deposit(commitment, "1000.00", rate="0.9", value_date=dt.date(2017, 5, 2))
    db.session.commit()


def test_the_closing_page(app, db, client, login_as):
    _same_for_more_rows(client, login_as, _half_paid_eur_donors,
                        ("admin", "mptf_officer", "srsg_staff", "auditor"), ["/fund/closing"])


def test_a_commitments_page_with_its_deposits_and_reversals(app, db, client, login_as):
    commitment = data.commitment(data.donor(), "9000000.00", "USD")
    made = []

    def deposits(n: int) -> None:
        for _ in range(n):
            day = dt.date(2017, 5, 1) + dt.timedelta(days=len(made))
            made.append(data.deposit(commitment, "1000.00", value_date=day))
            if len(made) % 3 == 0:
                reverse_deposit(base_users()["mptf_officer"], made[-1], "Entered on the wrong commitment")
        db.session.commit()

    _same_for_more_rows(client, login_as, deposits, ("mptf_officer", "auditor"),
                        [f"/contributions/commitments/{commitment.id}"])


def test_the_users_page_and_its_download(app, db, client, login_as):
    made = []

    def donor_accounts(n: int) -> None:
        for _ in range(n):
            made.append(make_user("donor", f"donor-user-{len(made)}@example.org", donor_id=data.donor().id))

    _same_for_more_rows(client, login_as, donor_accounts, ("admin", "auditor"),
                        ["/admin/users", "/admin/users?format=xlsx"])


def test_the_deposits_list_with_reversals_waiting(app, db, client, login_as):
    def waiting_reversals(n: int) -> None:
        officer = base_users()["mptf_officer"]
        for _ in range(n):
            deposit = data.deposit(data.commitment(data.donor(), "9000.00", "USD"), "1000.00",
                                   value_date=dt.date(2017, 5, 2))
            reversal_changes.propose(officer, deposit, "Entered on the wrong commitment")
        db.session.commit()

    _same_for_more_rows(client, login_as, waiting_reversals, ("mptf_officer", "auditor", "admin"),
                        ["/contributions/deposits"])


def test_the_travel_queue_with_corrections_waiting(app, db, client, login_as):
    fund_pool(1, "1000000.00")
    event = make_event(cap=50)
    users = base_users()
    made = []

    def waiting_corrections(n: int) -> None:
        for _ in range(n):
            grant = make_request(event, "SN", f"Delegate {len(made)}", airfare="1000.00")
            approve_grant(srsg2(), grant)
            record_travel(users["srsg_staff"], grant, ticket="900.00", dsa="1000.00", terminal="0")
            corrections.propose(users["srsg_staff"], grant, ticket="950.00", dsa="1000.00", terminal="0",
                                reason="The airline's invoice")
            made.append(grant)
        db.session.commit()

    _same_for_more_rows(client, login_as, waiting_corrections, ("srsg_staff", "auditor"), ["/travel/queue"])

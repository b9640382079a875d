"""The staff dashboards' first view after a change (issue 9): every figure is summed
afresh in a few statements, and each set of figures (the MPTF officer's
contributions, the SRSG staff's pools and travel) is summed once per data version
and shared by every role that shows it."""

import pytest

from tests.factories import statements as data
from tests.sql_log import get_logged
from trustfund import cache
from trustfund.dashboard import services, travel_figures

# The figures and the page in 15, and one statement for what waits for the reader to
# answer (trustfund/waiting.py: every kind of change their role answers, counted at once).
BUDGET = 16


def _view(client):
    html, statements = get_logged(client, "/dashboard/")
    return html, [" ".join(s.split()).lower() for s in statements]


def _reads(statements, table):
    return [s for s in statements if f"from {table} " in s + " " or f"join {table} " in s]


def _usd(amount) -> str:
    return f"{amount:,.2f}"


@pytest.mark.parametrize("role", ["mptf_officer", "admin", "auditor", "srsg_staff"])
def test_the_first_view_after_a_change_stays_within_the_statement_budget(cached, db, client,
                                                                         login_as, role):
    data.two_donor_fund()
    db.session.commit()
    login_as(role)
    client.get("/dashboard/")  # the session and translations are loaded
    cache.clear()
    _page, statements = _view(client)
    assert len(statements) <= BUDGET, statements


def test_the_admin_shares_the_figures_the_officer_and_the_srsg_staff_summed(cached, db, client,
                                                                           login_as):
    data.two_donor_fund()
    db.session.commit()
    deposited = services.contribution_figures().total.deposited
    available = travel_figures.travel_figures().available

    login_as("mptf_officer")
    page, statements = _view(client)
    assert _usd(deposited) in page
    assert _reads(statements, "commitment") and not _reads(statements, "travel_grant")
    login_as("srsg_staff")
    page, statements = _view(client)
    assert _usd(available) in page
    assert _reads(statements, "travel_grant") and not _reads(statements, "commitment")

    # The admin's first view sums neither again: only its own block (the audit trail).
    login_as("admin")
    page, statements = _view(client)
    assert _usd(deposited) in page and _usd(available) in page
    assert not _reads(statements, "commitment") and not _reads(statements, "travel_grant")
    assert not _reads(statements, "pledge") and not _reads(statements, "instalment")


def test_after_a_deposit_the_shared_figures_are_summed_afresh_for_every_role(cached, db, client,
                                                                            login_as):
    data.two_donor_fund()
    db.session.commit()
    login_as("mptf_officer")
    before = services.contribution_figures().total.deposited
    page, _ = _view(client)
    assert _usd(before) in page

    data.recorded_deposit("SE-2017-OBJ1", "1234.56", bank_reference="FIRST-VIEW-1")
    after = services.contribution_figures().total.deposited
    assert after == before + data.D("1234.56")

    login_as("auditor")
    page, statements = _view(client)
    assert _usd(after) in page and _usd(before) not in page
    assert _reads(statements, "commitment")

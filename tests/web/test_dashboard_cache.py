"""The staff dashboards keep their figures per worker (trustfund.cache) while the
data is unchanged, and a financial change shows at once."""

import pytest

from tests.factories import statements as data
from tests.sql_log import get_counted, untimed
from trustfund.dashboard import services


def _statements(path, client):
    return get_counted(client, path)


def _usd(amount) -> str:
    return f"{amount:,.2f}"


@pytest.mark.parametrize("role", ["mptf_officer", "admin"])
def test_a_new_deposit_changes_the_dashboard_at_once(cached, db, client, login_as, role):
    data.two_donor_fund()
    db.session.commit()
    login_as(role)
    before = services.contribution_figures().total.deposited
    first, _ = _statements("/dashboard/", client)
    again, _ = _statements("/dashboard/", client)
    assert _usd(before) in first and untimed(again) == untimed(first)

    data.recorded_deposit("SE-2017-OBJ1", "4321.09", bank_reference="NEW-1")

    after = services.contribution_figures().total.deposited
    assert after == before + data.D("4321.09")
    page, _ = _statements("/dashboard/", client)
    assert _usd(after) in page and _usd(before) not in page


def test_unchanged_data_is_not_summed_again(cached, db, client, login_as):
    data.two_donor_fund()
    db.session.commit()
    login_as("auditor")
    _, cold = _statements("/dashboard/", client)
    page, warm = _statements("/dashboard/", client)
    assert warm < cold
    assert _usd(services.contribution_figures().total.deposited) in page


def _truth(app, compute):
    """compute() with nothing kept: the figures as the data is now."""
    app.config["FIGURE_CACHE"] = False
    try:
        return compute()
    finally:
        app.config["FIGURE_CACHE"] = True


@pytest.mark.parametrize("role, path", [("donor", "/statements/portal"),
                                        ("mptf_officer", "/statements/{id}"),
                                        ("donor", "/statements/{id}")])
def test_a_new_deposit_changes_the_donor_balance_at_once(app, cached, db, client, login_as,
                                                         role, path):
    from trustfund.statements.portal import overview

    sweden, _evil = data.two_donor_fund()
    db.session.commit()
    login_as(role)
    path = path.format(id=sweden.id)
    before = _truth(app, lambda: overview(sweden).balance)
    first, _ = _statements(path, client)
    assert _usd(before) in first

    data.recorded_deposit("SE-2017-OBJ1", "4321.09", bank_reference="NEW-2")

    after = _truth(app, lambda: overview(sweden).balance)
    assert after != before
    page, _ = _statements(path, client)
    assert _usd(after) in page

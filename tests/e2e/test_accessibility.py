"""axe-core in Chromium finds no serious or critical violation on the login page and
on every page each role can open: each dashboard, each list, each form, each
object's page and the statement.

The pages are found from the app's URL map (a page added later joins the walk);
URL arguments are filled with a row of the demo data, so object pages are seen with
real content. Downloads and JSON endpoints are left out.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.e2e.browser import axe_violations, login

pytestmark = pytest.mark.e2e

ROLES = ["mptf_officer", "srsg_staff", "admin", "auditor", "donor"]
NOT_PAGES = ("static", "main.favicon", "main.index", "auth.logout", "auth.set_language",
             "contributions.import_template", "contributions.rate_lookup", "contributions.deposit_preview")


def _argument_values(app) -> dict[str, str]:
    """A value for each URL argument, from the demo data."""
    from trustfund.auth.models import User
    from trustfund.contributions.models import (
        Commitment,
        Deposit,
        ExchangeRate,
        InterestEntry,
        Objective,
        Pledge,
    )
    from trustfund.countries.models import LdcPeriod
    from trustfund.donors.models import Donor
    from trustfund.extensions import db
    from trustfund.travel.models import Event, TravelGrant

    def first(column, *where):
        return db.session.scalar(sa.select(column).where(*where).order_by(column).limit(1))

    with app.app_context():
        own = first(Donor.id, Donor.name == "Kingdom of Sweden")
        period = db.session.execute(sa.select(LdcPeriod.id, LdcPeriod.country_code)
                                    .order_by(LdcPeriod.id).limit(1)).first()
        values = {
            "donor_id": own,
            "commitment_id": first(Commitment.id, Commitment.deposited < Commitment.amount),
            "deposit_id": first(Deposit.id, Deposit.reverses_id.is_(None)),
            "pledge_id": first(Pledge.id),
            "rate_id": first(ExchangeRate.id),
            "objective_id": first(Objective.id),
            "entry_id": first(InterestEntry.id),
            "user_id": first(User.id),
            "event_id": first(Event.id),
            "grant_id": first(TravelGrant.id, TravelGrant.status == "approved") or first(TravelGrant.id),
            "period_id": period.id if period else None,
            "code": period.country_code if period else "AF",
            "key": "fee_rate",
        }
    return {name: str(value) for name, value in values.items() if value is not None}


def pages_for(app, role: str) -> list[str]:
    values = _argument_values(app)
    urls = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in NOT_PAGES or "GET" not in rule.methods:
            continue
        allowed = getattr(view, "allowed_roles", None)
        if allowed is not None and role not in allowed:
            continue
        if any(name not in values for name in rule.arguments):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", values[name], url)
        urls.append(url)
    return sorted(set(urls))


def test_login_page(page):
    found = axe_violations(page, ["/login"])
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_each_role(page, live_server, role):
    urls = pages_for(live_server.app, role)
    assert "/dashboard/" in urls or role == "donor"
    login(page, "srsg_staff2" if role == "srsg_staff" else role)
    found = axe_violations(page, urls)
    assert not found, f"{len(found)} serious or critical violation(s):\n" + "\n".join(found)

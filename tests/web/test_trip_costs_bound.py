"""A trip's figures add up to less than one amount can be (money.max_amount: a
spreadsheet keeps 15 significant digits). Each field stopped below USD 10^13 but their
sum did not: three actual costs of USD 9,999,999,999,999.99 were recorded, with an
overrun of USD 29,999,999,996,849.87 awaiting approval and e-mailed, which the grants'
.xlsx showed as …849.90 (a colleague's review). Refused beside the largest figure,
nothing saved: the trip's costs, their correction, and a request's total."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.pages import error_beside, form_token, post_and_confirm
from trustfund.extensions import db
from trustfund.travel.decisions import approve_grant
from trustfund.travel.models import CostCorrection, TravelGrant

NEAR = "9999999999999.99"
SUMMED = ("These amounts add up to USD\u00a019,999,999,999,999.98, more than one amount can be: "
          "check each of them.")


def _travelled_grant():
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "GQ", airfare="1850.10")
    approve_grant(srsg2(), grant)
    db.session.commit()
    return grant


def test_actual_costs_adding_up_past_the_bound_are_refused(client, login_as, users):
    grant = _travelled_grant()
    login_as("srsg_staff")
    page = client.post(f"/travel/grants/{grant.id}/travelled",
                       data={"actual_ticket": NEAR, "actual_dsa": "0", "actual_terminal": NEAR})
    assert page.status_code == 200, page.headers.get("Location")
    assert error_beside(page.get_data(as_text=True), "actual_ticket") == SUMMED
    db.session.expire_all()
    saved = db.session.get(TravelGrant, grant.id)
    assert (saved.status, saved.actual_total, saved.overrun_status) == ("approved", None, None)


def test_a_correction_adding_up_past_the_bound_is_refused(client, login_as, users):
    grant = _travelled_grant()
    login_as("srsg_staff")
    post_and_confirm(client, f"/travel/grants/{grant.id}/travelled",
                     data={"actual_ticket": "1800.00", "actual_dsa": "0", "actual_terminal": "0"})
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "travelled"
    login_as("srsg_staff2")
    page = client.post(f"/travel/grants/{grant.id}/correct",
                       data={"actual_ticket": "0", "actual_dsa": NEAR, "actual_terminal": NEAR,
                             "reason": "The invoice"})
    assert error_beside(page.get_data(as_text=True), "actual_dsa") == SUMMED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CostCorrection)) == 0


def test_a_request_whose_total_passes_the_bound_is_refused(client, login_as, users):
    event = make_event(cap=3)  # four days of DSA at USD 400.00, terminal expenses on top
    login_as("srsg_staff")
    url = "/travel/grants/new"
    page = client.post(url, data={
        "event_id": str(event.id), "delegate_name": "Aminata Diallo", "delegate_function": "",
        "country_code": "SN", "email": "", "phone": "",
        "travel_from": "2017-05-07", "travel_to": "2017-05-10",
        "origin_city": "Dakar", "airfare": NEAR, "dsa_days": "", "dsa_amount": "", "terminal_expenses": "",
        "total": "", "override_reason": "", "action": "save", "form_token": form_token(client, url)})
    assert page.status_code == 200
    assert error_beside(page.get_data(as_text=True), "total") == (
        "These amounts add up to USD\u00a010,000,000,001,299.99, more than one amount can be: "
        "check each of them.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TravelGrant)) == 0

"""A commitment fulfils its pledge only with the pledge's earmarking, as only in its
currency: an un-earmarked commitment "fulfilling" a pledge earmarked to Objective 2
left the pledge reading "Fulfilled", still earmarked, while the money went to the
un-earmarked pool. When the pledge's objective has been retired since, the form says
so at once (it offered "Un-earmarked" in the objective's place, and the browser sent
it). Through the pledge's own "Record the commitment", as an officer would."""
from __future__ import annotations

import html as html_module
import re

import sqlalchemy as sa

from tests.factories.contributions import admin, objective, pledge
from tests.pages import error_beside, form_token
from trustfund.contributions import services
from trustfund.contributions.models import Commitment, Pledge

RETIRED = ("The pledge is earmarked to 2. {title}, which is no longer active, so no commitment can "
           "fulfil it. Record the commitment on its own, with the earmarking of the signed SAA, and "
           "withdraw the pledge with a note saying so.")


def _form_of(client, p) -> tuple[str, str]:
    page = client.get(f"/contributions/pledges/{p.id}").get_data(as_text=True)
    link = re.search(r'<a[^>]*href="([^"]*)"[^>]*>Record the commitment</a>', page)
    assert link, "the pledge's page offers no 'Record the commitment'"
    url = html_module.unescape(link.group(1))
    return url, client.get(url).get_data(as_text=True)


def _post(client, url, p, objective_id: str):
    return client.post(url, data={
        "donor_id": str(p.donor_id), "currency": p.currency, "amount": "500,000.00",
        "committed_on": "2017-06-01", "objective_id": objective_id, "pledge_id": str(p.id),
        "reference": "", "note": "", "form_token": form_token(client, url)})


def _nothing_recorded(db, p) -> None:
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0
    assert db.session.get(Pledge, p.id).fulfilled == 0


def test_a_commitment_earmarked_otherwise_is_refused_beside_the_earmarking(app, db, client, login_as):
    p = pledge("USD", "500000.00", objective_number=2)
    login_as("mptf_officer")
    url, _page = _form_of(client, p)
    refused = _post(client, url, p, objective_id="")  # the officer chose "Un-earmarked"
    assert refused.status_code == 200
    assert error_beside(refused.get_data(as_text=True), "objective_id") == (
        f"The pledge is earmarked to 2. {objective(2).title}: record its commitment with that earmarking. "
        "A commitment earmarked otherwise is recorded on its own, and the pledge withdrawn with a note "
        "saying so.")
    _nothing_recorded(db, p)
    assert _post(client, url, p, objective_id=str(objective(2).id)).status_code == 302
    db.session.expire_all()
    made = db.session.scalar(sa.select(Commitment))
    assert (made.objective_id, made.pledge_id) == (objective(2).id, p.id)
    assert db.session.get(Pledge, p.id).rest == 0


def test_an_un_earmarked_pledge_takes_no_earmarked_commitment(app, db, client, login_as):
    p = pledge("USD", "500000.00")
    login_as("mptf_officer")
    url, _page = _form_of(client, p)
    refused = _post(client, url, p, objective_id=str(objective(1).id))
    assert error_beside(refused.get_data(as_text=True), "objective_id").startswith(
        "The pledge is un-earmarked: record its commitment un-earmarked.")
    _nothing_recorded(db, p)


def test_a_pledge_whose_objective_was_retired_says_so_on_its_form(app, db, client, login_as):
    p = pledge("USD", "500000.00", objective_number=2)
    o2 = objective(2)
    services.save_objective(admin(), o2, number=2, title=o2.title, description=o2.description,
                            active=False, version=o2.version)
    db.session.commit()
    login_as("mptf_officer")
    url, page = _form_of(client, p)
    assert error_beside(page, "objective_id") == RETIRED.format(title=o2.title)
    refused = _post(client, url, p, objective_id="")  # what the browser sends: the first choice
    assert error_beside(refused.get_data(as_text=True), "objective_id") == RETIRED.format(title=o2.title)
    _nothing_recorded(db, p)

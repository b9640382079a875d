"""The fund's first day, before any donor, pledge, deposit or event (a colleague's
review of a new deployment on an empty database): the real fund's end date has
passed, so its operations are closed and no pool holds money; one admin could close
it financially, for ever, before its first donor. The forms that need a donor or an
event say to add one first, and an empty list not filtered says nothing was recorded
yet rather than that nothing matches."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.factories.contributions import donor
from tests.pages import post_and_confirm, text
from trustfund.fund.models import FINANCIALLY_CLOSED, Fund
from trustfund.travel.models import Event


def _main(response) -> str:
    return re.search(r"<main.*?</main>", response.get_data(as_text=True), re.S).group(0)


def _no_donor(db):
    """The database as `setup-fund` and the staff's accounts leave it, no donor at all; its MPTF
    officer."""
    from tests.factories import BASE_USERS, RUNNING_UNTIL, password_hash
    from trustfund import reference
    from trustfund.auth.models import User

    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed([t for t in db.metadata.sorted_tables if t.name != "data_version"]):
            conn.execute(table.delete())
    reference.load_reference_data()
    db.session.scalar(sa.select(Fund)).end_on = RUNNING_UNTIL
    db.session.add_all([User(email=email, name=key, role=role, password_hash=password_hash())
                        for key, (email, role) in BASE_USERS.items() if role != "donor"])
    db.session.commit()
    return db.session.scalar(sa.select(User).where(User.email == BASE_USERS["mptf_officer"][0]))


def _ended(db):
    db.session.scalar(sa.select(Fund)).end_on = dt.date(2018, 12, 31)
    db.session.commit()


def test_a_fund_nothing_was_pledged_or_committed_to_is_not_closed(app, db, client, login_as):
    _ended(db)
    login_as("admin")
    page = text(_main(client.get("/fund/closing")))
    nothing = ("Nothing has been pledged to or committed to the fund yet: it closes once its contributions "
               "have been received, used and settled.")
    assert nothing in page
    answer = post_and_confirm(client, "/fund/closing/close", {"note": ""}, follow_redirects=True)
    assert nothing in text(answer.get_data(as_text=True))
    assert db.session.scalar(sa.select(Fund.status)) != FINANCIALLY_CLOSED
    # The first commitment, written off or deposited and spent, is what a closing settles:
    # the sentence goes once one is recorded.
    data.commitment(data.donor(), "1000.00")
    db.session.commit()
    assert nothing not in text(_main(client.get("/fund/closing")))


@pytest.mark.parametrize("url", ["/contributions/pledges/new", "/contributions/commitments/new"])
def test_the_pledge_and_commitment_forms_say_to_add_a_donor_first(app, db, client, login_as, url):
    login_as(_no_donor(db))
    main = _main(client.get(url))
    assert "No donor has been added yet. Add the donor first" in text(main)
    assert 'href="/donors/new"' in main
    donor()
    db.session.commit()
    assert "No donor has been added yet" not in text(_main(client.get(url)))


def test_the_grant_request_form_says_to_create_an_event_first(app, db, client, login_as):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    login_as("srsg_staff")
    main = _main(client.get("/travel/grants/new"))
    assert "No event has been created yet: a request is for an event. Create the event first" in text(main)
    assert 'href="/travel/events/new"' in main


@pytest.mark.parametrize(("role", "url", "empty", "filtered", "matching"), [
    ("mptf_officer", "/contributions/?kind=pledges", "No pledges yet.", "currency=EUR", "No pledges match."),
    ("mptf_officer", "/contributions/", "No commitments yet.", "currency=EUR", "No commitments match."),
    ("mptf_officer", "/contributions/deposits", "No deposits yet.", "currency=EUR", "No deposits match."),
    ("srsg_staff", "/travel/grants", "No grants yet.", "status=approved", "No grants match."),
])
def test_an_empty_list_says_nothing_is_recorded_yet_unless_a_filter_hides_its_rows(
        app, client, login_as, role, url, empty, filtered, matching):
    login_as(role)
    page = text(_main(client.get(url)))
    assert empty in page and matching not in page
    joined = "&" if "?" in url else "?"
    page = text(_main(client.get(f"{url}{joined}{filtered}")))
    assert matching in page and empty not in page


def test_the_donors_list_says_no_donor_yet_on_an_empty_fund(app, db, client, login_as):
    login_as(_no_donor(db))
    assert "No donors yet." in text(_main(client.get("/donors/")))
    assert "No donors match." in text(_main(client.get("/donors/?q=Atlantis")))


def test_issuing_statements_with_no_donor_says_there_is_none_to_issue(app, db, client, login_as):
    from tests.pages import error_beside, form_token

    login_as(_no_donor(db))
    page = client.get("/statements/issue")
    assert page.status_code == 200
    answer = client.post("/statements/issue", data={
        "from": "2018-01-01", "to": "2018-12-31", "form_token": form_token(client, "/statements/issue")})
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "donors") == \
        "No donor has been added yet: there is no statement to issue."

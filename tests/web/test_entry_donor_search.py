"""The pledge, commitment and user forms with more donors than a select can list
(5,000 at a hundred times the fund's size; trustfund/donors/choices.py): the form
offers the donor chosen from its page and the donors found by a search of their
names, and records the entry as with few donors."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories.contributions import commitment_form, counts, donor, sweden
from tests.pages import error_beside, post_entry
from tests.sql_log import get_counted
from trustfund.auth.models import User
from trustfund.contributions.models import Commitment, Pledge
from trustfund.donors.models import Donor

FORMS = ["/contributions/commitments/new", "/contributions/pledges/new"]


@pytest.fixture
def many_donors(app):
    app.config["DONOR_FILTER_SELECT_MAX"] = 3
    sweden()
    for name, country in (("Kingdom of Norway", "NO"), ("Republic of Korea", "KR"),
                          ("Grand Duchy of Luxembourg", "LU"), ("Fondation 100% Migration_Test", "MC")):
        donor(name, country=country)
    yield
    app.config.pop("DONOR_FILTER_SELECT_MAX")


def _options(page: str) -> list[str]:
    select = re.search(r'<select[^>]*name="donor_id"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    return [re.sub(r"\s+", " ", o).strip() for o in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def _selected(page: str) -> str | None:
    select = re.search(r'<select[^>]*name="donor_id"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    match = re.search(r"<option selected[^>]*>([^<]*)</option>", select)
    return match.group(1) if match else None


@pytest.mark.parametrize("path", FORMS)
def test_with_few_donors_the_select_lists_them_all(app, db, client, login_as, path):
    login_as("mptf_officer")
    sweden()
    donor("Kingdom of Norway", country="NO")
    page = client.get(path).get_data(as_text=True)
    assert 'id="donor-name-search"' not in page
    names = [o.split(" (")[0] for o in _options(page)[1:]]
    assert ("Kingdom of Norway" in names and "Kingdom of Sweden" in names
            and names == sorted(names, key=str.lower))


@pytest.mark.parametrize("path", FORMS)
def test_with_many_donors_the_form_asks_for_a_name_first(app, db, client, login_as, many_donors, path):
    login_as("mptf_officer")
    page = client.get(path).get_data(as_text=True)
    assert 'id="donor-name-search"' in page
    assert "too many donors to list them all" in page
    assert _options(page) == ["—"]


@pytest.mark.parametrize("path", FORMS)
def test_the_search_lists_the_donors_whose_name_holds_the_text(app, db, client, login_as, many_donors,
                                                               path):
    login_as("mptf_officer")
    page = client.get(f"{path}?donor_name=kingdom").get_data(as_text=True)
    assert _options(page) == ["—", "Kingdom of Norway (Signed)", "Kingdom of Sweden (Signed)"]
    assert "2 donors found: choose one in the form below." in page and _selected(page) == "—"
    # % and _ are taken literally; one donor found is chosen.
    page = client.get(f"{path}?donor_name=100%25+Migration_").get_data(as_text=True)
    assert _options(page) == ["—", "Fondation 100% Migration_Test (Signed)"]
    assert _selected(page) == "Fondation 100% Migration_Test (Signed)"
    assert "1 donor found: choose it in the form below." in page
    page = client.get(f"{path}?donor_name=Atlantis").get_data(as_text=True)
    assert _options(page) == ["—"] and "No donor’s name holds “Atlantis”." in page
    page = client.get(f"{path}?donor_name=o").get_data(as_text=True)
    assert len(_options(page)) == 1 + 3 and "More than 3 donors’ names hold “o”" in page


@pytest.mark.parametrize("path", FORMS)
def test_the_donor_chosen_from_its_page_is_offered_and_chosen(app, db, client, login_as, many_donors, path):
    login_as("mptf_officer")
    page, statements = get_counted(client, f"{path}?donor={sweden().id}")
    assert _options(page) == ["—", "Kingdom of Sweden (Signed)"]
    assert _selected(page) == "Kingdom of Sweden (Signed)"
    assert statements <= 8


def test_a_commitment_is_recorded_for_a_donor_found_by_name(app, db, client, login_as, many_donors):
    login_as("mptf_officer")
    before = counts()
    response = post_entry(client, "/contributions/commitments/new?donor_name=kingdom",
                          commitment_form(sweden().id, reference="SE-FOUND"))
    assert response.status_code == 302
    commitment = db.session.scalar(sa.select(Commitment).where(Commitment.reference == "SE-FOUND"))
    assert commitment.donor_id == sweden().id and counts() != before


def test_a_pledge_is_recorded_for_the_posted_donor_whatever_was_searched(app, db, client, login_as,
                                                                         many_donors):
    login_as("mptf_officer")
    response = post_entry(client, "/contributions/pledges/new?donor_name=Korea", {
        "donor_id": str(sweden().id), "currency": "USD", "amount": "250000.00", "objective_id": "",
        "pledged_on": "2018-05-02", "note": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    pledge = db.session.scalar(sa.select(Pledge))
    assert pledge.donor_id == sweden().id


def test_an_unknown_donor_is_refused_beside_the_field(app, db, client, login_as, many_donors):
    login_as("mptf_officer")
    before = counts()
    response = post_entry(client, "/contributions/commitments/new", commitment_form(987654))
    assert response.status_code == 200
    assert error_beside(response.get_data(as_text=True), "donor_id")
    assert counts() == before


def test_the_chosen_donor_stays_offered_beside_a_long_search(app, db, client, login_as, many_donors):
    login_as("mptf_officer")
    page = client.get(
        f"/contributions/commitments/new?donor_name=o&donor={sweden().id}").get_data(as_text=True)
    options = _options(page)
    assert "Kingdom of Sweden (Signed)" in options and len(options) == 1 + 3 + 1
    assert _selected(page) == "Kingdom of Sweden (Signed)"
    assert options[1:4] == sorted(options[1:4], key=str.lower)


# --- the same choice in the admin's user form (a donor user's donor) -------------


def test_the_user_form_searches_donors_and_keeps_the_edited_users_donor(app, db, client, login_as,
                                                                        many_donors, users):
    login_as("admin")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'id="donor-name-search"' in page and _options(page) == ["—"]
    page = client.get("/admin/users/new?donor_name=korea").get_data(as_text=True)
    assert _options(page) == ["—", "Republic of Korea"] and _selected(page) == "Republic of Korea"
    donor_user = users["donor"]
    page = client.get(f"/admin/users/{donor_user.id}").get_data(as_text=True)
    own = db.session.get(Donor, donor_user.donor_id).name
    assert _options(page) == ["—", own] and _selected(page) == own
    korea = db.session.scalar(sa.select(Donor.id).where(Donor.name == "Republic of Korea"))
    response = client.post("/admin/users/new?donor_name=korea", data={
        "email": "seoul@example.org", "name": "Seoul", "role": "donor", "donor_id": str(korea),
        "active": "y", "password": "a long enough password"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(User.donor_id).where(User.email == "seoul@example.org")) == korea


def test_a_search_from_a_donors_page_keeps_that_donor_offered(app, db, client, login_as, many_donors):
    login_as("mptf_officer")
    page = client.get(f"/contributions/commitments/new?donor={sweden().id}").get_data(as_text=True)
    assert f'<input type="hidden" name="donor" value="{sweden().id}">' in page  # the search keeps it
    page = client.get(f"/contributions/commitments/new?donor={sweden().id}&donor_name=korea").get_data(
        as_text=True)
    assert _options(page) == ["—", "Kingdom of Sweden (Signed)", "Republic of Korea (Signed)"]
    assert _selected(page) == "Republic of Korea (Signed)"  # the one found is the one meant

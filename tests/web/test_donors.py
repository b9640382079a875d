"""Donor pages as the MPTF officer and the other roles use them."""
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from babel import dates as babel_dates
from openpyxl import load_workbook

from tests.factories import make_user
from trustfund.donors.models import Donor, SaaStatusChange
from trustfund.donors.services import change_saa_status, create_donor

FORMULA_NAME = '=HYPERLINK("http://x","y")'


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def donor_named(db, name):
    return db.session.scalar(sa.select(Donor).where(Donor.name == name))


def errors_beside(html: str, field_id: str) -> str:
    """The text of the error block the form shows under a field."""
    match = re.search(rf'<div class="invalid-feedback d-block" id="{field_id}-errors">(.*?)</div>\s*</div>',
                      html, re.DOTALL)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def hidden_version(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)


def new_donor(**data):
    form = {"name": "", "donor_type": "", "country_code": "", "contact_name": "", "contact_email": ""}
    form.update(data)
    return form


@pytest.fixture
def officer(client, login_as):
    return login_as("mptf_officer")


@pytest.fixture
def osf(db, users):
    donor = create_donor(users["mptf_officer"], name="Open Society Foundations",
                         donor_type="philanthropic_organization", country_code="US",
                         contact_name="Grants desk", contact_email="grants@example.org")
    db.session.commit()
    return donor


@pytest.mark.parametrize("donor_type,country,name", [
    ("member_state", "CH", "Swiss Confederation"),
    ("regional_legislative_body", "MT", "Parliamentary Assembly of the Mediterranean"),
    ("intergovernmental_organization", "", "Organization of Islamic Cooperation"),
    ("philanthropic_organization", "US", "MacArthur Foundation"),
])
def test_officer_adds_each_type_of_donor(client, db, officer, donor_type, country, name):
    response = client.post("/donors/new", data=new_donor(
        name=name, donor_type=donor_type, country_code=country, contact_name="Desk officer",
        contact_email="desk@example.org"))
    assert response.status_code == 302
    donor = donor_named(db, name)
    assert donor.donor_type == donor_type and (donor.country_code or "") == country
    assert donor.saa_status == "not_started"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert name in page and "desk@example.org" in page and "Not started" in page


def test_member_state_without_country_is_refused_beside_the_country(client, db, officer):
    before = count(db, Donor)
    response = client.post("/donors/new", data=new_donor(name="Republic of Nowhere",
                                                         donor_type="member_state"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "must name its country" in errors_beside(html, "country_code")
    assert 'value="Republic of Nowhere"' in html  # what was typed is kept
    assert count(db, Donor) == before


def test_duplicate_name_is_refused_beside_the_name(client, db, officer):
    before = count(db, Donor)
    response = client.post("/donors/new", data=new_donor(
        name="KINGDOM OF SWEDEN", donor_type="intergovernmental_organization"))
    assert "already a donor named “Kingdom of Sweden”" in errors_beside(
        response.get_data(as_text=True), "name")
    assert count(db, Donor) == before


def test_bad_email_is_refused_beside_the_email(client, db, officer):
    before = count(db, Donor)
    response = client.post("/donors/new", data=new_donor(
        name="Ford Foundation", donor_type="philanthropic_organization", contact_email="ford@"))
    assert "valid email" in errors_beside(response.get_data(as_text=True), "contact_email")
    assert count(db, Donor) == before


def test_country_choices_are_sorted_by_name(client, officer):
    html = client.get("/donors/new").get_data(as_text=True)
    select = html[html.index('id="country_code"'):]
    select = select[:select.index("</select>")]
    names = re.findall(r'<option value="[A-Z]{2}">([^<]+)</option>', select)
    assert len(names) > 190
    assert names.index("Afghanistan") < names.index("Germany") < names.index("Zimbabwe")


def test_edit_saves_and_audits(client, db, officer, osf):
    form = client.get(f"/donors/{osf.id}/edit").get_data(as_text=True)
    response = client.post(f"/donors/{osf.id}/edit", data=new_donor(
        name="Open Society Foundations", donor_type="philanthropic_organization", country_code="US",
        contact_name="International Migration Initiative", contact_email="imi@example.org",
        version=hidden_version(form)))
    assert response.status_code == 302
    assert db.session.get(Donor, osf.id).contact_email == "imi@example.org"


def test_a_lost_update_is_refused_and_the_first_save_is_kept(app, client, db, officer, osf, login_as):
    other = app.test_client()
    login_as("mptf_officer", other)
    first_form = client.get(f"/donors/{osf.id}/edit").get_data(as_text=True)
    second_form = other.get(f"/donors/{osf.id}/edit").get_data(as_text=True)
    data = {"name": "Open Society Foundations", "donor_type": "philanthropic_organization",
            "country_code": "US"}
    first = client.post(f"/donors/{osf.id}/edit", data=dict(
        data, contact_name="First editor", contact_email="first@example.org",
        version=hidden_version(first_form)))
    assert first.status_code == 302
    second = other.post(f"/donors/{osf.id}/edit", data=dict(
        data, contact_name="Second editor", contact_email="second@example.org",
        version=hidden_version(second_form)))
    assert second.status_code == 200
    assert "Someone else changed this donor" in second.get_data(as_text=True)
    donor = db.session.get(Donor, osf.id)
    assert (donor.contact_name, donor.contact_email) == ("First editor", "first@example.org")


def test_saa_steps_through_the_web_with_history(client, db, officer, osf, users):
    saa = f"/donors/{osf.id}/saa"
    form = client.get(saa).get_data(as_text=True)
    assert client.post(saa, data={"to_status": "draft_shared", "note": "Draft sent by email",
                                  "version": hidden_version(form)}).status_code == 302
    form = client.get(saa).get_data(as_text=True)
    response = client.post(saa, data={
        "to_status": "signed", "signed_on": "2017-06-12", "signatory_donor": "Director, IMI",
        "signatory_mptf": "Executive Coordinator, MPTF Office", "reference": "SAA-MCS00-OSF-2017",
        "note": "Signed electronically", "version": hidden_version(form)})
    assert response.status_code == 302
    donor = db.session.get(Donor, osf.id)
    assert donor.saa_status == "signed" and donor.saa_signed_on == dt.date(2017, 6, 12)
    page = client.get(f"/donors/{osf.id}").get_data(as_text=True)
    history = page[page.index("SAA status history"):]
    # Who and when, from what to what, the note and the signing details.
    assert history.count(users["mptf_officer"].email) == 2
    name = users["mptf_officer"].name
    assert f"SAA status changed by {name} from Draft shared to Signed." in history
    assert f"SAA status changed by {name} from Not started to Draft shared." in history
    assert "Signed electronically" in history and "SAA-MCS00-OSF-2017" in history
    today = dt.datetime.now(dt.UTC)  # shown in UTC, the user's zone (none set)
    # Day, month, year, as the UN writes dates in English ("5 Sept 2026").
    assert babel_dates.format_date(today, "medium", locale="en_001") in history


def test_a_step_not_allowed_is_refused_naming_the_current_status(client, db, officer, osf):
    before = count(db, SaaStatusChange)
    response = client.post(f"/donors/{osf.id}/saa", data={
        "to_status": "signed", "signed_on": "2017-06-12", "signatory_donor": "A",
        "signatory_mptf": "B", "reference": "R", "version": osf.version})
    assert response.status_code == 200
    message = errors_beside(response.get_data(as_text=True), "to_status")
    assert "The SAA is Not started" in message
    assert count(db, SaaStatusChange) == before
    assert db.session.get(Donor, osf.id).saa_status == "not_started"


def test_signing_without_signatories_is_refused(client, db, officer, osf, users):
    change_saa_status(users["mptf_officer"], osf, "draft_shared", note="")
    db.session.commit()
    before = count(db, SaaStatusChange)
    version = db.session.get(Donor, osf.id).version
    response = client.post(f"/donors/{osf.id}/saa", data={
        "to_status": "signed", "signed_on": "2017-06-12", "reference": "SAA-1", "version": version})
    assert response.status_code == 200
    assert "signed for the donor" in errors_beside(response.get_data(as_text=True), "signatory_donor")
    response = client.post(f"/donors/{osf.id}/saa", data={
        "to_status": "signed", "signatory_donor": "A", "signatory_mptf": "B", "reference": "SAA-1",
        "version": version})
    assert "date the SAA was signed" in errors_beside(response.get_data(as_text=True), "signed_on")
    assert count(db, SaaStatusChange) == before
    assert db.session.get(Donor, osf.id).saa_status == "draft_shared"


def test_saa_form_from_an_old_page_is_refused(app, client, db, officer, osf, login_as):
    other = app.test_client()
    login_as("mptf_officer", other)
    version = hidden_version(client.get(f"/donors/{osf.id}/saa").get_data(as_text=True))
    assert other.post(f"/donors/{osf.id}/saa", data={
        "to_status": "draft_shared", "note": "first", "version": version}).status_code == 302
    response = client.post(f"/donors/{osf.id}/saa", data={
        "to_status": "draft_shared", "note": "second", "version": version})
    assert "Someone else changed this donor" in response.get_data(as_text=True)
    assert [c.note for c in db.session.get(Donor, osf.id).saa_history] == ["first"]


def _many_donors(db, users, n=60):
    officer = users["mptf_officer"]
    for i in range(n):
        create_donor(officer, name=f"Foundation {i:03d}", donor_type="philanthropic_organization",
                     country_code="US" if i % 2 else "CH")
    create_donor(officer, name="Red Cross Society Fund", donor_type="philanthropic_organization")
    create_donor(officer, name=FORMULA_NAME, donor_type="intergovernmental_organization")
    db.session.commit()


def first_sheet(client, url):
    response = client.get(url)
    try:
        assert response.status_code == 200, url
        assert response.mimetype.endswith("spreadsheetml.sheet")
        return load_workbook(io.BytesIO(response.data)).worksheets[0]
    finally:
        response.close()  # the export is streamed from a temporary file


def rows_in(html: str) -> list[str]:
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return re.findall(r'<a href="/donors/\d+">([^<]+)</a>', body)


def test_list_searches_filters_and_pages(client, db, users, login_as):
    _many_donors(db, users)
    login_as("srsg_staff")
    page1 = client.get("/donors/?type=philanthropic_organization").get_data(as_text=True)
    assert "61 donors" in page1
    assert len(rows_in(page1)) == 50
    page2 = client.get("/donors/?type=philanthropic_organization&page=2").get_data(as_text=True)
    assert len(rows_in(page2)) == 11
    assert not set(rows_in(page1)) & set(rows_in(page2))
    assert rows_in(client.get("/donors/?q=CROSS").get_data(as_text=True)) == ["Red Cross Society Fund"]
    assert rows_in(client.get("/donors/?q=50%25").get_data(as_text=True)) == []  # % is literal
    swiss = rows_in(client.get("/donors/?country=CH&q=foundation").get_data(as_text=True))
    assert len(swiss) == 30 and "Foundation 000" in swiss and "Foundation 001" not in swiss
    signed = rows_in(client.get("/donors/?saa=signed").get_data(as_text=True))
    assert signed == ["Kingdom of Sweden"]
    # Donors without a signed SAA come last, whichever the direction.
    assert rows_in(client.get("/donors/?sort=signed").get_data(as_text=True))[0] == "Kingdom of Sweden"
    assert rows_in(client.get("/donors/?sort=-signed").get_data(as_text=True))[0] == "Kingdom of Sweden"
    by_name_desc = rows_in(client.get("/donors/?sort=-name&type=philanthropic_organization")
                           .get_data(as_text=True))
    assert by_name_desc[0] == "Red Cross Society Fund" and by_name_desc[1] == "Foundation 059"


def test_export_has_exactly_the_filtered_donors_and_formulas_stay_text(client, db, users, login_as):
    _many_donors(db, users)
    login_as("auditor")
    sheet = first_sheet(client, "/donors/?type=intergovernmental_organization&format=xlsx")
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [FORMULA_NAME]
    assert rows[0][0].data_type == "s"
    sheet = first_sheet(client, "/donors/?country=CH&q=Foundation&format=xlsx")
    names = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert len(names) == 30 and all(n.startswith("Foundation") for n in names)
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:5] == ["Name", "Type", "Country", "SAA status", "SAA signed on"]
    sweden = first_sheet(client, "/donors/?saa=signed&format=xlsx")
    row = [c.value for c in next(iter(sweden.iter_rows(min_row=2)))]
    assert row[:4] == ["Kingdom of Sweden", "Member State", "Sweden", "Signed"]
    assert row[4] == dt.datetime(2017, 4, 20)  # a real date, not text


@pytest.mark.parametrize("role", ["srsg_staff", "auditor", "admin"])
def test_readers_read_but_cannot_change(client, db, login_as, osf, role):
    login_as(role)
    assert client.get("/donors/").status_code == 200
    page = client.get(f"/donors/{osf.id}").get_data(as_text=True)
    assert "Open Society Foundations" in page and "Change SAA status" not in page
    before = (count(db, Donor), count(db, SaaStatusChange))
    assert client.post("/donors/new", data=new_donor(
        name="Sneaky", donor_type="philanthropic_organization")).status_code == 403
    assert client.post(f"/donors/{osf.id}/edit", data=new_donor(
        name="Renamed", donor_type="philanthropic_organization")).status_code == 403
    assert client.post(f"/donors/{osf.id}/saa", data={"to_status": "draft_shared"}).status_code == 403
    assert (count(db, Donor), count(db, SaaStatusChange)) == before
    assert db.session.get(Donor, osf.id).name == "Open Society Foundations"


def test_donor_users_get_403_on_donor_pages(client, db, login_as, osf):
    donor_user = login_as("donor")
    own = donor_user.donor_id
    for url in ["/donors/", f"/donors/{own}", f"/donors/{osf.id}", "/donors/new",
                f"/donors/{own}/edit", f"/donors/{own}/saa", "/donors/?format=xlsx"]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/donors/{own}/edit", data={"name": "x"}).status_code == 403


def test_unknown_donor_is_404(client, officer):
    assert client.get("/donors/99999").status_code == 404
    assert client.get("/donors/99999/edit").status_code == 404
    assert client.post("/donors/99999/saa", data={"to_status": "draft_shared"}).status_code == 404


def test_officer_sees_the_actions_and_inactive_users_cannot(client, db, officer, osf, app):
    page = client.get(f"/donors/{osf.id}").get_data(as_text=True)
    assert f"/donors/{osf.id}/saa" in page and f"/donors/{osf.id}/edit" in page
    gone = make_user("mptf_officer", "gone@test.example", active=False)
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = gone.get_id()
    assert other.get("/donors/").status_code == 302


def test_countries_are_named_and_sorted_in_the_users_language(client, db, officer, osf):
    officer.locale = "fr"
    db.session.commit()
    html = client.get("/donors/new").get_data(as_text=True)
    select = html[html.index('id="country_code"'):]
    names = re.findall(r'<option value="[A-Z]{2}">([^<]+)</option>', select[:select.index("</select>")])
    # Accents do not push a name to the end: Égypte comes between Danemark and Espagne.
    assert names.index("Danemark") < names.index("Égypte") < names.index("Espagne")
    assert "Allemagne" in names
    listing = client.get("/donors/").get_data(as_text=True)
    assert "États-Unis" in listing  # Open Society Foundations' seat, in French
    for url in ["/donors/", f"/donors/{osf.id}", f"/donors/{osf.id}/edit", f"/donors/{osf.id}/saa"]:
        assert client.get(url).status_code == 200, url

"""Countries: the list with localized names and LDC status on a date, its export,
and an admin's audited, version-guarded corrections."""
import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from trustfund.audit import AuditEntry
from trustfund.auth.models import User
from trustfund.countries.models import Country, LdcPeriod
from trustfund.extensions import db


def names_in(html: str) -> list[str]:
    return re.findall(r'<a href="/countries/[A-Z]{2}">([^<]+)</a>', html)


def test_the_list_has_every_state_with_ldc_status_on_a_date(client, login_as, users):
    login_as("srsg_staff")
    html = client.get("/countries/").get_data(as_text=True)
    assert len(names_in(html)) == 195
    may = names_in(client.get("/countries/?ldc_on=2017-05-08&ldc=y").get_data(as_text=True))
    october = names_in(client.get("/countries/?ldc_on=2017-10-02&ldc=y").get_data(as_text=True))
    assert len(may) == 48 and len(october) == 47
    assert "Equatorial Guinea" in may and "Equatorial Guinea" not in october
    assert "Vanuatu" in may and "Vanuatu" in october
    developing = names_in(client.get("/countries/?developing=y").get_data(as_text=True))
    assert "France" not in developing and "Senegal" in developing
    listed = client.get("/countries/?membership=observer").get_data(as_text=True)
    assert names_in(listed) == ["Holy See", "State of Palestine"]
    # Their UN status as the UN calls it, the same in the filter and in the list.
    assert '<option selected value="observer">Non-member observer States</option>' in listed
    assert listed.count("<td>Non-member observer State</td>") == 2 and "Observer State" not in listed


def test_names_follow_the_users_language(client, login_as, users):
    user = login_as("auditor")
    db.session.get(User, user.id).locale = "fr"
    db.session.commit()
    html = client.get("/countries/?q=GQ").get_data(as_text=True)
    assert names_in(html) == ["Guinée équatoriale"]
    # As the UN names them in French, not as the CLDR does ("Territoires palestiniens",
    # "État de la Cité du Vatican", "Congo-Kinshasa", "Tanzanie").
    observers = names_in(client.get("/countries/?membership=observer").get_data(as_text=True))
    assert sorted(observers) == ["Saint-Siège", "État de Palestine"]
    every = names_in(client.get("/countries/").get_data(as_text=True))
    assert {"République démocratique du Congo", "République-Unie de Tanzanie",
            "République démocratique populaire lao"} <= set(every)
    assert not {"Congo-Kinshasa", "Tanzanie", "Laos"} & set(every)


def test_the_export_has_the_pages_rows(client, login_as, users):
    login_as("admin")
    response = client.get("/countries/?ldc_on=2017-05-08&ldc=y&format=xlsx")
    try:
        ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    finally:
        response.close()
    rows = list(ws.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == 48
    gq = dict(zip(header, next(r for r in data if r[0] == "GQ"), strict=True))
    assert gq["LDC on 8 May 2017"] is True and gq["UN Member State"] is True
    assert gq["LDC periods"] == "1982-01-01 – 2017-06-04"


def test_an_admin_corrects_flags_audited_and_a_stale_form_is_refused(client, login_as, users):
    login_as("admin")
    page = client.get("/countries/CV/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"name": "Cabo Verde", "un_member": "y", "developing": "y", "version": version}
    response = client.post("/countries/CV/edit", data=dict(data, developing=""))
    assert response.status_code == 302
    assert db.session.get(Country, "CV").developing is False
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "country.update"))
    assert (entry.object_id, entry.before["developing"], entry.after["developing"]) == ("CV", True, False)
    stale = client.post("/countries/CV/edit", data=data)
    assert "Someone else changed this country" in stale.get_data(as_text=True)
    assert db.session.get(Country, "CV").developing is False
    both = client.post("/countries/CV/edit", data=dict(data, version=str(int(version) + 1), observer="y"))
    assert "either a UN Member State or an observer State" in both.get_data(as_text=True)


def test_an_admin_closes_and_adds_ldc_periods(client, login_as, users):
    import datetime as dt

    login_as("admin")
    version = str(db.session.get(Country, "AF").version)
    period = db.session.scalar(sa.select(LdcPeriod).where(LdcPeriod.country_code == "AF"))
    assert period.end_on is None
    bad = client.post(f"/countries/AF/periods/{period.id}",
                      data={"start_on": "1971-11-18", "end_on": "1960-01-01", "note": "", "version": version})
    assert "The graduation day must be after the day of inclusion." in bad.get_data(as_text=True)
    closed = client.post(f"/countries/AF/periods/{period.id}",
                         data={"start_on": "1971-11-18", "end_on": "2040-01-01",
                               "note": "Graduation (test).", "version": version})
    assert closed.status_code == 302
    afghanistan = db.session.get(Country, "AF")
    assert afghanistan.ldc_on(dt.date(2039, 12, 31)) and not afghanistan.ldc_on(dt.date(2040, 1, 1))
    version = str(afghanistan.version)
    overlap = client.post("/countries/AF/periods/new",
                          data={"start_on": "2000-01-01", "end_on": "", "note": "", "version": version})
    # The other period's first day as every date reads, not as ISO.
    assert "overlaps another LDC period of the country (from 18 Nov 1971)." in \
        overlap.get_data(as_text=True)
    added = client.post("/countries/AF/periods/new",
                        data={"start_on": "2045-01-01", "end_on": "", "note": "Test", "version": version})
    assert added.status_code == 302
    db.session.refresh(afghanistan)
    assert len(afghanistan.ldc_periods) == 2 and afghanistan.version > int(version)
    assert afghanistan.ldc_on(dt.date(2046, 1, 1))
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "country.ldc_period")
                                 .order_by(AuditEntry.id)).all()
    assert entries[0].before["ldc_periods"][0]["end_on"] is None
    assert entries[0].after["ldc_periods"][0]["end_on"] == "2040-01-01"
    assert len(entries[1].before["ldc_periods"]) == 1 and len(entries[1].after["ldc_periods"]) == 2
    # The form built before that change is now stale.
    stale = client.post("/countries/AF/periods/new",
                        data={"start_on": "2060-01-01", "end_on": "", "note": "", "version": version})
    assert "Someone else changed this country" in stale.get_data(as_text=True)


def test_only_admins_change_countries(client, login_as, users):
    for role in ("srsg_staff", "auditor", "mptf_officer"):
        login_as(role)
        assert client.get("/countries/GQ").status_code == 200
        assert client.post("/countries/GQ/edit", data={"name": "X"}).status_code == 403
        assert client.post("/countries/GQ/periods/new", data={}).status_code == 403
    login_as("donor")
    assert client.get("/countries/").status_code == 403
    assert db.session.get(Country, "GQ").name == "Equatorial Guinea"

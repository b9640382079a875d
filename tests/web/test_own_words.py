"""The fund's own words in every language: objectives' titles and events' names entered
per language on their forms, shown in the reader's language wherever they appear,
English where none was entered; downloads in their user's language, the command
line's in English."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import statements as st
from tests.factories.contributions import objective
from trustfund.contributions.models import Objective
from trustfund.travel.models import Event

ARABIC = "السفر والمشاركة"
CHINESE = "旅费和参与"
ENGLISH = "Travel and participation"
EVENT_AR = "الدورة المواضيعية في جنيف"


def speak(db, user, language: str | None):
    user.locale = language
    db.session.commit()


@pytest.fixture
def titled(client, login_as, db, users):
    """Objective 1 given its Arabic and Chinese titles by the admin, on its form."""
    login_as("admin")
    first = objective(1)
    edit = f"/contributions/objectives/{first.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(edit, data={
        "number": "1", "title": first.title, "description": "", "active": "y", "version": version,
        "title_ar": f"  {ARABIC}  ", "title_zh": CHINESE, "title_fr": "", "title_es": "   ", "title_ru": ""})
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.get(Objective, first.id)


def test_the_admin_enters_the_titles_and_only_those_given_are_kept(client, titled, db):
    assert titled.title_translations == {"ar": ARABIC, "zh": CHINESE}
    form = client.get(f"/contributions/objectives/{titled.id}/edit").get_data(as_text=True)
    assert f'value="{ARABIC}"' in form and f'value="{CHINESE}"' in form
    assert 'lang="ar"' in form and 'dir="auto"' in form
    history = client.get("/admin/audit").get_data(as_text=True)
    assert f"The title in other languages: — → Arabic: {ARABIC}; Chinese: {CHINESE}" in history
    assert "title_translations" not in history


@pytest.mark.parametrize("language,expected,absent", [
    ("ar", ARABIC, ENGLISH), ("zh", CHINESE, ENGLISH), ("fr", ENGLISH, ARABIC), (None, ENGLISH, ARABIC)])
def test_every_page_shows_the_title_in_the_readers_language(client, login_as, db, users, titled,
                                                           language, expected, absent):
    donor = st.donor("Earmarking Foundation")
    commitment = st.commitment(donor, "1000.00", objective_number=1, reference="EAR-1")
    st.deposit(commitment, "1000.00")
    db.session.commit()
    reader = login_as("mptf_officer")
    speak(db, reader, language)
    deposit = commitment.deposits[0]
    for url in ("/contributions/objectives", "/contributions/pools", "/dashboard/",
                f"/contributions/commitments/{commitment.id}", f"/contributions/deposits/{deposit.id}",
                f"/statements/{donor.id}", "/contributions/?earmark=1"):
        html = client.get(url).get_data(as_text=True)
        assert expected in html, (language, url)
        assert absent not in html, (language, url)


def test_an_event_is_named_in_the_readers_language(client, login_as, db, users):
    from tests.factories.travel import make_event, make_request

    login_as("srsg_staff")
    event = make_event(title="Thematic session, Geneva")
    make_request(event)
    page = client.get(f"/travel/events/{event.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(f"/travel/events/{event.id}/edit", data={
        "kind": event.kind, "title": event.title, "city": event.city, "venue": event.venue,
        "start_on": event.start_on.isoformat(), "end_on": event.end_on.isoformat(),
        "dsa_rate": f"{event.dsa_rate:.2f}", "max_per_country": str(event.max_per_country),
        "dates_note": "", "version": version, "title_ar": EVENT_AR})
    assert response.status_code == 302
    assert db.session.get(Event, event.id).title_translations == {"ar": EVENT_AR}
    reader = users["srsg_staff"]
    for language, expected, absent in (("ar", EVENT_AR, "Thematic session, Geneva"),
                                       ("en", "Thematic session, Geneva", EVENT_AR)):
        speak(db, reader, language)
        for url in ("/travel/events", f"/travel/events/{event.id}", "/travel/grants", "/travel/queue",
                    "/travel/grants/new", "/dashboard/"):
            html = client.get(url).get_data(as_text=True)
            if url == f"/travel/events/{event.id}":  # its history tells what was entered
                html = html[:html.index('id="history-heading"')]
            assert expected in html and absent not in html, (language, url)


def test_downloads_are_in_their_users_language_and_the_command_line_in_english(
        client, login_as, db, users, titled, runner, tmp_path):
    reader = login_as("auditor")
    speak(db, reader, "ar")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/contributions/objectives?format=xlsx").data))
    titles = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert titles[0] == ARABIC
    out = tmp_path / "objectives.xlsx"
    result = runner.invoke(args=["export", "objectives", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out).worksheets[0]
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles[0].startswith(ENGLISH)


def test_an_empty_translation_falls_back_to_english(app):
    from trustfund.localized import cleaned, pick

    assert pick("English", {"ar": "  "}, "ar") == "English"
    assert pick("English", {"ar": "عربي"}, "ar") == "عربي"
    assert pick("English", None, "zh") == "English"
    assert pick("English", {"ar": "عربي"}, "en") == "English"
    assert cleaned({"ar": "  a   b ", "xx": "unknown", "fr": ""}) == {"ar": "a b"}


def test_an_upgraded_database_has_empty_translations(db):
    """The migration's default: rows written without them read as none."""
    db.session.execute(sa.insert(Event.__table__).values(
        kind="hearing", title="Hearing", city="New York", venue="", start_on=dt.date(2017, 7, 26),
        end_on=dt.date(2017, 7, 26), dsa_rate=0, max_per_country=1, dates_note="", version=1,
        created_at=dt.datetime(2017, 1, 1)))
    db.session.commit()
    event = db.session.scalar(sa.select(Event).where(Event.title == "Hearing"))
    assert event.title_translations == {} and event.local_title == "Hearing"

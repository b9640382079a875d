"""The values of issue 14, one by one, as a careless or hostile user sends them:
never a 500 from a value, and loose numbers and dates refused with a message, not
reinterpreted. (test_bad_input.py sweeps every route and field with the same kinds
of values; these are the cases reproduced on the demo data.)"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories.travel import make_event
from tests.pages import error_beside, post_entry
from tests.security.helpers import table_counts

HUGE = "99999999999999999999"
NOT_FOUND = "There is no such page, or it is not yours to see."


def _get(client, url: str):
    try:
        return client.get(url)
    except Exception as error:  # TESTING propagates a crash: a 500 in production
        pytest.fail(f"{url}: {type(error).__name__}: {error}")


@pytest.mark.parametrize("role, url", [
    ("admin", f"/admin/audit?page={HUGE}"),
    ("admin", "/admin/audit?date_to=9999-12-31"),
    ("admin", "/admin/audit?date_from=0001-01-01"),
    ("mptf_officer", f"/donors/?page={HUGE}"),
    ("mptf_officer", f"/donors/?donor_id={HUGE}"),
    ("mptf_officer", f"/contributions/rates?page={HUGE}"),
    ("mptf_officer", f"/contributions/?donor={HUGE}&page={HUGE}"),
    ("mptf_officer", "/contributions/deposits?date_to=9999-12-31&format=xlsx"),
    ("mptf_officer", f"/statements/?page={HUGE}"),
    ("srsg_staff", f"/travel/grants?event={HUGE}&page={HUGE}"),
    ("srsg_staff", f"/travel/queue?event={HUGE}"),
    ("srsg_staff", f"/travel/grants/new?event={HUGE}"),
    ("srsg_staff", "/travel/reports?date_from=9999-12-31&date_to=0001-01-01"),
    ("admin", "/countries/?ldc_on=9999-12-31"),
])
def test_a_value_past_its_range_in_a_query_string_is_no_500(app, db, client, login_as, role, url):
    login_as(role)
    answer = _get(client, url)
    assert answer.status_code in (200, 400), (url, answer.status_code)


def test_a_date_out_of_range_is_refused_beside_the_audit_trails_filter(app, db, client, login_as):
    login_as("admin")
    page = _get(client, "/admin/audit?date_to=9999-12-31").get_data(as_text=True)
    assert error_beside(page, "date_to") == "Enter a date between 1900-01-01 and 2999-12-31."


@pytest.mark.parametrize("role, url", [
    ("admin", f"/admin/users/{HUGE}"),
    ("srsg_staff", f"/travel/events/{HUGE}"),
    ("mptf_officer", f"/donors/{HUGE}"),
    ("mptf_officer", "/donors/9223372036854775808/edit"),
    ("mptf_officer", "/donors/１"),
])
def test_an_id_past_64_bits_in_a_url_is_the_friendly_404(app, db, client, login_as, role, url):
    login_as(role)
    answer = _get(client, url)
    assert answer.status_code == 404 and NOT_FOUND in answer.get_data(as_text=True)


def test_a_rate_or_dsa_rate_left_out_of_its_edit_form_is_refused_beside_it(app, db, client, login_as):
    from trustfund.contributions.confirmed import set_rate

    rate = set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    db.session.commit()
    event = make_event()
    login_as("mptf_officer")
    before = table_counts(db)
    answer = client.post(f"/contributions/rates/{rate.id}/edit",
                         data={"currency": "EUR", "month": "2018-05", "version": rate.version})
    assert answer.status_code == 200
    assert "Enter the rate." in error_beside(answer.get_data(as_text=True), "rate")
    login_as("srsg_staff")
    answer = client.post(f"/travel/events/{event.id}/edit", data={
        "kind": "thematic_session", "title": event.title, "city": "Geneva", "venue": "",
        "start_on": "2017-05-08", "end_on": "2017-05-09", "max_per_country": "1", "dates_note": "",
        "version": event.version})
    assert answer.status_code == 200
    assert "required" in error_beside(answer.get_data(as_text=True), "dsa_rate")
    assert table_counts(db) == before


@pytest.mark.parametrize("typed", ["１２３", "1e3", "١٢٣", "1_000"])
def test_an_amount_in_loose_digits_is_refused_not_recorded(app, db, client, login_as, typed):
    """１２３ was recorded as USD 123.00 and 1e3 as USD 1,000.00."""
    login_as("mptf_officer")
    before = table_counts(db)
    answer = post_entry(client, "/contributions/interest/new",
                        {"value_date": "2017-06-01", "usd_amount": typed, "note": ""})
    assert answer.status_code == 200
    assert "Enter a number such as 1,250,000.00." in error_beside(answer.get_data(as_text=True), "usd_amount")
    assert table_counts(db) == before


@pytest.mark.parametrize("typed", ["５", "٥", "5e0", HUGE])
def test_a_whole_number_in_loose_digits_is_refused(app, db, client, login_as, typed):
    login_as("srsg_staff")
    before = table_counts(db)
    answer = client.post("/travel/events/new", data={
        "kind": "thematic_session", "title": "Session", "city": "Geneva", "venue": "",
        "start_on": "2017-06-05", "end_on": "2017-06-06", "dsa_rate": "300.00", "max_per_country": typed,
        "dates_note": ""})
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "max_per_country")
    assert table_counts(db) == before


def test_a_date_in_full_width_digits_is_refused(app, db, client, login_as):
    login_as("mptf_officer")
    before = table_counts(db)
    answer = client.post("/contributions/interest/new", data={"value_date": "２０１７-０６-０１",
                                                              "usd_amount": "10.00", "note": ""})
    assert error_beside(answer.get_data(as_text=True), "value_date") == \
        "Enter the date as YYYY-MM-DD, for example 2018-05-10."
    assert table_counts(db) == before


@pytest.mark.parametrize("cell", ["2017-06-01T99:99 garbage", "2017-06-01 and more", "2017-06-01T25:00",
                                  "２０１７-０６-０１", "9999-12-31"])
def test_an_imported_value_date_with_garbage_is_refused(app, db, client, login_as, cell):
    from tests.factories.contributions import commitment

    commitment("USD", "100000.00", reference="US-1")
    login_as("mptf_officer")
    book = Workbook()
    sheet = book.active
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    sheet.append(["US-1", cell, 100, "USD", None, None, ""])
    data = io.BytesIO()
    book.save(data)
    before = table_counts(db)
    answer = client.post("/contributions/deposits/import",
                         data={"file": (io.BytesIO(data.getvalue()), "deposits.xlsx")},
                         content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Nothing was imported" in html
    assert "Value date" in html
    assert table_counts(db) == before


def test_an_imported_date_and_time_written_as_text_is_read(app, db, client, login_as):
    from tests.factories.contributions import commitment
    from trustfund.contributions.models import Deposit

    commitment("USD", "100000.00", reference="US-1")
    login_as("mptf_officer")
    book = Workbook()
    sheet = book.active
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    sheet.append(["US-1", "2017-06-01 00:00:00", 100, "USD", None, None, ""])
    data = io.BytesIO()
    book.save(data)
    answer = client.post("/contributions/deposits/import",
                         data={"file": (io.BytesIO(data.getvalue()), "deposits.xlsx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 302  # to the preview: nothing is recorded before it is confirmed
    preview = answer.headers["Location"]
    page = client.get(preview).get_data(as_text=True)
    assert "1 Jun 2017" in page
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', page) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', page)
    assert client.post(preview + "/confirm", data={"seen": seen.group(1)}).status_code == 302
    assert db.session.scalar(sa.select(Deposit.value_date)) == dt.date(2017, 6, 1)


@pytest.mark.parametrize("second", ["５", HUGE])
def test_every_choice_of_a_multiple_choice_is_a_whole_number_in_digits(app, db, client, login_as, second):
    """The statements' issue form chooses several donors: a loose or huge id after the
    first is refused beside the field, as the first would be, and nothing is issued
    (it was read as given: a 500 from the database for an id past 64 bits)."""
    from tests.factories import statements as data

    donor = data.donor("Sweden")
    db.session.commit()
    login_as("mptf_officer")
    before = table_counts(db)
    answer = client.post("/statements/issue", data={"from": "2017-04-03", "to": "2017-12-31",
                                                    "donors": [str(donor.id), second]})
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "donors") == "Enter a whole number in digits 0-9."
    assert table_counts(db) == before


NEW_USER = {"email": "new@test.example", "name": "New", "role": "auditor", "active": "y"}


@pytest.mark.parametrize("url, data, as_file", [
    ("/login", {"email": "officer@test.example", "password": "wrong"}, "email"),
    ("/login", {"email": "officer@test.example", "password": "wrong"}, "password"),
    ("/password/forgot", {"email": "officer@test.example"}, "email"),
    ("/admin/users/new", NEW_USER, "name"),
    ("/admin/users/new", NEW_USER, "role"),
])
def test_a_file_posted_as_a_text_field_is_not_read_as_its_value(app, db, client, login_as, users, url, data,
                                                                 as_file):
    """A hand-made multipart request with a file where a text field belongs (even to
    the sign-in page, before anyone is signed in): the field reads as not filled in,
    the form answers as for a missing value, nothing is written (it was a 500)."""
    if url.startswith("/admin"):
        login_as("admin")
    before = table_counts(db)
    posted = {**data, as_file: (io.BytesIO(b"officer@test.example"), "value.txt")}
    answer = client.post(url, data=posted, content_type="multipart/form-data")
    assert answer.status_code == 200
    assert table_counts(db) == before

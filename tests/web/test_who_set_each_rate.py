"""The rates page and its .xlsx say who set each rate as it stands: the MPTF officer
who proposed it (or uploaded the rates file it came from) and the one who confirmed
it. Only the audit trail said it (an auditor's review); a correction names its own
pair; a rate set from the command line names nobody, and says where to look."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import browser_of
from tests.pages import table_rows
from trustfund.contributions import confirmed
from trustfund.contributions.models import ExchangeRate, RateProposal
from trustfund.extensions import db

PAGE = "/contributions/rates"


def _named(db, users):
    users["mptf_officer"].name, users["mptf_officer2"].name = "Amina Diallo", "Jonas Berg"
    db.session.commit()


def _set_by(html: str, currency: str, month: str) -> str:
    row = next(r for r in table_rows(html, "rates") if r[:2] == [month, currency])
    return " ".join(row[3].split())


def _xlsx(browser) -> dict[tuple[str, dt.date], tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get(f"{PAGE}?format=xlsx").data))["Exchange rates"]
    header = [c.value for c in sheet[1]]
    assert header[3:] == ["Proposed by", "Rates file", "Confirmed by"]
    return {(r[0], r[1].date()): tuple(v or "" for v in r[3:])
            for r in sheet.iter_rows(min_row=2, values_only=True)}


def _propose_and_confirm(proposer, confirmer, data, url=f"{PAGE}/new"):
    answer = proposer.post(url, data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    [waiting] = db.session.scalars(sa.select(RateProposal.id).where(RateProposal.status == "pending"))
    assert confirmer.post(f"{PAGE}/waiting/{waiting}/confirm").status_code == 302


def test_a_rate_and_its_correction_name_who_proposed_and_who_confirmed_them(app, db, users):
    _named(db, users)
    amina, jonas = browser_of(app, "mptf_officer"), browser_of(app, "mptf_officer2")
    _propose_and_confirm(amina, jonas, {"currency": "EUR", "month": "2018-05", "rate": "0.941"})
    page = amina.get(PAGE).get_data(as_text=True)
    assert _set_by(page, "EUR", "May 2018") == "Proposed by Amina Diallo, confirmed by Jonas Berg"
    assert _xlsx(amina)[("EUR", dt.date(2018, 5, 1))] == ("Amina Diallo", "", "Jonas Berg")

    rate = db.session.scalar(sa.select(ExchangeRate))
    form = jonas.get(f"{PAGE}/{rate.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form) or re.search(
        r'value="(\d+)"[^>]*name="version"', form)
    _propose_and_confirm(jonas, amina, {"currency": "EUR", "month": "2018-05", "rate": "0.945",
                                        "version": version.group(1)}, f"{PAGE}/{rate.id}/edit")
    db.session.expire_all()
    assert db.session.scalar(sa.select(ExchangeRate.rate)) == Decimal("0.945")
    page = jonas.get(PAGE).get_data(as_text=True)
    assert _set_by(page, "EUR", "May 2018") == "Proposed by Jonas Berg, confirmed by Amina Diallo"
    assert _xlsx(jonas)[("EUR", dt.date(2018, 5, 1))] == ("Jonas Berg", "", "Amina Diallo")


def test_a_rate_from_a_file_names_the_file_its_uploader_and_its_confirmer(app, db, users):
    _named(db, users)
    amina, jonas = browser_of(app, "mptf_officer"), browser_of(app, "mptf_officer2")
    boundary, body = encode_multipart({"file": FileStorage(
        io.BytesIO(b"currency,month,rate\nEUR,2018-05,0.941\nCHF,2018-05,0.99\n"), filename="may-2018.csv")})
    uploaded = amina.post(f"{PAGE}/import", data=body,
                          content_type=f"multipart/form-data; boundary={boundary}")
    location = uploaded.headers["Location"]
    preview = jonas.get(location).get_data(as_text=True)
    seen = re.search(r'name="seen"[^>]*value="([^"]*)"', preview) or re.search(
        r'value="([^"]*)"[^>]*name="seen"', preview)
    assert jonas.post(location + "/confirm", data={"seen": seen.group(1)}).status_code == 302
    page = jonas.get(PAGE).get_data(as_text=True)
    assert _set_by(page, "CHF", "May 2018") == \
        "Rates file may-2018.csv of Amina Diallo, confirmed by Jonas Berg"
    assert _xlsx(jonas)[("CHF", dt.date(2018, 5, 1))] == ("Amina Diallo", "may-2018.csv", "Jonas Berg")


def test_a_rate_set_from_the_command_line_says_where_to_look(app, db, users, login_as, client):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    db.session.commit()
    login_as("auditor")
    page = client.get(PAGE).get_data(as_text=True)
    assert _set_by(page, "EUR", "May 2018") == "Not recorded here: see the audit trail"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{PAGE}?format=xlsx").data))["Exchange rates"]
    assert [c.value for c in sheet[2]][3:] == [None, None, None]

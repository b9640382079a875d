"""The audit trail names who acted, and who proposed what was confirmed, as they were named
when it happened (a colleague's review of the audit trail, 2026-12-07): an account's name is
neither unique nor waits for a second admin, so one admin, renaming officer2 with officer's
name, made an earlier entry read "mptf_officer confirmed the interest ... proposed by
mptf_officer" (the two-person rule shown broken) on the audit page and in its download. The
download's User column gives the address the account had when it acted."""
from __future__ import annotations

import io
import re

import openpyxl

from tests.factories import base_users, browser_of, second_officer_confirms_interest
from tests.pages import post_entry
from trustfund.admin.services import save_user


def _confirm_entry(page: str) -> str:
    [sentence] = re.findall(r"[^<>]*confirmed the interest[^<>]*", page)
    return sentence.strip()


def _xlsx_sentence(response) -> str:
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    what = rows[0].index("What happened")
    [sentence] = [row[what] for row in rows[1:] if row[what] and "confirmed the interest" in row[what]]
    return sentence


def test_renaming_a_user_does_not_rewrite_who_the_trail_says_acted(app, db, client, login_as):
    login_as("mptf_officer")
    assert post_entry(client, "/contributions/interest/new",
                      {"value_date": "2018-06-30", "usd_amount": "1234.56", "note": "Q2"}).status_code == 302
    second_officer_confirms_interest(app)
    auditor = browser_of(app, "auditor")
    before_page = _confirm_entry(auditor.get("/admin/audit").get_data(as_text=True))
    before_xlsx = _xlsx_sentence(auditor.get("/admin/audit?format=xlsx"))
    assert before_page.startswith("mptf_officer2 confirmed"), before_page

    # One admin, alone, renames officer2 with officer's name (takes effect at once).
    users = base_users()
    officer2 = users["mptf_officer2"]
    admin = browser_of(app, "admin")
    answer = admin.post(f"/admin/users/{officer2.id}", data={
        "email": officer2.email, "name": users["mptf_officer"].name, "role": "mptf_officer",
        "donor_id": 0, "active": "y", "version": officer2.version}, follow_redirects=True)
    assert "saved" in answer.get_data(as_text=True)

    after_page = _confirm_entry(auditor.get("/admin/audit").get_data(as_text=True))
    after_xlsx = _xlsx_sentence(auditor.get("/admin/audit?format=xlsx"))
    # The entry written before the rename says what it said: who confirmed, who proposed.
    assert after_page == before_page, (before_page, after_page)
    assert after_xlsx == before_xlsx, (before_xlsx, after_xlsx)


def test_the_download_names_the_address_the_account_had_when_it_acted(app, db, client, login_as):
    login_as("mptf_officer")
    assert post_entry(client, "/contributions/interest/new",
                      {"value_date": "2018-06-30", "usd_amount": "1234.56", "note": "Q2"}).status_code == 302
    users = base_users()
    officer = users["mptf_officer"]
    old_address = officer.email
    auditor = browser_of(app, "auditor")
    # An officer's address changes once a second admin confirms it (as that confirmation saves it).
    save_user(users["admin"], officer, email="new.address@test.example", name=officer.name,
              role="mptf_officer", donor_id=None, active=True, password=None, version=officer.version)
    db.session.commit()
    ws = openpyxl.load_workbook(io.BytesIO(auditor.get("/admin/audit?format=xlsx").data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    user, what = rows[0].index("User"), rows[0].index("What happened")
    [proposed] = [row for row in rows[1:] if row[what] and "proposed interest" in row[what]]
    assert proposed[user] == old_address

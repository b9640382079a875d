"""The audit trail's download holds at most audit_trail.DOWNLOAD_LIMIT entries (writing
more would outlast a worker's timeout): past it, the file holds the newest and its
About sheet says how many it left out and how to get them, as does the page beside
its download button. It stopped at 100,000 without a word while the page paged
through every entry. (A colleague's review of the lists.)"""
from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from tests.factories.contributions import commitment, deposit
from trustfund.admin import audit_trail
from trustfund.audit import AuditEntry
from trustfund.extensions import db


def _about(answer) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(answer.data), read_only=True)
    return {row[0]: row[1] for row in book.worksheets[-1].iter_rows(values_only=True)}


def test_a_download_cut_at_its_limit_says_so_on_the_page_and_in_the_file(app, client, login_as, monkeypatch):
    for amount in ("100.00", "200.00", "300.00"):
        deposit(commitment("USD", "1000.00"), amount)
    listed = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                               .where(AuditEntry.action.in_(["commitment.create", "deposit.create"])))
    assert listed == 6
    login_as("auditor")
    whole = client.get("/admin/audit?format=xlsx")
    assert "Left out" not in _about(whole)  # within the limit: nothing said
    assert 'id="download-cut"' not in client.get("/admin/audit").get_data(as_text=True)

    monkeypatch.setattr(audit_trail, "DOWNLOAD_LIMIT", 4)
    answer = client.get("/admin/audit?format=xlsx")
    about = _about(answer)
    assert about["Rows in Audit trail"] == 4
    shown = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action.not_in(["login", "logout"])))
    said = f"The download holds the newest 4 of these {shown} entries: choose From and To for the others."
    assert about["Left out"] == said
    page = client.get("/admin/audit").get_data(as_text=True)
    assert said in page

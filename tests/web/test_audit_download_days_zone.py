"""The audit trail's From/To are the reader's days (clock.day_starts_at), while its .xlsx
writes each row's moment under "When (UTC)": the About sheet says in which zone the days
are. (Found by a colleague's review: a Tokyo auditor's download "From 1 March 2026 To
1 March 2026" had a row "When (UTC) 2026-02-28 23:00" with nothing saying why.)"""
from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories.contributions import commitment, deposit
from trustfund.audit import AuditEntry
from trustfund.extensions import db


def test_the_downloaded_trail_of_1_march_says_in_which_zone_its_days_are(app, client, login_as, users):
    d = deposit(commitment("USD", "1000.00"), "100.00")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create",
                                                           AuditEntry.object_id == str(d.id))).one()
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.id != entry.id)
                       .values(at=dt.datetime(2026, 1, 15, 12, 0)))
    entry.at = dt.datetime(2026, 2, 28, 23, 0)  # 08:00 on 1 March in Tokyo
    users["auditor"].timezone = "Asia/Tokyo"
    db.session.commit()
    login_as("auditor")

    answer = client.get("/admin/audit?date_from=2026-03-01&date_to=2026-03-01&format=xlsx")
    wb = load_workbook(io.BytesIO(answer.data))
    trail = wb.worksheets[0]
    header = [c.value for c in trail[1]]
    when = [row[0] for row in trail.iter_rows(min_row=2, values_only=True)]
    assert header[0] == "When (UTC)" and when == [dt.datetime(2026, 2, 28, 23, 0)]
    about = "\n".join(" ".join(str(v) for v in row if v is not None)
                      for row in wb["About this export"].iter_rows(values_only=True))
    # A row of 28 February (UTC) under a filter of 1 March: the workbook must say whose days.
    assert "Days in the time zone Asia/Tokyo" in about, \
        f"the About sheet gives the From/To days without their zone:\n{about}"

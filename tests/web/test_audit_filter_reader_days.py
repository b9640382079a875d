"""The audit trail shows each moment in the reader's time zone, but its From/To date
filter reads the days as UTC days (admin.audit_trail.query). An auditor in Tokyo who
asks for 1 March sees the moments of 1 March 09:00 to 2 March 08:59 in her zone, and
misses an entry the page itself dates "1 Mar 2026, 08:00". (Found by a colleague's review:
now the days are the reader's.)"""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from tests.factories.contributions import commitment, deposit
from trustfund.audit import AuditEntry
from trustfund.extensions import db


def _shown(html: str) -> list[str]:
    return re.findall(r'<time datetime="[^"]*">([^<]*)</time>', html)


def test_a_tokyo_auditor_filtering_1_march_sees_the_entries_the_page_dates_1_march(
        app, client, login_as, users):
    d = deposit(commitment("USD", "1000.00"), "100.00")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create",
                                                           AuditEntry.object_id == str(d.id))).one()
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.id != entry.id)
                       .values(at=dt.datetime(2026, 1, 15, 12, 0)))
    # 08:00 on 1 March 2026 in Tokyo (UTC+9): 23:00 on 28 February in UTC.
    entry.at = dt.datetime(2026, 2, 28, 23, 0)
    users["auditor"].timezone = "Asia/Tokyo"
    db.session.commit()
    login_as("auditor")

    unfiltered = client.get("/admin/audit").get_data(as_text=True)
    assert any(s.startswith("1 Mar 2026") for s in _shown(unfiltered))  # the page dates it 1 March

    page = client.get("/admin/audit?date_from=2026-03-01&date_to=2026-03-01").get_data(as_text=True)
    assert [s for s in _shown(page) if s.startswith("1 Mar 2026")], \
        "the entry shown as 1 March is left out of the filter for 1 March"

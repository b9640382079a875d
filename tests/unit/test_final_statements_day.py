"""The confirmation before issuing the certified final statements names the day they
are "as of": the day they end (final.statements_end), which is later than the UTC date
of the financial closure when an entry of the closure is dated later (a refund decided
in Tokyo on the morning after). (Found by a colleague's review: it named the closure's
UTC date.)"""
from __future__ import annotations

import datetime as dt
import zoneinfo

from tests.factories import statements as data
from trustfund import clock
from trustfund.closure import closing_decisions, final, financial, previews
from trustfund.fund import services as fund_services
from trustfund.fund.entries import FUND_SUBJECT
from trustfund.fund.status import current_fund


def test_the_final_statements_preview_names_the_day_they_are_issued_as_of(db, users, monkeypatch):
    a = data.donor("Alpha")
    data.deposit(data.commitment(a, "100000.00"), "100000.00", fee_rate="0")
    db.session.commit()
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2026, 12, 4, 23, 0, tzinfo=dt.UTC))
    fund_services.close_operations(users["admin"], current_fund(), reason="Adopted")
    db.session.commit()
    monkeypatch.setattr(clock, "get_timezone", lambda: zoneinfo.ZoneInfo("Asia/Tokyo"))
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")  # dated 5 December
    db.session.commit()
    monkeypatch.setattr(clock, "get_timezone", lambda: zoneinfo.ZoneInfo("UTC"))
    monkeypatch.setattr(financial, "utcnow", lambda: dt.datetime(2026, 12, 4, 23, 30))
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    said = " ".join(previews.final_statements().lines)
    final.issue_final_statements(users["admin"])
    db.session.commit()
    issued = final.final_statement(FUND_SUBJECT).content["fund"]["closed_on"]
    assert issued == "2026-12-05"
    assert "as of 5 Dec 2026." in said, said

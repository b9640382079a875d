"""A certified final statement's PDF names the day it was issued as its reader's day, as
its certification line and the page do: it named the UTC day of the sign-off in its
margins and last line, the day before in Tokyo (a colleague's review of the documents)."""
from __future__ import annotations

import datetime as dt
import io
import unicodedata

from pypdf import PdfReader

from tests.factories import statements as data
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.closure import final as final_module
from trustfund.extensions import db
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund

# 20:30 UTC on 7 December is 05:30 on 8 December in Tokyo.
SIGNED_OFF = dt.datetime(2026, 12, 7, 20, 30)


def test_the_pdfs_issue_day_is_the_certifications_day_for_the_reader(client, login_as, users, monkeypatch):
    sweden = demo.demo_donor()
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    users["admin"].name = "Ana Silva"
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    monkeypatch.setattr(final_module, "utcnow", lambda: SIGNED_OFF)
    final_module.issue_final_statements(users["admin"])
    db.session.commit()

    reader = login_as("auditor")
    reader.timezone = "Asia/Tokyo"
    db.session.commit()
    page = client.get("/fund/final-statements/fund").get_data(as_text=True)
    assert "8 Dec 2026" in page or "Dec 8, 2026" in page, "the page gives the reader's day of the sign-off"
    answer = client.get("/fund/final-statements/fund", query_string={"format": "pdf"})
    assert answer.status_code == 200
    text = unicodedata.normalize("NFKC", "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(answer.data)).pages))
    certified = text[text.index("Certified final financial statement, signed off"):][:200]
    assert "Dec 8, 2026" in certified or "8 Dec 2026" in certified, certified
    # The margin and the last line say when it was issued: the same day as the certification.
    assert "Issued on 7 Dec 2026" not in text, (certified, text[-120:])
    assert "Issued on 8 Dec 2026 by Ana Silva" in text

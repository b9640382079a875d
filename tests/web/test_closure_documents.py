"""Documents attached to a pool's closing decision (issue 19 on issue 18's closure):
SRSG staff and the administrator attach the payment instruction or the transfer
agreement, read back byte for byte from the decision's page; the MPTF officer and
the auditor read, never attach; a donor neither reads nor attaches (404); the
upload is in the decision's own history."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.factories import documents as files
from tests.factories import statements as data
from tests.pages import error_beside
from trustfund import demo
from trustfund.audit import AuditEntry
from trustfund.closure import closing_decisions
from trustfund.documents.models import Document
from trustfund.extensions import db
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund


def _decision(users):
    sweden = demo.demo_donor()
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing = closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    db.session.commit()
    return closing


def _attach(client, closing_id: int, content: bytes, filename: str, kind: str, title: str):
    return files.post_file(client, f"/documents/closure_decision/{closing_id}/new", content, filename,
                           kind=kind, title=title)


def test_srsg_staff_attach_the_payment_instruction_and_staff_read_it_back(client, login_as, db, users):
    closing = _decision(users)
    page_url = f"/fund/closing/decisions/{closing.id}"
    content = files.pdf(pages=2)
    login_as("srsg_staff")
    form = client.get(f"/documents/closure_decision/{closing.id}/new").get_data(as_text=True)
    for kind in ("Payment instruction", "Transfer agreement", "Correspondence"):
        assert kind in form
    answer = _attach(client, closing.id, content, "instruction.pdf", "payment_instruction",
                     "Instruction to the bank")
    assert answer.status_code == 302, error_beside(answer.get_data(as_text=True), "file")
    assert answer.headers["Location"].endswith(page_url)
    document = db.session.scalar(sa.select(Document).order_by(Document.id.desc()))
    assert (document.object_type, document.object_id, document.donor_id) == (
        "closure_decision", closing.id, None)
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.object_type, entry.object_id) == ("document.upload", "PoolClosing",
                                                                 str(closing.id))
    page = client.get(page_url).get_data(as_text=True)
    assert "Instruction to the bank" in page and "Payment instruction" in page
    assert "Attach a document" in page
    for who in ("srsg_staff", "admin", "mptf_officer", "auditor"):
        login_as(who)
        assert "Instruction to the bank" in client.get(page_url).get_data(as_text=True), who
        got = client.post(f"/documents/{document.id}/download")
        assert got.status_code == 200, who
        assert got.data == content
    # The administrator attaches too (the transfer agreement, a new version of a paper).
    login_as("admin")
    assert _attach(client, closing.id, files.pdf(), "agreement.pdf", "transfer_agreement",
                   "Agreement").status_code == 302
    # A kind from another record's list is refused beside the field, nothing written.
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Document))
    answer = _attach(client, closing.id, files.pdf(), "saa.pdf", "saa", "An SAA")
    assert answer.status_code == 200
    assert error_beside(answer.get_data(as_text=True), "kind")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == before


def test_the_officer_and_the_auditor_read_but_never_attach_and_a_donor_sees_nothing(
        client, login_as, db, users):
    closing = _decision(users)
    login_as("srsg_staff")
    assert _attach(client, closing.id, files.pdf(), "letter.pdf", "correspondence",
                   "Letter to the donors").status_code == 302
    document = db.session.scalar(sa.select(Document).order_by(Document.id.desc()))
    for who in ("mptf_officer", "auditor"):
        login_as(who)
        page = client.get(f"/fund/closing/decisions/{closing.id}").get_data(as_text=True)
        assert "Letter to the donors" in page and "Attach a document" not in page, who
        assert _attach(client, closing.id, files.pdf(), "x.pdf", "correspondence", "X").status_code == 403
        assert client.post(f"/documents/{document.id}/replace").status_code == 403
    login_as("donor")
    assert client.post(f"/documents/{document.id}/download").status_code == 404
    assert "Letter to the donors" not in client.get("/statements/portal").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1

"""Where a write-off is seen once it is recorded: the commitment's page says how much
was written off and lists each write-off with its reason, who proposed it and who
confirmed it (a write-off still waiting is said there too, with a link to the closing
page that answers it); the closing page lists every write-off recorded, and its
download has them on a sheet of their own."""
from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import browser_of
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import form_token, post_and_confirm, table_rows, text
from trustfund.fund.entries import WriteOff, WriteOffProposal

CLOSING = "/fund/closing"
REASON = "The donor's parliament cut the budget"


def _fund(db, users):
    return data.commitment_to_write_off(users)


def _propose(client, commitment, amount):
    url = f"{CLOSING}/commitments/{commitment.id}/write-off"
    return post_and_confirm(client, url, {"amount": amount, "reason": REASON,
                                          "form_token": form_token(client, url)}, follow_redirects=True)


def _waiting_id(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(WriteOffProposal.id).where(WriteOffProposal.status == "waiting"))


def test_the_commitment_page_says_what_was_written_off_by_whom_and_what_waits(
        app, db, client, login_as, users):
    commitment = _fund(db, users)
    page = f"/contributions/commitments/{commitment.id}"
    login_as("mptf_officer")
    before = client.get(page).get_data(as_text=True)
    assert "Write-offs" not in text(before) and 'id="written-off"' not in before
    # Proposed: the page says it waits, and where it is answered; nothing written off.
    _propose(client, commitment, "400.00")
    proposal_id = _waiting_id(db)
    html = client.get(page).get_data(as_text=True)
    assert 'id="written-off"' not in html
    waiting = text(html)
    assert ("A write-off of USD 400.00, proposed by mptf_officer on" in waiting
            and "waits for a second MPTF officer: nothing is written off until one confirms it." in waiting)
    assert f'href="/fund/closing#waiting-write-off-{proposal_id}"' in html
    assert 'id="write-offs"' not in html  # nothing recorded yet
    # Confirmed by a second officer: written off, with both names, and nothing waits.
    other = browser_of(app, "mptf_officer2")
    other.post(f"{CLOSING}/write-offs/{proposal_id}/confirm", follow_redirects=True)
    html = client.get(page).get_data(as_text=True)
    assert "write-off-waiting" not in html
    assert text(html).count("Written off USD 400.00") == 1
    [row] = table_rows(html, "write-offs")
    assert row[1:3] == ["USD 400.00", REASON]
    assert row[3].startswith("mptf_officer on ") and row[4].startswith("mptf_officer2 on ")
    # The outstanding amount is what is left after it.
    assert "Outstanding USD 600.00" in text(html)


def test_the_closing_page_and_its_download_list_every_write_off_recorded(app, db, client, login_as, users):
    commitment = _fund(db, users)
    login_as("mptf_officer")
    assert "Write-offs recorded" not in text(client.get(CLOSING))
    other = browser_of(app, "mptf_officer2")
    for amount in ("400.00", "600.00"):  # the second writes off all that is left
        _propose(client, commitment, amount)
        other.post(f"{CLOSING}/write-offs/{_waiting_id(db)}/confirm", follow_redirects=True)
    # Fully written off, the commitment leaves the outstanding table: the recorded
    # write-offs still say what became of it.
    html = client.get(CLOSING).get_data(as_text=True)
    assert "Write-offs recorded" in text(html)
    rows = table_rows(html, "write-offs")
    assert [row[1:5] for row in rows] == [
        ["Norway (write-off)", commitment.reference or f"#{commitment.id}", "USD 400.00", REASON],
        ["Norway (write-off)", commitment.reference or f"#{commitment.id}", "USD 600.00", REASON]]
    assert all(row[5].startswith("mptf_officer on ") and row[6].startswith("mptf_officer2 on ")
               for row in rows)
    assert f'href="/contributions/commitments/{commitment.id}"' in html
    # The auditor reads the same list, and the download has it on a sheet of its own.
    auditor = browser_of(app, "auditor")
    assert len(table_rows(auditor.get(CLOSING).get_data(as_text=True), "write-offs")) == 2
    book = load_workbook(io.BytesIO(auditor.get(f"{CLOSING}?format=xlsx").data))
    header, *sheet = book["Write-offs recorded"].iter_rows(values_only=True)
    assert header == ("Date", "Donor", "Commitment", "Amount written off", "Currency", "Reason",
                      "Proposed by", "Proposed at (UTC)", "Confirmed by", "Confirmed at (UTC)")
    assert [(r[1], r[3], r[4], r[6], r[8]) for r in sheet] == [
        ("Norway (write-off)", 400, "USD", "mptf_officer", "mptf_officer2"),
        ("Norway (write-off)", 600, "USD", "mptf_officer", "mptf_officer2")]
    assert all(isinstance(r[7], dt.datetime) and isinstance(r[9], dt.datetime) for r in sheet)


def test_a_write_off_recorded_before_they_took_two_officers_says_so(app, db, client, login_as, users):
    """A write-off recorded by one officer before migration 0038 has no proposal: its
    recorder is shown as who confirmed it, and the page says it took one officer."""
    commitment = _fund(db, users)
    db.session.add(WriteOff(commitment_id=commitment.id, currency="USD", amount=D("250.00"),
                            written_off_on=dt.date(2019, 2, 1), reason="Older write-off",
                            created_by_id=users["mptf_officer"].id))
    db.session.commit()
    login_as("auditor")
    [row] = table_rows(client.get(f"/contributions/commitments/{commitment.id}").get_data(as_text=True),
                       "write-offs")
    assert row[1:4] == ["USD 250.00", "Older write-off",
                        "recorded by one officer, before write-offs took two"]
    assert row[4].startswith("mptf_officer on ")

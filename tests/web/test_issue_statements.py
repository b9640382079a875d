"""Issuing the statements of a period in bulk (issue 19): an officer's action for the
donors chosen, and `flask --app trustfund issue-statements` for all; each donor's PDF
stored as its document, in its portal, downloadable by it; a period issued again
replaces the earlier statement, which is kept."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.factories import statements as data
from tests.pages import error_beside, form_token
from tests.security.helpers import changed_counts, table_counts
from trustfund.auth.models import User
from trustfund.documents.models import Document
from trustfund.donors.models import Donor
from trustfund.extensions import db


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def _statements():
    return list(db.session.scalars(sa.select(Document).where(Document.kind == "statement")
                                   .order_by(Document.id)))


def test_the_command_issues_every_donors_statement_into_its_portal(app, runner, client, login_as, fund):
    sweden, evil = fund
    result = runner.invoke(args=["issue-statements", "--from", "2017-01-01", "--to", "2017-12-31"])
    assert result.exit_code == 0, result.output
    donors = db.session.scalar(sa.select(sa.func.count()).select_from(Donor))
    assert f"Issued {donors} statement(s)" in result.output
    issued = _statements()
    assert sorted(d.donor_id for d in issued) == sorted(db.session.scalars(sa.select(Donor.id)))
    mine = next(d for d in issued if d.donor_id == sweden.id)
    assert mine.title == "Statement from 1 Jan 2017 to 31 Dec 2017"
    login_as("donor")
    portal = client.get("/statements/portal").get_data(as_text=True)
    assert "Statement from 1 Jan 2017 to 31 Dec 2017" in portal and "Donor statement" in portal
    pdf = client.post(f"/documents/{mine.id}/download")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Statement of Kingdom of Sweden" in text and "Issued on" in text and "the MPTF Office" in text
    theirs = next(d for d in issued if d.donor_id == evil.id)
    assert client.post(f"/documents/{theirs.id}/download").status_code == 404
    # Issued from the command line in English: a donor user who reads French reads its
    # title in French, with French dates.
    users_by_role = {u.role: u for u in db.session.scalars(sa.select(User).where(User.role == "donor"))}
    users_by_role["donor"].locale = "fr"
    db.session.commit()
    portal = client.get("/statements/portal").get_data(as_text=True)
    assert "Relevé du 1er janv. 2017 au 31 déc. 2017" in portal and "Statement from" not in portal
    users_by_role["donor"].locale = None
    db.session.commit()

    # Issued again: the earlier statement replaced with a reason, and kept.
    assert runner.invoke(args=["issue-statements", "--from", "2017-01-01", "--to", "2017-12-31",
                               "--donor", str(sweden.id)]).exit_code == 0
    again = [d for d in _statements() if d.donor_id == sweden.id]
    assert len(again) == 2 and again[1].replaces_id == again[0].id and again[1].reason == "Issued again"


def test_the_command_refuses_an_impossible_period_and_writes_nothing(runner, fund):
    before = table_counts(db)
    result = runner.invoke(args=["issue-statements", "--from", "2017-12-31", "--to", "2017-01-01"])
    assert result.exit_code != 0
    assert changed_counts(before, table_counts(db)) == {}


def test_an_officer_issues_the_statements_of_the_donors_chosen(client, login_as, fund):
    sweden, evil = fund
    login_as("mptf_officer")
    page = client.get("/statements/issue")
    assert page.status_code == 200 and "Kingdom of Sweden" in page.get_data(as_text=True)
    assert "written in the language its donor’s users read" in page.get_data(as_text=True)
    answer = client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                    "from": "2017-01-01", "to": "2017-06-30",
                                                    "donors": [str(sweden.id)]})
    assert answer.status_code == 302
    assert [d.donor_id for d in _statements()] == [sweden.id]
    before = table_counts(db)
    refused = client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                    "from": "2017-01-01", "to": "2017-06-30",
                                                     "donors": ["999999"]})
    assert refused.status_code == 200 and "Choose donors from the list." in refused.get_data(as_text=True)
    assert changed_counts(before, table_counts(db)) == {}
    login_as("auditor")
    refused = client.post("/statements/issue", data={"from": "2017-01-01", "to": "2017-06-30"})
    assert refused.status_code == 403


def test_more_donors_than_the_page_issues_are_sent_to_whoever_runs_the_server(client, login_as, fund,
                                                                             monkeypatch):
    """An MPTF officer cannot run a command: the refusal says who can, and which."""
    from trustfund.statements import issue

    monkeypatch.setattr(issue, "PAGE_LIMIT", 1)
    login_as("mptf_officer")
    before = table_counts(db)
    refused = client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                     "from": "2017-01-01", "to": "2017-06-30"})
    assert error_beside(refused.get_data(as_text=True), "donors") == (
        "At most 1 donors at once here; for more, ask whoever runs the server to run the command "
        "flask --app trustfund issue-statements.")
    assert changed_counts(before, table_counts(db)) == {}


def test_a_period_issued_again_in_another_language_replaces_its_statement(app, db, users):
    """The command (in English) issues 2017; a French-speaking officer issues 2017 again:
    the donor's portal holds one statement of 2017 (the second replaces the first)."""
    import datetime as dt

    from trustfund.language import speaking
    from trustfund.statements.issue import issue_statements

    sweden, _evil = data.two_donor_fund()
    period = (dt.date(2017, 1, 1), dt.date(2017, 12, 31))
    with app.test_request_context():
        issue_statements(users["mptf_officer"], *period, [sweden.id])
        db.session.commit()
        with speaking("fr"):
            issue_statements(users["mptf_officer"], *period, [sweden.id])
        db.session.commit()
    current = list(db.session.scalars(sa.select(Document).where(
        Document.kind == "statement", Document.object_id == sweden.id, Document.current_condition())))
    assert len(current) == 1, [document.title for document in current]


def _issued_text(client, donor_id) -> str:
    mine = [d for d in _statements() if d.donor_id == donor_id][-1]
    pdf = client.post(f"/documents/{mine.id}/download")
    assert pdf.status_code == 200
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)


def test_a_statement_is_issued_in_the_language_its_donors_users_read(runner, client, login_as, fund):
    """The PDF a donor is sent is written in its users' language, whoever issues it (an
    English-speaking officer's page, the command); in the fund's default language when
    its users read different ones."""
    sweden, _evil = fund
    reader = db.session.scalar(sa.select(User).where(User.role == "donor", User.donor_id == sweden.id))
    reader.locale = "fr"
    db.session.commit()
    login_as("mptf_officer")
    answer = client.post("/statements/issue", data={"form_token": form_token(client, "/statements/issue"),
                                                    "from": "2017-01-01", "to": "2017-06-30",
                                                    "donors": [str(sweden.id)]})
    assert answer.status_code == 302
    login_as(reader)
    text = _issued_text(client, sweden.id)
    assert "Relevé" in text and "Solde" in text and "Statement of" not in text
    # From the command (no one's language), the same.
    result = runner.invoke(args=["issue-statements", "--from", "2017-07-01", "--to", "2017-12-31",
                                 "--donor", str(sweden.id)])
    assert result.exit_code == 0, result.output
    text = _issued_text(client, sweden.id)
    assert "Relevé" in text and "juil. 2017" in text and "Statement of" not in text
    # A second user of the donor who reads Spanish: the fund's default language, English.
    from tests.factories import make_user

    make_user("donor", "second.reader@test.example", donor_id=sweden.id).locale = "es"
    db.session.commit()
    result = runner.invoke(args=["issue-statements", "--from", "2017-07-01", "--to", "2017-12-31",
                                 "--donor", str(sweden.id)])
    assert result.exit_code == 0, result.output
    text = _issued_text(client, sweden.id)
    assert "Statement of Kingdom of Sweden" in text and "Relevé" not in text

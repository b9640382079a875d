"""The statements' issue form sent twice (a double click, or the browser sending the
slow POST again) does not tell every donor user twice that their statement was issued
("... was issued again": nothing changed), nor store a second version. (Found by a
colleague's review.)"""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import statements as data
from tests.pages import form_token
from trustfund.documents.models import Document
from trustfund.mail.models import OutboxMessage


def test_the_issue_form_sent_twice_tells_each_donor_user_once(client, login_as, db, users):
    sweden, _evil = data.two_donor_fund()
    db.session.commit()
    login_as("mptf_officer")
    form = {"from": "2017-01-01", "to": "2017-06-30", "donors": [str(sweden.id)],
            "form_token": form_token(client, "/statements/issue")}
    first = client.post("/statements/issue", data=form)
    again = client.post("/statements/issue", data=form, follow_redirects=True)  # the same render, again
    assert first.status_code == 302
    assert "Nothing was recorded a second time." in again.get_data(as_text=True)
    notices = db.session.scalars(sa.select(OutboxMessage.subject).where(
        OutboxMessage.to_address == "donor@test.example")).all()
    documents = db.session.scalars(sa.select(Document).where(Document.kind == "statement")).all()
    assert len(notices) == 1, notices
    assert len(documents) == 1, [(d.id, d.replaces_id) for d in documents]
    # A new render of the form issues the period again, on purpose (a corrected statement).
    form["form_token"] = form_token(client, "/statements/issue")
    assert client.post("/statements/issue", data=form).status_code == 302
    assert len(db.session.scalars(sa.select(Document).where(Document.kind == "statement")).all()) == 2

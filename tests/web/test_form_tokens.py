"""A double-click or a resent form records one entry, not two: every render of an
entry form (deposit, interest, transfer, pledge, commitment) carries a one-time
token; its first submission records the entry, any later one (or a twin sent at the
same instant) answers with the page of that entry and says so. Over HTTP, on SQLite
and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.factories.contributions import commitment, commitment_form, officer, pool, sweden
from tests.pages import form_token
from tests.security.helpers import Parallel, table_counts
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed
from trustfund.contributions.models import (
    Commitment,
    Deposit,
    InterestProposal,
    Pledge,
    TransferProposal,
)

D = Decimal
ALREADY = "This form had already been sent, and its entry is shown here. Nothing was recorded a second time."


@dataclass
class EntryForm:
    name: str
    role: str
    model: type
    action: str  # its audit entry

    def url(self) -> str:
        if self.name == "deposit":
            return f"/contributions/commitments/{self.commitment_id}/deposits/new"
        return {"interest": "/contributions/interest/new", "transfer": "/contributions/pools/transfer",
                "pledge": "/contributions/pledges/new",
                "commitment": "/contributions/commitments/new"}[self.name]

    def data(self) -> dict:
        if self.name == "deposit":
            return {"value_date": "2018-05-10", "amount": "100.00", "rate": "", "rate_note": "",
                    "bank_reference": "SEB 2018-05-10/77"}
        if self.name == "interest":
            return {"value_date": "2018-06-30", "usd_amount": "12.50", "note": "Q2 2018"}
        if self.name == "transfer":
            # As its confirmation page posts it (the form's own post only shows what will happen).
            return {"from_pool_id": str(pool("UNEARMARKED").id), "to_pool_id": str(pool("OBJ2").id),
                    "usd_amount": "10.00", "transferred_on": "2018-06-01", "reason": "Surplus",
                    "confirmed": "1", "confirmed_in": "en"}
        if self.name == "pledge":
            return {"donor_id": str(sweden().id), "currency": "USD", "amount": "250000.00",
                    "objective_id": "", "pledged_on": "2017-10-19", "note": ""}
        return commitment_form(sweden().id, currency="USD", amount="500000.00")

    def entry_page(self, entry_id: int) -> str:
        return {"deposit": f"/contributions/deposits/{entry_id}", "interest": "/contributions/interest",
                "transfer": "/contributions/pools/transfers", "pledge": f"/contributions/pledges/{entry_id}",
                "commitment": f"/contributions/commitments/{entry_id}"}[self.name]


FORMS = [EntryForm("deposit", "mptf_officer", Deposit, "deposit.create"),
         # The interest form proposes interest, which a second officer confirms (test_interest_proposals.py).
         EntryForm("interest", "mptf_officer", InterestProposal, "interest_proposal.propose"),
         # The transfer form proposes a transfer, which a second admin confirms (test_transfer_changes.py).
         EntryForm("transfer", "admin", TransferProposal, "transfer_proposal.propose"),
         EntryForm("pledge", "mptf_officer", Pledge, "pledge.create"),
         EntryForm("commitment", "mptf_officer", Commitment, "commitment.create")]


@pytest.fixture(params=FORMS, ids=lambda f: f.name)
def entry(request, app, db):
    form = request.param
    form.commitment_id = commitment("USD", "1000000.00").id
    confirmed.record_interest(officer(), value_date=dt.date(2018, 5, 2), usd_amount="1000.00")
    db.session.commit()
    return form


def _rows(db, entry) -> list:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(entry.model).order_by(entry.model.id)))


def _audited(db, entry) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == entry.action))


def test_the_same_form_sent_twice_records_one_entry_and_a_new_render_another(app, db, client, login_as,
                                                                           entry):
    login_as(entry.role)
    before, audited = len(_rows(db, entry)), _audited(db, entry)
    data = dict(entry.data(), form_token=form_token(client, entry.url()))
    first = client.post(entry.url(), data=data)
    assert first.status_code == 302
    rows = _rows(db, entry)
    assert len(rows) == before + 1
    again = client.post(entry.url(), data=data)  # the double-click, or the browser's "resend"
    assert again.status_code == 302
    assert again.headers["Location"] == entry.entry_page(rows[-1].id)
    assert ALREADY in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(_rows(db, entry)) == before + 1
    assert _audited(db, entry) == audited + 1
    # The same values from a new render of the form are a new entry (a deposit with a
    # bank reference of its own, interest said to be separate: the same ones would be
    # a deposit or interest twice).
    again_data = {"deposit": dict(data, bank_reference="SEB 2018-05-11/78"),
                  "interest": dict(data, separate="y", note="Second account's interest")
                  }.get(entry.name, data)
    response = client.post(entry.url(), data=dict(again_data, form_token=form_token(client, entry.url())))
    assert response.status_code == 302
    assert len(_rows(db, entry)) == before + 2
    assert _audited(db, entry) == audited + 2


def test_one_form_sent_from_many_places_at_once_records_one_entry(app, db, login_as, entry):
    clients = [app.test_client() for _ in range(8)]
    for c in clients:
        login_as(entry.role, c)
    data = dict(entry.data(), form_token=form_token(clients[0], entry.url()))
    before, audited = len(_rows(db, entry)), _audited(db, entry)
    db.session.commit()

    url = entry.url()
    run = Parallel(app, len(clients), 1, lambda index, _step: clients[index].post(url, data=data)).run()
    assert run.errors == []
    answers = {(response.status_code, response.headers.get("Location")) for _w, _s, response in run.results}
    rows = _rows(db, entry)
    assert len(rows) == before + 1
    # Each answer is the entry's page (a transfer recorded now shows the pools, its twins the transfers).
    recorded_now = "/contributions/pools" if entry.name == "transfer" else entry.entry_page(rows[-1].id)
    assert answers <= {(302, entry.entry_page(rows[-1].id)), (302, recorded_now)}, answers
    assert _audited(db, entry) == audited + 1


def test_a_refused_entry_keeps_its_token_for_the_corrected_form(app, db, client, login_as):
    c = commitment("USD", "1000000.00")
    login_as("mptf_officer")
    url = f"/contributions/commitments/{c.id}/deposits/new"
    data = {"value_date": "2018-05-10", "amount": "-5", "rate": "", "rate_note": "", "bank_reference": "",
            "form_token": form_token(client, url)}
    assert client.post(url, data=data).status_code == 200  # refused: nothing claimed
    assert client.post(url, data=dict(data, amount="100.00")).status_code == 302
    assert len(db.session.scalars(sa.select(Deposit)).all()) == 1


@pytest.mark.parametrize("token", ["", "made-up", "other user", "other form", "tampered"])
def test_a_missing_made_up_or_borrowed_token_is_refused_and_writes_nothing(app, db, client, login_as, token):
    c = commitment("USD", "1000000.00")
    url = f"/contributions/commitments/{c.id}/deposits/new"
    if token == "other user":
        colleague = make_user("mptf_officer", "colleague.officer@test.example")
        login_as(colleague)
        token = form_token(client, url)
    elif token == "other form":
        login_as("mptf_officer")
        token = form_token(client, "/contributions/interest/new")
    elif token == "tampered":
        login_as("mptf_officer")
        good = form_token(client, url)
        token = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    login_as("mptf_officer")
    before = table_counts(db)
    response = client.post(url, data={"value_date": "2018-05-10", "amount": "100.00", "rate": "",
                                      "rate_note": "", "bank_reference": "", "form_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This form could not be verified" in html
    assert table_counts(db) == before
    # The page shows the form again with a token of its own: sending it records the deposit.
    fresh = form_token(client, url)
    assert fresh != token
    assert client.post(url, data={"value_date": "2018-05-10", "amount": "100.00", "rate": "", "rate_note": "",
                                  "bank_reference": "", "form_token": fresh}).status_code == 302

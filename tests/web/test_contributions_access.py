"""Every contributions page as each role, on the demo fund: readers read, the
officer writes entries, the admin manages objectives and transfers; nobody
else gets in, and no page fails."""
import re

import pytest
import sqlalchemy as sa

from trustfund import demo
from trustfund.permissions import ROLES

WRITERS = {
    "contributions.new_pledge": "mptf_officer", "contributions.withdraw_pledge": "mptf_officer",
    "contributions.new_commitment": "mptf_officer", "contributions.new_deposit": "mptf_officer",
    "contributions.reverse_deposit": "mptf_officer", "contributions.new_interest": "mptf_officer",
    "contributions.reverse_interest": "mptf_officer", "contributions.edit_rate": "mptf_officer",
    "contributions.import_file": "mptf_officer", "contributions.import_template": "mptf_officer",
    "contributions.import_preview": "mptf_officer", "contributions.import_confirm": "mptf_officer",
    "contributions.deposit_preview": "mptf_officer", "contributions.import_rates": "mptf_officer",
    "contributions.rates_import_preview": "mptf_officer",
    "contributions.rates_import_confirm": "mptf_officer",
    "contributions.rates_import_withdraw": "mptf_officer", "contributions.answer_rate": "mptf_officer",
    "contributions.correct_reference": "mptf_officer", "contributions.answer_interest": "mptf_officer",
    "contributions.answer_deposit_reversal": "mptf_officer",
    "contributions.edit_objective": "admin", "contributions.new_transfer": "admin",
    "contributions.decide_transfer": "admin",
}
READERS = {"admin", "mptf_officer", "srsg_staff", "auditor"}


@pytest.fixture
def seeded(app, db):
    demo.seed()
    db.session.commit()


def _ids(db):
    from trustfund.contributions.models import Commitment, Deposit, InterestEntry, Pledge, TransferProposal

    def first(model):
        return db.session.scalar(sa.select(model.id).order_by(model.id).limit(1))

    return {"commitment_id": first(Commitment), "deposit_id": first(Deposit), "pledge_id": first(Pledge),
            "entry_id": first(InterestEntry), "rate_id": 1, "objective_id": 1,
            "proposal_id": first(TransferProposal), "token": _kept_upload(db),
            "rates_token": _kept_rates(db), "rate_proposal_id": _waiting_rate(db),
            "reversal_id": _waiting_reversal(db)}


def _waiting_reversal(db) -> int:
    """A deposit's reversal the officer proposed, waiting for a second one."""
    from tests.factories import base_users
    from trustfund.contributions import reversal_changes
    from trustfund.contributions.models import Deposit

    deposit = db.session.scalar(sa.select(Deposit).where(Deposit.reverses_id.is_(None))
                                .order_by(Deposit.id.desc()).limit(1))
    proposal = reversal_changes.propose(base_users()["mptf_officer"], deposit, "Access sweep")
    db.session.commit()
    return proposal.id


def _waiting_rate(db) -> int:
    """A month's rate the officer proposed, waiting for a second one."""
    import datetime as dt

    from tests.factories import base_users
    from trustfund.contributions import rate_changes

    proposal = rate_changes.propose(base_users()["mptf_officer"], "CHF", dt.date(2030, 2, 1), "0.95",
                                    adding=True)
    db.session.commit()
    return proposal.id


def _kept_rates(db) -> str:
    """The token of a file of rates the officer uploaded (one rate)."""
    from tests.factories import base_users
    from trustfund.contributions.rate_import import keep_rate_upload

    upload = keep_rate_upload(base_users()["mptf_officer"], "access.csv",
                              b"Currency,Month,Rate\nCHF,2030-01,0.95\n", 1)
    db.session.commit()
    return upload.token


def _kept_upload(db) -> str:
    """The token of a deposits workbook the officer uploaded (one deposit of USD 10)."""
    import datetime as dt
    import io

    from openpyxl import Workbook

    from tests.factories import base_users
    from trustfund.contributions.import_uploads import keep_upload
    from trustfund.contributions.models import Commitment

    reference = db.session.scalar(sa.select(Commitment.reference).where(Commitment.currency == "USD")
                                  .where(Commitment.deposited < Commitment.amount).limit(1))
    book = Workbook()
    book.active.append(["Commitment", "Value date", "Amount"])
    book.active.append([reference, dt.date(2018, 5, 10), 10])
    data = io.BytesIO()
    book.save(data)
    upload = keep_upload(base_users()["mptf_officer"], "access.xlsx", data.getvalue(), 1)
    db.session.commit()
    return upload.token


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("contributions.")]


@pytest.mark.parametrize("role", ROLES)
def test_contributions_pages_answer_each_role(app, db, client, login_as, seeded, role):
    login_as("srsg_staff2" if role == "srsg_staff" else role)
    ids = _ids(db)
    for rule in _rules(app):
        url = rule.rule
        if url.startswith("/contributions/rates/waiting/"):
            url = url.replace("<int:proposal_id>", str(ids["rate_proposal_id"]))
        if url.startswith("/contributions/deposits/reversals/"):
            url = url.replace("<int:proposal_id>", str(ids["reversal_id"]))
        for name in re.findall(r"<int:(\w+)>", url):
            url = url.replace(f"<int:{name}>", str(ids[name]))
        kept = ids["rates_token"] if url.startswith("/contributions/rates/") else ids["token"]
        url = url.replace("<token>", kept)
        allowed = app.view_functions[rule.endpoint].allowed_roles
        expected = WRITERS.get(rule.endpoint)
        if expected:
            assert allowed == {expected}, rule.endpoint
        else:
            assert allowed == READERS, rule.endpoint
        if "GET" not in rule.methods:
            response = client.post(url)
            assert response.status_code in ((403,) if role not in allowed else (200, 302)), (role, url)
            continue
        response = client.get(url)
        if role in allowed:
            assert response.status_code == 200, (role, url, response.status_code)
        else:
            assert response.status_code == 403, (role, url, response.status_code)


def test_lists_download_as_xlsx(app, db, client, login_as, seeded):
    login_as("auditor")
    for endpoint in ("index", "deposits", "rates", "pools", "transfers", "interest", "objectives"):
        response = client.get(f"/contributions/{'' if endpoint == 'index' else endpoint}"
                              .replace("/transfers", "/pools/transfers") + "?format=xlsx")
        assert response.status_code == 200, endpoint
        assert response.mimetype.endswith("spreadsheetml.sheet"), endpoint
        assert response.data[:2] == b"PK"

"""Pledges become commitments, once: a commitment recorded against a pledge fulfils
it wholly or in part, what is still pledged is the rest, and the figures count a
pledge followed by its commitment once, as committed (services, without HTTP)."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories.contributions import commitment, counts, donor, officer, pledge
from trustfund.audit import AuditEntry
from trustfund.contributions import queries, services
from trustfund.contributions.models import Commitment, Pledge
from trustfund.dashboard.services import contribution_figures
from trustfund.errors import DomainError
from trustfund.ledger_check import run_checks

D = Decimal


def _rest_pledged(currency: str) -> D:
    """The contributions list's total for the currency: pledged, not yet committed."""
    totals = {t["currency"]: t["amount"]
              for t in queries.pledge_totals(queries.parse_filters({"kind": "pledges"}))}
    return totals.get(currency, D("0.000"))


def _actions(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.id)))


def test_a_smaller_commitment_leaves_the_rest_pledged(db):
    p = pledge("EUR", "1000000.00", objective_number=1)
    c = commitment("EUR", "400000.00", objective_number=1, pledge=p)
    db.session.refresh(p)
    assert c.pledge_id == p.id and c.pledge is p
    assert (p.fulfilled, p.rest, p.status) == (D("400000.00"), D("600000.00"), "partly_fulfilled")
    assert _rest_pledged("EUR") == D("600000.00")
    [entry] = _actions(db, "pledge.fulfil")
    assert entry.object_id == str(p.id) and entry.note == f"commitment #{c.id}"
    assert (entry.before["fulfilled"], entry.after["fulfilled"]) == ("0.000", "400000.000")
    assert run_checks() == []


def test_a_commitment_for_the_rest_or_more_fulfils_the_pledge_which_then_takes_no_more(db):
    p = pledge("USD", "250000.00")
    commitment("USD", "100000.00", pledge=p)
    commitment("USD", "175000.00", pledge=p)  # 25,000 more than the rest: the SAA says so
    db.session.refresh(p)
    assert (p.fulfilled, p.rest, p.status) == (D("275000.00"), D("0.00"), "fulfilled")
    assert _rest_pledged("USD") == 0
    before = counts()
    with pytest.raises(DomainError, match="This pledge is fulfilled"):
        commitment("USD", "1000.00", pledge=p)
    db.session.rollback()
    with pytest.raises(DomainError, match="This pledge is fulfilled"):
        services.withdraw_pledge(officer(), p, "Changed its mind")
    db.session.rollback()
    assert counts() == before
    assert p.withdrawn_at is None and run_checks() == []


def test_withdrawing_a_partly_fulfilled_pledge_withdraws_only_its_rest(db):
    p = pledge("JPY", "30000000")
    c = commitment("JPY", "10000000", pledge=p)
    services.withdraw_pledge(officer(), p, "The rest will not come")
    db.session.commit()
    db.session.refresh(p)
    assert (p.status, p.fulfilled, p.rest, p.withdrawn_rest) == (
        "partly_withdrawn", D("10000000"), D("0"), D("20000000"))
    assert db.session.get(Commitment, c.id).amount == D("10000000")  # the commitment stands
    assert _rest_pledged("JPY") == 0
    with pytest.raises(DomainError, match="already withdrawn"):
        commitment("JPY", "1000", pledge=p)
    db.session.rollback()
    [entry] = _actions(db, "pledge.withdraw")
    assert entry.before["withdrawn_at"] is None
    assert entry.after["withdrawn_reason"] == "The rest will not come"
    assert run_checks() == []


def test_a_commitment_in_another_currency_or_of_another_donor_is_refused(db):
    p = pledge("EUR", "500000.00")
    before = counts()
    with pytest.raises(DomainError) as refused:
        commitment("USD", "550000.00", pledge=p)
    assert refused.value.field == "currency"
    assert "The pledge is in EUR: record its commitment in EUR." in refused.value.message
    db.session.rollback()
    with pytest.raises(DomainError) as refused:
        commitment("EUR", "500000.00", pledge=p, who=donor())
    assert refused.value.field == "donor_id"
    db.session.rollback()
    assert counts() == before
    db.session.refresh(p)
    assert p.fulfilled == 0 and p.status == "in_force"


def test_the_dashboard_counts_a_pledge_and_its_commitment_once(db):
    on = dt.date(2017, 4, 20)
    p = pledge("USD", "300000.00", pledged_on=on)
    before = contribution_figures()
    assert before.total.pledged == D("300000.00") and before.total.committed == 0
    commitment("USD", "120000.00", pledge=p, committed_on=on)
    after = contribution_figures()
    assert (after.total.pledged, after.total.committed) == (D("180000.00"), D("120000.00"))
    [usd] = [c for c in after.by_currency if c.currency == "USD"]
    assert (usd.pledged, usd.committed) == (D("180000.00"), D("120000.00"))
    assert after.by_type["member_state"].pledged == D("180000.00")
    commitment("USD", "180000.00", pledge=p, committed_on=on)
    final = contribution_figures()
    assert (final.total.pledged, final.total.committed) == (0, D("300000.00"))
    assert final.total.pledged + final.total.committed == before.total.pledged


def test_the_ledger_check_finds_a_pledge_whose_fulfilment_is_not_its_commitments(db):
    p = pledge("EUR", "1000000.00")
    commitment("EUR", "400000.00", pledge=p)
    db.session.execute(sa.update(Pledge).where(Pledge.id == p.id).values(fulfilled=D("300000.00")))
    db.session.commit()
    assert run_checks() == [f"Pledge #{p.id} (EUR 1,000,000.00): fulfilled 300,000.00 is recorded, but the "
                            f"commitments against it add up to 400,000.00."]


def test_the_ledger_check_finds_a_commitment_fulfilling_another_donors_pledge(db):
    p = pledge("EUR", "1000000.00")
    c = commitment("EUR", "400000.00", pledge=p)
    other = donor()
    db.session.execute(sa.update(Commitment).where(Commitment.id == c.id).values(donor_id=other.id))
    db.session.commit()
    assert f"Commitment #{c.id} fulfils pledge #{p.id}, but its donor or currency differ from the pledge's." \
        in run_checks()

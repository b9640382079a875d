"""A donor's SAA over the fund's life, after money is attached to it (a colleague's
review): closing it while a commitment still waits for money is refused (a closed SAA is
never signed again, so that money could never be recorded: one officer's click closed
it for good); what is refused after a closing does not ask for a signature a closed SAA
cannot get; "Latest amendment" is the one signed last, not the one typed last; a
commitment is not dated before its SAA was signed; a Member State is a donor once even
when another donor becomes it at the moment the State is added; a commitment recorded
while the SAA is being closed waits for the closing."""
from __future__ import annotations

import datetime as dt
import re
import threading
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from tests.factories import base_users
from tests.factories import contributions as f
from tests.pages import error_beside, form_token, text
from tests.security.helpers import Attempt
from trustfund import demo
from trustfund.auth.models import User
from trustfund.contributions import services as contributions
from trustfund.contributions.models import Commitment
from trustfund.donors import services
from trustfund.donors.models import Donor
from trustfund.donors.services import change_saa_status
from trustfund.errors import DomainError
from trustfund.extensions import db as _db

OUTSTANDING = ("Kingdom of Sweden still has 1 commitment with money outstanding, and once its SAA is closed "
               "no deposit can be recorded. Record what is still to come, or write off what will not come, "
               "then close the SAA.")


def _close(client, donor):
    url = f"/donors/{donor.id}/saa"
    version = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).get_data(as_text=True))
    return client.post(url, data={"to_status": "closed", "note": "Arrangement ended",
                                  "version": version.group(1)})


def test_an_saa_is_not_closed_while_money_is_outstanding(app, db, client, login_as):
    sweden = f.sweden()
    commitment = f.commitment(currency="USD", amount="1000.00")
    f.deposit(commitment, D("400.00"))  # USD 600.00 still to come
    login_as("mptf_officer")
    refused = _close(client, sweden)
    assert error_beside(refused.get_data(as_text=True), "to_status") == OUTSTANDING
    db.session.expire_all()
    assert db.session.get(Donor, sweden.id).saa_status == "signed"
    f.deposit(commitment, D("600.00"))  # all of it received: nothing waits for the SAA
    assert _close(client, sweden).status_code == 302
    db.session.expire_all()
    assert db.session.get(Donor, sweden.id).saa_status == "closed"


def test_after_the_closing_the_refusals_do_not_ask_for_a_signature(app, db, client, login_as, users):
    sweden = f.sweden()
    commitment = f.commitment(currency="USD", amount="1000.00")
    f.deposit(commitment, D("400.00"))
    # An SAA closed with money outstanding before the closing was refused (an older deployment).
    db.session.execute(sa.update(Donor).where(Donor.id == sweden.id).values(saa_status="closed"))
    db.session.commit()
    login_as("mptf_officer")
    page = text(client.get(f"/contributions/commitments/{commitment.id}"))
    assert "Kingdom of Sweden’s SAA is closed: no deposit can be recorded against this commitment." in page
    assert "until it has" not in page
    url = "/contributions/commitments/new"
    refused = client.post(url, data={"donor_id": str(sweden.id), "currency": "USD", "amount": "100.00",
                                     "committed_on": "2018-05-10", "objective_id": "", "reference": "",
                                     "note": "", "form_token": form_token(client, url)})
    assert error_beside(refused.get_data(as_text=True), "donor_id") == (
        "A commitment cannot be recorded: Kingdom of Sweden's SAA is closed, and a closed SAA is not signed "
        "again.")


def test_the_latest_amendment_is_the_one_signed_last(client, login_as, db, users):
    sweden = demo.demo_donor()  # SAA signed on 20 Apr 2017
    officer = users["mptf_officer"]
    for signed_on, reference in ((dt.date(2018, 3, 15), "SE-A2"), (dt.date(2017, 9, 1), "SE-A1")):
        # The first amendment, found later in the files, recorded after the second.
        change_saa_status(officer, sweden, "amended", signed_on=signed_on,
                          signatory_donor="Permanent Representative", signatory_mptf="Executive Coordinator",
                          reference=reference, version=sweden.version)
        db.session.commit()
    said = "Latest amendment signed on 15 Mar 2018, reference SE-A2"
    login_as("mptf_officer")
    assert said in text(client.get(f"/donors/{sweden.id}"))
    login_as("donor")
    assert said in text(client.get("/statements/portal"))


def test_a_commitment_is_not_dated_before_its_saa_was_signed(app, db):
    sweden = f.sweden()
    assert sweden.saa_signed_on == dt.date(2017, 4, 20)
    with pytest.raises(DomainError) as refused:
        contributions.record_commitment(f.officer(), sweden, currency="USD", amount=D("1000.00"),
                                        objective_id=None, committed_on=dt.date(2017, 4, 5))
    assert (refused.value.field, refused.value.message) == (
        "committed_on",
        "Kingdom of Sweden's SAA was signed on 20 Apr 2017: a commitment is dated on or after it.")
    made = contributions.record_commitment(f.officer(), sweden, currency="USD", amount=D("1000.00"),
                                           objective_id=None, committed_on=dt.date(2017, 4, 20))
    assert made.committed_on == dt.date(2017, 4, 20)


def test_a_member_state_is_a_donor_once_when_a_type_change_meets_a_new_donor(app, db, monkeypatch):
    """An officer turns an organisation seated in Sweden into the Member State while
    another adds the Member State Sweden: the type change's look-up for the State was
    held by nothing (only a change of name took the donors' lock), and Sweden was
    recorded twice, its money split between two donors. PostgreSQL: on SQLite the
    second write waits for the first."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer at a time, so the second donor is saved after the first")
    officer_id = base_users()["mptf_officer"].id
    org = services.create_donor(db.session.get(User, officer_id), name="Swedish Institute",
                                donor_type="philanthropic_organization", country_code="SE")
    db.session.execute(sa.update(Donor).where(Donor.donor_type == "member_state", Donor.country_code == "SE")
                       .values(country_code="NO"))
    db.session.commit()
    org_id = org.id
    checked, created = threading.Event(), threading.Event()
    real_flush = services._flush_unique

    def flush_after_the_other(donor):
        if donor.name == "Swedish Institute":  # the type change's checks are done
            checked.set()
            created.wait(5)
        return real_flush(donor)

    monkeypatch.setattr(services, "_flush_unique", flush_after_the_other)

    def change_type():
        donor = _db.session.get(Donor, org_id)
        services.update_donor(_db.session.get(User, officer_id), donor, version=donor.version,
                              name=donor.name, donor_type="member_state", country_code="SE")
        _db.session.commit()
        return "changed"

    def add_sweden():
        checked.wait(30)
        try:
            services.create_donor(_db.session.get(User, officer_id), name="Sweden",
                                  donor_type="member_state", country_code="SE")
            _db.session.commit()
        finally:
            created.set()
        return "added"

    one, other = Attempt(app, change_type).start(), Attempt(app, add_sweden).start()
    outcomes = [one.join(60), other.join(60)]
    db.session.expire_all()
    members = db.session.scalars(sa.select(Donor.name).where(
        Donor.donor_type == "member_state", Donor.country_code == "SE")).all()
    assert members == ["Swedish Institute"], (outcomes, members)


def test_an_saa_is_not_closed_while_a_reversal_of_its_deposits_waits(app, db, client, login_as, users):
    """A deposit entered twice, its reversal proposed: the commitment read as fully paid,
    the SAA was closed, the reversal then confirmed, and USD 400.00 waited for money on
    an SAA never signed again (the review of this session's diff)."""
    from trustfund.contributions import reversal_changes

    sweden = f.sweden()
    commitment = f.commitment(currency="USD", amount="1000.00")
    f.deposit(commitment, D("600.00"))
    twice = f.deposit(commitment, D("400.00"))
    proposal = reversal_changes.propose(users["mptf_officer"], twice, "Entered twice from the same advice.")
    db.session.commit()
    login_as("mptf_officer")
    refused = _close(client, sweden)
    assert error_beside(refused.get_data(as_text=True), "to_status") == (
        "1 reversal of a deposit of Kingdom of Sweden waits for a second MPTF officer: once confirmed, its "
        "money is outstanding again. Have it confirmed or withdrawn, then close the SAA.")
    reversal_changes.withdraw(users["mptf_officer"], proposal.id)
    db.session.commit()
    assert _close(client, sweden).status_code == 302


def test_a_commitment_recorded_while_the_saa_is_closed_waits_and_is_refused(app, db):
    """An officer closes Sweden's SAA (nothing outstanding) while a colleague records a
    commitment under it: the colleague's commitment was committed while the closing's
    checks ran (neither held the donor), and the SAA was closed with money outstanding
    that no deposit could ever be recorded against. Now the commitment waits for the
    closing and is refused for the closed SAA. PostgreSQL: on SQLite one writer at a
    time."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer at a time, so the commitment is recorded before or after the closing")
    sweden = f.sweden()
    db.session.commit()
    officer_id, sweden_id = base_users()["mptf_officer"].id, sweden.id
    colleague = []

    def record():
        contributions.record_commitment(_db.session.get(User, officer_id), _db.session.get(Donor, sweden_id),
                                        currency="USD", amount="5000.00", objective_id=None,
                                        committed_on=dt.date(2018, 3, 1))
        _db.session.commit()
        return "recorded"

    def after_the_checks(conn, cursor, statement, parameters, context, executemany):
        if not colleague and "commitment.deposited + commitment.written_off" in statement:
            colleague.append(Attempt(app, record).start())
            colleague[0].done.wait(3)  # recorded by now, unless it waits for the closing

    sa.event.listen(db.engine, "after_cursor_execute", after_the_checks)
    try:
        donor = db.session.get(Donor, sweden_id)
        change_saa_status(db.session.get(User, officer_id), donor, "closed", note="Arrangement ended",
                          version=donor.version)
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", after_the_checks)
    assert colleague, "the closing's check of outstanding commitments was never run"
    outcome = colleague[0].join(30)
    db.session.expire_all()
    assert db.session.get(Donor, sweden_id).saa_status == "closed"
    assert outcome.startswith("refused: "), outcome
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)
                             .where(Commitment.donor_id == sweden_id)) == 0

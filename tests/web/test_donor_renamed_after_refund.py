"""Nobody alone changes whom a confirmed refund pays (DESIGN.md §5; a colleague's sweep
of every form for one-person bypasses).

A pool's refund to its donors is decided by two SRSG staff members (one proposes,
another confirms); its decision page is the "Payment instruction", naming each donor
and its amount. A single MPTF officer could then rename a donor on the donor's form, at
once, and the payment instruction two people confirmed named another payee. A donor to
whom a refund was decided now keeps its name: the rename is refused beside the name,
nothing saved."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.factories import browser_of, second_srsg_confirms
from tests.factories import statements as data
from tests.pages import error_beside, post_and_confirm, table_rows, text
from tests.security.helpers import Attempt
from trustfund import demo
from trustfund.auth.models import User
from trustfund.closure import proposals
from trustfund.donors import services as donor_services
from trustfund.donors.models import Donor, DonorRenaming
from trustfund.extensions import db as _db
from trustfund.fund import services as fund_services
from trustfund.fund.entries import ClosingProposal, PoolClosing
from trustfund.fund.status import current_fund


def _fund(db, users):
    sweden, other = demo.demo_donor(), data.donor("Norway (closing)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    return data.pool(), other


def _form(pool) -> dict:
    fields = {"kind": "refund", "balance": "36000.00", "note": "", "fund_name": "", "fund_reference": ""}
    return {f"pool{pool.id}-{k}": v for k, v in fields.items()}


def test_one_officer_cannot_rename_the_payee_of_a_refund_two_srsg_staff_confirmed(
        app, client, login_as, db, users):
    pool, norway = _fund(db, users)
    login_as("srsg_staff")
    post_and_confirm(client, f"/fund/closing/pools/{pool.id}", _form(pool), follow_redirects=True)
    second_srsg_confirms(app, pool.id)
    closing_id = db.session.scalar(sa.select(PoolClosing.id).where(PoolClosing.pool_id == pool.id))
    assert closing_id is not None

    # One MPTF officer, alone, renames the donor the confirmed refund pays.
    login_as("mptf_officer")
    form = client.get(f"/donors/{norway.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    refused = client.post(f"/donors/{norway.id}/edit", data={
        "name": "Acme Trading Ltd", "donor_type": "philanthropic_organization", "country_code": "",
        "contact_name": "", "contact_email": "", "version": version}).get_data(as_text=True)
    assert error_beside(refused, "name").startswith("A refund to this donor was decided on ")
    db.session.expire_all()
    assert db.session.get(Donor, norway.id).name == "Norway (closing)"
    # Its contact, say, is still corrected by one officer.
    saved = client.post(f"/donors/{norway.id}/edit", data={
        "name": "Norway (closing)", "donor_type": "philanthropic_organization", "country_code": "",
        "contact_name": "Treasury", "contact_email": "", "version": version})
    assert saved.status_code == 302

    # The payment instruction the two SRSG staff members confirmed still names its payee.
    page = client.get(f"/fund/closing/decisions/{closing_id}").get_data(as_text=True)
    payees = [row[0] for row in table_rows(page, "parts")]
    assert "Acme Trading Ltd" not in payees, payees
    assert "Norway (closing)" in payees, payees


def test_a_rename_while_the_refund_is_confirmed_waits_for_it_and_is_refused(app, client, login_as, db, users):
    """The officer's rename runs while a second SRSG staff member's confirmation is
    writing the refund's parts: neither held the donor (the parts only refer to its row),
    the rename found no refund decided and was committed, and the payment instruction
    named "Acme Trading Ltd". Now the rename waits for the confirmation and is refused.
    PostgreSQL: on SQLite one writer at a time."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one writer at a time, so the rename is made before or after the refund")
    pool, norway = _fund(db, users)
    login_as("srsg_staff")
    post_and_confirm(client, f"/fund/closing/pools/{pool.id}", _form(pool), follow_redirects=True)
    proposal_id = db.session.scalar(sa.select(ClosingProposal.id).where(ClosingProposal.pool_id == pool.id))
    officer_id, norway_id = users["mptf_officer"].id, norway.id
    renaming = []

    def rename():
        donor = _db.session.get(Donor, norway_id)
        donor_services.update_donor(_db.session.get(User, officer_id), donor, version=donor.version,
                                    name="Acme Trading Ltd", donor_type=donor.donor_type)
        _db.session.commit()
        return "renamed"

    def after_the_parts(conn, cursor, statement, parameters, context, executemany):
        if not renaming and statement.startswith("INSERT INTO pool_closing_part"):
            renaming.append(Attempt(app, rename).start())
            renaming[0].done.wait(3)  # renamed by now, unless it waits for the refund

    sa.event.listen(db.engine, "after_cursor_execute", after_the_parts)
    try:
        proposals.confirm(db.session.get(User, users["srsg_staff2"].id), proposal_id)
        db.session.commit()
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", after_the_parts)
    assert renaming, "the confirmation wrote no refund part"
    outcome = renaming[0].join(30)
    assert outcome.startswith("refused: A refund to this donor was decided on "), outcome
    db.session.expire_all()
    assert db.session.get(Donor, norway_id).name == "Norway (closing)"


def test_a_rename_while_the_refund_waits_is_not_one_officers_either(app, client, login_as, db, users):
    """A colleague's review: in the other order of steps (the refund proposed, naming the
    donor; one officer renames it while it waits; a second SRSG staff member confirms),
    the confirmed payment instruction named "Acme Trading Ltd", whom nobody proposed.
    A donor whose contributions are recorded is renamed only by two MPTF officers
    (donors.renamings): the one officer's rename waits, and the refund pays the name
    its proposal showed."""
    pool, norway = _fund(db, users)
    login_as("srsg_staff")
    post_and_confirm(client, f"/fund/closing/pools/{pool.id}", _form(pool), follow_redirects=True)
    login_as("mptf_officer")
    form = client.get(f"/donors/{norway.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    proposed = client.post(f"/donors/{norway.id}/edit", data={
        "name": "Acme Trading Ltd", "donor_type": "philanthropic_organization", "country_code": "",
        "contact_name": "", "contact_email": "", "version": version, "reason": "New owner"})
    assert proposed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Donor, norway.id).name == "Norway (closing)"
    second_srsg_confirms(app, pool.id)
    closing_id = db.session.scalar(sa.select(PoolClosing.id).where(PoolClosing.pool_id == pool.id))
    page = client.get(f"/fund/closing/decisions/{closing_id}").get_data(as_text=True)
    payees = [row[0] for row in table_rows(page, "parts")]
    assert "Norway (closing)" in payees and "Acme Trading Ltd" not in payees, payees
    # The waiting rename can no longer be confirmed: a refund to the donor was decided.
    renaming_id = db.session.scalar(sa.select(DonorRenaming.id))
    colleague = browser_of(app, "mptf_officer2")
    # The donor's page says so in place of Confirm (it offered Confirm, bound to be refused).
    card = re.search(r'<section[^>]*id="waiting-renaming".*?</section>',
                     colleague.get(f"/donors/{norway.id}").get_data(as_text=True), re.S).group(0)
    assert ("This change cannot be confirmed as it stands: A refund to this donor was decided on "
            in text(card)), text(card)
    assert ">Confirm<" not in card
    refused = text(colleague.post(f"/donors/renamings/{renaming_id}/confirm", follow_redirects=True))
    assert ("Nothing was changed, and the change still waits: A refund to this donor was decided on "
            in refused), refused
    db.session.expire_all()
    assert db.session.get(Donor, norway.id).name == "Norway (closing)"

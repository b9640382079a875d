"""A donor's rename is refused once a refund to it is decided (donors/services.
_refuse_renaming_a_payee), and waits for a confirmation writing its parts (commit
e5ffa1e). But in the other order of steps -- one SRSG staff member proposes the refund
(its page names the donor), one MPTF officer renames the donor while the proposal waits,
a second SRSG staff member confirms -- the rename is accepted (no refund part exists yet)
and the confirmed payment instruction names "Acme Trading Ltd", a payee the proposer
never proposed: one officer alone still chooses the name the two-person decision pays."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from tests.factories import second_srsg_confirms
from tests.factories import statements as data
from tests.pages import post_and_confirm, table_rows
from trustfund import demo
from trustfund.fund import services as fund_services
from trustfund.fund.entries import PoolClosing
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


def test_a_rename_while_the_refund_waits_for_its_confirmation_does_not_rename_the_payee(
        app, client, login_as, db, users):
    pool, norway = _fund(db, users)
    login_as("srsg_staff")
    post_and_confirm(client, f"/fund/closing/pools/{pool.id}", _form(pool), follow_redirects=True)

    # While the proposal waits, one MPTF officer renames the donor.
    login_as("mptf_officer")
    form = client.get(f"/donors/{norway.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    client.post(f"/donors/{norway.id}/edit", data={
        "name": "Acme Trading Ltd", "donor_type": "philanthropic_organization", "country_code": "",
        "contact_name": "", "contact_email": "", "version": version})

    try:
        second_srsg_confirms(app, pool.id)
    except Exception:
        pass
    db.session.expire_all()
    closing_id = db.session.scalar(sa.select(PoolClosing.id).where(PoolClosing.pool_id == pool.id))
    if closing_id is None:
        return  # the confirmation was refused: nothing paid under a name nobody proposed
    login_as("mptf_officer")
    page = client.get(f"/fund/closing/decisions/{closing_id}").get_data(as_text=True)
    payees = [row[0] for row in table_rows(page, "parts")]
    assert "Acme Trading Ltd" not in payees, payees

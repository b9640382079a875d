"""The fund's closing in the browser's words (issue 18): the page lists what is
left to settle, the refunds each decision would make and the decisions taken; an
officer writes off, SRSG staff decide (one proposes, another confirms), the admin
closes; the donor sees its refund in its portal and statement; the decisions
download with the donors' parts."""
from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from tests.factories import second_officer_confirms_write_off, second_srsg_confirms
from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import confirmation, error_beside, form_token, post_and_confirm, summary_of, table_rows
from tests.security.helpers import BIDI_TEXT, LONG_TEXT, changed_counts, table_counts
from trustfund import demo
from trustfund.contributions import confirmed
from trustfund.fund import services as fund_services
from trustfund.fund.entries import PoolClosing
from trustfund.fund.status import current_fund
from trustfund.ledger_check import run_checks


def _fund(db, users):
    """Sweden (the donor user's donor) and another donor in the un-earmarked pool, a
    commitment of the other with 1,000.00 outstanding; the operations closed."""
    sweden, other = demo.demo_donor(), data.donor("Norway (closing)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    data.deposit(data.commitment(other, "11000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    return sweden, other


def test_the_page_says_what_is_left_and_what_a_refund_would_give(client, login_as, db, users):
    _fund(db, users)
    login_as("auditor")
    html = client.get("/fund/closing").get_data(as_text=True)
    assert "1 commitment has money outstanding" in html
    assert table_rows(html, "pool-balances")[0] == ["Un-earmarked", "0.00", "36,000.00", "0.00"]
    refunds = table_rows(html, "refunds-UNEARMARKED")
    assert [row[0] for row in refunds] == ["Kingdom of Sweden", "Norway (closing)"]
    assert [row[4] for row in refunds] == ["27,000.00", "9,000.00"]


def _commitment_of(donor):
    """The donor's commitment (one each in _fund)."""
    return next(c for c in data.db.session.scalars(sa.select(data.Commitment)) if c.donor_id == donor.id)


def _write_off_url(commitment) -> str:
    return f"/fund/closing/commitments/{commitment.id}/write-off"


def test_write_off_decide_and_close_through_the_pages(app, client, login_as, db, users):
    sweden, other = _fund(db, users)
    commitment = _commitment_of(other)
    login_as("mptf_officer")
    page = client.post(_write_off_url(commitment),
                       data={"amount": "1000.01", "reason": "Never paid"})
    assert "Only USD 1,000.00 is outstanding." in " ".join(error_beside(page.get_data(as_text=True),
                                                                       "amount").split())
    url = _write_off_url(commitment)
    assert post_and_confirm(client, url, {"amount": "", "reason": "Never paid",
                                          "form_token": form_token(client, url)}).status_code == 302
    # Proposed only: a second MPTF officer confirms it, and only then is it written off.
    assert "1 write-off waits for a second MPTF officer" in client.get("/fund/closing").get_data(as_text=True)
    assert "Write-off confirmed" in second_officer_confirms_write_off(app).get_data(as_text=True)

    login_as("srsg_staff")
    url = f"/fund/closing/pools/{data.pool().id}"
    prefix = f"pool{data.pool().id}"
    base = {f"{prefix}-kind": "refund", f"{prefix}-balance": "36000.00", f"{prefix}-note": "",
            f"{prefix}-fund_name": "", f"{prefix}-fund_reference": ""}
    for value in ("a\x00b", BIDI_TEXT, LONG_TEXT):
        before = table_counts(db)
        page = client.post(url, data={**base, f"{prefix}-note": value})
        assert error_beside(page.get_data(as_text=True), f"{prefix}-note")
        assert changed_counts(before, table_counts(db)) == {}
    page = client.post(url, data={**base, f"{prefix}-kind": "transfer"})
    assert "Name the fund" in error_beside(page.get_data(as_text=True), f"{prefix}-fund_name")
    done = post_and_confirm(client, url, {**base, f"{prefix}-note": "<b>Per the SAA</b>"})
    assert done.status_code == 302
    # Proposed only: a second SRSG staff member confirms it, and only then is it recorded.
    assert db.session.scalar(sa.select(PoolClosing)) is None
    assert "Decision confirmed" in second_srsg_confirms(app, data.pool().id).get_data(as_text=True)
    closing = db.session.scalar(sa.select(PoolClosing))
    html = client.get(f"/fund/closing/decisions/{closing.id}").get_data(as_text=True)
    assert "&lt;b&gt;Per the SAA&lt;/b&gt;" in html
    assert [row[4] for row in table_rows(html, "parts")] == ["27,000.00", "9,000.00"]

    login_as("admin")
    page = post_and_confirm(client, "/fund/closing/close", {"note": "Certified"})
    assert page.status_code == 302
    html = client.get("/fund/closing").get_data(as_text=True)
    assert 'id="closed"' in html and "Close the fund financially" not in html
    assert run_checks() == []

    login_as("donor")
    portal = client.get("/statements/portal").get_data(as_text=True)
    assert table_rows(portal, "portal-refunds")[0][2:] == ["Refund to the pool's donors", "27,000.00", "0.00",
                                                           "27,000.00"]
    assert 'id="balance-total">USD\u00a00.00<' in portal
    statement = client.get(f"/statements/{sweden.id}").get_data(as_text=True)
    assert 'id="returned-in-period">USD\u00a027,000.00<' in statement
    assert 'id="closing">USD\u00a00.00<' in statement
    # "Closing" is the period's end (the closing balance); the fund's end is its closure.
    for page in (portal, statement):
        assert "returned at the fund’s closure" in page and "The fund’s closure" in page
        assert "fund’s closing" not in page

    login_as("auditor")
    book = load_workbook(io.BytesIO(client.get("/fund/closing?format=xlsx").data))
    parts = list(book["Donors' parts"].iter_rows(values_only=True))
    assert [row[2] for row in parts[1:]] == ["Kingdom of Sweden", "Norway (closing)"]
    assert [row[7] for row in parts[1:]] == [27000, 9000]
    assert D(str(sum(row[7] for row in parts[1:]))) == D("36000")


def test_a_write_off_sent_twice_writes_off_once(app, client, login_as, db, users):
    """A double-click on the confirmation's button (or the browser sending it again)
    proposes the write-off once, and it is written off once: a write-off cannot be
    reversed, so a second one would take money from the donor's commitment for good."""
    _sweden, other = _fund(db, users)
    commitment = _commitment_of(other)
    url = _write_off_url(commitment)
    login_as("mptf_officer")
    first = client.post(url, data={"amount": "300.00", "reason": "Budget cut",
                                   "form_token": form_token(client, url)})
    action, fields = confirmation(first.get_data(as_text=True))
    assert client.post(action, data=MultiDict(fields)).status_code == 302
    again = client.post(action, data=MultiDict(fields), follow_redirects=True)
    assert "Nothing was proposed a second time." in again.get_data(as_text=True)
    assert "Write-off confirmed" in second_officer_confirms_write_off(app).get_data(as_text=True)
    page = client.get("/fund/closing").get_data(as_text=True)
    row = next(r for r in table_rows(page, "outstanding") if r[0] == "Norway (closing)")
    assert row[5:7] == ["300.00", "700.00"]


def test_a_write_off_confirmed_without_the_amount_its_page_showed_is_shown_first(app, client, login_as, db,
                                                                                  users):
    """A post that says "confirmed" but carries no outstanding amount was not sent by the
    confirmation page (which always carries it): it is answered with that page, and
    nothing is written off until the amount shown is confirmed."""
    _sweden, other = _fund(db, users)
    commitment = _commitment_of(other)
    url = _write_off_url(commitment)
    login_as("mptf_officer")
    page = client.post(url, data={"amount": "", "reason": "Never paid", "confirmed": "1",
                                  "form_token": form_token(client, url)}).get_data(as_text=True)
    assert "USD 1,000.00 of the commitment is written off" in summary_of(page)
    data.db.session.expire_all()
    assert data.db.session.get(data.Commitment, commitment.id).written_off == D("0")
    action, fields = confirmation(page)
    assert client.post(action, data=MultiDict(fields)).status_code == 302
    second_officer_confirms_write_off(app)
    data.db.session.expire_all()
    assert data.db.session.get(data.Commitment, commitment.id).written_off == D("1000.00")


def test_a_write_off_confirmed_after_the_commitment_changed_is_refused(client, login_as, db, users):
    """The confirmation of "write off all that is outstanding" says how much; if a
    colleague reverses a deposit of that commitment before the officer confirms, the
    outstanding amount grows, and the confirmed post must not write off more than the
    page said: it is refused, and nothing is written off."""

    _sweden, other = _fund(db, users)
    commitment = _commitment_of(other)
    url = _write_off_url(commitment)
    login_as("mptf_officer")
    first = client.post(url, data={"amount": "", "reason": "Never paid",
                                   "form_token": form_token(client, url)})
    assert "USD 1,000.00 of the commitment is written off" in summary_of(first.get_data(as_text=True))
    action, fields = confirmation(first.get_data(as_text=True))

    confirmed.reverse_deposit(users["mptf_officer"], commitment.deposits[0], "Bounced")  # a colleague
    db.session.commit()
    page = client.post(action, data=MultiDict(fields), follow_redirects=True)

    assert "The commitment changed meanwhile: reload the page." in page.get_data(as_text=True)
    data.db.session.expire_all()
    assert data.db.session.get(data.Commitment, commitment.id).written_off == D("0")


def test_a_negative_difference_says_it_is_money_still_committed_to_grants(client, login_as, db, users):
    """While a grant approved from the pool is not reconciled, its money is in the
    donors' balances but not in the pool's unspent balance: the refund preview's
    difference is negative, and the page says why."""
    from tests.factories import travel as tf
    from trustfund.contributions import pools
    from trustfund.travel.decisions import approve_grant

    sweden = demo.demo_donor()
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", fee_rate="0")
    db.session.commit()
    grant = tf.make_request(tf.make_event(), "SN")
    approve_grant(users["srsg_staff2"], grant, pools.unearmarked_pool().id)
    db.session.commit()
    login_as("auditor")
    html = client.get("/fund/closing").get_data(as_text=True)
    [row] = table_rows(html, "refunds-UNEARMARKED")
    assert row[3].startswith("-")  # balance 30,000.00, refund what the pool has unspent
    note = ("less, while travel grants are not yet reconciled, the money committed to them (in the donors’ "
            "balances, not in the unspent balance)")
    assert note in " ".join(html.replace("&#39;", "'").split())

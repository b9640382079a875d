"""A transfer between pools takes two admins (DESIGN.md §5, nobody alone moves money):
the admin's transfer form proposes it, nothing moves until a second, different, active
admin confirms it; it is then applied as before (confirmed.transfer), or, if it can no
longer be (the source pool is short now, the year is closed), nothing moves and it
still waits. Another admin may refuse it with a reason, its proposer may withdraw it."""
from __future__ import annotations

import datetime as dt
import html as html_module
import io
import re
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import browser_of, second_admin_confirms_transfer
from tests.factories.contributions import commitment, counts, deposit, officer, pool, pool_figures
from tests.pages import error_beside_reason, form_token, post_and_confirm, reason_required, table_rows, text
from trustfund.admin.models import CONFIRMED, PENDING, REFUSED, WITHDRAWN
from trustfund.audit import AuditEntry
from trustfund.contributions import confirmed
from trustfund.contributions.models import PoolTransfer, TransferProposal
from trustfund.mail.models import OutboxMessage

D = Decimal
URL = "/contributions/pools/transfer"
WAITS = "waits for a second administrator to confirm it. Nothing has moved yet."
MINE = "You proposed this transfer: another administrator must confirm or refuse it."
REASON = "Objective 1 surplus to Objective 2"


def _fund():
    """OBJ1: USD 1,052,072.27 available; UNEARMARKED: USD 198,000.00; OBJ2: nothing."""
    obj1 = commitment("EUR", "1000000.00", objective_number=1)
    free = commitment("USD", "200000.00")
    deposit(obj1, D("1000000.00"), rate=D("0.941"))
    deposit(free, D("200000.00"))


def _propose(client, source="OBJ1", target="OBJ2", amount="52,072.27", on="2018-06-01", reason=REASON):
    """The admin's transfer form, then its confirmation page's form: the page after."""
    return post_and_confirm(client, URL, {
        "from_pool_id": str(pool(source).id), "to_pool_id": str(pool(target).id), "usd_amount": amount,
        "transferred_on": on, "reason": reason, "form_token": form_token(client, URL)},
        follow_redirects=True)


def _waiting(db) -> list[TransferProposal]:
    db.session.expire_all()
    return db.session.scalars(sa.select(TransferProposal).where(TransferProposal.status == PENDING)).all()


def _decide(browser, proposal_id: int, decision: str, back: str = "transfers", **data):
    return browser.post(f"/contributions/pools/transfers/waiting/{proposal_id}/{decision}",
                        data=dict(data, back=back), follow_redirects=True)


def _transfers(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PoolTransfer))


def _actions(db, prefix: str = "transfer_proposal.") -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(AuditEntry.action, AuditEntry.user_id)
                              .where(AuditEntry.action.like(prefix + "%")).order_by(AuditEntry.id)).all()
    return [(action, user_id) for action, user_id in rows]


def test_the_preview_says_the_transfer_waits_for_a_second_admin(app, db, client, login_as, users):
    _fund()
    login_as("admin")
    figures = pool_figures()
    preview = text(client.post(URL, data={
        "from_pool_id": str(pool("OBJ1").id), "to_pool_id": str(pool("OBJ2").id), "usd_amount": "100.00",
        "transferred_on": "2018-06-01", "reason": REASON, "form_token": form_token(client, URL)}))
    assert "Nothing moves until a second administrator confirms the transfer." in preview
    assert "Propose the transfer" in preview
    assert pool_figures() == figures and _waiting(db) == []


def test_a_proposed_transfer_moves_nothing_until_a_second_admin_confirms_it(app, db, client, login_as,
                                                                             users):
    _fund()
    login_as("admin")
    figures = pool_figures()
    page = text(_propose(client))
    assert "Proposed: USD 52,072.27 from the Objective 1 pool to the Objective 2 pool waits" in page
    assert WAITS in page
    # Nothing moved, no transfer was written: one transfer waits, shown on both pages.
    assert pool_figures() == figures and _transfers(db) == 0
    [proposal] = _waiting(db)
    assert (proposal.usd_amount, proposal.transferred_on, proposal.reason, proposal.proposed_by_id) == (
        D("52072.27"), dt.date(2018, 6, 1), REASON, users["admin"].id)
    for url in ("/contributions/pools", "/contributions/pools/transfers"):
        own = client.get(url).get_data(as_text=True)
        assert "Transfers waiting for a second administrator" in own and REASON in own
        # The proposer may withdraw it, not confirm or refuse it.
        assert f"/waiting/{proposal.id}/withdraw" in own
        assert f"/waiting/{proposal.id}/confirm" not in own and f"/waiting/{proposal.id}/refuse" not in own
    # The other active admin is told by email; the proposer is not.
    [told] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "transfer_waiting")).all()
    assert told.to_address == "admin2@test.example"
    assert "USD 52,072.27" in " ".join(told.body_text.split()) and REASON in told.body_text
    assert "/contributions/pools/transfers" in told.body_text
    # The proposer cannot confirm or refuse their own transfer, even by posting.
    assert MINE in text(_decide(client, proposal.id, "confirm"))
    assert MINE in text(_decide(client, proposal.id, "refuse", reason="mine"))
    assert MINE in text(_decide(client, proposal.id, "refuse", reason=""))  # no reason: still theirs
    assert pool_figures() == figures and _transfers(db) == 0 and len(_waiting(db)) == 1
    # The second admin sees it with Confirm and Refuse, and confirms it.
    other = browser_of(app, "admin2")
    listed = other.get("/contributions/pools/transfers").get_data(as_text=True)
    assert f"/waiting/{proposal.id}/confirm" in listed and f"/waiting/{proposal.id}/refuse" in listed
    assert f"/waiting/{proposal.id}/withdraw" not in listed
    assert reason_required(listed, f"/contributions/pools/transfers/waiting/{proposal.id}/refuse")
    done = text(second_admin_confirms_transfer(app))
    assert "Transfer confirmed: USD 52,072.27 moved from" in done
    assert pool("OBJ1").available == D("1000000.00") and pool("OBJ2").available == D("52072.27")
    assert pool("OBJ1").transfers_out == D("52072.27") and pool("OBJ2").transfers_in == D("52072.27")
    assert _waiting(db) == [] and _transfers(db) == 1
    db.session.expire_all()
    proposal = db.session.get(TransferProposal, proposal.id)
    assert (proposal.status, proposal.decided_by_id) == (CONFIRMED, users["admin2"].id)
    assert proposal.transfer.usd_amount == D("52072.27") and proposal.transfer.reason == REASON
    listed = text(other.get("/contributions/pools/transfers"))
    assert "Transfers waiting for a second administrator" not in listed and REASON in listed
    # Sent again, the confirmation moves nothing a second time.
    again = text(_decide(other, proposal.id, "confirm"))
    assert "This transfer was already decided: nothing was done." in again
    assert pool("OBJ2").available == D("52072.27") and _transfers(db) == 1
    # The audit trail names both admins, the money's move with it.
    assert _actions(db) == [("transfer_proposal.propose", users["admin"].id),
                            ("transfer_proposal.confirm", users["admin2"].id)]
    assert _actions(db, "pool.transfer") == [("pool.transfer", users["admin2"].id)]
    login_as("auditor")
    trail = text(client.get("/admin/audit"))
    assert "admin proposed moving USD 52,072.27" in trail and "it waits for a second administrator" in trail
    assert "admin2 confirmed the transfer of USD 52,072.27" in trail and "proposed by admin" in trail


def test_another_admin_refuses_a_transfer_with_a_reason_and_nothing_moves(app, db, client, login_as, users):
    _fund()
    login_as("admin")
    _propose(client)
    [proposal] = _waiting(db)
    before, figures = counts(), pool_figures()
    other = browser_of(app, "admin2")
    empty = text(_decide(other, proposal.id, "refuse", reason=""))
    assert "Say why the transfer is refused." in empty
    assert counts() == before and len(_waiting(db)) == 1
    done = text(_decide(other, proposal.id, "refuse", back="pools", reason="Not agreed with the SRSG"))
    assert "Transfer refused: nothing moved." in done and "Sources of funds" in done  # back on the pools page
    assert pool_figures() == figures and _transfers(db) == 0 and _waiting(db) == []
    db.session.expire_all()
    proposal = db.session.get(TransferProposal, proposal.id)
    assert (proposal.status, proposal.refusal_reason) == (REFUSED, "Not agreed with the SRSG")
    assert "Transfers waiting for a second administrator" not in done
    assert _actions(db)[-1] == ("transfer_proposal.refuse", users["admin2"].id)
    # The reason is shown in the audit trail.
    trail = text(other.get("/admin/audit"))
    assert "admin2 refused the transfer of USD 52,072.27" in trail and "Not agreed with the SRSG" in trail
    # A refused transfer can be neither confirmed nor withdrawn afterwards.
    assert "already decided" in text(_decide(other, proposal.id, "confirm"))
    assert pool_figures() == figures


def test_a_refusal_without_a_reason_is_told_beside_that_transfers_reason_and_saves_nothing(
        app, db, client, login_as, users):
    """Two transfers wait; the second admin refuses one with no reason, from the
    transfers page and from the pools page: that page shows the message beside the
    reason field of that transfer (not at the top, nor beside the other's), and
    nothing is written: both still wait, nothing moved."""
    _fund()
    login_as("admin")
    _propose(client)
    _propose(client, source="UNEARMARKED", amount="1,000.00", reason="Second need")
    first, second = sorted(_waiting(db), key=lambda t: t.id)
    before, figures = counts(), pool_figures()
    other = browser_of(app, "admin2")
    for back, heading in (("transfers", "Transfers between pools"), ("pools", "Sources of funds")):
        answer = other.post(f"/contributions/pools/transfers/waiting/{first.id}/refuse",
                            data={"reason": " ", "back": back})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200 and heading in page, back
        url = "/contributions/pools/transfers/waiting/{}/refuse"
        assert error_beside_reason(page, url.format(first.id)) == "Say why the transfer is refused.", back
        assert error_beside_reason(page, url.format(second.id)) is None
        assert 'class="alert alert-danger"' not in page
        assert counts() == before and pool_figures() == figures
        assert sorted(t.id for t in _waiting(db)) == [first.id, second.id]
    assert _actions(db)[-1][0] == "transfer_proposal.propose"


def test_only_the_proposer_withdraws_a_waiting_transfer(app, db, client, login_as, users):
    _fund()
    login_as("admin")
    _propose(client)
    [proposal] = _waiting(db)
    figures = pool_figures()
    other = browser_of(app, "admin2")
    refused = text(_decide(other, proposal.id, "withdraw"))
    assert "Only the administrator who proposed a transfer can withdraw it." in refused
    assert len(_waiting(db)) == 1
    done = text(_decide(client, proposal.id, "withdraw"))
    assert "Transfer withdrawn: nothing moved." in done
    assert pool_figures() == figures and _transfers(db) == 0 and _waiting(db) == []
    db.session.expire_all()
    assert db.session.get(TransferProposal, proposal.id).status == WITHDRAWN
    assert "already decided" in text(_decide(other, proposal.id, "confirm"))
    assert _transfers(db) == 0
    assert _actions(db) == [("transfer_proposal.propose", users["admin"].id),
                            ("transfer_proposal.withdraw", users["admin"].id)]


def test_a_confirmation_when_the_source_pool_is_short_now_moves_nothing_and_still_waits(app, db, client,
                                                                                        login_as, users):
    """USD 150,000.00 of the un-earmarked pool's 198,000.00 proposed; meanwhile another
    transfer (made directly, as the demo does) takes 100,000.00 of it."""
    _fund()
    login_as("admin")
    page = text(_propose(client, source="UNEARMARKED", amount="150,000.00"))
    assert WAITS in page
    confirmed.transfer(officer(), pool("UNEARMARKED").id, pool("OBJ1").id, D("100000.00"), "Earlier need",
                      dt.date(2018, 5, 15))
    db.session.commit()
    before, figures = counts(), pool_figures()
    answer = text(second_admin_confirms_transfer(app))
    assert ("The transfer was not made, and it still waits: The un-earmarked pool has only "
            "USD 98,000.00 available.") in answer
    assert counts() == before and pool_figures() == figures
    [proposal] = _waiting(db)
    assert proposal.decided_by_id is None and proposal.transfer_id is None
    assert "Transfers waiting for a second administrator" in answer


def test_a_confirmation_after_the_value_dates_year_was_closed_is_refused(app, db, client, login_as, users):
    from trustfund.fund.models import AccountingYear

    _fund()
    login_as("admin")
    _propose(client, on="2018-06-01")
    db.session.add(AccountingYear(year=2018, closed_by_id=users["admin"].id, report_reference="Report 2018"))
    db.session.commit()
    before, figures = counts(), pool_figures()
    answer = text(second_admin_confirms_transfer(app))
    assert "The transfer was not made, and it still waits:" in answer and "2018 is a closed year" in answer
    assert counts() == before and pool_figures() == figures and len(_waiting(db)) == 1


def test_only_admins_decide_and_readers_see_waiting_transfers_read_only(app, db, client, login_as, users):
    _fund()
    login_as("admin")
    _propose(client)
    [proposal] = _waiting(db)
    before, figures = counts(), pool_figures()
    for role in ("mptf_officer", "srsg_staff", "auditor", "donor"):
        login_as(role)
        for decision in ("confirm", "refuse", "withdraw"):
            answer = client.post(f"/contributions/pools/transfers/waiting/{proposal.id}/{decision}",
                                 data={"reason": "no"})
            assert answer.status_code == 403, (role, decision)
    assert counts() == before and pool_figures() == figures and len(_waiting(db)) == 1
    for role in ("mptf_officer", "auditor"):
        login_as(role)
        for url in ("/contributions/pools", "/contributions/pools/transfers"):
            page = client.get(url).get_data(as_text=True)
            assert "Transfers waiting for a second administrator" in page and REASON in page, (role, url)
            assert "It moves when another administrator confirms it." in page
            assert "/contributions/pools/transfers/waiting/" not in page, (role, url)
    download = client.get("/contributions/pools/transfers", query_string={"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(download.data))
    sheet = workbook["Waiting transfers"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 1
    assert rows[0]["From pool"] == str(pool("OBJ1").label) and rows[0]["To pool"] == str(pool("OBJ2").label)
    assert rows[0]["Amount (USD)"] == 52072.27 and rows[0]["Reason"] == REASON
    assert rows[0]["Value date"] == dt.datetime(2018, 6, 1) and rows[0]["Proposed by"] == "admin@test.example"
    assert isinstance(rows[0]["When (UTC)"], dt.datetime)
    assert [cell.value for cell in workbook["Transfers"][1]][:3] == ["Date", "From pool", "To pool"]
    # In the reader's language.
    auditor = users["auditor"]
    auditor.locale = "fr"
    db.session.commit()
    page = text(client.get("/contributions/pools/transfers"))
    assert "Virements en attente d’un second administrateur" in page
    assert "Le virement est effectué lorsqu’un autre administrateur le confirme." in page


LEGACY = "Nobody: recorded by admin alone, before transfers needed a second administrator."


def test_the_transfers_page_and_its_download_name_who_proposed_and_who_confirmed_each_transfer(
        app, db, client, login_as, users):
    """A transfer made through a proposal names the admin who proposed it and the one
    who confirmed it; one recorded before transfers took two admins has no proposer
    ("—") and says who recorded it alone. The download says the same as the page."""
    _fund()
    confirmed.transfer(users["admin"], pool("UNEARMARKED").id, pool("OBJ2").id, D("1000.00"),
                       "Recorded alone", dt.date(2018, 5, 15))
    db.session.commit()
    login_as("admin")
    _propose(client)
    second_admin_confirms_transfer(app)
    login_as("auditor")
    page = client.get("/contributions/pools/transfers").get_data(as_text=True)
    shown = [row[4:] for row in table_rows(page, "transfers-made")]
    assert shown == [[REASON, "admin", "admin2"], ["Recorded alone", "—", LEGACY]]
    # The pools by their short names, as on the travel pages; the objective's full title
    # in the cell's title (the download keeps the full label).
    assert [row[1:3] for row in table_rows(page, "transfers-made")][1] == ["Un-earmarked", "Objective 2"]
    assert f'<span title="{html_module.escape(str(pool("OBJ2").label))}">Objective 2</span>' in page
    download = client.get("/contributions/pools/transfers", query_string={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(download.data))["Transfers"]
    header = [cell.value for cell in sheet[1]]
    assert header[4:] == ["Reason", "Proposed by", "Confirmed by"]
    rows = [list(row[4:]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == shown
    # The audit trail still names both admins of the transfer made through a proposal.
    assert _actions(db)[-2:] == [("transfer_proposal.propose", users["admin"].id),
                                 ("transfer_proposal.confirm", users["admin2"].id)]


def test_the_transfers_columns_of_who_proposed_and_confirmed_agree_in_gender_in_each_language(
        app, db, client, login_as, users):
    """The Transfers page and its download head the two columns for a transfer (in
    French "virement", in Russian "перевод": masculine), not with the words of a closing
    decision ("décision", feminine): "Proposé par" beside "Confirmé par"."""
    _fund()
    login_as("admin")
    _propose(client)
    second_admin_confirms_transfer(app)
    auditor = users["auditor"]
    login_as("auditor")
    for lang, proposed, confirmed_by in (("fr", "Proposé par", "Confirmé par"),
                                      ("ru", "Кем предложен", "Кем подтвержден")):
        auditor.locale = lang
        db.session.commit()
        page = client.get("/contributions/pools/transfers").get_data(as_text=True)
        heads = [html_module.unescape(h) for h in re.findall(r'<th scope="col">([^<]*)</th>', page)]
        assert heads[-2:] == [proposed, confirmed_by], lang
        download = client.get("/contributions/pools/transfers", query_string={"format": "xlsx"})
        sheet = load_workbook(io.BytesIO(download.data)).worksheets[0]
        assert [cell.value for cell in sheet[1]][-2:] == [proposed, confirmed_by], lang


def test_a_refusal_without_a_reason_of_a_transfer_decided_meanwhile_says_it_was_decided(
        app, db, client, login_as, users):
    """An admin refuses, with no reason, a transfer that was refused meanwhile: it is
    no longer on the page, so no field can show an error; the page says it was already
    decided (before: nothing at all), from the transfers page and from the pools page."""
    _fund()
    login_as("admin")
    _propose(client)
    [proposal] = _waiting(db)
    other = browser_of(app, "admin2")
    assert "Transfer refused" in text(_decide(other, proposal.id, "refuse", reason="Not now"))
    for back in ("transfers", "pools"):
        page = text(_decide(other, proposal.id, "refuse", back=back, reason=" "))
        assert "This transfer was already decided: nothing was done." in page, back
    db.session.expire_all()
    assert db.session.get(TransferProposal, proposal.id).refusal_reason == "Not now"


def test_a_transfer_that_can_no_longer_be_made_says_why_in_place_of_confirm(app, db, client, login_as, users):
    """The source pool is short now (another transfer took the money), or the value
    date's year was closed since: the other admins read why beside it and are offered
    Refuse, not a Confirm that would be refused; the proposer reads it beside Withdraw.
    Once the money is back, Confirm is offered again."""
    from trustfund.fund.models import AccountingYear

    _fund()
    login_as("admin")
    _propose(client, source="UNEARMARKED", amount="150,000.00")
    [proposal] = _waiting(db)
    other = browser_of(app, "admin2")
    confirm = f"/contributions/pools/transfers/waiting/{proposal.id}/confirm"
    assert confirm in other.get("/contributions/pools/transfers").get_data(as_text=True)

    confirmed.transfer(officer(), pool("UNEARMARKED").id, pool("OBJ1").id, D("100000.00"), "Earlier need",
                      dt.date(2018, 5, 15))
    db.session.commit()
    short = ("This transfer can no longer be made as it stands: The un-earmarked pool has only "
             "USD 98,000.00 available. Refuse it, or its proposer can withdraw it; then propose it again "
             "if it is still wanted.")
    for page in ("/contributions/pools/transfers", "/contributions/pools"):
        html = other.get(page).get_data(as_text=True)
        assert short in text(other.get(page)), page
        assert confirm not in html and f"/waiting/{proposal.id}/refuse" in html, page
    mine = client.get("/contributions/pools/transfers")
    assert short in text(mine) and f"/waiting/{proposal.id}/withdraw" in mine.get_data(as_text=True)

    confirmed.transfer(officer(), pool("OBJ1").id, pool("UNEARMARKED").id, D("100000.00"), "Given back",
                      dt.date(2018, 5, 16))
    db.session.commit()
    html = other.get("/contributions/pools/transfers").get_data(as_text=True)
    assert confirm in html and "can no longer be made" not in html

    db.session.add(AccountingYear(year=2018, closed_by_id=users["admin"].id, report_reference="Report 2018"))
    db.session.commit()
    answer = text(other.get("/contributions/pools/transfers"))
    assert "This transfer can no longer be made as it stands:" in answer and "2018 is a closed year" in answer
    assert len(_waiting(db)) == 1

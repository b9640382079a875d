"""A closed trip's recorded costs are corrected by two SRSG staff members (DESIGN.md §5:
nobody alone moves money; corrections are never edits). One proposes the corrected
airfare, DSA and terminal expenses with a reason; nothing changes until another,
different SRSG staff member confirms it on the grant's page: the grant's costs become
the corrected ones and the pool gets the difference back (or spends it). A colleague
may refuse it with a reason, its proposer may withdraw it, and one the pool cannot
pay keeps waiting, the page saying why in place of Confirm."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from lxml import etree

from tests.factories import browser_of
from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.pages import error_beside, error_beside_reason, text
from tests.pages import post_and_confirm as decide
from trustfund.closure.financial import closable_problems, unsettled
from trustfund.extensions import db
from trustfund.iati.generator import activities_file
from trustfund.iati.validate import validate
from trustfund.ledger_check import run_checks
from trustfund.mail.models import OutboxMessage
from trustfund.statements.shares import position_on
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import CostCorrection, TravelGrant

D = Decimal
# 1,850.10 + 3 × 400.00 + 100.00 = 3,150.10 committed, and spent.
EXACT = {"actual_ticket": "1850.10", "actual_dsa": "1200.00", "actual_terminal": "100.00"}


def _travelled(client, country="GQ", event=None) -> TravelGrant:
    grant = make_request(event or make_event(), country, airfare="1850.10")
    approve_grant(srsg2(), grant)
    db.session.commit()
    decide(client, f"/travel/grants/{grant.id}/travelled", data=EXACT)
    db.session.expire_all()
    return db.session.get(TravelGrant, grant.id)


def _figures():
    db.session.expire_all()
    pool = objective1_pool()
    return pool.available, pool.spent


def _corrections(status=None) -> list[CostCorrection]:
    db.session.expire_all()
    query = sa.select(CostCorrection).order_by(CostCorrection.id)
    if status:
        query = query.where(CostCorrection.status == status)
    return db.session.scalars(query).all()


def _waiting(client, login_as, reason: str, **costs) -> tuple[TravelGrant, CostCorrection]:
    """A trip recorded by srsg_staff (logged in) at its commitment, from a funded pool,
    and their correction of its costs, waiting."""
    fund_pool(1, "10000.00")
    login_as("srsg_staff")
    grant = _travelled(client)
    _propose(client, grant.id, reason, **costs)
    [waiting] = _corrections("pending")
    return grant, waiting


def _propose(client, grant_id: int, reason: str, **costs):
    return decide(client, f"/travel/grants/{grant_id}/correct",
                  data={**EXACT, **costs, "reason": reason}, follow_redirects=True)


def test_recorded_costs_change_only_when_a_second_srsg_staff_member_confirms(app, client, login_as, users):
    fund_pool(1, "10000.00")
    login_as("srsg_staff")
    grant = _travelled(client)
    assert _figures() == (D("6749.90"), D("3150.10"))
    page = text(client.get(f"/travel/grants/{grant.id}"))
    assert "Correct the recorded costs" in page
    form = client.get(f"/travel/grants/{grant.id}/correct").get_data(as_text=True)
    assert 'value="1850.10"' in form
    assert "Nothing changes until another SRSG staff member confirms" in text(form)
    # No reason: said beside the field, nothing written.
    refused = client.post(f"/travel/grants/{grant.id}/correct",
                          data={**EXACT, "actual_ticket": "1650.10", "reason": ""}).get_data(as_text=True)
    assert error_beside(refused, "reason") == "Say why the costs are corrected."
    same = client.post(f"/travel/grants/{grant.id}/correct",
                       data={**EXACT, "reason": "Typing slip"}).get_data(as_text=True)
    assert error_beside(same, "actual_ticket") == ("These are the costs already recorded: change the amounts "
                                                   "that are wrong.")
    preview = text(client.post(f"/travel/grants/{grant.id}/correct",
                               data={**EXACT, "actual_ticket": "1650.10", "reason": "Airline refund"}))
    assert ("Once confirmed, the trip costs the fund USD 2,950.10 instead of USD 3,150.10: USD 200.00 "
            "returns to the Objective 1 pool.") in preview
    assert "USD 1,850.10, corrected to USD 1,650.10" in preview
    assert _corrections() == []

    page = text(_propose(client, grant.id, "Airline refund of the unused leg", actual_ticket="1650.10"))
    assert "The correction is proposed: nothing changes until another SRSG staff member confirms it." in page
    assert "Correction of the actual costs waiting for a second SRSG staff member" in page
    assert "Airline refund of the unused leg" in page
    assert _figures() == (D("6749.90"), D("3150.10"))  # nothing moved
    [waiting] = _corrections("pending")
    assert (waiting.actual_ticket, waiting.spent_before) == (D("1650.10"), D("3150.10"))
    mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "cost_correction_waiting")
                              ).all()
    assert [m.to_address for m in mail] == [users["srsg_staff2"].email]
    assert "Airline refund of the unused leg" in mail[0].body_text
    assert "more than the fund agreed" not in mail[0].body_text + mail[0].body_html  # it costs less
    # The proposer may withdraw it, never confirm it.
    html = client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert f"/travel/corrections/{waiting.id}/withdraw" in html
    assert f"/travel/corrections/{waiting.id}/confirm" not in html
    own = text(client.post(f"/travel/corrections/{waiting.id}/confirm", follow_redirects=True))
    assert "You proposed this correction: another SRSG staff member must confirm or refuse it." in own
    assert _figures() == (D("6749.90"), D("3150.10"))
    # The dashboard of the colleague says it waits for them; the review queue lists it.
    colleague = browser_of(app, "srsg_staff2")
    assert "1 correction of a trip's costs waits for you to confirm or refuse it." in text(
        colleague.get("/dashboard/"))
    assert "Airline refund of the unused leg" in text(colleague.get("/travel/queue"))
    assert any("correction of a trip's costs waits" in p for p in closable_problems())

    done = text(colleague.post(f"/travel/corrections/{waiting.id}/confirm", follow_redirects=True))
    assert ("Costs corrected: the trip now costs the fund USD 2,950.10; USD 200.00 returned to the "
            "Objective 1 pool.") in done
    assert _figures() == (D("6949.90"), D("2950.10"))
    grant = db.session.get(TravelGrant, grant.id)
    assert (grant.actual_ticket, grant.actual_total, grant.returned) == (D("1650.10"), D("2950.10"),
                                                                         D("200.00"))
    assert "the trip costs the fund USD 2,950.10 instead of USD 3,150.10" in done  # the corrections' list
    assert "Actual costs corrected by" in done  # the history
    assert run_checks() == []
    # The IATI file reports the difference as spending of its own, on the day it was confirmed.
    today = dt.datetime.now(dt.UTC).date()
    content = activities_file(today)
    assert validate(content, today) == []
    spent = [(t.findtext("value"), t.findtext("description/narrative"))
             for t in etree.fromstring(content).iter("transaction")
             if t.find("transaction-type").get("code") == "4"]
    assert ("3150.10", f"Travel of a delegate of GQ to Thematic session, Geneva (grant {grant.id})") in spent
    assert ("-200.00", "Correction of the costs of the travel of a delegate of GQ to Thematic session, "
            f"Geneva (grant {grant.id})") in spent
    # Answered once: a second confirmation changes nothing.
    again = text(colleague.post(f"/travel/corrections/{waiting.id}/confirm", follow_redirects=True))
    assert "This correction was already confirmed, refused or withdrawn: nothing was done." in again
    assert _figures() == (D("6949.90"), D("2950.10"))


def test_a_correction_is_refused_with_a_reason_or_withdrawn_and_the_costs_stand(app, client, login_as, users):
    grant, first = _waiting(client, login_as, "DSA for one day less", actual_dsa="800.00")
    # A second one waits for no one while the first waits.
    assert "already waits for a second SRSG staff member" in text(
        client.get(f"/travel/grants/{grant.id}/correct", follow_redirects=True))
    colleague = browser_of(app, "srsg_staff2")
    html = colleague.post(f"/travel/corrections/{first.id}/refuse", data={"reason": ""}).get_data(
        as_text=True)
    assert error_beside_reason(html, f"/travel/corrections/{first.id}/refuse") == (
        "Say why the correction is refused.")
    done = text(colleague.post(f"/travel/corrections/{first.id}/refuse",
                               data={"reason": "The delegate stayed the whole event"}, follow_redirects=True))
    assert "Correction refused: the recorded costs stand." in done
    assert "Correction of the actual costs refused by" in done
    assert _figures() == (D("6749.90"), D("3150.10"))
    _propose(client, grant.id, "Terminal expenses not paid", actual_terminal="0.00")
    [second] = _corrections("pending")
    done = text(client.post(f"/travel/corrections/{second.id}/withdraw", follow_redirects=True))
    assert "Correction withdrawn: the recorded costs stand." in done
    assert _figures() == (D("6749.90"), D("3150.10"))
    assert [c.status for c in _corrections()] == ["refused", "withdrawn"]
    assert db.session.get(TravelGrant, grant.id).actual_terminal == D("100.00")
    assert run_checks() == []


def test_dearer_corrected_costs_wait_while_the_pool_cannot_pay_them(app, client, login_as, users):
    fund_pool(1, "3200.00")  # USD 3,168.00 after the fee: USD 17.90 left once the trip is paid
    login_as("srsg_staff")
    grant = _travelled(client)
    assert _figures() == (D("17.90"), D("3150.10"))
    preview = text(client.post(f"/travel/grants/{grant.id}/correct",
                               data={**EXACT, "actual_terminal": "150.00", "reason": "Taxi receipts found"}))
    assert ("That is USD 50.00 more than the fund agreed to pay for this trip (its commitment and any "
            "approved overrun): the SRSG staff member who confirms the correction approves paying "
            "it.") in preview
    _propose(client, grant.id, "Taxi receipts found", actual_terminal="150.00")
    [waiting] = _corrections("pending")
    colleague = browser_of(app, "srsg_staff2")
    page = text(colleague.get(f"/travel/grants/{grant.id}"))
    assert ("This correction cannot be confirmed as it stands: The corrected costs take USD 50.00 more "
            "from the Objective 1 pool, which has only USD 17.90 available.") in page
    refused = text(colleague.post(f"/travel/corrections/{waiting.id}/confirm", follow_redirects=True))
    assert "Nothing was changed, and the correction still waits" in refused
    assert _figures() == (D("17.90"), D("3150.10"))
    assert [c.status for c in _corrections()] == ["pending"]
    fund_pool(1, "100.00")
    done = text(colleague.post(f"/travel/corrections/{waiting.id}/confirm", follow_redirects=True))
    assert ("Costs corrected: the trip now costs the fund USD 3,200.10; USD 50.00 more spent from the "
            "Objective 1 pool.") in done
    assert _figures() == (D("66.90"), D("3200.10"))
    assert run_checks() == []


def test_only_srsg_staff_propose_and_answer_corrections(app, client, login_as, users):
    grant, waiting = _waiting(client, login_as, "Airline refund", actual_ticket="1650.10")
    for role in ("mptf_officer", "auditor", "admin", "donor"):
        other = browser_of(app, role)
        assert other.get(f"/travel/grants/{grant.id}/correct").status_code in (403, 404), role
        posted = other.post(f"/travel/grants/{grant.id}/correct", data={**EXACT, "reason": "x"})
        assert posted.status_code in (403, 404), role
        for answer in ("confirm", "refuse", "withdraw"):
            assert other.post(f"/travel/corrections/{waiting.id}/{answer}",
                              data={"reason": "x"}).status_code in (403, 404), (role, answer)
    # The auditor reads the waiting correction, without buttons.
    html = browser_of(app, "auditor").get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert "Airline refund" in text(html) and f"/travel/corrections/{waiting.id}/confirm" not in html
    assert [c.status for c in _corrections()] == ["pending"]


def _spending_on(day: dt.date) -> int:
    """Objective 1's pool's spending up to `day` as the statements count it (cents)."""
    return position_on(day).pools[objective1_pool().id].spending_cents


def test_a_correction_counts_from_the_day_it_is_confirmed_and_earlier_periods_keep_their_figures(
        app, client, login_as, users):
    fund_pool(1, "10000.00")
    login_as("srsg_staff")
    grant = _travelled(client)
    # The trip was recorded in June 2017 (as the demo's are): a statement of 2017 counts it.
    db.session.execute(sa.update(TravelGrant).where(TravelGrant.id == grant.id)
                       .values(reconciled_at=dt.datetime(2017, 6, 1, 15)))
    db.session.commit()
    today = dt.datetime.now(dt.UTC).date()
    before = (_spending_on(dt.date(2017, 12, 31)), _spending_on(today))
    assert before == (315010, 315010)
    _propose(client, grant.id, "Airline refund", actual_ticket="1650.10")
    browser_of(app, "srsg_staff2").post(f"/travel/corrections/{_corrections()[0].id}/confirm")
    assert (_spending_on(dt.date(2017, 12, 31)), _spending_on(today)) == (315010, 295010)
    assert _spending_on(today - dt.timedelta(days=1)) == 315010
    # The IATI file of 2017 is the file it was: the trip at its cost then, no correction.
    spent_2017 = [t.findtext("value") for t in etree.fromstring(activities_file(dt.date(2017, 12, 31)))
                  .iter("transaction") if t.find("transaction-type").get("code") == "4"]
    assert spent_2017 == ["3150.10"]
    assert run_checks() == []


def test_after_a_rejected_overrun_the_fund_still_pays_no_more_than_was_committed(app, client, login_as,
                                                                                  users):
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "GQ", airfare="1850.10")
    approve_grant(srsg2(), grant)
    db.session.commit()
    login_as("srsg_staff")
    decide(client, f"/travel/grants/{grant.id}/travelled", data={**EXACT, "actual_ticket": "1950.10"})
    colleague = browser_of(app, "srsg_staff2")
    decide(colleague, f"/travel/grants/{grant.id}/overrun/reject", data={"reason": "Not economy class"})
    assert _figures() == (D("6749.90"), D("3150.10"))
    # Costs still above the commitment: what the fund pays does not change.
    preview = text(client.post(f"/travel/grants/{grant.id}/correct",
                               data={**EXACT, "actual_ticket": "1900.10", "reason": "Change fee refunded"}))
    assert ("What the trip costs the fund does not change (USD 3,150.10): its overrun was rejected, and the "
            "fund pays no more than the USD 3,150.10 committed.") in preview
    _propose(client, grant.id, "Change fee refunded", actual_ticket="1900.10")
    done = text(colleague.post(f"/travel/corrections/{_corrections()[0].id}/confirm", follow_redirects=True))
    assert "Costs corrected: what the trip costs the fund is unchanged (USD 3,150.10)." in done
    assert "The fund pays the USD 3,150.10 committed, not the overrun of USD 100.00." in done
    assert _figures() == (D("6749.90"), D("3150.10"))
    # Below the commitment: the fund pays the costs, and the rest returns.
    _propose(client, grant.id, "Ticket refunded in part", actual_ticket="1750.10")
    done = text(colleague.post(f"/travel/corrections/{_corrections('pending')[0].id}/confirm",
                               follow_redirects=True))
    assert ("Costs corrected: the trip now costs the fund USD 3,050.10; USD 100.00 returned to the "
            "Objective 1 pool.") in done
    assert _figures() == (D("6849.90"), D("3050.10"))
    assert run_checks() == []
    today = dt.datetime.now(dt.UTC).date()
    corrected = [t.findtext("value") for t in etree.fromstring(activities_file(today)).iter("transaction")
                 if "Correction of the costs" in (t.findtext("description/narrative") or "")]
    assert corrected == ["-100.00"]  # the correction that changed nothing is not spending


def test_the_colleague_who_confirms_is_told_when_it_pays_more_than_was_agreed(app, client, login_as, users):
    grant, _waiting_one = _waiting(client, login_as, "Taxi receipts found", actual_terminal="150.00")
    page = text(browser_of(app, "srsg_staff2").get(f"/travel/grants/{grant.id}"))
    assert ("That is USD 50.00 more than the fund agreed to pay for this trip (its commitment and any "
            "approved overrun): the SRSG staff member who confirms the correction approves paying "
            "it.") in page
    assert "The trip then costs the fund USD 3,200.10 instead of USD 3,150.10" in page
    # The colleague's email says it too, before they open the page.
    [told] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "cost_correction_waiting"))
    warning = ("That is USD 50.00 more than the fund agreed to pay for this trip (its commitment and any "
               "approved overrun)")
    assert warning in " ".join(told.body_text.split())
    assert warning in " ".join(told.body_html.split())


def test_a_waiting_correction_holds_back_the_pools_closing_decisions(app, client, login_as, users):
    _waiting(client, login_as, "Airline refund", actual_ticket="1650.10")
    assert ("1 correction of a trip's costs waits for a second SRSG staff member: confirm or refuse it first."
            in unsettled())

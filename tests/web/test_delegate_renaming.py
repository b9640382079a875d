"""A delegate whose travel was approved is renamed by two SRSG staff members (DESIGN.md
§5: the user who entered a request may not approve it; nobody alone moves money).
Before, the SRSG staff member who entered a request could, once a colleague approved
it, rename its delegate alone and send someone else on the money the colleague
committed. Now the new name waits, with a reason, for another SRSG staff member, who
confirms it (the delegate is renamed then) or refuses it; its proposer may withdraw it.
The other details of the same form are saved at once; a delegate with no approved
grant is still renamed by one person."""
from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.factories import browser_of
from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.pages import confirmation, delegate_form, error_beside, error_beside_reason, text, words
from trustfund.audit import AuditEntry
from trustfund.closure.financial import closable_problems
from trustfund.extensions import db
from trustfund.mail.models import OutboxMessage
from trustfund.travel.decisions import approve_grant
from trustfund.travel.models import Delegate, DelegateRenaming, TravelGrant


def _approved(name="Awa Diop", **kw):
    """A request entered by srsg_staff and approved by srsg_staff2."""
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), name=name, **kw)
    approve_grant(srsg2(), grant)
    db.session.commit()
    return grant


def _propose(client, delegate_id: int, name: str, reason: str):
    """The delegate's form saved by `client` with a new name and its reason."""
    return client.post(f"/travel/delegates/{delegate_id}/edit",
                       data={**delegate_form(client, delegate_id), "name": name, "reason": reason})


def _name(delegate_id) -> str:
    db.session.expire_all()
    return db.session.get(Delegate, delegate_id).name


def _renamings(status=None) -> list[DelegateRenaming]:
    db.session.expire_all()
    query = sa.select(DelegateRenaming).order_by(DelegateRenaming.id)
    if status:
        query = query.where(DelegateRenaming.status == status)
    return db.session.scalars(query).all()


def _actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("delegate.%"))
                              .order_by(AuditEntry.id)).all()


def test_an_approved_delegate_is_renamed_only_when_a_second_srsg_staff_member_confirms(
        app, client, login_as, users):
    grant = _approved(phone="+221 1")
    url = f"/travel/delegates/{grant.delegate_id}/edit"
    login_as("srsg_staff")  # who entered the request
    form = client.get(url).get_data(as_text=True)
    assert "a new name takes effect only when a second SRSG staff member confirms it" in text(form)
    assert 'name="reason"' in form
    data = delegate_form(client, grant.delegate_id)
    # No reason: said beside it, nothing saved (not even the phone of the same form).
    refused = client.post(url, data={**data, "name": "Fatou Sow", "phone": "+221 2"}).get_data(as_text=True)
    assert error_beside(refused, "reason").startswith("Say why the name is corrected")
    assert _name(grant.delegate_id) == "Awa Diop" and _renamings() == []
    assert db.session.get(Delegate, grant.delegate_id).phone == "+221 1"

    page = client.post(url, data={**data, "name": "Fatou Sow", "phone": "+221 2",
                                  "reason": "The note verbale names Fatou Sow"}, follow_redirects=True)
    said = text(page)
    assert "The new name is proposed: nothing changes until another SRSG staff member confirms it." in said
    assert "Change of name waiting for a second SRSG staff member" in said
    assert "The note verbale names Fatou Sow" in said
    assert _name(grant.delegate_id) == "Awa Diop"  # not yet
    assert db.session.get(Delegate, grant.delegate_id).phone == "+221 2"  # saved at once
    [waiting] = _renamings("pending")
    assert (waiting.name_before, waiting.name) == ("Awa Diop", "Fatou Sow")
    mail = db.session.scalars(sa.select(OutboxMessage)
                              .where(OutboxMessage.kind == "delegate_renaming_waiting")).all()
    assert [m.to_address for m in mail] == [users["srsg_staff2"].email]
    assert "Awa Diop" in mail[0].body_text and "Fatou Sow" in mail[0].body_text
    assert f"/travel/delegates/{grant.delegate_id}/edit" in mail[0].body_text
    # The grant's page and the queue still say who was approved.
    assert "Awa Diop" in text(client.get(f"/travel/grants/{grant.id}"))
    queue = client.get("/travel/queue").get_data(as_text=True)
    assert "Changes of delegates’ names waiting for a second SRSG staff member" in text(queue)
    assert "Fatou Sow" in text(queue)

    # Its proposer neither confirms it nor renames the delegate another way.
    own = client.post(f"/travel/renamings/{waiting.id}/confirm",
                      data={"csrf_token": data["csrf_token"]}, follow_redirects=True)
    assert ("You proposed this change of name: another SRSG staff member must confirm or refuse it."
            in text(own))
    again = client.post(url, data={**delegate_form(client, grant.delegate_id), "name": "Someone Else",
                                   "reason": "Try again"}).get_data(as_text=True)
    assert error_beside(again, "name").startswith("A change of this delegate's name already waits")
    assert _name(grant.delegate_id) == "Awa Diop"

    colleague = browser_of(app, "srsg_staff2")
    token = delegate_form(colleague, grant.delegate_id)["csrf_token"]
    done = colleague.post(f"/travel/renamings/{waiting.id}/confirm", data={"csrf_token": token},
                          follow_redirects=True)
    assert "Name changed: the delegate is now Fatou Sow." in text(done)
    assert _name(grant.delegate_id) == "Fatou Sow"
    assert [r.decided_by_id for r in _renamings("confirmed")] == [users["srsg_staff2"].id]
    assert _actions() == ["delegate.create", "delegate.rename_propose", "delegate.update",
                          "delegate.rename_confirm"]
    history = text(colleague.get(f"/travel/grants/{grant.id}"))
    assert "Fatou Sow" in history


def test_a_change_of_name_is_refused_with_a_reason_or_withdrawn(app, client, login_as):
    grant = _approved()
    login_as("srsg_staff")
    _propose(client, grant.delegate_id, "Awa Diallo", "Passport")
    [waiting] = _renamings("pending")
    colleague = browser_of(app, "srsg_staff2")
    token = delegate_form(colleague, grant.delegate_id)["csrf_token"]
    refuse = f"/travel/renamings/{waiting.id}/refuse"
    no_reason = colleague.post(refuse, data={"csrf_token": token, "reason": ""})
    assert no_reason.status_code == 200
    said = error_beside_reason(no_reason.get_data(as_text=True), refuse)
    assert said == "Say why the change of name is refused."
    refused = colleague.post(f"/travel/renamings/{waiting.id}/refuse",
                             data={"csrf_token": token, "reason": "The passport reads Awa Diop"},
                             follow_redirects=True)
    assert "Change of name refused: the delegate's name stands." in text(refused)
    assert _name(grant.delegate_id) == "Awa Diop"
    assert _renamings("refused")[0].refusal_reason == "The passport reads Awa Diop"

    _propose(client, grant.delegate_id, "Awa Diallo", "Passport")
    [second] = _renamings("pending")
    token = delegate_form(client, grant.delegate_id)["csrf_token"]
    withdrawn = client.post(f"/travel/renamings/{second.id}/withdraw", data={"csrf_token": token},
                            follow_redirects=True)
    assert "Change of name withdrawn: the delegate's name stands." in text(withdrawn)
    assert _name(grant.delegate_id) == "Awa Diop" and _renamings("pending") == []
    assert _actions()[-4:] == ["delegate.rename_propose", "delegate.rename_refuse", "delegate.rename_propose",
                               "delegate.rename_withdraw"]


def test_a_delegate_with_no_approved_grant_is_renamed_at_once(app, client, login_as):
    grant = make_request(make_event(), name="Awa Diop")
    url = f"/travel/delegates/{grant.delegate_id}/edit"
    login_as("srsg_staff")
    assert 'name="reason"' not in client.get(url).get_data(as_text=True)
    page = client.post(url, data={**delegate_form(client, grant.delegate_id), "name": "Awa Diallo"},
                       follow_redirects=True)
    assert "The delegate's details are saved." in text(page)
    assert _name(grant.delegate_id) == "Awa Diallo" and _renamings() == []


def test_a_namesake_entered_meanwhile_stops_the_confirmation(app, client, login_as):
    grant = _approved()
    url = f"/travel/delegates/{grant.delegate_id}/edit"
    login_as("srsg_staff")
    _propose(client, grant.delegate_id, "Fatou Sow", "Note verbale")
    [waiting] = _renamings("pending")
    # A request for a Fatou Sow of the same State makes her a delegate of her own.
    make_request(make_event(title="Regional meeting, Bangkok", city="Bangkok"), name="Fatou Sow")
    colleague = browser_of(app, "srsg_staff2")
    page = colleague.get(url).get_data(as_text=True)
    assert "This change of name cannot be confirmed as it stands" in text(page)
    assert f"/travel/renamings/{waiting.id}/confirm" not in page  # Confirm is not offered
    token = delegate_form(colleague, grant.delegate_id)["csrf_token"]
    tried = colleague.post(f"/travel/renamings/{waiting.id}/confirm", data={"csrf_token": token},
                           follow_redirects=True)
    assert "Nothing was changed, and the change of name still waits" in text(tried)
    assert _name(grant.delegate_id) == "Awa Diop" and len(_renamings("pending")) == 1


def test_a_delegate_renamed_while_the_approver_read_the_request_is_not_approved_unseen(app, client, login_as):
    """The colleague who entered a request renames its delegate (one person may: none of
    their travel is approved yet) between the approver's confirmation page and its
    confirmation: the approval is refused, saying who the request now names."""
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), name="Awa Diop")
    approver = browser_of(app, "srsg_staff2")
    first = approver.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"})
    assert "Awa Diop" in text(first)
    action, fields = confirmation(first.get_data(as_text=True))
    login_as("srsg_staff")
    client.post(f"/travel/delegates/{grant.delegate_id}/edit",
                data={**delegate_form(client, grant.delegate_id), "name": "Fatou Sow"})
    assert _name(grant.delegate_id) == "Fatou Sow"
    refused = approver.post(action, data=MultiDict(fields), follow_redirects=True)
    assert ("The delegate's details changed since you read this request (it now says Fatou Sow): read it "
            "again before approving it.") in text(refused)
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "requested"
    # Read again, it is approved.
    again = approver.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"})
    assert "Fatou Sow" in text(again)
    action, fields = confirmation(again.get_data(as_text=True))
    approver.post(action, data=MultiDict(fields))
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "approved"


def _renamed(app, client, login_as):
    """Awa Diop's grant, approved by srsg_staff2; srsg_staff proposes Fatou Sow, and
    srsg_staff2 confirms it."""
    grant = _approved(name="Awa Diop")
    login_as("srsg_staff")
    _propose(client, grant.delegate_id, "Fatou Sow", "The note verbale names Fatou Sow")
    [waiting] = _renamings("pending")
    browser_of(app, "srsg_staff2").post(f"/travel/renamings/{waiting.id}/confirm")
    assert _name(grant.delegate_id) == "Fatou Sow"
    return grant


def test_the_trail_and_the_grants_page_say_whom_the_approval_named(app, client, login_as):
    """A colleague's review: once confirmed, the trail said "Renamed Fatou Sow by
    srsg_staff2" and every entry named the delegate as they are now: nowhere did it say
    the approval was for Awa Diop, and the grant's page read as if srsg_staff2 approved
    Fatou Sow's travel."""
    grant = _renamed(app, client, login_as)
    auditor = browser_of(app, "auditor")
    trail = text(auditor.get("/admin/audit"))
    assert "Change of name from Awa Diop to Fatou Sow proposed by srsg_staff" in trail
    assert "Renamed from Awa Diop to Fatou Sow by srsg_staff2, confirming a colleague's proposal." in trail
    page = text(auditor.get(f"/travel/grants/{grant.id}"))
    assert "Approved by srsg_staff2" in page
    assert "Named Awa Diop until" in page


def _waiting_list(page: str, list_id: str) -> list[str]:
    found = re.search(rf'<ul[^>]*id="{list_id}"[^>]*>(.*?)</ul>', page, re.S)
    return [words(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)] if found else []


def test_a_waiting_renaming_is_on_the_dashboards_and_holds_back_the_financial_closure(app, client, login_as):
    """A colleague's review: the dashboards' "waiting for you" lists had every other
    two-person change of the SRSG staff but this one; and the fund could be closed
    financially while one waited, which then could never be answered (its table is
    guarded once the fund is closed)."""
    grant = _approved()
    before = closable_problems()
    login_as("srsg_staff")
    _propose(client, grant.delegate_id, "Fatou Sow", "Passport")
    other = browser_of(app, "srsg_staff2").get("/dashboard/").get_data(as_text=True)
    assert ("1 change of a delegate's name waits for you to confirm or refuse it."
            in _waiting_list(other, "waiting-for-you"))
    own = client.get("/dashboard/").get_data(as_text=True)
    assert ("1 change of a delegate's name that you proposed waits for another SRSG staff member."
            in _waiting_list(own, "waiting-for-a-colleague"))
    assert set(closable_problems()) - set(before) == {
        "1 change of a delegate's name waits for a second SRSG staff member: confirm or refuse it first."}


def text_of_id(html: str, element_id: str) -> str:
    """The words of the div of that id ("" if the page has none)."""
    found = re.search(rf'<div[^>]*id="{element_id}"[^>]*>(.*?)</div>', html, re.S)
    return words(found.group(1)) if found else ""


def test_the_grants_page_says_a_change_of_its_delegates_name_waits(app, client, login_as):
    """A colleague reading an approved grant saw its delegate as "Awa Diop" and nothing
    of the change of name waiting for them to confirm: it was only on the delegate's
    page and in the review queue."""
    grant = _approved()
    login_as("srsg_staff")
    _propose(client, grant.delegate_id, "Fatou Sow", "Passport")
    colleague = browser_of(app, "srsg_staff2").get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert re.search(r"srsg_staff proposed on .+ to rename them Fatou Sow: nothing changes until another "
                     r"SRSG staff member confirms it\. Read it on the delegate’s page",
                     text_of_id(colleague, "waiting-renaming")), text_of_id(colleague, "waiting-renaming")
    assert f'href="/travel/delegates/{grant.delegate_id}/edit#waiting-renaming"' in colleague
    # The auditor reads the same sentence, with no link to a form it may not open.
    auditor = browser_of(app, "auditor").get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert "to rename them Fatou Sow" in text_of_id(auditor, "waiting-renaming")
    assert "delegate’s page" not in text_of_id(auditor, "waiting-renaming")
    # Once confirmed, the page names them as they are, and whom the approval named.
    browser_of(app, "srsg_staff2").post(f"/travel/renamings/{_renamings()[0].id}/confirm")
    page = browser_of(app, "srsg_staff2").get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    assert 'id="waiting-renaming"' not in page
    assert "Named Awa Diop until" in text(page)

"""User changes that give power over money or accounts take two admins: one admin
alone could otherwise make (or sign in as) a second SRSG staff account and approve
their own travel grant. Such a change waits for another active admin; everything
else takes effect at once; nobody changes their own role or deactivates themselves."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD, make_user, second_admin_confirms
from tests.pages import error_beside_reason, reason_required
from tests.security.helpers import changed_counts, table_counts
from trustfund.admin.models import CONFIRMED, PENDING, REFUSED, UserChange
from trustfund.audit import AuditEntry
from trustfund.auth.models import User
from trustfund.mail.models import OutboxMessage

WAITS = "The change is proposed: nothing changes until another administrator confirms it."
# Nothing is saved while a change waits for a second administrator: the flash says so.
PROPOSED = "The account is proposed: it is created when another administrator confirms it."


def _user(db, email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _waiting(db, email: str) -> UserChange | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(UserChange).where(UserChange.email == email,
                                                         UserChange.status == PENDING))


def _signs_in(app, email: str, password: str) -> bool:
    answer = app.test_client().post("/login", data={"email": email, "password": password})
    return answer.status_code == 302


def _edit(client, user: User, **changes):
    data = {"email": user.email, "name": user.name, "role": user.role, "donor_id": user.donor_id or 0,
            "version": user.version}
    if user.active:
        data["active"] = "y"
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/admin/users/{user.id}", data=data, follow_redirects=True)


def _decide(browser, change_id: int, decision: str, **data) -> str:
    """An admin's Confirm, Refuse or Withdraw on the users page: the page they see after."""
    return browser.post(f"/admin/user-changes/{change_id}/{decision}", data=data,
                        follow_redirects=True).get_data(as_text=True)


def _admin2(app, login_as):
    other = app.test_client()
    login_as("admin2", other)
    return other


def _messages(db, kind: str) -> list[OutboxMessage]:
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def test_a_new_srsg_staff_account_waits_until_another_admin_confirms_it(app, client, login_as, db):
    login_as("admin")
    page = client.post("/admin/users/new", data={
        "email": "Second.Srsg@example.org", "name": "Sam Second", "role": "srsg_staff", "donor_id": 0,
        "active": "y", "password": "a long enough password"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert PROPOSED in text and "User second.srsg@example.org saved." not in text
    # No account yet: it cannot sign in, it is not among the users.
    assert _user(db, "second.srsg@example.org") is None
    assert not _signs_in(app, "second.srsg@example.org", "a long enough password")
    # The typed password is kept as a hash only.
    # The other active admin is told by email; the proposer is not.
    [told] = _messages(db, "user_change_waiting")
    assert told.to_address == "admin2@test.example" and "second.srsg@example.org" in told.body_text
    assert "SRSG staff" in told.body_text and "/admin/users" in told.body_text
    change = _waiting(db, "second.srsg@example.org")
    assert change.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in change.password_hash
    # The proposer cannot confirm (nor refuse) their own change.
    mine = _decide(client, change.id, "confirm")
    assert "You proposed this change: another administrator must confirm or refuse it." in mine
    refused = client.post(f"/admin/user-changes/{change.id}/refuse", data={"reason": "mine"},
                          follow_redirects=True).get_data(as_text=True)
    assert "You proposed this change" in refused
    # even by a hand-made refusal without a reason (their row offers Withdraw only, no
    # reason field to show an error beside): told that the change is theirs
    refused = client.post(f"/admin/user-changes/{change.id}/refuse", data={"reason": ""},
                          follow_redirects=True).get_data(as_text=True)
    assert "You proposed this change" in refused and "Say why" not in refused
    assert _user(db, "second.srsg@example.org") is None
    # The other admin sees it, in words, and confirms it.
    other = _admin2(app, login_as)
    listed = other.get("/admin/users").get_data(as_text=True)
    assert "Changes waiting for a second administrator" in listed
    assert reason_required(listed, f"/admin/user-changes/{change.id}/refuse")
    assert "New account second.srsg@example.org" in listed and "Role: — → SRSG staff" in listed
    assert "A new account with a password typed by the administrator." in listed
    done = _decide(other, change.id, "confirm")
    assert "Change confirmed: it has taken effect." in done
    user = _user(db, "second.srsg@example.org")
    assert (user.role, user.name, user.active) == ("srsg_staff", "Sam Second", True)
    assert _signs_in(app, "second.srsg@example.org", "a long enough password")
    [created] = _messages(db, "account_created")
    assert "Your administrator will give you your password." in created.body_text
    assert _waiting(db, "second.srsg@example.org") is None
    # The audit trail has the proposal and the confirmation naming both admins.
    trail = other.get("/admin/audit", query_string={"action": "user_change.confirm"}).get_data(as_text=True)
    assert "admin2 confirmed the change to Sam Second proposed by admin: it took effect." in trail
    trail = other.get("/admin/audit", query_string={"action": "user_change.propose"}).get_data(as_text=True)
    assert "admin proposed a new account second.srsg@example.org with the role SRSG staff" in trail
    for entry in db.session.scalars(sa.select(AuditEntry)):
        assert "password_hash" not in (entry.after or {}) and "password_hash" not in (entry.before or {})


def test_a_new_officer_without_password_is_invited_only_once_confirmed(app, client, login_as, db, users):
    users["admin2"].locale = "fr"
    db.session.commit()
    login_as("admin")
    assert PROPOSED in client.post("/admin/users/new", data={
        "email": "officer2@example.org", "role": "mptf_officer", "donor_id": 0, "active": "y"},
        follow_redirects=True).get_data(as_text=True)
    assert _messages(db, "invitation") == [] and _user(db, "officer2@example.org") is None
    [told] = _messages(db, "user_change_waiting")  # in the other admin's language
    assert told.subject == "Une modification d’un compte Trustfund attend votre confirmation"
    assert "Fonctionnaire du Bureau MPTF" in told.body_text
    confirmed = second_admin_confirms(app, "officer2@example.org").get_data(as_text=True)
    assert "Modification confirmée\u00a0: elle a pris effet." in confirmed
    assert _user(db, "officer2@example.org").role == "mptf_officer"
    assert len(_messages(db, "invitation")) == 1


def test_a_role_change_to_srsg_staff_waits_and_is_told_once_confirmed(app, client, login_as, db, users):
    auditor = users["auditor"]
    login_as("admin")
    assert WAITS in _edit(client, auditor, role="srsg_staff").get_data(as_text=True)
    assert _user(db, auditor.email).role == "auditor" and _messages(db, "role_changed") == []
    on_page = client.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    assert "A change waiting for a second administrator" in on_page
    assert "Role: Auditor → SRSG staff" in on_page
    assert "Withdraw" in on_page
    second_admin_confirms(app, auditor.email)
    assert _user(db, auditor.email).role == "srsg_staff"
    assert len(_messages(db, "role_changed")) == 1


def test_a_password_typed_while_the_account_had_no_power_stops_working_at_its_promotion(app, client,
                                                                                        login_as, db,
                                                                                        users):
    """One admin demotes an SRSG staff member (at once), types a password for the
    auditor it now is (at once: it has no power), and proposes the move back. The
    second admin confirms a role change; the password the first admin knows must not
    open the SRSG staff account it made: it stops working, the sessions end, and an
    invitation goes to the account's address, which the waiting change names."""
    known = "the first admin chose this 42"
    srsg2 = users["srsg_staff2"]
    login_as("admin")
    _edit(client, srsg2, role="auditor")
    _edit(client, _user(db, srsg2.email), password=known)
    assert _user(db, srsg2.email).role == "auditor" and _signs_in(app, srsg2.email, known)
    assert WAITS in _edit(client, _user(db, srsg2.email), role="srsg_staff").get_data(as_text=True)
    on_page = " ".join(client.get(f"/admin/users/{srsg2.id}").get_data(as_text=True).split())
    assert ("Once confirmed, the account&#39;s current password stops working, and an invitation to choose "
            f"a new one goes to {srsg2.email}") in on_page
    invitations = len(_messages(db, "invitation"))
    second_admin_confirms(app, srsg2.email)
    assert _user(db, srsg2.email).role == "srsg_staff"
    assert not _signs_in(app, srsg2.email, known)
    assert [m.to_address for m in _messages(db, "invitation")[invitations:]] == [srsg2.email]
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "its password stopped working, and an invitation to choose one was sent to" in audit
    # With a new address too: one invitation, to that address.
    login_as("admin")
    reader = make_user("auditor", "reader@test.example")
    _edit(client, _user(db, reader.email), role="mptf_officer", email="reader.new@test.example")
    invitations = len(_messages(db, "invitation"))
    second_admin_confirms(app, "reader.new@test.example")
    assert [m.to_address for m in _messages(db, "invitation")[invitations:]] == ["reader.new@test.example"]
    # A deactivated account promoted: its password stops working, no invitation is sent,
    # and the waiting change and the audit trail say so.
    dormant = make_user("auditor", "dormant@test.example", active=False)
    _edit(client, _user(db, dormant.email), role="srsg_staff")
    on_page = " ".join(client.get(f"/admin/users/{dormant.id}").get_data(as_text=True).split())
    assert "once the account is reactivated, its user chooses a new one with" in on_page
    invitations, known_hash = len(_messages(db, "invitation")), _user(db, dormant.email).password_hash
    second_admin_confirms(app, dormant.email)
    assert len(_messages(db, "invitation")) == invitations
    assert _user(db, dormant.email).password_hash != known_hash
    assert "the account is deactivated, and no invitation was sent" in client.get("/admin/audit").get_data(
        as_text=True)
    # A promotion whose change carries a password the second admin saw typed keeps it.
    login_as("admin")
    auditor = users["auditor"]
    _edit(client, auditor, role="mptf_officer", password="typed before the second admin 42")
    assert "A new password typed by the administrator." in client.get(
        f"/admin/users/{auditor.id}").get_data(as_text=True)
    second_admin_confirms(app, auditor.email)
    assert _signs_in(app, auditor.email, "typed before the second admin 42")


def test_a_password_typed_for_srsg_staff_waits_and_the_old_one_works_meanwhile(app, client, login_as, db,
                                                                               users):
    srsg = users["srsg_staff"]
    login_as("admin")
    assert WAITS in _edit(client, srsg, password="the admin's new password").get_data(as_text=True)
    assert _signs_in(app, srsg.email, PASSWORD)
    assert not _signs_in(app, srsg.email, "the admin's new password")
    second_admin_confirms(app, srsg.email)
    assert _signs_in(app, srsg.email, "the admin's new password")
    assert not _signs_in(app, srsg.email, PASSWORD)
    assert len(_messages(db, "password_changed")) == 1


def test_an_officers_email_change_waits(app, client, login_as, db, users):
    officer = users["mptf_officer"]
    login_as("admin")
    assert WAITS in _edit(client, officer, email="mine@example.org").get_data(as_text=True)
    assert _user(db, "mine@example.org") is None and _user(db, officer.email) is not None
    listed = _admin2(app, login_as).get("/admin/users").get_data(as_text=True)
    assert "Email: officer@test.example → mine@example.org" in listed
    second_admin_confirms(app, "mine@example.org")
    assert _user(db, "mine@example.org").id == officer.id


def test_reactivating_a_dormant_srsg_account_waits(app, client, login_as, db):
    dormant = make_user("srsg_staff", "dormant@test.example", active=False)
    login_as("admin")
    assert WAITS in _edit(client, dormant, active="y").get_data(as_text=True)
    assert _user(db, dormant.email).active is False
    assert not _signs_in(app, dormant.email, PASSWORD)
    second_admin_confirms(app, dormant.email)
    assert _user(db, dormant.email).active is True
    assert _signs_in(app, dormant.email, PASSWORD)


def test_changes_without_power_over_money_take_effect_at_once(app, client, login_as, db, users):
    login_as("admin")
    for role, extra in (("donor", {"donor_id": users["donor"].donor_id}), ("auditor", {})):
        page = client.post("/admin/users/new", data={
            "email": f"new.{role}@example.org", "role": role, "donor_id": 0, "active": "y",
            "password": "a long enough password", **extra}, follow_redirects=True).get_data(as_text=True)
        assert f"User new.{role}@example.org saved." in page
        assert _signs_in(app, f"new.{role}@example.org", "a long enough password")
    srsg = users["srsg_staff"]
    assert "saved." in _edit(client, srsg, name="Renamed Staff").get_data(as_text=True)
    assert _user(db, srsg.email).name == "Renamed Staff"
    # Less power at once: an officer moved to auditor, an SRSG staff member deactivated.
    officer = users["mptf_officer"]
    assert "saved." in _edit(client, officer, role="auditor").get_data(as_text=True)
    srsg2 = users["srsg_staff2"]
    assert "saved." in _edit(client, srsg2, active=None).get_data(as_text=True)
    assert (_user(db, officer.email).role, _user(db, srsg2.email).active) == ("auditor", False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserChange)) == 0


def test_a_refused_change_leaves_the_user_as_they_were(app, client, login_as, db, users):
    auditor = users["auditor"]
    login_as("admin")
    _edit(client, auditor, role="mptf_officer")
    change = _waiting(db, auditor.email)
    other = _admin2(app, login_as)
    empty = other.post(f"/admin/user-changes/{change.id}/refuse", data={"reason": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "Say why the change is refused." in empty and _waiting(db, auditor.email) is not None
    done = other.post(f"/admin/user-changes/{change.id}/refuse", data={"reason": "Not agreed with the SRSG"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Change refused: nothing was changed." in done
    db.session.expire_all()
    stored = db.session.get(UserChange, change.id)
    assert (stored.status, stored.refusal_reason) == (REFUSED, "Not agreed with the SRSG")
    assert _user(db, auditor.email).role == "auditor"
    late = _decide(other, change.id, "confirm")
    assert "This change was already decided: nothing was done." in late
    assert _user(db, auditor.email).role == "auditor"
    trail = other.get("/admin/audit", query_string={"action": "user_change.refuse"}).get_data(as_text=True)
    assert "admin2 refused the change to auditor proposed by admin: Not agreed with the SRSG" in trail


def test_a_refusal_without_a_reason_is_told_beside_that_changes_reason_and_saves_nothing(
        app, client, login_as, db, users):
    """Two changes wait; the second admin refuses one with no reason: the users page
    shows the message beside the reason field of that change, not as a message at the
    top, nor beside the other change's; nothing is written, both still wait."""
    auditor, donor = users["auditor"], users["donor"]
    login_as("admin")
    _edit(client, auditor, role="mptf_officer")
    _edit(client, donor, role="srsg_staff", donor_id=0)
    change, other_change = _waiting(db, auditor.email), _waiting(db, donor.email)
    assert change is not None and other_change is not None
    other = _admin2(app, login_as)
    before = table_counts(db)
    for reason in ("", "   "):
        answer = other.post(f"/admin/user-changes/{change.id}/refuse", data={"reason": reason})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "Changes waiting for a second administrator" in page
        assert error_beside_reason(page, f"/admin/user-changes/{change.id}/refuse") == \
            "Say why the change is refused."
        assert error_beside_reason(page, f"/admin/user-changes/{other_change.id}/refuse") is None
        assert 'class="alert alert-danger"' not in page
        assert changed_counts(before, table_counts(db)) == {}
        assert (_waiting(db, auditor.email).id, _waiting(db, donor.email).id) == (change.id, other_change.id)
    # A reason too long is told there too.
    page = other.post(f"/admin/user-changes/{change.id}/refuse", data={"reason": "x" * 2001}).get_data(
        as_text=True)
    assert error_beside_reason(page, f"/admin/user-changes/{change.id}/refuse") == \
        "Field cannot be longer than 2000 characters."
    # The reason typed stays in its field, and there only: the other change's form is blank.
    assert page.count("x" * 2001) == 1
    assert changed_counts(before, table_counts(db)) == {} and _user(db, auditor.email).role == "auditor"
    # With a reason, it is refused as before.
    assert "Change refused: nothing was changed." in _decide(other, change.id, "refuse", reason="Not agreed")


def test_one_waiting_change_per_user_and_the_proposer_may_withdraw_it(app, client, login_as, db, users):
    auditor = users["auditor"]
    login_as("admin")
    _edit(client, auditor, role="mptf_officer")
    again = _edit(_admin2(app, login_as), _user(db, auditor.email), role="srsg_staff").get_data(as_text=True)
    assert "A change to this user already waits for another administrator." in again
    change = _waiting(db, auditor.email)
    assert change.role == "mptf_officer"
    not_theirs = _decide(_admin2(app, login_as), change.id, "withdraw")
    assert "Only the administrator who proposed a change can withdraw it." in not_theirs
    assert _waiting(db, auditor.email) is not None
    done = _decide(client, change.id, "withdraw")
    assert "Change withdrawn: nothing was changed." in done
    assert _waiting(db, auditor.email) is None and _user(db, auditor.email).role == "auditor"


STALE = ("This user’s account was changed after this change was proposed: it can no "
         "longer be confirmed. Refuse it, or its proposer can withdraw it; then propose the change again "
         "if it is still wanted.")


def test_a_change_to_a_user_changed_since_says_so_and_how_to_get_past_it(app, client, login_as, db, users):
    """A stale change can never be confirmed and blocks every new proposal for the user:
    the page says so and offers the way out (refuse, or withdraw for its proposer)."""
    auditor = users["auditor"]
    login_as("admin")
    _edit(client, auditor, role="srsg_staff")
    change = _waiting(db, auditor.email)
    other = _admin2(app, login_as)
    fresh = other.get("/admin/users").get_data(as_text=True)
    assert STALE not in fresh and f"/admin/user-changes/{change.id}/confirm" in fresh
    _edit(client, _user(db, auditor.email), name="Renamed meanwhile")  # at once: the version moves
    # Both admins see, on the users page and the user's page, that it can no longer be confirmed.
    listed = other.get("/admin/users").get_data(as_text=True)
    assert STALE in listed and f"/admin/user-changes/{change.id}/confirm" not in listed
    assert f"/admin/user-changes/{change.id}/refuse" in listed
    own = client.get(f"/admin/users/{auditor.id}").get_data(as_text=True)
    assert STALE in own and f"/admin/user-changes/{change.id}/withdraw" in own
    # A confirmation sent anyway (a page open since before) is told what to do.
    answer = second_admin_confirms(app, auditor.email).get_data(as_text=True)
    assert STALE in answer and "Change confirmed" not in answer
    assert _user(db, auditor.email).role == "auditor"
    assert _waiting(db, auditor.email).id == change.id
    # Refused, it no longer blocks a new proposal.
    blocked = _edit(client, _user(db, auditor.email), role="mptf_officer").get_data(as_text=True)
    assert "A change to this user already waits for another administrator." in blocked
    assert "Change refused" in _decide(other, change.id, "refuse", reason="Proposed before the rename")
    assert WAITS in _edit(client, _user(db, auditor.email), role="mptf_officer").get_data(as_text=True)
    assert _waiting(db, auditor.email).role == "mptf_officer"


def test_a_deactivation_mixed_with_a_change_that_waits_is_refused_and_alone_takes_effect_at_once(
        app, client, login_as, db, users):
    """Deactivating is urgent (a compromised account) and takes effect at once; mixed with
    a change that waits, it would either be delayed or let one admin type a password and
    then have only the reactivation confirmed. So the mix is refused, nothing saved."""
    officer = users["mptf_officer"]
    login_as("admin")
    deactivate_first = ("Deactivate the account on its own first: it takes effect at once. "
                        "Then propose the other change.")
    for mix in ({"email": "mine@example.org"}, {"password": "the admin's new password"},
                {"role": "srsg_staff"}):
        page = _edit(client, _user(db, officer.email), active=None, **mix).get_data(as_text=True)
        assert deactivate_first in page and 'id="active-errors"' in page, mix
        assert WAITS not in page and "saved." not in page
        assert _user(db, officer.email).active is True
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserChange)) == 0
    assert _signs_in(app, officer.email, PASSWORD)
    # Alone, the deactivation takes effect at once; the other change then waits.
    assert "saved." in _edit(client, _user(db, officer.email), active=None).get_data(as_text=True)
    assert _user(db, officer.email).active is False
    assert not _signs_in(app, officer.email, PASSWORD)
    assert WAITS in _edit(client, _user(db, officer.email), active=None,
                          password="the admin's new password").get_data(as_text=True)
    assert _user(db, officer.email).active is False


def test_the_refusal_of_a_mixed_deactivation_is_in_the_admins_language(app, client, login_as, db, users):
    users["admin"].locale = "fr"
    db.session.commit()
    officer = users["mptf_officer"]
    login_as("admin")
    page = _edit(client, officer, active=None, email="mine@example.org").get_data(as_text=True)
    assert "Désactivez d’abord le compte seul" in page
    assert _user(db, officer.email).active is True


def test_auditors_see_the_waiting_changes_read_only_and_in_the_users_download(app, client, login_as, db,
                                                                              users):
    from openpyxl import load_workbook

    officer = users["mptf_officer"]
    proposer = app.test_client()
    login_as("admin", proposer)
    _edit(proposer, officer, email="mine@example.org")
    change = _waiting(db, "mine@example.org")
    login_as("auditor")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Changes waiting for a second administrator" in page
    assert "Email: officer@test.example → mine@example.org" in page
    assert "It takes effect when another administrator confirms it." in page
    assert "/admin/user-changes/" not in page
    for decision in ("confirm", "refuse", "withdraw"):
        answer = client.post(f"/admin/user-changes/{change.id}/{decision}", data={"reason": "no"})
        assert answer.status_code == 403
    assert _waiting(db, "mine@example.org").id == change.id
    download = client.get("/admin/users", query_string={"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(download.data))
    assert workbook.sheetnames[:2] == ["Users", "Waiting changes"]
    sheet = workbook["Waiting changes"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 1
    assert rows[0]["User"] == "officer@test.example" and rows[0]["Proposed by"] == users["admin"].email
    assert rows[0]["Changes"] == "Email: officer@test.example → mine@example.org"
    assert sheet["C2"].is_date and rows[0]["Note"] is None


def test_a_confirmation_sent_twice_or_by_two_admins_at_once_applies_once(app, login_as, db, users):
    from tests.security.helpers import Parallel

    make_user("admin", "admin3@test.example")
    auditor = users["auditor"]
    proposer = app.test_client()
    login_as("admin", proposer)
    _edit(proposer, auditor, role="srsg_staff")
    change_id = _waiting(db, auditor.email).id
    deciders = []
    for who in ["admin2", _user(db, "admin3@test.example"), "admin2", _user(db, "admin3@test.example")]:
        browser = app.test_client()
        login_as(who, browser)
        deciders.append(browser)
    db.session.commit()
    run = Parallel(app, len(deciders), 1, lambda i, _s: deciders[i].post(
        f"/admin/user-changes/{change_id}/confirm", follow_redirects=True).get_data(as_text=True)).run()
    assert run.errors == []
    answers = [text for _w, _s, text in run.results]
    assert sum("Change confirmed: it has taken effect." in a for a in answers) == 1, answers
    assert sum("This change was already decided: nothing was done." in a for a in answers) == 3
    db.session.expire_all()
    assert _user(db, auditor.email).role == "srsg_staff"
    assert db.session.get(UserChange, change_id).status == CONFIRMED
    updates = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "user.update", AuditEntry.object_id == str(auditor.id)))
    assert updates == 1
    assert len(_messages(db, "role_changed")) == 1


def test_nobody_changes_their_own_role_or_deactivates_themselves(app, client, login_as, db, users):
    admin = login_as("admin")
    role = _edit(client, admin, role="auditor").get_data(as_text=True)
    assert "You cannot change your own role." in role and 'id="role-errors"' in role
    off = _edit(client, _user(db, admin.email), active=None).get_data(as_text=True)
    assert "You cannot deactivate your own account." in off and 'id="active-errors"' in off
    assert (_user(db, admin.email).role, _user(db, admin.email).active) == ("admin", True)


def test_two_admins_deactivating_each_other_at_once_leave_one_admin(app, login_as, db, users):
    """Each sees the other as a second active admin: without the lock, both would be
    deactivated and nobody could administer the fund any more."""
    from tests.security.helpers import Parallel

    first, second = app.test_client(), app.test_client()
    login_as("admin", first)
    login_as("admin2", second)
    posts = [(first, users["admin2"]), (second, users["admin"])]
    posts = [(browser, f"/admin/users/{user.id}", {"email": user.email, "name": user.name, "role": "admin",
                                                   "donor_id": 0, "version": user.version})
             for browser, user in posts]
    db.session.commit()
    run = Parallel(app, 2, 1, lambda i, _s: posts[i][0].post(posts[i][1], data=posts[i][2],
                                                             follow_redirects=True).get_data(as_text=True)).run()
    assert run.errors == []
    db.session.expire_all()
    active = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True)))
    assert active == 1
    assert sum("saved." in text for _w, _s, text in run.results) == 1


def test_the_last_active_admin_stays_one(app, db, users):
    """The server's create-user command and the demo save users with no admin acting:
    even then the last active admin is neither deactivated nor moved to another role."""
    import pytest

    from trustfund.admin.services import save_user
    from trustfund.errors import DomainError

    users["admin2"].active = False
    db.session.commit()
    admin = users["admin"]
    for role, active in (("auditor", True), ("admin", False)):
        with pytest.raises(DomainError, match="The last active administrator cannot be deactivated"):
            save_user(None, admin, email=admin.email, name=admin.name, role=role, donor_id=None,
                      active=active, password=None)
        db.session.rollback()
    save_user(None, users["admin2"], email="admin2@test.example", name="admin2", role="admin", donor_id=None,
              active=True, password=None)
    save_user(None, admin, email=admin.email, name=admin.name, role="auditor", donor_id=None, active=True,
              password=None)
    db.session.commit()
    assert _user(db, admin.email).role == "auditor"


def test_the_only_admin_is_told_a_second_one_is_needed(app, client, login_as, db, users):
    users["admin2"].active = False
    db.session.commit()
    login_as("admin")
    page = client.post("/admin/users/new", data={
        "email": "alone@example.org", "role": "srsg_staff", "donor_id": 0, "active": "y"},
        follow_redirects=True).get_data(as_text=True)
    assert PROPOSED in page
    assert "You are the only active administrator: a second administrator is needed" in page
    assert "flask --app trustfund create-user" in page
    assert _user(db, "alone@example.org") is None


def test_the_servers_create_user_command_creates_an_admin_at_once(app, runner, db, monkeypatch):
    monkeypatch.setenv("TRUSTFUND_PASSWORD", "a long enough password")
    result = runner.invoke(args=["create-user", "--email", "boot@example.org", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert _user(db, "boot@example.org").role == "admin"


@pytest.mark.parametrize("args, message", [
    (["--email", "not an email", "--role", "admin"], "Enter a valid email address."),
    (["--email", "donor@example.org", "--role", "donor", "--donor", "999999"],
     "There is no donor with id 999999."),
], ids=["not an address", "an unknown donor"])
def test_the_create_user_command_refuses_what_the_form_refuses(app, runner, db, monkeypatch, args, message):
    """An address that is none (invitations and resets could never arrive) or a donor id
    that names no donor: a clear message, exit code 1 and no account, not a traceback."""
    monkeypatch.setenv("TRUSTFUND_PASSWORD", "a long enough password")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    result = runner.invoke(args=["create-user", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_a_hostile_reason_for_refusing_is_refused_and_nothing_changes(app, client, login_as, db, users):
    from tests.security.helpers import BIDI_TEXT, CONTROL_TEXT, LONG_TEXT

    login_as("admin")
    _edit(client, users["auditor"], role="srsg_staff")
    change_id = _waiting(db, users["auditor"].email).id
    other = _admin2(app, login_as)
    for reason, message in ((LONG_TEXT, "Field cannot be longer than 2000 characters."),
                            (CONTROL_TEXT, "control characters"), (BIDI_TEXT, "")):
        page = other.post(f"/admin/user-changes/{change_id}/refuse", data={"reason": reason},
                          follow_redirects=True).get_data(as_text=True)
        assert "Change refused" not in page, reason[:20]
        assert message in error_beside_reason(page, f"/admin/user-changes/{change_id}/refuse")
        assert _waiting(db, users["auditor"].email).id == change_id


def test_the_demo_has_two_admins_so_that_one_can_confirm_the_other(app, db):
    from trustfund import demo

    demo.seed_users(demo.demo_donor())
    db.session.commit()
    admins = [email for email, _password, role in demo.DEMO_ACCOUNTS if role == "admin"]
    assert admins == ["admin@trustfund.demo", "admin2@trustfund.demo"]
    assert _signs_in(app, "admin2@trustfund.demo", "demo-admin2-pass")


def test_a_refusal_without_a_reason_of_a_change_decided_meanwhile_says_it_was_decided(
        app, client, login_as, db, users):
    """An admin refuses, with no reason, a change that another admin has refused
    meanwhile (their page was older): the change is no longer on the page, so no field
    can show an error; the page says it was already decided (before: nothing at all)."""
    auditor = users["auditor"]
    login_as("admin")
    _edit(client, auditor, role="mptf_officer")
    change = _waiting(db, auditor.email)
    other = _admin2(app, login_as)
    assert "Change refused" in _decide(other, change.id, "refuse", reason="Not agreed")
    page = _decide(other, change.id, "refuse", reason="")
    assert "This change was already decided: nothing was done." in page
    db.session.expire_all()
    assert db.session.get(UserChange, change.id).refusal_reason == "Not agreed"


def test_a_change_proposed_by_an_admin_demoted_since_is_not_confirmed_on_their_word(app, client, login_as, db,
                                                                                     users):
    """Admin A proposes a donor account's move to SRSG staff; admin B demotes A (it takes
    effect at once); admin C reads on the users page why it cannot be confirmed, has no
    Confirm, and a confirmation sent anyway changes nothing, as for a setting."""
    from tests.factories import browser_of

    third = make_user("admin", "admin3@test.example")
    users["admin"].name = "Amina Diallo"
    db.session.commit()
    login_as("admin")
    target = make_user("donor", "dn@test.example", donor_id=users["donor"].donor_id)
    _edit(client, target, role="srsg_staff", donor_id=0)
    change = _waiting(db, "dn@test.example")
    _edit(browser_of(app, "admin2"), _user(db, users["admin"].email), role="auditor")
    assert _user(db, users["admin"].email).role == "auditor"
    colleague = browser_of(app, third)
    page = colleague.get("/admin/users").get_data(as_text=True)
    gone = ("Amina Diallo, who proposed it, no longer has the role that proposes it: it can no longer be "
            "confirmed.")
    assert gone in page and f"/admin/user-changes/{change.id}/confirm" not in page
    assert gone in _decide(colleague, change.id, "confirm")
    db.session.expire_all()
    assert db.session.get(UserChange, change.id).status == PENDING
    assert _user(db, "dn@test.example").role == "donor"

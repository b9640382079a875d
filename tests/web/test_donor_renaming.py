"""A donor whose contributions are recorded is renamed by two MPTF officers (a colleague's
review; DESIGN.md §6a: a closed year's reports never change; nobody alone says whose
money it is).

One MPTF officer could rename donors alone, with no reason: three saves swapped the names
of Sweden and Norway, and from then on Sweden's deposits of a closed year read "Statement
of Kingdom of Norway", the audit trail said "Deposit ... from Kingdom of Norway", the
donors' portals and the IATI file likewise. Now, once a pledge or a commitment is
recorded for a donor, a new name waits, with a reason, for another MPTF officer, who
confirms it (the donor is renamed then) or refuses it; its proposer may withdraw it. The
other details of the same form are saved at once; a donor with nothing recorded is
still renamed by one officer."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from tests.factories import browser_of
from tests.factories import statements as data
from tests.pages import error_beside, text, words
from trustfund import demo
from trustfund.audit import AuditEntry
from trustfund.closure import years
from trustfund.closure.financial import closable_problems
from trustfund.donors.models import Donor, DonorRenaming
from trustfund.mail.models import OutboxMessage

SWEDEN, NORWAY = "Kingdom of Sweden", "Kingdom of Norway"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def _save(client, donor_id: int, name: str, reason: str = "", **changes):
    """The donor's form as its page fills it, with a new name, its reason and `changes`."""
    form = client.get(f"/donors/{donor_id}/edit").get_data(as_text=True)
    donor = db_donor(donor_id)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    fields = {"name": name, "donor_type": donor.donor_type, "country_code": donor.country_code or "",
              "contact_name": donor.contact_name, "contact_email": donor.contact_email, "version": version,
              "lookalike_confirmed": "y", "reason": reason}
    return client.post(f"/donors/{donor_id}/edit", data={**fields, **changes})


def db_donor(donor_id: int) -> Donor:
    from trustfund.extensions import db

    db.session.expire_all()
    return db.session.get(Donor, donor_id)


def _funded(db):
    """Sweden (a commitment and a deposit of 2017) and Norway, a deposit of 2017 each."""
    sweden = demo.demo_donor()
    norway = data.donor(NORWAY)
    norway.donor_type, norway.country_code = "member_state", "NO"
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(norway, "10000.00"), "10000.00", value_date=dt.date(2017, 6, 2))
    db.session.commit()
    return sweden, norway


def _card(browser, donor_id: int) -> str:
    """The donor page's card of the change waiting."""
    page = text_of(browser.get(f"/donors/{donor_id}"))
    return re.search(r'<section[^>]*id="waiting-renaming".*?</section>', page, re.S).group(0)


def _renamings(status=None) -> list[DonorRenaming]:
    from trustfund.extensions import db

    db.session.expire_all()
    query = sa.select(DonorRenaming).order_by(DonorRenaming.id)
    return db.session.scalars(query.where(DonorRenaming.status == status) if status else query).all()


def test_a_funded_donor_is_renamed_only_when_a_second_officer_confirms(app, client, login_as, db, users):
    sweden, _norway = _funded(db)
    login_as("mptf_officer")
    form = client.get(f"/donors/{sweden.id}/edit").get_data(as_text=True)
    assert "Why the name, type or country is corrected" in form
    # Without a reason: refused beside it, nothing saved.
    refused = _save(client, sweden.id, "Sweden").get_data(as_text=True)
    assert error_beside(refused, "reason") == (
        "Say why the donor is corrected: contributions of this donor are recorded, so a second MPTF officer "
        "confirms the change.")
    assert db_donor(sweden.id).name == SWEDEN and _renamings() == []
    # With one: proposed, nothing renamed; the contact of the same form is saved at once.
    answer = _save(client, sweden.id, "Sweden", "The SAA's amendment names it so", contact_name="Treasury")
    assert answer.status_code == 302
    donor = db_donor(sweden.id)
    assert (donor.name, donor.contact_name) == (SWEDEN, "Treasury")
    [renaming] = _renamings("pending")
    page = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    card = words(re.search(r'<section[^>]*id="waiting-renaming".*?</section>', page, re.S).group(0))
    assert "Change of name, type or country waiting for a second MPTF officer" in card
    assert "Name now Kingdom of Sweden New name Sweden" in card
    assert "Reason The SAA's amendment names it so" in card
    assert "Withdraw" in card and "Confirm" not in card  # its proposer may not confirm it
    # The proposer cannot confirm it by a hand-made post either.
    client.post(f"/donors/renamings/{renaming.id}/confirm", follow_redirects=True)
    assert db_donor(sweden.id).name == SWEDEN
    # The other MPTF officers are told, in their language.
    mail = db.session.scalars(sa.select(OutboxMessage)
                              .where(OutboxMessage.kind == "donor_renaming_waiting")).all()
    assert [m.to_address for m in mail] == [users["mptf_officer2"].email]
    assert SWEDEN in mail[0].body_text and "Sweden" in mail[0].body_text
    assert f"/donors/{sweden.id}" in mail[0].body_text
    # A colleague confirms it: renamed.
    colleague = browser_of(app, "mptf_officer2")
    assert "Confirm" in words(colleague.get(f"/donors/{sweden.id}").get_data(as_text=True))
    done = text(colleague.post(f"/donors/renamings/{renaming.id}/confirm", follow_redirects=True))
    assert "Change confirmed: Kingdom of Sweden to Sweden." in done
    assert db_donor(sweden.id).name == "Sweden"
    trail = text(browser_of(app, "auditor").get("/admin/audit"))
    assert ("Change proposed by mptf_officer; it waits for a second MPTF officer, and nothing has changed "
            "yet. Name: Kingdom of Sweden → Sweden" in trail)
    assert ("Renamed from Kingdom of Sweden to Sweden by mptf_officer2, confirming a colleague's proposal."
            in trail)


def test_one_officer_cannot_swap_two_donors_names(app, client, login_as, db, users):
    """The review's case: three saves by one officer swapped Sweden's and Norway's names,
    and the statement of closed 2017 said Sweden's deposits were Norway's."""
    sweden, norway = _funded(db)
    years.close_year(users["admin"], 2017, report_reference="Annual report 2017")
    db.session.commit()
    login_as("mptf_officer")
    for donor_id, name in ((sweden.id, "Temporary name"), (norway.id, SWEDEN), (sweden.id, NORWAY)):
        _save(client, donor_id, name, "Swap")
    assert (db_donor(sweden.id).name, db_donor(norway.id).name) == (SWEDEN, NORWAY)
    login_as("auditor")
    page = text_of(client.get(f"/statements/{sweden.id}?date_from=2017-04-03&date_to=2017-12-31"))
    assert re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).strip() == f"Statement of {SWEDEN}"


def test_a_change_of_name_is_refused_with_a_reason_or_withdrawn(app, client, login_as, db):
    sweden, _norway = _funded(db)
    login_as("mptf_officer")
    _save(client, sweden.id, "Sweden", "Amendment")
    [renaming] = _renamings("pending")
    colleague = browser_of(app, "mptf_officer2")
    # Refused without a reason: the error beside it, on the donor's page.
    refused = colleague.post(f"/donors/renamings/{renaming.id}/refuse", data={"reason": ""})
    assert refused.status_code == 200
    assert "Say why the change is refused." in text(refused)
    done = text(colleague.post(f"/donors/renamings/{renaming.id}/refuse", data={"reason": "Not in the SAA"},
                               follow_redirects=True))
    assert "Change refused: the donor stays as it was." in done
    assert db_donor(sweden.id).name == SWEDEN
    # Proposed again, then withdrawn by its proposer.
    _save(client, sweden.id, "Sweden", "Amendment signed")
    [again] = _renamings("pending")
    # While it waits, another new name is refused beside the name.
    waiting = _save(client, sweden.id, "Suède", "Other").get_data(as_text=True)
    assert error_beside(waiting, "name") == (
        "A change of this donor's name, type or country already waits for a second MPTF officer: it must be "
        "confirmed, refused or withdrawn first.")
    assert "Change withdrawn: the donor stays as it was." in text(
        client.post(f"/donors/renamings/{again.id}/withdraw", follow_redirects=True))
    assert [r.status for r in _renamings()] == ["refused", "withdrawn"]
    assert db_donor(sweden.id).name == SWEDEN
    # Neither a donor user nor an SRSG staff member answers one.
    _save(client, sweden.id, "Sweden", "Third time")
    [third] = _renamings("pending")
    for role in ("srsg_staff", "auditor", "admin"):
        assert browser_of(app, role).post(f"/donors/renamings/{third.id}/confirm").status_code == 403


def test_a_donor_with_nothing_recorded_is_renamed_at_once(app, client, login_as, db):
    donor = data.donor("Open Society Foundation")
    db.session.commit()
    login_as("mptf_officer")
    form = client.get(f"/donors/{donor.id}/edit").get_data(as_text=True)
    assert "Why the name, type or country is corrected" not in form
    assert _save(client, donor.id, "Open Society Foundations").status_code == 302
    assert db_donor(donor.id).name == "Open Society Foundations" and _renamings() == []


def test_a_waiting_renaming_is_on_the_dashboards_and_holds_back_the_financial_closure(app, client, login_as,
                                                                                     db):
    sweden, _norway = _funded(db)
    before = closable_problems()
    login_as("mptf_officer")
    _save(client, sweden.id, "Sweden", "Amendment")
    other = text(browser_of(app, "mptf_officer2").get("/dashboard/"))
    assert "1 change of a donor's name, type or country waits for you to confirm or refuse it." in other
    own = text(client.get("/dashboard/"))
    assert ("1 change of a donor's name, type or country that you proposed waits for another MPTF officer."
            in own)
    assert set(closable_problems()) - set(before) == {
        "1 change of a donor's name, type or country waits for a second MPTF officer: confirm or refuse it "
        "first."}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "donor.rename_propose")) == 1


def test_a_funded_donors_type_and_country_are_corrected_by_two_officers(app, client, login_as, db):
    """A colleague's review: one officer made Sweden (deposits recorded) a philanthropic
    organization in one save (the IATI file's provider type 10 became 60), and swapped
    Sweden's and Norway's countries in three. Then a funded donor's type and country
    could not be corrected at all; now, as its name, they wait for a second officer."""
    sweden, norway = _funded(db)
    login_as("mptf_officer")
    refused = text_of(_save(client, sweden.id, SWEDEN, donor_type="philanthropic_organization"))
    assert error_beside(refused, "reason") == (
        "Say why the donor is corrected: contributions of this donor are recorded, so a second MPTF officer "
        "confirms the change.")
    assert _save(client, sweden.id, SWEDEN, "Recorded as a State by mistake: the foundation signed the SAA",
                 donor_type="philanthropic_organization").status_code == 302
    assert db_donor(sweden.id).donor_type == "member_state"
    colleague = browser_of(app, "mptf_officer2")
    card = words(re.search(r'<section[^>]*id="waiting-renaming".*?</section>',
                           text_of(colleague.get(f"/donors/{sweden.id}")), re.S).group(0))
    assert "Type now Member State New type Philanthropic organization" in card and "New name" not in card
    [waiting] = _renamings("pending")
    done = text(colleague.post(f"/donors/renamings/{waiting.id}/confirm", follow_redirects=True))
    assert ("Change confirmed: Kingdom of Sweden; Type of donor: Member State to Philanthropic organization."
            in done)
    assert db_donor(sweden.id).donor_type == "philanthropic_organization"
    trail = text(browser_of(app, "auditor").get("/admin/audit"))
    assert ("Corrected by mptf_officer2, confirming a colleague's proposal. Type of donor: Member State → "
            "Philanthropic organization" in trail)

    # Norway's country proposed as Denmark's; Denmark becomes a donor meanwhile: the
    # confirmation is refused, and nothing changes.
    assert _save(client, norway.id, NORWAY, "Typo", country_code="DK").status_code == 302
    [waiting] = _renamings("pending")
    assert (waiting.country_before, waiting.country_code) == ("NO", "DK")
    listed = words(text_of(colleague.get("/donors/")))
    assert "Kingdom of Norway; Country: Norway (NO) to Denmark (DK), proposed by mptf_officer" in listed
    denmark = data.donor("Kingdom of Denmark")
    denmark.donor_type, denmark.country_code = "member_state", "DK"
    db.session.commit()
    # The donor's page says so in place of Confirm (a colleague's review: it offered it).
    card = _card(colleague, norway.id)
    assert f"/donors/renamings/{waiting.id}/confirm" not in card
    assert "This Member State is already a donor: Kingdom of Denmark." in text(card)
    refused = text(colleague.post(f"/donors/renamings/{waiting.id}/confirm", follow_redirects=True))
    assert ("Nothing was changed, and the change still waits: This Member State is already a donor: "
            "Kingdom of Denmark." in refused)
    assert db_donor(norway.id).country_code == "NO" and _renamings("pending") == [waiting]

    # One officer cannot swap two States' countries: a country another State holds is
    # refused as it is proposed.
    client.post(f"/donors/renamings/{waiting.id}/withdraw")
    sweden_state = data.donor("Kingdom of Sweden (State)")
    sweden_state.donor_type, sweden_state.country_code = "member_state", "SE"
    data.commitment(sweden_state, "1000.00")
    db.session.commit()
    refused = text_of(_save(client, norway.id, NORWAY, "Swap", country_code="SE"))
    assert error_beside(refused, "country_code") == (
        "This Member State is already a donor: Kingdom of Sweden (State).")
    assert db_donor(norway.id).country_code == "NO" and _renamings("pending") == []
    # A donor with nothing recorded is still corrected by one officer.
    fresh = data.donor("Open Society Foundation")
    db.session.commit()
    assert _save(client, fresh.id, fresh.name, donor_type="intergovernmental_organization").status_code == 302
    assert db_donor(fresh.id).donor_type == "intergovernmental_organization"


def test_the_confirming_officer_reads_that_the_new_name_looks_like_another_donors(app, client, login_as, db):
    """A colleague's review: the proposer alone ticked "another donor, whose name only
    looks like an existing one" for "Kingdom of Nоrway" (a Cyrillic о), and the colleague
    asked to confirm read nothing of Norway."""
    sweden, norway = _funded(db)
    login_as("mptf_officer")
    _save(client, sweden.id, "Kingdom of N\u043erway", "Correction")
    page = browser_of(app, "mptf_officer2").get(f"/donors/{sweden.id}").get_data(as_text=True)
    warning = words(re.search(r'id="waiting-renaming-lookalike">(.*?)</p>', page, re.S).group(1))
    assert warning == ("The new name looks like that of another donor, Kingdom of Norway: confirm it only if "
                       "it names this donor and not that one. Kingdom of Norway")
    assert f'href="/donors/{norway.id}"' in page


def test_the_donors_list_names_the_changes_waiting(app, client, login_as, db):
    """A colleague's review: the dashboard's "1 change of a donor's name waits for you"
    led to the donors' list, which did not say whose."""
    sweden, _norway = _funded(db)
    login_as("mptf_officer")
    _save(client, sweden.id, "Sweden", "Amendment")
    colleague = browser_of(app, "mptf_officer2")
    dashboard = colleague.get("/dashboard/").get_data(as_text=True)
    assert 'href="/donors/"' in dashboard
    listed = colleague.get("/donors/").get_data(as_text=True)
    section = re.search(r'<section[^>]*id="waiting-renamings".*?</section>', listed, re.S).group(0)
    assert words(section).startswith("Changes of names, types or countries waiting for a second MPTF officer "
                                     "Kingdom of Sweden to Sweden, proposed by mptf_officer on ")
    assert f'href="/donors/{sweden.id}#waiting-renaming"' in section


def test_a_change_of_type_alone_warns_of_no_new_name(app, client, login_as, db):
    """A colleague's review: a change of Sweden's type alone told the confirming officer
    "The new name looks like that of another donor" whenever Sweden's own, unchanged,
    name had a look-alike recorded as another donor: there is no new name."""
    sweden, _norway = _funded(db)
    data.donor("Kingdom of Swed\u0435n")  # a Cyrillic е, recorded as another donor
    db.session.commit()
    login_as("mptf_officer")
    assert _save(client, sweden.id, sweden.name, "Recorded as a State by mistake",
                 donor_type="intergovernmental_organization").status_code == 302
    page = text_of(browser_of(app, "mptf_officer2").get(f"/donors/{sweden.id}"))
    card = re.search(r'<section[^>]*id="waiting-renaming".*?</section>', page, re.S).group(0)
    assert "New type" in card and "New name" not in card
    assert 'id="waiting-renaming-lookalike"' not in card


def test_a_name_taken_meanwhile_is_said_in_place_of_confirm(app, client, login_as, db):
    """A colleague's review: another donor recorded under the name proposed, the
    confirming officer was offered Confirm, bound to be refused."""
    sweden, _norway = _funded(db)
    login_as("mptf_officer")
    assert _save(client, sweden.id, "Sweden", "Short name").status_code == 302
    [waiting] = _renamings("pending")
    data.donor("Sweden")  # another donor, recorded meanwhile under the name proposed
    db.session.commit()
    colleague = browser_of(app, "mptf_officer2")
    card = _card(colleague, sweden.id)
    assert f"/donors/renamings/{waiting.id}/confirm" not in card
    assert ("This change cannot be confirmed as it stands: There is already a donor named “Sweden”."
            in text(card))
    refused = text(colleague.post(f"/donors/renamings/{waiting.id}/confirm", follow_redirects=True))
    assert "Nothing was changed, and the change still waits: There is already a donor named" in refused


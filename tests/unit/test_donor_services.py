"""The donor and SAA rules, through the services (no HTTP)."""
import datetime as dt

import pytest
import sqlalchemy as sa

from trustfund.audit import AuditEntry
from trustfund.donors import services
from trustfund.donors.models import DONOR_TYPES, Donor, SaaStatusChange
from trustfund.donors.services import change_saa_status, create_donor, update_donor
from trustfund.errors import DomainError

SIGNING = {"signed_on": dt.date(2017, 6, 1), "signatory_donor": "Permanent Representative",
           "signatory_mptf": "Executive Coordinator, MPTF Office", "reference": "SAA-MCS00-X-2017"}


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def refused(operation, field):
    with pytest.raises(DomainError) as caught:
        operation()
    assert caught.value.field == field, caught.value.message
    return caught.value.message


@pytest.fixture
def officer(users):
    return users["mptf_officer"]


@pytest.fixture
def donor(db, officer):
    created = create_donor(officer, name="Open Society Foundations",
                           donor_type="philanthropic_organization", contact_name="Grants desk",
                           contact_email="grants@example.org")
    db.session.commit()
    return created


def test_each_of_the_four_types_can_be_created_and_is_audited(db, officer):
    before = count(db, AuditEntry)
    made = {
        "member_state": create_donor(officer, name="Swiss Confederation", donor_type="member_state",
                                     country_code="ch"),
        "regional_legislative_body": create_donor(
            officer, name="Parliamentary Assembly of the Mediterranean",
            donor_type="regional_legislative_body", country_code="MT"),
        "intergovernmental_organization": create_donor(
            officer, name="Organization of Islamic Cooperation",
            donor_type="intergovernmental_organization"),
        "philanthropic_organization": create_donor(
            officer, name="  MacArthur   Foundation ", donor_type="philanthropic_organization"),
    }
    db.session.commit()
    assert set(made) == set(DONOR_TYPES)
    assert made["member_state"].country_code == "CH"
    assert made["philanthropic_organization"].name == "MacArthur Foundation"
    assert all(d.saa_status == "not_started" for d in made.values())
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.id > 0)
                                 .order_by(AuditEntry.id)).all()[before:]
    assert [e.action for e in entries] == ["donor.create"] * 4
    assert entries[0].after["name"] == "Swiss Confederation"
    assert entries[0].user_id == officer.id


def test_a_type_outside_the_four_is_refused(db, officer):
    before = count(db, Donor)
    refused(lambda: create_donor(officer, name="Acme Corp", donor_type="private_sector"), "donor_type")
    assert count(db, Donor) == before


def test_a_member_state_must_name_its_country(db, officer):
    before = count(db, Donor)
    message = refused(lambda: create_donor(officer, name="Republic of Nowhere",
                                           donor_type="member_state"), "country_code")
    assert "must name its country" in message
    refused(lambda: create_donor(officer, name="Republic of Nowhere", donor_type="member_state",
                                 country_code="XX"), "country_code")
    assert count(db, Donor) == before


def test_a_member_state_is_a_donor_only_once(db, officer):
    # The base data has the Kingdom of Sweden (SE).
    message = refused(lambda: create_donor(officer, name="Sweden", donor_type="member_state",
                                           country_code="SE"), "country_code")
    assert "Kingdom of Sweden" in message


@pytest.mark.parametrize("name", ["kingdom of sweden", "  KINGDOM   OF sweden "])
def test_duplicate_names_are_refused_whatever_the_case(db, officer, name):
    before = count(db, Donor)
    message = refused(lambda: create_donor(officer, name=name,
                                           donor_type="intergovernmental_organization"), "name")
    assert "Kingdom of Sweden" in message
    assert count(db, Donor) == before


def test_duplicate_check_knows_accented_capitals(db, officer):
    create_donor(officer, name="Fondation Émile Durand", donor_type="philanthropic_organization")
    db.session.commit()
    refused(lambda: create_donor(officer, name="FONDATION ÉMILE DURAND",
                                 donor_type="philanthropic_organization"), "name")


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "grants@@example.org", "x y@example.org"])
def test_a_bad_contact_email_is_refused(db, officer, email):
    before = count(db, Donor)
    refused(lambda: create_donor(officer, name="Ford Foundation",
                                 donor_type="philanthropic_organization", contact_email=email),
            "contact_email")
    assert count(db, Donor) == before


def test_update_keeps_an_audit_with_before_and_after(db, officer, donor):
    update_donor(officer, donor, version=donor.version, name="Open Society Foundations",
                 donor_type="philanthropic_organization", country_code="US",
                 contact_name="International Migration Initiative", contact_email="imi@example.org")
    db.session.commit()
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "donor.update")).one()
    assert entry.before["contact_email"] == "grants@example.org"
    assert entry.after["contact_email"] == "imi@example.org"
    assert entry.after["country_code"] == "US"


def test_a_save_based_on_an_old_version_writes_nothing(db, officer, donor):
    old_version = donor.version
    update_donor(officer, donor, version=old_version, name="Open Society Foundations",
                 donor_type="philanthropic_organization", contact_name="First editor")
    db.session.commit()
    audits = count(db, AuditEntry)
    message = refused(lambda: update_donor(officer, donor, version=old_version, name="OSF",
                                           donor_type="philanthropic_organization",
                                           contact_name="Second editor"), None)
    assert "Someone else changed this donor" in message
    db.session.rollback()
    assert db.session.get(Donor, donor.id).contact_name == "First editor"
    assert count(db, AuditEntry) == audits


def test_the_saa_goes_through_its_statuses_and_keeps_its_history(db, officer, donor):
    change_saa_status(officer, donor, "draft_shared", note="Draft sent")
    change_saa_status(officer, donor, "under_negotiation", note="Clause 7 discussed")
    change_saa_status(officer, donor, "signed", note="Signed", **SIGNING)
    change_saa_status(officer, donor, "amended", note="Extension",
                      **dict(SIGNING, signed_on=dt.date(2018, 3, 1), reference="SAA-X-A1"))
    change_saa_status(officer, donor, "closed", note="Fund closed")
    db.session.commit()
    donor = db.session.get(Donor, donor.id)
    assert donor.saa_status == "closed"
    # The donor keeps the original signature; the amendment's is in the history.
    assert donor.saa_signed_on == dt.date(2017, 6, 1)
    assert donor.saa_reference == "SAA-MCS00-X-2017"
    steps = [(c.from_status, c.to_status, c.note, c.user_id) for c in donor.saa_history]
    assert steps == [
        ("not_started", "draft_shared", "Draft sent", officer.id),
        ("draft_shared", "under_negotiation", "Clause 7 discussed", officer.id),
        ("under_negotiation", "signed", "Signed", officer.id),
        ("signed", "amended", "Extension", officer.id),
        ("amended", "closed", "Fund closed", officer.id),
    ]
    assert donor.saa_history[3].reference == "SAA-X-A1"
    assert all(c.at is not None for c in donor.saa_history)
    audits = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "donor.saa_status", AuditEntry.object_id == str(donor.id))
        .order_by(AuditEntry.id)).all()
    assert [(a.before["saa_status"], a.after["saa_status"]) for a in audits] == [
        ("not_started", "draft_shared"), ("draft_shared", "under_negotiation"),
        ("under_negotiation", "signed"), ("signed", "amended"), ("amended", "closed")]


def test_a_step_not_allowed_is_refused_naming_the_current_status(db, officer, donor):
    history = count(db, SaaStatusChange)
    message = refused(lambda: change_saa_status(officer, donor, "signed", note="", **SIGNING),
                      "to_status")
    assert "Not started" in message and "Draft shared" in message
    refused(lambda: change_saa_status(officer, donor, "amended", note="", **SIGNING), "to_status")
    refused(lambda: change_saa_status(officer, donor, "not_started", note=""), "to_status")
    db.session.rollback()
    assert count(db, SaaStatusChange) == history
    assert db.session.get(Donor, donor.id).saa_status == "not_started"


def test_a_closed_saa_cannot_change(db, officer, donor):
    change_saa_status(officer, donor, "draft_shared", note="")
    change_saa_status(officer, donor, "signed", note="", **SIGNING)
    change_saa_status(officer, donor, "closed", note="Withdrawn")
    message = refused(lambda: change_saa_status(officer, donor, "amended", note="", **SIGNING),
                      "to_status")
    assert "Closed" in message and "can no longer change" in message


@pytest.mark.parametrize("missing", ["signed_on", "signatory_donor", "signatory_mptf", "reference"])
def test_signing_needs_date_signatories_and_reference(db, officer, donor, missing):
    change_saa_status(officer, donor, "draft_shared", note="")
    db.session.commit()
    history = count(db, SaaStatusChange)
    details = dict(SIGNING, **{missing: None})
    refused(lambda: change_saa_status(officer, donor, "signed", note="", **details), missing)
    details = dict(SIGNING, **{missing: "   "}) if missing != "signed_on" else details
    refused(lambda: change_saa_status(officer, donor, "signed", note="", **details), missing)
    db.session.rollback()
    assert count(db, SaaStatusChange) == history
    assert db.session.get(Donor, donor.id).saa_status == "draft_shared"


def test_the_date_signed_cannot_be_in_the_future(db, officer, donor, monkeypatch):
    change_saa_status(officer, donor, "draft_shared", note="")
    monkeypatch.setattr(services, "latest_in_tomorrow", lambda: dt.date(2017, 6, 30))
    message = refused(lambda: change_saa_status(officer, donor, "signed", note="",
                                                **dict(SIGNING, signed_on=dt.date(2017, 7, 1))),
                      "signed_on")
    assert "future" in message
    change_saa_status(officer, donor, "signed", note="", **dict(SIGNING, signed_on=dt.date(2017, 6, 30)))
    assert donor.saa_signed_on == dt.date(2017, 6, 30)


def test_an_amendment_is_not_signed_before_the_saa(db, officer, donor):
    change_saa_status(officer, donor, "draft_shared", note="")
    change_saa_status(officer, donor, "signed", note="", **SIGNING)
    refused(lambda: change_saa_status(officer, donor, "amended", note="",
                                      **dict(SIGNING, signed_on=dt.date(2017, 5, 31))), "signed_on")


def test_closing_needs_a_note(db, officer, donor):
    change_saa_status(officer, donor, "draft_shared", note="")
    change_saa_status(officer, donor, "signed", note="", **SIGNING)
    refused(lambda: change_saa_status(officer, donor, "closed", note="  "), "note")


def test_a_status_change_from_a_stale_form_is_refused(db, officer, donor):
    version = donor.version
    change_saa_status(officer, donor, "draft_shared", note="", version=version)
    db.session.commit()
    refused(lambda: change_saa_status(officer, donor, "under_negotiation", note="", version=version),
            None)


def test_demo_donors_are_consistent_and_idempotent(db, users):
    from trustfund import demo

    demo.seed()
    db.session.commit()
    donors = db.session.scalars(sa.select(Donor)).all()
    assert len(donors) >= 12
    assert {d.donor_type for d in donors} == set(DONOR_TYPES)
    assert len({d.saa_status for d in donors}) >= 5
    assert sum(d.name == "Kingdom of Sweden" for d in donors) == 1
    for d in donors:
        if d.saa_history:
            assert d.saa_history[0].from_status == "not_started"
            assert d.saa_history[-1].to_status == d.saa_status
            for earlier, later in zip(d.saa_history, d.saa_history[1:], strict=False):
                assert later.from_status == earlier.to_status
    counts = (count(db, Donor), count(db, SaaStatusChange), count(db, AuditEntry))
    demo.seed()
    db.session.commit()
    assert (count(db, Donor), count(db, SaaStatusChange), count(db, AuditEntry)) == counts


NAMES_AT_ONCE = ["Open Society Foundations", "OPEN SOCIETY FOUNDATIONS", "open society foundations",
                 "Open  Society Foundations", "Open Society foundations", "open Society Foundations",
                 "OPEN society FOUNDATIONS", "Open Society FOUNDATIONS"]


def test_one_donor_entered_at_once_by_eight_officers_in_other_capitals_is_recorded_once(app, db, users):
    """The database's unique name does not see other capitals or spacing; the names are
    checked one transaction at a time, so the seven later ones find the first and are
    refused beside the name."""
    from tests.security.helpers import Parallel
    from trustfund.auth.models import User

    officer_id = users["mptf_officer"].id
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Donor))
    db.session.commit()

    def add(index: int, _step: int):
        actor = db.session.get(User, officer_id)
        try:
            services.create_donor(actor, name=NAMES_AT_ONCE[index], donor_type="philanthropic_organization")
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return index

    run = Parallel(app, len(NAMES_AT_ONCE), 1, add, expected=(DomainError,)).run()
    assert run.errors == []
    db.session.expire_all()
    names = db.session.scalars(sa.select(Donor.name).order_by(Donor.id)).all()[before:]
    assert len(names) == 1, names

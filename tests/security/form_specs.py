"""Every form of the application, for the bad-input sweep: who posts it, the object it
works on (made fresh for each post when a valid post uses the object up), a valid
value for each field, and what the page cannot say about a field (required, past
dates only, zero allowed...). The fields themselves are read from the page.

Objects come from the demo data (trustfund.demo.seed()) plus a few made here through
the services, so that a valid post is always possible: a USD commitment too large to
fill, money in the un-earmarked pool, an event with room for fifty delegates per
country, an objective, a rate, a user and a donor of our own to edit.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa

from tests.factories import base_users
from trustfund.contributions import confirmed
from trustfund.extensions import db

PAST = "2017-06-01"
# Developing countries (not LDCs) and LDCs, for grant requests of one event.
COUNTRIES = ["SN", "ML", "NE", "ET", "KH", "MM", "BD", "NP", "HT", "UG", "MW", "TZ", "PE", "BO"]


@dataclass
class FormSpec:
    endpoint: str
    user: str | None                                  # a key of base_users(); None: anonymous
    target: Callable[[SimpleNamespace, int], dict]    # url_for arguments (may make an object)
    base: Callable[[SimpleNamespace, int], dict]      # a valid value for each field
    kinds: dict[str, str] = field(default_factory=dict)
    page: Callable[[SimpleNamespace, dict], str] | None = None  # the page showing the form
    fresh: bool = False      # a valid post uses the object up: a new one for each post
    flashes: bool = False    # answers with a redirect and a flashed message, refusals too
    currency: str = "USD"
    base_accepted: bool = True
    unique: tuple[str, ...] = ()  # fields whose valid values must differ from post to post


def _actor(key: str):
    return base_users()[key]


def setup(app) -> SimpleNamespace:
    """Demo data and the objects the specs need, committed."""
    from trustfund import demo
    from trustfund.admin.services import save_user
    from trustfund.contributions import services as money
    from trustfund.donors.models import Donor
    from trustfund.donors.services import create_donor
    from trustfund.travel.services import save_event

    demo.seed()
    db.session.commit()
    officer, srsg, admin = _actor("mptf_officer"), _actor("srsg_staff"), _actor("admin")
    sweden = db.session.scalar(sa.select(Donor).where(Donor.name == demo.DEMO_DONOR_NAME))
    ctx = SimpleNamespace(counter=itertools.count(1000))
    ctx.donor_id = sweden.id
    ctx.commitment_id = money.record_commitment(
        officer, sweden, currency="USD", amount=Decimal(1000000000000), objective_id=None,
        committed_on=dt.date(2017, 5, 1), reference="SWEEP-USD").id
    # A currency without decimals: "12.3" is one decimal too many.
    confirmed.set_rate(officer, "JPY", dt.date(2017, 6, 1), "110.5")
    ctx.commitment_jpy_id = money.record_commitment(
        officer, sweden, currency="JPY", amount=Decimal(10**12), objective_id=None,
        committed_on=dt.date(2017, 5, 1), reference="SWEEP-JPY").id
    confirmed.record_interest(officer, value_date=dt.date(2017, 6, 1), usd_amount="50000000.00",
                          note="Money for the sweep's approvals")
    event = {"kind": "thematic_session", "city": "Geneva", "venue": "Palais",
             "start_on": dt.date(2017, 6, 5), "end_on": dt.date(2017, 6, 6), "dsa_rate": "300.00",
             "max_per_country": 50}
    ctx.event_id = save_event(srsg, None, title="Sweep event", **event).id
    ctx.event_edit_id = save_event(srsg, None, title="Event to edit", **event).id
    ctx.objective_id = money.save_objective(admin, None, number=900, title="Objective to edit").id
    ctx.rate_id = confirmed.set_rate(officer, "EUR", dt.date(2030, 1, 1), "0.9").id
    ctx.user_id = save_user(admin, None, email="edit-me@example.org", name="Edit me", role="auditor",
                            donor_id=None, active=True, password="a long enough password").id
    ctx.donor_edit_id = create_donor(officer, name="Donor to edit",
                                     donor_type="philanthropic_organization").id
    # Countries never on the LDC list: each post of a period form gets its own (an
    # accepted open-ended period would overlap any later one of the same country).
    from trustfund.countries.models import Country, LdcPeriod

    ctx.plain_countries = db.session.scalars(sa.select(Country.code).where(
        ~Country.code.in_(sa.select(LdcPeriod.country_code))).order_by(Country.code)).all()
    db.session.commit()
    return ctx


# --- fresh objects ----------------------------------------------------------------

def _grant(ctx, n: int):
    from trustfund.travel.services import request_grant

    grant = request_grant(_actor("srsg_staff"), event_id=ctx.event_id, delegate_name=f"Delegate {n}",
                          country_code=COUNTRIES[n % len(COUNTRIES)], travel_from=dt.date(2017, 6, 4),
                          travel_to=dt.date(2017, 6, 7), origin_city="Dakar", airfare="1000.00")
    db.session.commit()
    return grant


def fresh_grant(ctx, n: int) -> dict:
    return {"grant_id": _grant(ctx, n).id}


def fresh_delegate(ctx, n: int) -> dict:
    from trustfund.travel.models import Delegate

    delegate = Delegate(name=f"Walked delegate {n}", country_code="SN", email="d@example.org")
    db.session.add(delegate)
    db.session.commit()
    return {"delegate_id": delegate.id}


def fresh_approved_grant(ctx, n: int) -> dict:
    from trustfund.travel.decisions import approve_grant

    grant = _grant(ctx, n)
    approve_grant(_actor("srsg_staff2"), grant)
    db.session.commit()
    assert grant.status == "approved", grant.decision_reason
    return {"grant_id": grant.id}


def fresh_overrun(ctx, n: int) -> dict:
    """A trip that cost 100.00 more than its commitment, recorded by srsg_staff: an
    overrun awaiting a colleague's approval."""
    from trustfund.travel.models import TravelGrant
    from trustfund.travel.reconcile import record_travel

    grant = db.session.get(TravelGrant, fresh_approved_grant(ctx, n)["grant_id"])
    record_travel(_actor("srsg_staff"), grant, ticket=grant.airfare + 100, dsa=grant.dsa_amount,
                  terminal=grant.terminal_expenses)
    db.session.commit()
    assert grant.overrun_status == "pending"
    return {"grant_id": grant.id}


def fresh_trip(ctx, n: int) -> dict:
    """A trip whose actual costs srsg_staff recorded (its commitment, exactly): its
    costs can be corrected (travel.corrections)."""
    from trustfund.travel.models import TravelGrant
    from trustfund.travel.reconcile import record_travel

    grant = db.session.get(TravelGrant, fresh_approved_grant(ctx, n)["grant_id"])
    record_travel(_actor("srsg_staff"), grant, ticket=grant.airfare, dsa=grant.dsa_amount,
                  terminal=grant.terminal_expenses)
    db.session.commit()
    assert grant.status == "travelled"
    return {"grant_id": grant.id}


def fresh_deposit(ctx, n: int) -> dict:
    from trustfund.contributions.models import Commitment
    from trustfund.contributions.services import record_deposit

    deposit = record_deposit(_actor("mptf_officer"), db.session.get(Commitment, ctx.commitment_id),
                             value_date=dt.date(2017, 6, 1), amount="100.00")
    db.session.commit()
    return {"deposit_id": deposit.id}


def fresh_interest(ctx, n: int) -> dict:
    from trustfund.contributions.confirmed import record_interest

    entry = record_interest(_actor("mptf_officer"), value_date=dt.date(2017, 6, 1), usd_amount="10.00")
    db.session.commit()
    return {"entry_id": entry.id}


def fresh_pledge(ctx, n: int) -> dict:
    from trustfund.contributions.services import record_pledge
    from trustfund.donors.models import Donor

    pledge = record_pledge(_actor("mptf_officer"), db.session.get(Donor, ctx.donor_id), currency="USD",
                           amount="1000", objective_id=None, pledged_on=dt.date(2017, 6, 1))
    db.session.commit()
    return {"pledge_id": pledge.id}


def fresh_draft_saa(ctx, n: int) -> dict:
    from trustfund.donors.services import change_saa_status, create_donor

    donor = create_donor(_actor("mptf_officer"), name=f"SAA donor {n}",
                         donor_type="philanthropic_organization")
    change_saa_status(_actor("mptf_officer"), donor, "draft_shared", note="Draft sent")
    db.session.commit()
    return {"donor_id": donor.id}


def fresh_fund_entry(ctx, n: int) -> dict:
    from trustfund.contributions.fund_entries import record_fund_entry

    entry = record_fund_entry(_actor("mptf_officer"), kind="direct_cost", pool_id=_pool_id("UNEARMARKED"),
                              value_date=dt.date(2017, 6, 1), usd_amount="10.00", description="Printing")
    db.session.commit()
    return {"entry_id": entry.id}


def fresh_commitment(ctx, n: int) -> dict:
    from trustfund.contributions.services import record_commitment
    from trustfund.donors.models import Donor

    commitment = record_commitment(_actor("mptf_officer"), db.session.get(Donor, ctx.donor_id),
                                   currency="USD", amount="5000.00", objective_id=None,
                                   committed_on=dt.date(2017, 5, 1))
    db.session.commit()
    return {"commitment_id": commitment.id}


def _period_dates(n: int) -> tuple[dt.date, dt.date]:
    start = dt.date(1950, 1, 1) + dt.timedelta(days=30 * n)
    return start, start + dt.timedelta(days=10)


def plain_country(ctx, n: int) -> dict:
    return {"code": ctx.plain_countries[n % len(ctx.plain_countries)]}


def fresh_period(ctx, n: int) -> dict:
    from trustfund.countries.models import Country
    from trustfund.countries.services import save_ldc_period

    code = plain_country(ctx, n)["code"]
    start, end = _period_dates(n)
    period = save_ldc_period(_actor("admin"), db.session.get(Country, code), None, start_on=start,
                             end_on=end, note="", version=None)
    db.session.commit()
    return {"code": code, "period_id": period.id}


def _period_base(ctx, n: int) -> dict:
    start, end = _period_dates(n)
    return {"start_on": start.isoformat(), "end_on": end.isoformat(), "note": "Source: UN-OHRLLS"}


def _grant_page(ctx, args: dict) -> str:
    return f"/travel/grants/{args['grant_id']}"


def fresh_reset_link(ctx, n: int) -> dict:
    """A new single-use link to set the password of the user of our own."""
    from trustfund.auth.models import User
    from trustfund.auth.tokens import issue

    url, _expires = issue(db.session.get(User, ctx.user_id), "reset")
    db.session.commit()
    return {"user_id": ctx.user_id, "token": url.rsplit("/", 1)[1]}


def setting_with_nothing_waiting(ctx, n: int) -> dict:
    """The terminal expenses' form, no value of it waiting: a valid post proposes one,
    and while one waits the form is not offered (admin.setting_changes); withdrawn by
    its proposer before the next post."""
    from trustfund.admin import setting_changes

    key = "terminal_expenses_usd"
    waiting = setting_changes.waiting_for(key)
    if waiting is not None:
        setting_changes.withdraw(waiting.proposed_by, waiting.id)
        db.session.commit()
    return {"key": key}


def _same(value: dict):
    return lambda ctx, n: dict(value)


def titles(n: int) -> dict:
    """A record's title in the other languages (trustfund.localized)."""
    return {"title_fr": f"Titre {n}", "title_es": "", "title_ar": f"عنوان {n}", "title_zh": "",
            "title_ru": ""}


NEW_GRANT = {"event_id": None, "delegate_name": None, "delegate_function": "Director",
             "country_code": "SN", "email": "delegate@example.org", "phone": "+221 33 000 00 00",
             "travel_from": "2017-06-04", "travel_to": "2017-06-07", "origin_city": "Dakar",
             "airfare": "1000.00", "dsa_days": "", "dsa_amount": "", "terminal_expenses": "",
             "total": "", "override_reason": "", "action": "save"}
COSTS = {"actual_ticket": "900.00", "actual_dsa": "600.00", "actual_terminal": "100.00", "reason": ""}

SPECS = [
    FormSpec("auth.login", None, _same({}), _same({"email": "officer@test.example",
                                                   "password": "not the password"}),
             kinds={"email": "login", "password": "login"}, base_accepted=False),
    FormSpec("auth.forgot_password", None, _same({}), lambda ctx, n: {"email": f"someone{n}@example.org"},
             kinds={"email": "email_required"}),
    FormSpec("auth.set_password", None, fresh_reset_link, _same({
        "password": "violet harbour seven lanterns", "confirm": "violet harbour seven lanterns"}),
             kinds={"password": "password", "confirm": "password"}, fresh=True),
    FormSpec("auth.set_language", None, _same({}), _same({"lang": "fr", "next": "/"}),
             kinds={"lang": "lang", "next": "hidden"}, page=lambda ctx, args: "/login", flashes=True),
    FormSpec("donors.new", "mptf_officer", _same({}), lambda ctx, n: {
        "name": f"New donor {n}", "donor_type": "philanthropic_organization", "country_code": "",
        "contact_name": "", "contact_email": ""}, kinds={"name": "name", "contact_email": "email"},
        unique=("name",)),
    FormSpec("donors.edit", "mptf_officer", lambda ctx, n: {"donor_id": ctx.donor_edit_id},
             lambda ctx, n: {"name": f"Donor to edit {n}", "donor_type": "philanthropic_organization",
                             "country_code": "", "contact_name": "", "contact_email": ""},
             kinds={"name": "name", "contact_email": "email"}, unique=("name",)),
    FormSpec("donors.saa", "mptf_officer", fresh_draft_saa, _same({
        "to_status": "signed", "signed_on": "2017-05-02", "signatory_donor": "Director",
        "signatory_mptf": "Executive Coordinator", "reference": "SAA-1", "note": ""}),
        kinds={"signed_on": "date_past", "signatory_donor": "name", "signatory_mptf": "name",
               "reference": "name"}, fresh=True),
    FormSpec("contributions.new_pledge", "mptf_officer", _same({}), lambda ctx, n: {
        "donor_id": str(ctx.donor_id), "currency": "USD", "amount": "1000.00", "objective_id": "",
        "pledged_on": PAST, "note": ""}, kinds={"currency": "currency", "pledged_on": "date_past"}),
    FormSpec("contributions.withdraw_pledge", "mptf_officer", fresh_pledge, _same({"reason": "Withdrawn"}),
             kinds={"reason": "reason"}, fresh=True,
             page=lambda ctx, args: f"/contributions/pledges/{args['pledge_id']}"),
    FormSpec("contributions.new_commitment", "mptf_officer", _same({}), lambda ctx, n: {
        "donor_id": str(ctx.donor_id), "currency": "USD", "amount": "1000.00", "objective_id": "",
        "committed_on": PAST, "reference": f"REF-{n}", "note": ""},
        kinds={"currency": "currency", "committed_on": "date_past", "instalments-0-amount": "amount_optional",
               "instalments-0-due_on": "date_optional"}),
    # No deposit twice: each accepted post has a bank reference of its own.
    FormSpec("contributions.new_deposit", "mptf_officer", lambda ctx, n: {"commitment_id": ctx.commitment_id},
             lambda ctx, n: {"value_date": PAST, "amount": "100.00", "rate": "", "rate_note": "",
                             "bank_reference": f"SEB/{n}", "separate_note": ""},
             kinds={"value_date": "date_past", "rate": "rate_optional"}, unique=("bank_reference",)),
    FormSpec("contributions.new_deposit", "mptf_officer",
             lambda ctx, n: {"commitment_id": ctx.commitment_jpy_id},
             _same({"value_date": PAST, "amount": "110500", "rate": "", "rate_note": "",
                    "bank_reference": "", "separate_note": ""}),
             kinds={"value_date": "date_past", "rate": "rate_optional"}, currency="JPY"),
    FormSpec("contributions.reverse_deposit", "mptf_officer", fresh_deposit, _same({"reason": "Bounced"}),
             kinds={"reason": "reason"}, fresh=True),
    # Each post another amount, said to be separate interest: the same interest twice
    # is refused (interest_changes.propose), and valid amounts may read alike.
    FormSpec("contributions.new_interest", "mptf_officer", _same({}), lambda ctx, n: {
        "value_date": PAST, "usd_amount": f"{10 + n}.00", "note": "Sweep", "separate": "y"},
             kinds={"value_date": "date_past"}),
    FormSpec("contributions.reverse_interest", "mptf_officer", fresh_interest, _same({"reason": "Wrong"}),
             kinds={"reason": "reason"}, fresh=True),
    FormSpec("contributions.edit_objective", "admin", _same({}), lambda ctx, n: {
        "number": str(100 + n % 800), "title": f"Objective {n}", "description": "", "active": "y",
        **titles(n)},
        kinds={"title": "name"}),
    FormSpec("contributions.edit_objective", "admin", lambda ctx, n: {"objective_id": ctx.objective_id},
             lambda ctx, n: {"number": "900", "title": f"Objective to edit {n}", "description": "",
                             "active": "y", **titles(n)}, kinds={"title": "name"}),
    FormSpec("contributions.new_transfer", "admin", _same({}), lambda ctx, n: {
        "from_pool_id": str(_pool_id("UNEARMARKED")), "to_pool_id": str(_pool_id("OBJ2")),
        "usd_amount": "1.00", "transferred_on": PAST, "reason": "Sweep"},
        kinds={"transferred_on": "date_past", "reason": "reason"}),
    FormSpec("contributions.edit_rate", "mptf_officer", _same({}), lambda ctx, n: {
        "currency": "CHF", "month": _month(n), "rate": "0.97"},
        kinds={"currency": "currency", "rate": "rate"}),
    FormSpec("contributions.edit_rate", "mptf_officer", lambda ctx, n: {"rate_id": ctx.rate_id},
             _same({"currency": "EUR", "month": "2030-01", "rate": "0.9"}),
             kinds={"currency": "currency", "rate": "rate"}),
    FormSpec("countries.edit", "admin", _same({"code": "NO"}), lambda ctx, n: {
        "name": f"Norway {n}", "un_member": "y", "developing": ""}, kinds={"name": "name"}),
    FormSpec("countries.period", "admin", plain_country, _period_base,
             kinds={"start_on": "date", "end_on": "date_optional"}, fresh=True),
    FormSpec("countries.period", "admin", fresh_period, _period_base,
             kinds={"start_on": "date", "end_on": "date_optional"}, fresh=True),
    FormSpec("travel.edit_event", "srsg_staff", _same({}), lambda ctx, n: {
        "kind": "thematic_session", "title": f"Event {n}", "city": "Geneva", "venue": "",
        "start_on": "2017-06-05", "end_on": "2017-06-06", "dsa_rate": "300.00", "max_per_country": "1",
        "dates_note": "", **titles(n)}, kinds={"title": "name", "city": "name", "dsa_rate": "cost"}),
    FormSpec("travel.edit_event", "srsg_staff", lambda ctx, n: {"event_id": ctx.event_edit_id},
             lambda ctx, n: {"kind": "thematic_session", "title": f"Event to edit {n}", "city": "Geneva",
                             "venue": "", "start_on": "2017-06-05", "end_on": "2017-06-06",
                             "dsa_rate": "300.00", "max_per_country": "50", "dates_note": "",
                             **titles(n)},
             kinds={"title": "name", "city": "name", "dsa_rate": "cost"}),
    FormSpec("travel.edit_delegate", "srsg_staff", fresh_delegate, lambda ctx, n: {
        "name": f"Walked delegate {n}", "function": "Director", "email": "d@example.org", "phone": "+221"},
        kinds={"name": "name", "email": "email"}, fresh=True),
    FormSpec("travel.new_grant", "srsg_staff", _same({}), lambda ctx, n: {
        **NEW_GRANT, "event_id": str(ctx.event_id), "delegate_name": f"New delegate {n}",
        "country_code": COUNTRIES[n % len(COUNTRIES)]},
        kinds={"delegate_name": "name", "origin_city": "name", "airfare": "amount",
               "dsa_days": "int_optional", "dsa_amount": "override", "terminal_expenses": "override",
               "total": "amount_optional", "override_reason": "note", "email": "email"}),
    FormSpec("travel.approve", "srsg_staff2", fresh_grant, _same({"pool_id": "0", "next": ""}),
             page=_grant_page, fresh=True, flashes=True),
    FormSpec("travel.reject", "srsg_staff2", fresh_grant, _same({"reason": "Not eligible", "next": ""}),
             kinds={"reason": "reason"}, page=_grant_page, fresh=True, flashes=True),
    FormSpec("travel.waitlist", "srsg_staff2", fresh_grant, _same({"reason": "", "next": ""}),
             kinds={"reason": "note"}, page=_grant_page, fresh=True, flashes=True),
    FormSpec("travel.cancel", "srsg_staff", fresh_grant, _same({"reason": "Visa refused", "next": ""}),
             kinds={"reason": "reason"}, fresh=True),
    FormSpec("travel.travelled", "srsg_staff", fresh_approved_grant, _same(COSTS),
             kinds={"actual_ticket": "cost", "actual_dsa": "cost", "actual_terminal": "cost"}, fresh=True),
    FormSpec("travel.no_show", "srsg_staff", fresh_approved_grant, _same(COSTS),
             kinds={"actual_ticket": "cost", "actual_dsa": "cost", "actual_terminal": "cost"}, fresh=True),
    FormSpec("travel.correct_costs", "srsg_staff", fresh_trip,
             _same({"actual_ticket": "10.00", "actual_dsa": "5.00", "actual_terminal": "0",
                    "reason": "Airline refund of the ticket"}),
             kinds={"actual_ticket": "cost", "actual_dsa": "cost", "actual_terminal": "cost",
                    "reason": "reason"}, fresh=True),
    FormSpec("travel.approve_overrun_view", "srsg_staff2", fresh_overrun, _same({"next": ""}),
             page=_grant_page, fresh=True, flashes=True),
    FormSpec("travel.reject_overrun_view", "srsg_staff2", fresh_overrun,
             _same({"reason": "Business class was not authorised", "next": ""}),
             kinds={"reason": "reason"}, page=_grant_page, fresh=True, flashes=True),
    FormSpec("admin.edit_user", "admin", _same({}), lambda ctx, n: {
        "email": f"user{n}@example.org", "name": "", "role": "auditor", "donor_id": "0", "active": "y",
        "timezone": "", "password": "a long enough password"}, kinds={"email": "email_required"}),
    FormSpec("admin.edit_user", "admin", lambda ctx, n: {"user_id": ctx.user_id}, _same({
        "email": "edit-me@example.org", "name": "", "role": "auditor", "donor_id": "0", "active": "y",
        "timezone": "Africa/Nairobi", "password": ""}),
        kinds={"email": "email_required", "password": "password"}),
    FormSpec("auth.profile", "auditor", _same({}), _same({"timezone": "Europe/Paris", "digests": "y"})),
    FormSpec("fund.edit", "admin", _same({}), _same({
        "name": "United Nations voluntary trust fund for the Global Compact", "code": "MCS00",
        "start_on": "2017-04-03"}), kinds={"name": "name", "code": "login", "start_on": "date"}),
    FormSpec("closure.new_entry", "mptf_officer", _same({}), lambda ctx, n: {
        "kind": "bank_charge", "pool_id": str(_pool_id("UNEARMARKED")), "value_date": PAST,
        "usd_amount": "1.00", "description": "Bank charges, June"},
        kinds={"value_date": "date_past", "usd_amount": "amount", "description": "reason"}),
    FormSpec("closure.reverse_entry", "mptf_officer", fresh_fund_entry, _same({"reason": "Wrong fund"}),
             kinds={"reason": "reason"}, fresh=True),
    # A commitment of its own for each post (entered without a reference): the page shows "".
    FormSpec("contributions.correct_reference", "mptf_officer", fresh_commitment,
             lambda ctx, n: {"reference": f"CORRECTED-{n}", "reason": "Entered twice with one reference",
                             "reference_seen": ""},
             kinds={"reference": "name", "reason": "reason"}, fresh=True, unique=("reference",),
             page=lambda ctx, args: f"/contributions/commitments/{args['commitment_id']}"),
    FormSpec("closure.write_off_view", "mptf_officer", fresh_commitment,
             _same({"amount": "", "reason": "The donor's parliament cut the budget"}),
             kinds={"amount": "amount_optional", "reason": "reason"}, fresh=True),
    FormSpec("admin.edit_setting", "admin", setting_with_nothing_waiting, lambda ctx, n: {
        "value": "100.00", "effective_from": (dt.date(2019, 1, 1) + dt.timedelta(days=n)).isoformat()},
        kinds={"value": "number"}, fresh=True),
]

# POST routes the sweep leaves to other tests, and why.
ELSEWHERE = {
    "auth.logout": "no field to fill (tests/web/test_auth.py)",
    "admin.decide_user_change": "confirm and withdraw have no field to fill; the reason for refusing: "
                                "hostile values in tests/web/test_user_changes.py",
    "admin.decide_setting_change": "confirm and withdraw have no field to fill; the reason for refusing is "
                                   "read by second_person.refusal_reason, as a user change's "
                                   "(tests/web/test_setting_changes.py, tests/web/test_user_changes.py)",
    "contributions.decide_transfer": "confirm and withdraw have no field to fill; the reason for refusing: "
                                     "tests/web/test_transfer_changes.py",
    "contributions.import_file": "a file upload: tests/security/test_import_attacks.py",
    "contributions.import_confirm": "no field to fill (the preview's fingerprint is carried, a post without "
                                   "it is refused), confirms a kept upload (tests/web/test_import.py)",
    "mail.resend_message": "no field to fill (tests/web/test_outbox.py)",
    "documents.new": "a file upload: tests/web/test_documents.py (each refused kind, title, kind)",
    "documents.replace": "a file upload with a reason: tests/web/test_documents.py",
    "documents.download": "no field to fill, a download (tests/web/test_documents.py)",
    "statements.issue": "a period and a choice of donors, each PDF drawn at about 0.5 s "
                        "(tests/web/test_issue_statements.py)",
    "fund.extend": "each accepted post moves the end date for good, later than any before: hostile values "
                   "in tests/web/test_fund_record.py",
    "fund.close_operations_view": "closes the fund's operations for good (the sweep's other forms would be "
                                  "refused after it): hostile values in tests/web/test_fund_record.py",
    "closure.decide": "needs the fund settled and its operations closed (the sweep's fund is running): "
                      "tests/web/test_closing_pages.py posts hostile values",
    "closure.answer_decision": "confirm and withdraw have no field to fill (a confirmation applies a pool's "
                               "closing decision, which needs the fund settled and its operations closed); "
                               "the reason for refusing: tests/web/test_closing_decision_confirmation.py",
    "closure.answer_entry": "confirm and withdraw have no field to fill; the reason for refusing, beside its "
                            "field: tests/web/test_fund_entry_proposals.py",
    "closure.answer_write_off": "confirm and withdraw have no field to fill; the reason for refusing, beside "
                                "its field: tests/web/test_write_off_proposals.py",
    "contributions.answer_rate": "confirm and withdraw have no field to fill; the reason for refusing, "
                                 "beside its field: tests/web/test_rate_proposals.py",
    "contributions.rates_import_withdraw": "no field to fill; withdraws a kept upload "
                                           "(tests/web/test_rate_import.py)",
    "contributions.answer_interest": "confirm and withdraw have no field to fill; the reason for refusing, "
                                     "beside its field: tests/web/test_interest_proposals.py",
    "travel.answer_cost_correction": "confirm and withdraw have no field to fill; the reason for refusing, "
                                     "beside its field: tests/web/test_cost_corrections.py",
    "travel.answer_renaming": "confirm and withdraw have no field to fill; the reason for refusing, beside "
                              "its field: tests/web/test_delegate_renaming.py",
    "donors.answer_renaming": "confirm and withdraw have no field to fill; the reason for refusing, beside "
                              "its field: tests/web/test_donor_renaming.py",
    "contributions.answer_deposit_reversal": "confirm and withdraw have no field to fill; the reason for "
                                             "refusing, beside its field: "
                                             "tests/web/test_deposit_reversal_proposals.py",
    "closure.close_fund_view": "closes the fund for good: tests/web/test_closing_pages.py",
    "closure.issue_final": "no field to fill; issues the statements once, after the financial closure "
                           "(tests/web/test_final_statements.py)",
    "closure.close_year_view": "closes a year for good (the sweep posts entries dated in 2017): hostile "
                               "values in tests/web/test_fund_record.py",
    "contributions.import_rates": "a file upload: tests/web/test_rate_import.py",
    "contributions.rates_import_confirm": "no field to fill (the preview's fingerprint is carried, a post "
                                          "without it is refused), confirms a kept upload "
                                          "(tests/web/test_rate_import.py)",
}


def _pool_id(code: str) -> int:
    from trustfund.contributions.models import Pool

    return db.session.scalar(sa.select(Pool.id).where(Pool.code == code))


def _month(n: int) -> str:
    year, month = divmod(n, 12)
    return f"{1950 + year % 140}-{month + 1:02d}"

"""A fund in which every action the code audits has happened once, through the
services (so each audit entry holds what production writes), for the tests of the
audit trail in words (no tests here)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook

from tests.factories import base_users
from tests.factories.documents import pdf
from trustfund.admin import setting_changes, user_changes
from trustfund.admin.models import FEE_RATE, OVERRUN_TOLERANCE, TERMINAL_EXPENSES
from trustfund.admin.services import save_user
from trustfund.audit import record
from trustfund.auth import tokens
from trustfund.auth.services import end_session, start_session, update_profile
from trustfund.closure import entry_proposals
from trustfund.closure.years import close_year
from trustfund.contributions import (
    confirmed,
    interest_changes,
    rate_changes,
    reversal_changes,
    transfer_changes,
)
from trustfund.contributions import services as contributions
from trustfund.contributions.importer import import_deposits
from trustfund.contributions.models import Pool
from trustfund.contributions.rate_import import (
    confirm_rate_upload,
    keep_rate_upload,
    plan_rates,
    rates_seen,
    withdraw_rate_upload,
)
from trustfund.countries.models import Country
from trustfund.countries.services import save_ldc_period, update_country
from trustfund.documents import services as documents
from trustfund.documents.targets import TARGETS
from trustfund.donors import renamings as donor_renamings
from trustfund.donors.services import change_saa_status, create_donor, update_donor
from trustfund.extensions import db
from trustfund.fund import services as fund_services
from trustfund.fund.status import current_fund
from trustfund.mail import services as mail_services
from trustfund.mail.models import FAILED, OutboxMessage
from trustfund.travel import corrections, decisions, delegates, overruns, reconcile
from trustfund.travel.services import request_grant, save_event

D = Decimal
# People's names, as a real office has them (the base users are named by their keys).
NAMES = {"admin": "Amina Diallo", "mptf_officer": "Ana Silva", "srsg_staff": "Li Wei",
         "srsg_staff2": "Olga Petrova", "donor": "Erik Berg", "auditor": "Jean Dupont",
         "admin2": "Kofi Mensah", "mptf_officer2": "Sofia Rossi"}


def name_the_users() -> dict:
    users = base_users()
    for key, name in NAMES.items():
        users[key].name = name
    db.session.commit()
    return users


def _deposits_workbook(reference: str) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "Deposits"
    ws.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    ws.append([reference, dt.date(2017, 6, 2), 20000, "USD", 1, "", "IMPORT/1"])
    ws.append([reference, dt.date(2017, 6, 3), 5000, "USD", 1, "", "IMPORT/2"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _request(event, country: str, name: str, phone: str = "", airfare: str = "1200.00"):
    return request_grant(base_users()["srsg_staff"], event_id=event.id, delegate_name=name,
                         country_code=country, origin_city="Capital", airfare=airfare,
                         travel_from=event.start_on - dt.timedelta(days=1),
                         travel_to=event.end_on + dt.timedelta(days=1), phone=phone)


def every_audited_action() -> dict:
    """Run each audited service once (the scale demo's entry recorded as it records it);
    returns the objects whose pages show a history."""
    users = name_the_users()
    admin, officer = users["admin"], users["mptf_officer"]
    srsg, srsg2 = users["srsg_staff"], users["srsg_staff2"]
    made: dict = {}

    start_session(officer)
    end_session(officer)
    account = save_user(admin, None, email="new.reader@example.org", name="Nadia Haddad", role="auditor",
                        donor_id=None, active=True, password="a long enough password")
    save_user(admin, account, email="new.reader@example.org", name="Nadia Haddad", role="mptf_officer",
              donor_id=None, active=False, password=None)
    # The role change wrote a message to the account; the mail server refused it too
    # often (as the sender marks it), and the admin sends it again.
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.user_id == account.id)
                                .order_by(OutboxMessage.id.desc()).limit(1))
    message.status = FAILED
    mail_services.resend(admin, message)
    # An invited user chooses a password with the invitation's link; later forgets it.
    invited = save_user(admin, None, email="invited@example.org", name="Sara Tesfaye", role="auditor",
                        donor_id=None, active=True, password=None)
    url, _expires = tokens.issue(invited, "invite")
    tokens.set_password_with_token(invited.id, url.rsplit("/", 1)[1], "a good invited password")
    tokens.request_reset("invited@example.org")
    tokens.handle_reset_requests()
    update_profile(invited, timezone="Africa/Addis_Ababa", digests=False, version=invited.version)
    # An admin types a new password for an account without power over money (at once).
    save_user(admin, invited, email=invited.email, name=invited.name, role="auditor", donor_id=None,
              active=True, password="another long enough password", version=invited.version)
    # Changes that give power over money wait for a second admin: one confirmed (a new
    # officer), one refused (the deactivated account back), one withdrawn by its proposer.
    admin2 = users["admin2"]
    officer2 = user_changes.submit_user(admin, None, email="second.officer@example.org", name="Omar Haddad",
                                        role="mptf_officer", donor_id=None, active=True,
                                        password="a long enough password")
    user_changes.confirm(admin2, officer2.id)
    back = user_changes.submit_user(admin, account, email=account.email, name=account.name, role=account.role,
                                    donor_id=None, active=True, password=None, version=account.version)
    user_changes.refuse(admin2, back.id, "Her contract ended in May")
    promoted = user_changes.submit_user(admin, invited, email=invited.email, name=invited.name,
                                        role="srsg_staff", donor_id=None, active=True, password=None,
                                        version=invited.version)
    user_changes.withdraw(admin, promoted.id)
    # Proposed again and confirmed: the account's sign-in is renewed with its new power.
    promoted = user_changes.submit_user(admin, invited, email=invited.email, name=invited.name,
                                        role="mptf_officer", donor_id=None, active=True, password=None,
                                        version=invited.version)
    user_changes.confirm(admin2, promoted.id)
    # A setting's new value waits for a second admin too: proposed by one, set when
    # the other confirms it; one refused, one withdrawn by its proposer.
    for key, value in ((FEE_RATE, "0.02"), (FEE_RATE, "0.015"), (TERMINAL_EXPENSES, "120"),
                       (OVERRUN_TOLERANCE, "50")):
        setting_changes.confirm(admin, setting_changes.propose(admin2, key, value, dt.date(2019, 1, 1)).id)
    large = setting_changes.propose(admin2, OVERRUN_TOLERANCE, "5000", dt.date(2019, 6, 1))
    setting_changes.refuse(admin, large.id, "An overrun that large needs a second look")
    setting_changes.withdraw(admin2, setting_changes.propose(admin2, TERMINAL_EXPENSES, "150",
                                                             dt.date(2019, 6, 1)).id)

    objective = contributions.save_objective(admin, None, number=4, title="Follow-up of the Compact",
                                             description="", active=True)
    contributions.save_objective(admin, objective, number=4, title="Follow-up and review of the Compact",
                                 description="Regional reviews", active=False)

    donor = create_donor(officer, name="Republic of Korea", donor_type="member_state", country_code="KR")
    update_donor(officer, donor, version=donor.version, name="Republic of Korea",
                 donor_type="member_state", country_code="KR", contact_name="Kim Min-jun",
                 contact_email="kim@example.org")
    change_saa_status(officer, donor, "draft_shared", version=donor.version)
    change_saa_status(officer, donor, "signed", signed_on=dt.date(2017, 5, 2),
                      signatory_donor="Permanent Representative", signatory_mptf="Executive Coordinator",
                      reference="SAA-KR-1", version=donor.version)
    made["donor"] = donor
    saa = documents.attach(officer, TARGETS["donor"], donor, kind="saa", title="Signed SAA",
                           filename="SAA Korea.pdf", data=pdf(), max_bytes=10 * 1024 * 1024)
    signed = documents.replace(officer, TARGETS["donor"], donor, saa, filename="SAA Korea countersigned.pdf",
                               data=pdf(pages=2), reason="The countersigned copy", max_bytes=10 * 1024 * 1024)
    documents.record_download(users["donor"], TARGETS["donor"], signed)

    pledge = contributions.record_pledge(officer, donor, currency="EUR", amount=D("500000.00"),
                                         objective_id=None, pledged_on=dt.date(2017, 4, 20))
    contributions.withdraw_pledge(officer, pledge, "Replaced by the commitment")
    made["pledge"] = pledge
    # Its name, type and country, once a pledge is recorded, take two MPTF officers
    # (donors.renamings): a change refused, one withdrawn, one confirmed and confirmed
    # back; its type likewise.
    officer2 = users["mptf_officer2"]
    for name, kind, answer in (("Korea (Republic of)", "member_state", "refuse"),
                               ("Korea, Republic of", "member_state", "withdraw"),
                               ("The Republic of Korea", "member_state", "confirm"),
                               ("Republic of Korea", "member_state", "confirm"),
                               ("Republic of Korea", "intergovernmental_organization", "confirm"),
                               ("Republic of Korea", "member_state", "confirm")):
        renaming = donor_renamings.correct_donor(
            officer, donor, version=donor.version, name=name, donor_type=kind, country_code="KR",
            contact_name=donor.contact_name, contact_email=donor.contact_email,
            reason="The SAA's amendment names it so").renaming
        {"confirm": lambda r: donor_renamings.confirm(officer2, r.id),
         "refuse": lambda r: donor_renamings.refuse(officer2, r.id, "The SAA names it as recorded"),
         "withdraw": lambda r: donor_renamings.withdraw(officer, r.id)}[answer](renaming)
    # A month's rate takes two MPTF officers (contributions.rate_changes): proposed and
    # confirmed, a correction confirmed, one refused, one withdrawn; a rates file confirmed
    # by the other officer, another withdrawn by its uploader, a third refused.
    second = users["mptf_officer2"]
    rate = rate_changes.confirm(second, rate_changes.propose(officer, "EUR", dt.date(2017, 5, 1), "0.92",
                                                             adding=True).id)
    rate = rate_changes.confirm(second, rate_changes.propose(officer, "EUR", dt.date(2017, 5, 1), "0.918",
                                                             entry=rate, version=rate.version).id)
    rate_changes.refuse(second, rate_changes.propose(officer, "EUR", dt.date(2017, 4, 1), "0.94",
                                                     adding=True).id, "Not the UN's April rate")
    rate_changes.withdraw(officer, rate_changes.propose(officer, "EUR", dt.date(2017, 4, 1), "0.939",
                                                        adding=True).id)
    made["rate"] = rate
    rates_file = b"Currency,Month,Rate\nEUR,2017-06,0.892\nEUR,2017-05,0.918\n"
    previewed = rates_seen(plan_rates(rates_file, "rates-june.csv"))  # what its preview showed
    confirm_rate_upload(second, keep_rate_upload(officer, "rates-june.csv", rates_file, 2), previewed)
    withdraw_rate_upload(officer, keep_rate_upload(officer, "rates-july.csv", b"Currency,Month,Rate\n", 0))
    withdraw_rate_upload(second, keep_rate_upload(officer, "rates-august.csv", b"Currency,Month,Rate\n", 0),
                         "Not the UN's August table")
    eur = contributions.record_commitment(
        officer, donor, currency="EUR", amount=D("1000000.00"), objective_id=None,
        committed_on=dt.date(2017, 5, 3), reference="KR-EUR-01",
        instalments=[(dt.date(2017, 5, 10), D("600000.00")), (dt.date(2017, 12, 1), D("400000.00"))])
    contributions.correct_reference(officer, eur, reference="KR-EUR-1", reason="Typed with a zero",
                                    reference_seen="KR-EUR-01")
    made["commitment"] = eur
    cash = contributions.record_deposit(officer, eur, value_date=dt.date(2017, 5, 10),
                                        amount=D("600000.00"), bank_reference="KEB/2017/1")
    made["deposit"] = cash
    objective1 = db.session.scalar(sa.select(Pool).where(Pool.code == "OBJ1"))
    usd = contributions.record_commitment(officer, donor, currency="USD", amount=D("200000.00"),
                                          objective_id=objective1.objective_id,
                                          committed_on=dt.date(2017, 5, 3), reference="KR-USD-1")
    # A pledge fulfilled by two commitments: the first leaves a rest pledged, the second fulfils it.
    promised = contributions.record_pledge(officer, donor, currency="USD", amount=D("80000.00"),
                                           objective_id=None, pledged_on=dt.date(2017, 4, 25))
    for amount, reference in ((D("50000.00"), "KR-USD-2"), (D("30000.00"), "KR-USD-3")):
        contributions.record_commitment(officer, donor, currency="USD", amount=amount, objective_id=None,
                                        committed_on=dt.date(2017, 5, 3), reference=reference,
                                        pledge_id=promised.id)
    made["fulfilled_pledge"] = promised
    wrong = contributions.record_deposit(officer, usd, value_date=dt.date(2017, 5, 12),
                                         amount=D("1000.00"), rate="1")
    # A deposit's reversal takes two MPTF officers (contributions.reversal_changes):
    # confirmed, refused, withdrawn.
    made["reversal"] = reversal_changes.confirm(second, reversal_changes.propose(
        officer, wrong, "Entered twice").id)
    kept = contributions.record_deposit(officer, usd, value_date=dt.date(2017, 5, 12), amount=D("100000.00"),
                                        rate="1")
    reversal_changes.refuse(second, reversal_changes.propose(officer, kept, "Looked entered twice").id,
                            "The bank confirmed both transfers")
    reversal_changes.withdraw(officer, reversal_changes.propose(officer, kept, "Looked entered twice").id)
    db.session.flush()
    result = import_deposits(officer, _deposits_workbook("KR-USD-1"), filename="june.xlsx")
    assert result.ok, result.errors
    # Interest and its reversal proposed by one officer, answered by the other
    # (contributions.interest_changes): confirmed, refused, withdrawn.
    officer2 = users["mptf_officer2"]
    interest = interest_changes.confirm(officer2, interest_changes.propose(
        officer, value_date=dt.date(2017, 6, 30), usd_amount=D("150.25"), note="Q2 2017").id)
    interest_changes.confirm(officer2, interest_changes.propose_reversal(
        officer, interest, "Bank statement corrected").id)
    interest_changes.refuse(officer2, interest_changes.propose(
        officer, value_date=dt.date(2017, 6, 30), usd_amount=D("9.99")).id, "Not on the bank statement")
    interest_changes.withdraw(officer, interest_changes.propose(
        officer, value_date=dt.date(2017, 6, 30), usd_amount=D("8.88")).id)
    unearmarked = db.session.scalar(sa.select(Pool).where(Pool.objective_id.is_(None)))
    confirmed.transfer(admin, unearmarked, objective1, D("50000.00"), "Objective 1 needs more",
                           on=dt.date(2017, 7, 1))
    # Transfers wait for a second admin: one confirmed, one refused, one withdrawn by its proposer.
    for step in (transfer_changes.confirm, transfer_changes.refuse, transfer_changes.withdraw):
        proposal = transfer_changes.propose(admin, unearmarked.id, objective1.id, D("1000.00"),
                                            "Objective 1 needs a little more", dt.date(2017, 7, 2))
        if step is transfer_changes.confirm:
            step(users["admin2"], proposal.id)
        elif step is transfer_changes.refuse:
            step(users["admin2"], proposal.id, "Not agreed with the SRSG")
        else:
            step(admin, proposal.id)

    vanuatu = db.session.get(Country, "VU")
    update_country(admin, vanuatu, name="Republic of Vanuatu", un_member=True, observer=False,
                   developing=True, version=vanuatu.version)
    period = vanuatu.ldc_periods[0]
    save_ldc_period(admin, vanuatu, period, start_on=dt.date(1985, 4, 24), end_on=period.end_on,
                    note=period.note, version=vanuatu.version)
    made["country"] = vanuatu

    event = save_event(srsg, None, kind="thematic_session", title="Human rights and inclusion",
                       city="Geneva", venue="Palais des Nations", start_on=dt.date(2017, 5, 8),
                       end_on=dt.date(2017, 5, 9), dsa_rate="400.00", max_per_country=2)
    made["event"] = event
    approved = _request(event, "SN", "Awa Ndiaye")
    _request(event, "SN", "Moussa Diop", airfare="900.00")
    approved_too = _request(event, "BD", "Rahim Ahmed")
    cancelled = _request(event, "NP", "Sita Sharma")
    withdrawn = _request(event, "HT", "Jean Pierre")
    rejected = _request(event, "ML", "Amadou Traore")
    short = _request(event, "TD", "Zara Ali", airfare="900000.00")
    decisions.approve_grant(srsg2, approved)
    decisions.approve_grant(srsg2, approved_too)
    decisions.approve_grant(srsg2, cancelled)
    decisions.reject_grant(srsg2, rejected, "Nominated after the deadline")
    decisions.waitlist_grant(srsg2, withdrawn, "Waiting for the note verbale")
    decisions.approve_grant(srsg2, short)  # more than any pool holds: waitlisted, funds short
    reconcile.record_travel(srsg, approved, ticket="1100.00", dsa="1200.00", terminal="100.00")
    reconcile.record_no_show(srsg, approved_too, ticket="300.00", dsa="0", terminal="0",
                             reason="Visa refused")
    reconcile.cancel_grant(srsg, cancelled, "Meeting postponed")
    reconcile.cancel_grant(srsg, withdrawn, "Delegate changed")
    # Overruns: above the tolerance of $50 (approved, and rejected, by a second person), and within it.
    over = [_request(event, country, name) for country, name in
            (("BF", "Issa Ouedraogo"), ("ET", "Hana Tesfaye"), ("NE", "Aicha Moussa"))]
    for grant, extra in zip(over, ("100.00", "100.00", "30.00"), strict=True):
        decisions.approve_grant(srsg2, grant)
        reconcile.record_travel(srsg, grant, ticket=str(grant.airfare + D(extra)), dsa=str(grant.dsa_amount),
                                terminal=str(grant.terminal_expenses))
    overruns.approve_overrun(srsg2, over[0])
    overruns.reject_overrun(srsg2, over[1], "The ticket bought was not economy class")
    # Corrections of recorded costs (travel.corrections): confirmed, refused, withdrawn.
    refund = corrections.propose(srsg, approved, ticket="1000.00", dsa="1200.00", terminal="100.00",
                                 reason="The airline refunded USD 100.00 of the ticket")
    corrections.confirm(srsg2, refund.id)
    corrections.refuse(srsg2, corrections.propose(srsg, over[2], ticket=str(over[2].actual_ticket),
                                                  dsa=str(over[2].actual_dsa), terminal="0.00",
                                                  reason="Terminal expenses not paid").id,
                       "The receipt for the terminal expenses is on file")
    corrections.withdraw(srsg, corrections.propose(srsg, approved_too, ticket="250.00", dsa="0", terminal="0",
                                                   reason="Part of the ticket refunded").id)
    # Changes of an approved delegate's name (travel.delegates): confirmed, refused, withdrawn.
    for grant, name, answer in ((over[0], "Issa Ouédraogo", "confirm"), (over[1], "Hanna Tesfaye", "refuse"),
                                (over[2], "Aïcha Moussa", "withdraw")):
        person = grant.delegate
        renaming = delegates.correct_delegate(
            srsg, person, name=name, function=person.function, email=person.email, phone=person.phone,
            seen=delegates.delegate_seen(person), reason="The passport spells it so").renaming
        {"confirm": lambda r: delegates.confirm(srsg2, r.id),
         "refuse": lambda r: delegates.refuse(srsg2, r.id, "The note verbale spells it as recorded"),
         "withdraw": lambda r: delegates.withdraw(srsg, r.id)}[answer](renaming)
    # A delegate asking again, for another event, with a new phone: their details change.
    stocktaking = save_event(srsg, None, kind="stocktaking", title="Stocktaking meeting",
                             city="Puerto Vallarta", venue="", start_on=dt.date(2017, 12, 4),
                             end_on=dt.date(2017, 12, 6), dsa_rate="300.00", max_per_country=1)
    _request(stocktaking, "SN", "Moussa Diop", phone="+221 33 000 00 00", airfare="900.00")
    # The event gets a new title and DSA rate and a day more (every trip still fits it).
    save_event(srsg, event, kind="thematic_session", title="Human rights, social inclusion",
               city="Geneva", venue="Palais des Nations", start_on=dt.date(2017, 5, 8),
               end_on=dt.date(2017, 5, 10), dsa_rate="410.00", max_per_country=2, version=event.version)
    # An event whose first day moves past Equatorial Guinea's graduation (4 June 2017):
    # its waiting request is judged again, no longer an LDC's.
    consultation = save_event(srsg, None, kind="thematic_session", title="Regional consultation",
                              city="Addis Ababa", venue="", start_on=dt.date(2017, 6, 3),
                              end_on=dt.date(2017, 6, 4), dsa_rate="250.00", max_per_country=1)
    rejudged = _request(consultation, "GQ", "Delegate of Equatorial Guinea")
    save_event(srsg, consultation, kind="thematic_session", title="Regional consultation",
               city="Addis Ababa", venue="", start_on=dt.date(2017, 6, 4), end_on=dt.date(2017, 6, 5),
               dsa_rate="250.00", max_per_country=1, version=consultation.version)
    made["grants"] = [rejudged, approved, approved_too, cancelled, withdrawn, rejected, short, *over]

    record(None, "demo.scale_data", note="donors: 3000; deposits: 100000", object_type="Fund")
    made["fund"] = _the_fund_s_life(users)
    db.session.commit()
    return made


def _the_fund_s_life(users):
    """The fund's record changed, 2017 closed, its end date extended, its operations
    closed early."""
    admin = users["admin"]
    fund = current_fund()
    close_year(admin, 2017, report_reference="Annual financial report 2017")
    officer = users["mptf_officer"]
    unearmarked = db.session.scalar(sa.select(Pool).where(Pool.objective_id.is_(None)))
    # Each entry and reversal proposed by one officer, answered by the other
    # (closure.entry_proposals).
    officer2 = users["mptf_officer2"]
    proposed = entry_proposals.propose_entry(officer, kind="direct_cost", pool_id=unearmarked.id,
                                             value_date=dt.date(2018, 3, 1), usd_amount=D("1200.00"),
                                             description="Secretariat support")
    cost = entry_proposals.confirm(officer2, proposed.id)
    entry_proposals.confirm(officer2, entry_proposals.propose_reversal(officer, cost,
                                                                        "Charged to the wrong fund").id)
    refused = entry_proposals.propose_entry(officer, kind="other_income", pool_id=unearmarked.id,
                                            value_date=dt.date(2018, 3, 2), usd_amount=D("50.00"),
                                            description="Refund of a deposit")
    entry_proposals.refuse(officer2, refused.id, "No such income at the bank")
    withdrawn = entry_proposals.propose_entry(officer, kind="bank_charge", pool_id=unearmarked.id,
                                              value_date=dt.date(2018, 3, 2), usd_amount=D("12.00"),
                                              description="Wire fee")
    entry_proposals.withdraw(officer, withdrawn.id)
    fund_services.update_fund(admin, fund, name="UN Migration Fund", code="MCS00",
                              start_on=dt.date(2017, 4, 3))
    fund_services.extend_end(admin, fund, end_on=fund.end_on + dt.timedelta(days=365),
                             reason="Follow-up review")
    fund_services.close_operations(admin, fund, reason="The conference adopted the Compact")
    _the_fund_s_end(users)
    return fund


def _the_fund_s_end(users) -> None:
    """Requests still waiting rejected, what was not deposited written off, each pool's
    balance refunded (or, reached by no donor, transferred), the fund closed."""
    from trustfund.clock import today
    from trustfund.closure import financial, proposals, write_offs
    from trustfund.closure.refunds import plans
    from trustfund.travel.models import REQUESTED, WAITLISTED, TravelGrant

    waiting = sa.select(TravelGrant).where(TravelGrant.status.in_((REQUESTED, WAITLISTED)))
    for grant in db.session.scalars(waiting).all():
        decisions.reject_grant(users["srsg_staff2"], grant, "The fund's operations are closed")
    # Each write-off is proposed by one MPTF officer and confirmed by another; the
    # first is first withdrawn by its proposer, then refused by the other.
    officer, officer2 = users["mptf_officer"], users["mptf_officer2"]
    for index, commitment in enumerate(financial.outstanding_commitments()):
        if index == 0:
            write_offs.withdraw(officer, write_offs.propose(officer, commitment, reason="Not yet").id)
            write_offs.refuse(officer2, write_offs.propose(officer, commitment, reason="Too soon").id,
                              "The donor promised a last deposit")
        write_offs.confirm(officer2, write_offs.propose(officer, commitment,
                                                        reason="Not paid before the closing").id)
    # Each decision is proposed by one SRSG staff member and confirmed by another; the
    # first pool's is first withdrawn by its proposer, then refused by the other.
    srsg, srsg2 = users["srsg_staff"], users["srsg_staff2"]
    for index, plan in enumerate(plans(today())):
        values = ({"kind": "refund"} if plan.parts else
                  {"kind": "transfer", "fund_name": "Migration MPTF", "fund_reference": "MPTF/2019/1"})
        if index == 0:
            proposals.withdraw(srsg, proposals.propose(srsg, plan.pool, **values).id)
            proposals.refuse(srsg2, proposals.propose(srsg, plan.pool, **values).id, "Check the SAA first")
        proposals.confirm(srsg2, proposals.propose(srsg, plan.pool, **values).id)
    financial.close_fund(users["admin"], current_fund(), note="Certified final statements to follow")
    from trustfund.closure.final import issue_final_statements

    issue_final_statements(users["admin"])

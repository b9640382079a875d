"""Every kind of email Trustfund sends reads in its recipient's language, whole: for
each kind (and each variant of its template) and each of the five other languages,
the subject and the bodies (text, and the HTML's visible text) keep none of the English
sentences of the same message, and are not empty.

Each message is written by the function the app writes every message with
(trustfund.mail.outbox.enqueue: the subject and the templates mail/<template>.txt and
.html, rendered in the recipient's language), with the context its caller gives it,
for a recipient whose `locale` is the language; the objects are real rows (base data,
a grant, a deposit...) and unsaved instances of the app's own models (a proposal...),
so that what their properties say (a pool's name, a decision's kind, a donor's
change in words) is translated as in the app.

The kinds covered (kind: template, the variants):
    account_created, role_changed, address_changed, invitation, password_reset,
    password_changed, signin_throttled (each its own template);
    closing_decision_waiting (a refund; a transfer to another fund);
    write_off_waiting; fund_entry_waiting (an entry; a reversal);
    user_change_waiting (a new account; a move to another role; a change);
    setting_change_waiting; transfer_waiting;
    rate_waiting: rate_waiting (a new rate; a correction), rate_file_waiting;
    interest_waiting (new interest; a reversal); deposit_reversal_waiting;
    donor_renaming_waiting; delegate_renaming_waiting;
    cost_correction_waiting (within what was agreed; above it);
    grant_approved, grant_waitlisted (funds short; with a reason), grant_rejected,
    grant_overrun_pending, grant_overrun_approved, grant_overrun_rejected: grant_decision;
    overrun_waiting (above the tolerance; within it, the pool short);
    digest_grant_requests; digest_officers (weekly, daily and every 3 days);
    statement_issued, document_issued: document_issued (first issued; replaced).

The test also fails when a template of templates/mail is not among them, and when a
subject written here is no longer the app's (it must appear in trustfund/ as written).
"""
from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from tests.factories.contributions import commitment, deposit
from tests.factories.travel import make_event, make_request
from trustfund.admin.models import SETTINGS
from trustfund.admin.sentences import setting_value
from trustfund.contributions.models import (
    DepositReversalProposal,
    InterestProposal,
    RateImport,
    RateProposal,
    TransferProposal,
)
from trustfund.contributions.pools import unearmarked_pool
from trustfund.documents.models import Document
from trustfund.documents.notices import SUBJECTS as DOCUMENT_SUBJECTS
from trustfund.documents.targets import TARGETS
from trustfund.donors.models import DonorRenaming
from trustfund.fund.entries import ClosingProposal, FundEntryProposal, WriteOffProposal
from trustfund.mail.links import external_url
from trustfund.mail.outbox import enqueue
from trustfund.notifications.digests import _grant_subject, _officers_subject
from trustfund.permissions import ROLE_LABELS
from trustfund.travel.decisions import objective1_pool
from trustfund.travel.models import CostCorrection, DelegateRenaming, TravelGrant
from trustfund.travel.notices import SUBJECTS as GRANT_SUBJECTS
from trustfund.travel.reconcile import OVERRUN_WAITING

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fr", "es", "ru", "ar", "zh")

# What people type and what records are called: the same in every language, and not
# the app's words (an event's title is kept as typed when it has no translation).
PROPOSER, ADMIN = "Ingrid Bergman", "Ana Lima"
DELEGATE, NEW_DELEGATE = "Awa Ndiaye", "Awa Ndiaye Diop"
EVENT = "Thematic session, Geneva"
REASON = "Entered twice by mistake in the ledger of the fund"
DATA = (PROPOSER, ADMIN, NEW_DELEGATE, DELEGATE, EVENT, REASON, "Kingdom of Sweden", "Sweden",
        "Swiss Confederation", "Peacebuilding Fund", "PBF-2018-7", "SE-2017-01", "rates-may.xlsx",
        "Signed SAA scan", "203.0.113.9", "auditor")

# Subjects written inline by their callers: each must be in trustfund/ as written here.
INLINE_SUBJECTS = {
    "account_created": "Your Trustfund account was created",
    "role_changed": "Your role in Trustfund changed",
    "address_changed": "The address of your Trustfund account changed",
    "invitation": "Your Trustfund account: choose your password",
    "password_reset": "Trustfund: choose a new password",
    "password_changed": "Your Trustfund password was changed",
    "signin_throttled": "Trustfund: logging in to your account paused",
    "closing_decision_waiting": "A closing decision on a pool waits for your confirmation",
    "write_off_waiting": "A write-off waits for your confirmation",
    "fund_entry_waiting": "An entry of the fund waits for your confirmation",
    "user_change_waiting": "A change to a Trustfund account waits for your confirmation",
    "setting_change_waiting": "A new value of a Trustfund setting waits for your confirmation",
    "transfer_waiting": "A transfer between pools waits for your confirmation",
    "rate_waiting": "An exchange rate waits for your confirmation",
    "rate_file_waiting": "A rates file waits for your confirmation",
    "interest_waiting": "Interest waits for your confirmation",
    "interest_reversal_waiting": "A reversal of interest waits for your confirmation",
    "deposit_reversal_waiting": "A deposit's reversal waits for your confirmation",
    "donor_renaming_waiting": "A change of a donor's name, type or country waits for your confirmation",
    "delegate_renaming_waiting": "A change of a delegate's name waits for your confirmation",
    "cost_correction_waiting": "A correction of a trip's costs waits for your confirmation",
}


def _subject(key: str):
    return _l(INLINE_SUBJECTS[key])


def _messages(db, users) -> list[tuple[str, str, object, dict]]:
    """(name of the variant, template, subject, context) of every message kind."""
    officer = users["mptf_officer"]
    officer.name = PROPOSER
    proposer = PROPOSER
    objective1, unearmarked = objective1_pool(), unearmarked_pool()
    promise = commitment(currency="EUR", amount="100000.00", reference="SE-2017-01")
    donor_name = promise.donor.name
    paid = deposit(promise, Decimal("50000.00"), rate="0.9")
    grant = make_request(make_event(title=EVENT), name=DELEGATE)
    grant.committed_amount = grant.total
    # The costs recorded, that a correction corrects (the grant is otherwise as requested).
    grant.actual_ticket, grant.actual_dsa, grant.actual_terminal = (Decimal("1000.00"), Decimal("800.00"),
                                                                    Decimal("100.00"))
    grant.actual_total = Decimal("1900.00")
    db.session.commit()
    delegate, event = grant.delegate, grant.event
    when = dt.datetime(2017, 5, 2, 14, 30, tzinfo=dt.UTC)

    def decision(outcome, variant="", short_of=None):
        # A grant as it stands when its requester is told (unsaved: the real one stays requested).
        shown = TravelGrant(id=grant.id, total=grant.total, committed_amount=grant.total, ldc=grant.ldc,
                            overrun_amount=Decimal("250.00"), decision_reason=REASON, overrun_reason=REASON)
        context = dict(outcome=outcome, grant=shown, delegate=DELEGATE, event=event, decider=ADMIN,
                       url=external_url("travel.grant", grant_id=grant.id), short_of=short_of)
        return (f"grant_{outcome}{variant}", "grant_decision",
                lambda: GRANT_SUBJECTS[outcome] % {"delegate": DELEGATE}, context)

    def overrun_waiting(short):
        # The grant as it stands once its costs are recorded, as the template reads it (an
        # unsaved TravelGrant given the delegate, event and pool rows would be flushed).
        shown = SimpleNamespace(id=grant.id, overrun_amount=Decimal("250.00"), delegate=delegate, event=event,
                                pool=objective1)
        return (f"overrun_waiting{' (the pool short)' if short else ''}", "overrun_waiting",
                lambda: OVERRUN_WAITING % {"delegate": DELEGATE},
                dict(recorder=proposer, grant=shown, short=short))

    donor_renaming = DonorRenaming(name_before=donor_name, name="Kingdom of Sweden",
                                   type_before=promise.donor.donor_type, donor_type=promise.donor.donor_type,
                                   country_before=promise.donor.country_code,
                                   country_code="SE" if promise.donor.country_code != "SE" else "NO",
                                   reason=REASON)
    correction = CostCorrection(actual_ticket=Decimal("1100.00"), actual_dsa=Decimal("800.00"),
                                actual_terminal=Decimal("100.00"), spent_before=Decimal("1900.00"),
                                reason=REASON)
    statement = Document(kind="statement", donor_id=promise.donor_id, title="Statement",
                         filename="statement-2017-01-01-2017-06-30.pdf")
    saa = Document(kind="saa", donor_id=promise.donor_id, title="Signed SAA scan", filename="saa.pdf")
    kinds = TARGETS["donor"].kinds

    def issued(kind, document, replaced):
        title = LazyString(lambda: document.shown_title)  # in each reader's language
        return (f"{kind}_issued{' (replaced)' if replaced else ''}", "document_issued",
                lambda: DOCUMENT_SUBJECTS[kind] % {"donor": donor_name, "title": title},
                dict(notice=kind, kind_label=kinds.get(document.kind, document.kind), donor=donor_name,
                     title=title, replaced=replaced, filename=document.filename,
                     url=external_url("statements.portal") + "#documents-heading"))

    waiting_donor = promise.donor
    messages = [
        ("account_created", "account_created", _subject("account_created"),
         dict(role=ROLE_LABELS["mptf_officer"], admin=ADMIN)),
        ("role_changed", "role_changed", _subject("role_changed"),
         dict(before=ROLE_LABELS["auditor"], after=ROLE_LABELS["mptf_officer"], admin=ADMIN)),
        ("address_changed", "address_changed", _subject("address_changed"), dict(admin=ADMIN)),
        ("invitation", "invitation", _subject("invitation"),
         dict(url=external_url("auth.login"), expires_at=when, admin=ADMIN)),
        ("password_reset", "password_reset", _subject("password_reset"),
         dict(url=external_url("auth.login"), expires_at=when)),
        ("password_changed", "password_changed", _subject("password_changed"), dict(changed_at=when)),
        ("signin_throttled", "signin_throttled", _subject("signin_throttled"),
         dict(when=when, address="203.0.113.9", minutes=15)),
        ("closing_decision_waiting (refund)", "closing_decision_waiting",
         _subject("closing_decision_waiting"),
         dict(proposer=proposer, pool=objective1, decision=ClosingProposal(kind="refund").kind_label,
              amount=Decimal("1234.50"), fund_name="", fund_reference="")),
        ("closing_decision_waiting (transfer)", "closing_decision_waiting",
         _subject("closing_decision_waiting"),
         dict(proposer=proposer, pool=unearmarked, decision=ClosingProposal(kind="transfer").kind_label,
              amount=Decimal("1234.50"), fund_name="Peacebuilding Fund", fund_reference="PBF-2018-7")),
        ("write_off_waiting", "write_off_waiting", _subject("write_off_waiting"),
         dict(proposer=proposer, commitment=promise, donor=donor_name,
              proposal=WriteOffProposal(currency="EUR", amount=Decimal("5000.00"),
                                        outstanding=Decimal("50000.00"), reason=REASON))),
        ("fund_entry_waiting (entry)", "fund_entry_waiting", _subject("fund_entry_waiting"),
         dict(proposer=proposer, pool=unearmarked,
              kind_label=FundEntryProposal(kind="bank_charge").kind_label, reversal=False,
              proposal=FundEntryProposal(kind="bank_charge", usd_amount=Decimal("35.00"),
                                         value_date=dt.date(2017, 6, 1), description=REASON))),
        ("fund_entry_waiting (reversal)", "fund_entry_waiting", _subject("fund_entry_waiting"),
         dict(proposer=proposer, pool=unearmarked,
              kind_label=FundEntryProposal(kind="direct_cost").kind_label, reversal=True,
              proposal=FundEntryProposal(kind="direct_cost", usd_amount=Decimal("35.00"), reverses_id=1,
                                         description=REASON))),
        ("user_change_waiting (new account)", "user_change_waiting", _subject("user_change_waiting"),
         dict(admin=ADMIN, account=PROPOSER, role=ROLE_LABELS["donor"], new_account=True, role_before=None)),
        ("user_change_waiting (move)", "user_change_waiting", _subject("user_change_waiting"),
         dict(admin=ADMIN, account=PROPOSER, role=ROLE_LABELS["mptf_officer"], new_account=False,
              role_before=ROLE_LABELS["auditor"])),
        ("user_change_waiting (change)", "user_change_waiting", _subject("user_change_waiting"),
         dict(admin=ADMIN, account=PROPOSER, role=ROLE_LABELS["auditor"], new_account=False,
              role_before=None)),
        ("setting_change_waiting", "setting_change_waiting", _subject("setting_change_waiting"),
         dict(admin=ADMIN, setting=SETTINGS["fee_rate"][0], value=partial(setting_value, "fee_rate",
                                                                          Decimal("0.02")),
              effective_from=dt.date(2018, 1, 1))),
        ("transfer_waiting", "transfer_waiting", _subject("transfer_waiting"),
         dict(admin=ADMIN, proposal=TransferProposal(from_pool=unearmarked, to_pool=objective1,
                                                     usd_amount=Decimal("2500.00"),
                                                     transferred_on=dt.date(2017, 7, 3), reason=REASON))),
        ("rate_waiting (new)", "rate_waiting", _subject("rate_waiting"),
         dict(proposer=proposer, before=None,
              proposal=RateProposal(currency="EUR", month=dt.date(2018, 5, 1), rate=Decimal("0.941")))),
        ("rate_waiting (correction)", "rate_waiting", _subject("rate_waiting"),
         dict(proposer=proposer, before=Decimal("0.9"),
              proposal=RateProposal(currency="EUR", month=dt.date(2018, 5, 1), rate=Decimal("0.941")))),
        ("rate_waiting (file)", "rate_file_waiting", _subject("rate_file_waiting"),
         dict(proposer=proposer, upload=RateImport(filename="rates-may.xlsx", rows=12))),
        ("interest_waiting (new)", "interest_waiting", _subject("interest_waiting"),
         dict(proposer=proposer, reversal=False,
              proposal=InterestProposal(usd_amount=Decimal("812.25"), value_date=dt.date(2017, 9, 30),
                                        note=REASON))),
        ("interest_waiting (reversal)", "interest_waiting", _subject("interest_reversal_waiting"),
         dict(proposer=proposer, reversal=True,
              proposal=InterestProposal(usd_amount=Decimal("812.25"), reverses_id=1, note=REASON))),
        ("deposit_reversal_waiting", "deposit_reversal_waiting", _subject("deposit_reversal_waiting"),
         dict(proposer=proposer, deposit=paid, proposal=DepositReversalProposal(reason=REASON))),
        ("donor_renaming_waiting", "donor_renaming_waiting", _subject("donor_renaming_waiting"),
         dict(proposer=proposer, renaming=donor_renaming, donor=waiting_donor)),
        ("delegate_renaming_waiting", "delegate_renaming_waiting", _subject("delegate_renaming_waiting"),
         dict(proposer=proposer, delegate=delegate,
              renaming=DelegateRenaming(name_before=DELEGATE, name=NEW_DELEGATE,
                                        reason=REASON))),
        ("cost_correction_waiting (within)", "cost_correction_waiting", _subject("cost_correction_waiting"),
         dict(proposer=proposer, correction=correction, grant=grant, above=Decimal("0.00"))),
        ("cost_correction_waiting (above)", "cost_correction_waiting", _subject("cost_correction_waiting"),
         dict(proposer=proposer, correction=correction, grant=grant, above=Decimal("150.00"))),
        decision("approved"),
        decision("waitlisted", " (funds short)", short_of=(Decimal("2300.00"), [objective1, unearmarked])),
        decision("waitlisted", " (with a reason)"),
        decision("rejected"),
        decision("overrun_pending"),
        overrun_waiting(False),
        overrun_waiting(True),
        decision("overrun_approved"),
        decision("overrun_rejected"),
        ("digest_grant_requests", "digest_grant_requests", _grant_subject(1),
         dict(grants=[grant], queue_url=external_url("travel.queue"),
              grant_url=lambda g: external_url("travel.grant", grant_id=g.id))),
    ]
    for days in (7, 1, 3):
        messages.append((f"digest_officers (every {days} days)", "digest_officers", _officers_subject(days),
                         dict(overdue=[(promise, Decimal("50000.00"))], waiting=[(waiting_donor, when)],
                              now=when,
                              commitment_url=lambda c: external_url("contributions.commitment",
                                                                    commitment_id=c.id),
                              donor_url=lambda d: external_url("donors.view", donor_id=d.id))))
    for replaced in (False, True):
        messages.append(issued("statement", statement, replaced))
        messages.append(issued("document", saa, replaced))
    return messages


SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n+")
URL = re.compile(r"https?://\S+")
EMAIL = re.compile(r"\S+@\S+")
NUMBER = re.compile(r"[#\d][\d.,\u00a0\u202f ]*")


def _normal(text: str) -> str:
    """The text with what is no language's (names, emails, URLs, numbers) made '§'."""
    text = URL.sub(" § ", text)
    text = EMAIL.sub(" § ", text)
    for value in sorted(DATA, key=len, reverse=True):
        text = text.replace(value, " § ")
    text = NUMBER.sub(" § ", text)
    return re.sub(r"[ \t\u00a0\u202f]+", " ", text).strip()


def _visible(body_html: str) -> str:
    body_html = re.sub(r"(?is)<(style|script|head)\b.*?</\1>", " ", body_html)
    body_html = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d|table|ul)>", "\n", body_html)
    return html.unescape(re.sub(r"<[^>]+>", " ", body_html))


def _sentences(text: str) -> list[str]:
    """The English sentences of 5 words or more (names, numbers... not counted)."""
    found = []
    for part in SENTENCE_END.split(_normal(text)):
        part = part.strip(" -§")
        if len(re.findall(r"[A-Za-z][A-Za-z'’-]*", part)) >= 5:
            found.append(part)
    return found


def _write(user, template, subject, context):
    message = enqueue(user, "check", template, subject, **context)
    return message.subject, message.body_text, _visible(message.body_html)


def test_every_mail_template_is_covered_and_subjects_are_the_apps(app, db, users):
    templates = {p.stem for p in (ROOT / "templates" / "mail").glob("*.txt") if not p.stem.startswith("_")}
    covered = {template for _name, template, _s, _c in _messages(db, users)}
    assert templates <= covered, f"mail templates no test here writes: {sorted(templates - covered)}"
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "trustfund").rglob("*.py"))
    for key, subject in INLINE_SUBJECTS.items():
        assert f'_l("{subject}")' in source, f"{key}: the subject {subject!r} is no longer the app's"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_reads_in_the_recipients_language(app, db, users, language):
    reader = users["auditor"]
    found = []
    for name, template, subject, context in _messages(db, users):
        reader.locale = "en"
        english = _write(reader, template, subject, context)
        reader.locale = language
        translated = _write(reader, template, subject, context)
        for part, en, tr in zip(("subject", "text", "html"), english, translated, strict=True):
            assert en.strip() and tr.strip(), f"{name} ({language}): empty {part}"
            assert "%(" not in tr and "{{" not in tr, f"{name} ({language}): a placeholder in its {part}"
            left = [s for s in _sentences(en) if s in _normal(tr)]
            if part == "subject" and _normal(en) == _normal(tr):
                left.append(en)
            found.extend(f"{name} ({language}, {part}): {s!r}" for s in left)
    assert not found, "English left in translated messages:\n" + "\n".join(found)


def test_every_message_reads_in_english(app, db, users):
    reader = users["auditor"]
    reader.locale = "en"
    for name, template, subject, context in _messages(db, users):
        for part, text in zip(("subject", "text", "html"), _write(reader, template, subject, context),
                              strict=True):
            assert text.strip(), f"{name}: empty {part}"
            assert "%(" not in text and "{{" not in text, f"{name}: a placeholder in the {part}: {text}"
        assert _sentences(_write(reader, template, subject, context)[1]), f"{name}: no sentence in English"

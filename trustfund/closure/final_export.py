"""The certified final financial statements as downloads (export register
"final_statement": the fund's, or a donor's with --donor), from what was stored
when they were issued, never recomputed. A donor user gets its own only."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import abort
from flask_babel import gettext as _

from ..donors.queries import DONOR_FILTERS
from ..errors import DomainError
from ..exports import DONOR_ID, Col, Sheet, register_export
from ..fund.entries import CLOSING_KINDS, FUND_SUBJECT, FinalStatement, donor_subject
from ..money import USD
from ..permissions import DONOR, STAFF
from .final import commitment_as_certified, final_statement, pool_name_as_certified, signed_off_by
from .funding import LINE_LABELS


def D(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def day(text) -> dt.date | None:
    return None if not text else dt.date.fromisoformat(text)


def statement_for(filters: dict, user) -> FinalStatement:
    """The stored statement a download is about, with the user's rights applied: a
    donor user has only its own (another donor's id answers 404)."""
    raw = filters.get("donor_id")
    if user is not None and user.role == DONOR:
        if raw not in (None, "") and str(raw) != str(user.donor_id):
            abort(404)
        raw = user.donor_id
    elif user is not None and user.role not in STAFF:
        abort(403)
    subject = FUND_SUBJECT if raw in (None, "") else donor_subject(int(raw))
    found = final_statement(subject)
    if found is None:
        if user is not None:
            abort(404)
        raise DomainError(_("No certified final statement has been issued for this yet."), field="donor_id")
    return found


def _about(found: FinalStatement) -> list[tuple]:
    return [(_("Issued on (UTC)"), found.issued_at.replace(second=0, microsecond=0)),
            (_("Signed off by"), signed_off_by(found))]


def _pairs(title: str, rows: list[tuple]) -> Sheet:
    return Sheet(title, [Col(_("Item"), lambda r: r[0], width=50),
                         Col(_("Value"), lambda r: r[1], "value", width=30)], rows)


def _fund_sheets(found: FinalStatement) -> list[Sheet]:
    c = found.content
    status = Sheet(_("Funding status"), [
        Col(_("Item"), lambda r: str(LINE_LABELS.get(r["key"], r["key"])), width=55),
        Col(_("Amount (USD)"), lambda r: D(r["amount"]), "money", currency=USD),
        Col(_("Percentage of contributions"), lambda r: D(r["percent"]), "percent")], c["funding_status"])
    decisions = Sheet(_("Decisions"), [
        Col(_("Date"), lambda r: day(r["date"]), "date"), Col(_("Pool"), pool_name_as_certified, width=30),
        Col(_("Decision"), lambda r: str(CLOSING_KINDS.get(r["kind"], r["kind"])), width=30),
        Col(_("Amount (USD)"), lambda r: D(r["amount"]), "money", currency=USD),
        Col(_("Receiving fund"), lambda r: r["fund_name"], width=40),
        Col(_("Reference of the transfer"), lambda r: r["fund_reference"])], c["decisions"])
    donors = Sheet(_("Donors"), [
        Col(_("Donor"), lambda r: r["name"], width=40),
        Col(_("Net deposits (USD)"), lambda r: D(r["net"]), "money", currency=USD),
        Col(_("Share of spending (USD)"), lambda r: D(r["share"]), "money", currency=USD),
        Col(_("Refund due (USD)"), lambda r: D(r["refund_due"]), "money", currency=USD),
        Col(_("Transferred to other funds (USD)"), lambda r: D(r["transferred"]), "money", currency=USD)],
        c["donors"])
    fund = c["fund"]
    about = _pairs(_("Certification"), [(_("Fund"), f"{fund['name']} ({fund['code']})"),
                                         (_("From"), day(fund["start_on"])),
                                         (_("To"), day(fund["closed_on"]))] + _about(found))
    return [about, status, decisions, donors]


def _donor_sheets(found: FinalStatement) -> list[Sheet]:
    c = found.content
    t = c["totals"]
    summary = Sheet(_("Summary"), [Col(_("Item"), lambda r: r[0], width=50),
                                   Col(_("Amount (USD)"), lambda r: r[1], "money", currency=USD)], [
        (_("Deposited (USD)"), D(c["contributions"]["usd"])),
        (_("Administrative Agent fee"), D(c["contributions"]["fee"])),
        (_("Net deposits"), D(t["net"])),
        (_("Share of the fund's spending"), D(t["share"])),
        (_("Difference from the balance"), D(t["income"])),
        (_("Refund due to the donor"), D(t["refund_due"])),
        (_("Transferred to other funds on the donor's behalf"), D(t["transferred"])),
        (str(LINE_LABELS["other_uses"]), D(t.get("waived", "0.00"))),
        (_("Closing balance"), D(t["closing_balance"]))])
    pools = Sheet(_("Pools"), [
        Col(_("Pool"), pool_name_as_certified, width=30),
        Col(_("Donor's net deposits in pool (USD)"), lambda r: D(r["weight"]), "money", currency=USD),
        Col(_("Share of spending (USD)"), lambda r: D(r["share"]), "money", currency=USD)], c["pools"])
    closing = Sheet(_("Fund's closure"), [
        Col(_("Date"), lambda r: day(r["date"]), "date"), Col(_("Pool"), pool_name_as_certified, width=30),
        Col(_("Decision"), lambda r: str(CLOSING_KINDS.get(r["kind"], r["kind"])), width=30),
        Col(_("Donor's balance in the pool (USD)"), lambda r: D(r["balance"]), "money", currency=USD),
        Col(_("Difference from the balance (USD)"), lambda r: D(r["income"]), "money", currency=USD),
        Col(_("Amount (USD)"), lambda r: D(r["amount"]), "money", currency=USD),
        Col(_("Currency"), lambda r: r["currency"], width=9),
        Col(_("UN rate of the month (per USD)"), lambda r: D(r["rate"]), "rate"),
        Col(_("Amount in the currency"), lambda r: D(r["currency_amount"]), "money",
            currency_of=lambda r: r["currency"])], c["closing"])
    commitments = Sheet(_("Commitments"), [
        Col(_("Reference"), commitment_as_certified, width=24),
        Col(_("Currency"), lambda r: r["currency"], width=9),
        Col(_("Amount"), lambda r: D(r["amount"]), "money", currency_of=lambda r: r["currency"]),
        Col(_("Deposited"), lambda r: D(r["deposited"]), "money", currency_of=lambda r: r["currency"]),
        Col(_("Written off"), lambda r: D(r["written_off"]), "money", currency_of=lambda r: r["currency"])],
        c["commitments"])
    about = _pairs(_("Certification"), [(_("Donor"), c["donor"]["name"]), (_("From"), day(c["period"][0])),
                                         (_("To"), day(c["period"][1]))] + _about(found))
    return [about, summary, pools, closing, commitments]


@register_export("final_statement", "A certified final financial statement, as issued: the fund's, or a "
                                    "donor's with --donor", filters=DONOR_FILTERS, applies=(DONOR_ID,))
def final_statement_export(filters: dict, user) -> tuple[list[Sheet], str]:
    found = statement_for(filters, user)
    if found.donor_id is None:
        return _fund_sheets(found), _("Certified final financial statement of the fund")
    name = found.content["donor"]["name"]  # as issued
    return _donor_sheets(found), _("Certified final financial statement of %(donor)s", donor=name)

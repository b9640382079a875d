"""The audit trail in words (trustfund/audit_text.py): objectives and pools, pledges,
commitments, deposits, interest, transfers and exchange rates."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext

from .. import localized
from ..audit_text import Book, Field, Target, Told
from ..donors.models import Donor
from ..extensions import db
from ..formatting import date, money, month
from .models import (
    Commitment,
    Deposit,
    ExchangeRate,
    InterestEntry,
    Objective,
    Pledge,
    Pool,
    PoolTransfer,
    TransferProposal,
    pool_sentence_name,
    pool_short_name,
)

# The note services._fulfil records on the pledge: "commitment #12".
FULFILLED_BY = re.compile(r"commitment #(\d+)")


def _ids(keys: list[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def _pool_numbers(keys: list[str]):
    return db.session.execute(sa.select(Pool.id, Objective.number)
                              .outerjoin(Objective, Pool.objective_id == Objective.id)
                              .where(Pool.id.in_(_ids(keys))))


def load_pools(keys: list[str]) -> dict[str, Target]:
    """Pools as a table of values names them, "Un-earmarked", "Objective 1", and as a
    sentence does, "the %(pool)s pool" taking "un-earmarked", "Objective 1"
    (Told.in_sentence)."""
    return {str(row.id): Target(pool_short_name(row.number), "contributions.pools",
                                sentence=pool_sentence_name(row.number))
            for row in _pool_numbers(keys)}


def load_objectives(keys: list[str]) -> dict[str, Target]:
    rows = db.session.scalars(sa.select(Objective).where(Objective.id.in_(_ids(keys))))
    return {str(row.id): Target(row.label, "contributions.objectives") for row in rows}


def load_earmarks(keys: list[str]) -> dict[str, Target]:
    """An earmark by its objective's number ("Objective 1"), as the pools are named."""
    rows = db.session.execute(sa.select(Objective.id, Objective.number).where(Objective.id.in_(_ids(keys))))
    return {str(row.id): Target(pool_short_name(row.number), "contributions.objectives") for row in rows}


def load_commitments(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(Commitment.id, Commitment.reference, Commitment.currency,
                                        Commitment.amount, Donor.name)
                              .join(Donor, Commitment.donor_id == Donor.id)
                              .where(Commitment.id.in_(_ids(keys))))
    found = {}
    for row in rows:
        if row.reference:
            label = _("Commitment %(reference)s of %(donor)s", reference=row.reference, donor=row.name)
        else:
            label = _("Commitment of %(amount)s by %(donor)s", amount=money(row.amount, row.currency),
                      donor=row.name)
        found[str(row.id)] = Target(label, "contributions.commitment", {"commitment_id": row.id})
    return found


def load_deposits(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(Deposit.id, Deposit.currency, Deposit.amount, Deposit.value_date,
                                        Deposit.reverses_id, Donor.name)
                              .join(Donor, Deposit.donor_id == Donor.id).where(Deposit.id.in_(_ids(keys))))
    found = {}
    for row in rows:
        values = {"amount": money(abs(row.amount), row.currency), "donor": row.name,
                  "date": date(row.value_date)}
        label = (_("Reversal of %(amount)s from %(donor)s, %(date)s", **values) if row.reverses_id
                 else _("Deposit of %(amount)s from %(donor)s, %(date)s", **values))
        found[str(row.id)] = Target(label, "contributions.deposit", {"deposit_id": row.id})
    return found


def load_pledges(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(Pledge.id, Pledge.currency, Pledge.amount, Donor.name)
                              .join(Donor, Pledge.donor_id == Donor.id).where(Pledge.id.in_(_ids(keys))))
    return {str(row.id): Target(_("Pledge of %(amount)s by %(donor)s", amount=money(row.amount, row.currency),
                                  donor=row.name), "contributions.pledge", {"pledge_id": row.id})
            for row in rows}


def load_interest(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(InterestEntry.id, InterestEntry.usd_amount, InterestEntry.value_date,
                                        InterestEntry.reverses_id)
                              .where(InterestEntry.id.in_(_ids(keys))))
    found = {}
    for row in rows:
        values = {"amount": money(abs(row.usd_amount), "USD"), "date": date(row.value_date)}
        label = (_("Reversal of interest of %(amount)s, %(date)s", **values) if row.reverses_id
                 else _("Interest of %(amount)s, %(date)s", **values))
        found[str(row.id)] = Target(label, "contributions.interest")
    return found


def load_transfers(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(PoolTransfer.id, PoolTransfer.usd_amount, PoolTransfer.transferred_on)
                              .where(PoolTransfer.id.in_(_ids(keys))))
    return {str(row.id): Target(_("Transfer of %(amount)s, %(date)s", amount=money(row.usd_amount, "USD"),
                                  date=date(row.transferred_on)), "contributions.transfers") for row in rows}


def load_transfer_proposals(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(TransferProposal.id, TransferProposal.usd_amount,
                                        TransferProposal.transferred_on)
                              .where(TransferProposal.id.in_(_ids(keys))))
    return {str(row.id): Target(_("Proposed transfer of %(amount)s, %(date)s",
                                  amount=money(row.usd_amount, "USD"), date=date(row.transferred_on)),
                                "contributions.transfers") for row in rows}


def _transfer_proposal(e: Told) -> dict:
    return {"user": e.who, "amount": e.show("usd_amount"), "source": e.in_sentence("from_pool_id"),
            "target": e.in_sentence("to_pool_id"), "date": e.show("transferred_on"),
            "proposer": e.name("user", e.value("proposed_by_id"))}



def _reversal_proposal(e: Told) -> dict:
    return {"user": e.who, "deposit": e.show("deposit_id"),
            "proposer": e.name("user", e.value("proposed_by_id"))}


def _reversal_proposed(e: Told) -> str:
    return _("%(user)s proposed the reversal of a deposit (%(deposit)s): %(reason)s It waits for a second "
             "MPTF officer.",
             reason=e.iso(e.value("reason") or ""), **_reversal_proposal(e))


def _reversal_refused(e: Told) -> str:
    return _("%(user)s refused the reversal of a deposit (%(deposit)s) proposed by %(proposer)s: %(reason)s",
             reason=e.iso(e.value("refusal_reason") or ""), **_reversal_proposal(e))


def _interest_proposal(e: Told) -> dict:
    return {"user": e.who, "amount": e.show("usd_amount"), "entry": e.value("reverses_id"),
            "proposer": e.name("user", e.value("proposed_by_id"))}


def _interest_proposed(e: Told) -> str:
    return _("%(user)s proposed interest of %(amount)s, value date %(date)s, for the un-earmarked pool; it "
             "waits for a second MPTF officer.", date=e.show("value_date"), **_interest_proposal(e))


def _interest_reversal_proposed(e: Told) -> str:
    return _("%(user)s proposed to reverse interest entry #%(entry)s of %(amount)s: %(reason)s It waits "
             "for a second MPTF officer.", reason=e.iso(e.value("note") or ""), **_interest_proposal(e))


def _interest_confirmed(e: Told) -> str:
    if e.value("reverses_id") is not None:
        return _("%(user)s confirmed the reversal of interest entry #%(entry)s of %(amount)s proposed by "
                 "%(proposer)s: it is recorded.", **_interest_proposal(e))
    return _("%(user)s confirmed the interest of %(amount)s proposed by %(proposer)s: it is credited to the "
             "un-earmarked pool.", **_interest_proposal(e))


def _interest_refused(e: Told) -> str:
    values = {"reason": e.iso(e.value("refusal_reason") or ""), **_interest_proposal(e)}
    if e.value("reverses_id") is not None:
        return _("%(user)s refused the reversal of interest entry #%(entry)s of %(amount)s proposed by "
                 "%(proposer)s: %(reason)s", **values)
    return _("%(user)s refused the interest of %(amount)s proposed by %(proposer)s: %(reason)s", **values)


def _interest_withdrawn(e: Told) -> str:
    if e.value("reverses_id") is not None:
        return _("%(user)s withdrew the reversal of interest entry #%(entry)s of %(amount)s they had "
                 "proposed.", **_interest_proposal(e))
    return _("%(user)s withdrew the interest of %(amount)s they had proposed.", **_interest_proposal(e))

def load_rates(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(ExchangeRate.id, ExchangeRate.currency, ExchangeRate.month)
                              .where(ExchangeRate.id.in_(_ids(keys))))
    return {str(row.id): Target(_("Rate of %(currency)s for %(month)s", currency=row.currency,
                                  month=month(row.month)), "contributions.rates") for row in rows}


def _earmark(e: Told) -> str:
    if e.value("objective_id") is None:
        return _("un-earmarked")
    return _("earmarked to %(objective)s", objective=e.name("earmark", e.value("objective_id")))


def _deposit(e: Told) -> str:
    if e.value("currency") == "USD":
        return _("Recorded by %(user)s: %(amount)s; fee %(fee)s, net %(net)s to the %(pool)s pool.",
                 user=e.who,
                 amount=e.show("amount"), fee=e.show("fee"), net=e.show("net"), pool=e.in_sentence("pool_id"))
    told = _("Recorded by %(user)s: %(amount)s at %(rate)s per US dollar is %(usd)s; fee %(fee)s, "
             "net %(net)s to the %(pool)s pool.", user=e.who, amount=e.show("amount"), rate=e.show("rate"),
             usd=e.show("usd_amount"), fee=e.show("fee"), net=e.show("net"), pool=e.in_sentence("pool_id"))
    if e.value("rate_note"):
        # The officer's reason for a rate other than the UN rate (the form asks for it).
        return " ".join((told, _("Why another rate: %(note)s", note=e.iso(e.value("rate_note")))))
    return told


def _reversal(e: Told) -> str:
    return _("Reversed by %(user)s: %(amount)s (net %(net)s) taken back from the %(pool)s pool.", user=e.who,
             amount=e.money("amount", absolute=True),
             net=e.money("net", "USD", absolute=True), pool=e.in_sentence("pool_id"))


def _import(e: Told) -> str:
    count = int(e.value("deposits") or 0)
    # Worked out before ngettext: Babel's extraction loses a plural with a call nested in it.
    workbook = e.iso(e.value("file") or _("a workbook"))
    return ngettext("%(num)d deposit imported by %(user)s from %(file)s: %(usd)s, net %(net)s.",
                    "%(num)d deposits imported by %(user)s from %(file)s: %(usd)s, net %(net)s.",
                    count, user=e.who, file=workbook, usd=e.money("usd", "USD"), net=e.money("net", "USD"))


def _rate_import(e: Told) -> str:
    new, corrected = int(e.value("new") or 0), int(e.value("corrected") or 0)
    # Worked out before ngettext: Babel's extraction loses a plural with a call nested in it.
    source = e.iso(e.value("file") or _("a file"))
    return ngettext("%(num)d rate imported by %(user)s from %(file)s: %(new)s new, %(corrected)s corrected.",
                    "%(num)d rates imported by %(user)s from %(file)s: %(new)s new, %(corrected)s corrected.",
                    new + corrected, user=e.who, file=source, new=new, corrected=corrected)


def _commitment(e: Told) -> str:
    count = len(e.value("instalments") or ())
    values = {"user": e.who, "amount": e.show("amount"), "earmark": _earmark(e)}
    if not count:
        return _("Recorded by %(user)s: %(amount)s, %(earmark)s.", **values)
    return ngettext("Recorded by %(user)s: %(amount)s, %(earmark)s, in %(num)d instalment.",
                    "Recorded by %(user)s: %(amount)s, %(earmark)s, in %(num)d instalments.",
                    count, **values)


def _reference(e: Told) -> str:
    """A commitment's reference corrected (services.correct_reference): before and after,
    and that no figure changed, named when the commitment is dated in a closed year."""
    values = {"user": e.who, "before": e.show("reference", "before"), "after": e.show("reference")}
    year = e.value("closed_year")
    if year:
        return _("Reference corrected by %(user)s: %(before)s → %(after)s. No figure changed; the "
                 "commitment is dated in %(year)s, a closed year.", year=e.iso(year), **values)
    return _("Reference corrected by %(user)s: %(before)s → %(after)s. No figure changed.", **values)


def _fulfilled(e: Told) -> str:
    """A commitment recorded against the pledge: named (with its reference and donor)
    from the entry's note, with the amount it fulfils and what is still pledged."""
    by = FULFILLED_BY.fullmatch(e.note)
    if by:  # said by the sentence, in the reader's language
        e.note = ""
    currency = e.value("currency") or "USD"
    try:
        after, before = Decimal(str(e.value("fulfilled"))), Decimal(str(e.value("fulfilled", "before")))
        rest = Decimal(str(e.value("amount"))) - after
    except (InvalidOperation, ValueError):
        after = before = rest = None
    values = {"user": e.who, "commitment": e.name("commitment", by.group(1) if by else None),
              "amount": e.iso(money(after - before, currency)) if after is not None else e.show("fulfilled")}
    if rest is not None and rest > 0:
        return _("%(commitment)s recorded by %(user)s against this pledge: %(amount)s; %(rest)s still "
                 "pledged.", rest=e.iso(money(rest, currency)), **values)
    return _("%(commitment)s recorded by %(user)s against this pledge: %(amount)s; the pledge is fulfilled.",
             **values)


def _withdrawn(e: Told) -> str:
    """What the withdrawal took away: the rest still pledged (a partly fulfilled pledge's
    commitments stand), from the pledge as the withdrawal left it."""
    currency = e.value("currency") or "USD"
    try:
        fulfilled = Decimal(str(e.value("fulfilled") or 0))
        rest = Decimal(str(e.value("amount"))) - fulfilled
    except (InvalidOperation, ValueError):
        return _("Withdrawn by %(user)s.", user=e.who)
    values = {"user": e.who, "rest": e.iso(money(rest, currency))}
    if fulfilled > 0:
        return _("Withdrawn by %(user)s: the %(rest)s still pledged; the %(fulfilled)s committed against "
                 "the pledge stand.", fulfilled=e.iso(money(fulfilled, currency)), **values)
    return _("Withdrawn by %(user)s: %(rest)s.", **values)


def _rate(e: Told) -> str:
    values = {"user": e.who, "rate": e.show("rate"), "currency": e.show("currency"),
              "month": e.show("month")}
    if e.before:
        moved_from = e.value("currency", "before")
        if moved_from and moved_from != e.value("currency"):
            # A rate entered under the wrong currency, moved to the right one: the
            # currency it left has no rate for the month any more.
            return _("Corrected by %(user)s and moved from %(before_currency)s to %(currency)s: "
                     "%(before)s → %(rate)s %(currency)s per US dollar for %(month)s.",
                     before=e.show("rate", "before"), before_currency=e.iso(moved_from), **values)
        return _("Corrected by %(user)s: %(before)s → %(rate)s %(currency)s per US dollar for %(month)s.",
                 before=e.show("rate", "before"), **values)
    return _("Set by %(user)s: %(rate)s %(currency)s per US dollar for %(month)s.", **values)


def _rate_proposal(e: Told) -> dict:
    return {"user": e.who, "rate": e.show("rate"), "currency": e.iso(e.value("currency") or ""),
            "month": e.show("month"), "proposer": e.name("user", e.value("proposed_by_id"))}


def _rate_proposed(e: Told) -> str:
    return _("%(user)s proposed %(rate)s %(currency)s per US dollar for %(month)s; it waits for a second "
             "MPTF officer.", **_rate_proposal(e))


def _rate_confirmed(e: Told) -> str:
    return _("%(user)s confirmed the rate of %(rate)s %(currency)s per US dollar for %(month)s proposed by "
             "%(proposer)s: it is set.", **_rate_proposal(e))


def _rate_refused(e: Told) -> str:
    return _("%(user)s refused the rate of %(rate)s %(currency)s per US dollar for %(month)s proposed by "
             "%(proposer)s: %(reason)s", reason=e.iso(e.value("refusal_reason") or ""), **_rate_proposal(e))


def _rate_withdrawn(e: Told) -> str:
    return _("%(user)s withdrew the rate of %(rate)s %(currency)s per US dollar for %(month)s they had "
             "proposed.", **_rate_proposal(e))


def _rate_file(e: Told) -> dict:
    return {"user": e.who, "file": e.iso(e.value("file") or _("a file"))}


def register(book: Book) -> None:
    for name, load in (("pool", load_pools), ("objective", load_objectives), ("earmark", load_earmarks),
                       ("commitment", load_commitments), ("deposit", load_deposits),
                       ("pledge", load_pledges), ("interest", load_interest),
                       ("transfer", load_transfers), ("transfer_proposal", load_transfer_proposals),
                       ("exchange_rate", load_rates)):
        book.reference(name, load)
    money_in = Field(_l("Amount"), "money", currency_key="currency")
    earmark = Field(_l("Earmarking"), "ref", ref="earmark")
    book.object("Objective", _l("Objective"), {
        "number": Field(_l("Number"), "int"), "title": Field(_l("Title")),
        "title_translations": Field(_l("The title in other languages"),
                                    show=lambda value, _snapshot: localized.described(value)),
        "description": Field(_l("Description")),
        "active": Field(lazy_pgettext("objective", "Active"), "bool"),
    }, reference="objective")
    book.object("Pledge", _l("Pledge"), {
        "amount": money_in, "objective_id": earmark, "pledged_on": Field(_l("Date of the pledge"), "date"),
        "note": Field(_l("Note")), "withdrawn_reason": Field(_l("Reason")),
        "fulfilled": Field(_l("Committed against it"), "money", currency_key="currency"),
    }, reference="pledge", hidden=("donor_id", "currency", "withdrawn_at", "created_by_id", "created_at"))
    book.object("Commitment", _l("Commitment"), {
        "amount": money_in, "objective_id": earmark,
        "committed_on": Field(_l("Date of the commitment"), "date"),
        "reference": Field(_l("Reference")), "note": Field(_l("Note")),
        "pledge_id": Field(_l("Pledge"), "ref", ref="pledge"),
    }, reference="commitment",
        hidden=("donor_id", "currency", "deposited", "written_off", "deposited_usd", "deposit_fees",
                "instalments", "created_by_id", "created_at"))
    book.object("Deposit", _l("Deposit"), {
        "amount": money_in, "rate": Field(_l("Rate (units per US dollar)"), "rate"),
        "usd_amount": Field(_l("USD"), "money", currency="USD"),
        "fee": Field(_l("Administrative Agent fee"), "money", currency="USD"),
        "net": Field(_l("Net"), "money", currency="USD"), "pool_id": Field(_l("Pool"), "ref", ref="pool"),
        "value_date": Field(_l("Value date"), "date"), "bank_reference": Field(_l("Bank reference")),
        "separate_transfer": Field(_l("Separate transfer"), "bool"),
        "separate_note": Field(_l("Why it is a separate transfer")),
    }, reference="deposit", collection=Target(_l("Deposits"), "contributions.deposits"),
        # reference_key: the bank reference normalised, for the database's uniqueness only.
        hidden=("commitment_id", "donor_id", "currency", "rate_note", "fee_rate", "reverses_id",
                "reason", "created_by_id", "created_at", "reference_key"))
    book.object("InterestEntry", _l("Interest"), {
        "usd_amount": Field(_l("Amount (USD)"), "money", currency="USD"),
        "value_date": Field(_l("Value date"), "date"), "pool_id": Field(_l("Pool"), "ref", ref="pool"),
    }, reference="interest", hidden=("note", "reverses_id", "created_by_id", "created_at"))
    book.object("PoolTransfer", _l("Transfer between pools"), {
        "usd_amount": Field(_l("Amount (USD)"), "money", currency="USD"),
        "from_pool_id": Field(_l("From pool"), "ref", ref="pool"),
        "to_pool_id": Field(_l("To pool"), "ref", ref="pool"),
        "transferred_on": Field(_l("Date"), "date"),
    }, reference="transfer", hidden=("reason", "created_by_id", "created_at"))
    book.object("TransferProposal", _l("Transfer between pools waiting for a second administrator"), {
        "usd_amount": Field(_l("Amount (USD)"), "money", currency="USD"),
        "from_pool_id": Field(_l("From pool"), "ref", ref="pool"),
        "to_pool_id": Field(_l("To pool"), "ref", ref="pool"),
        "transferred_on": Field(_l("Value date"), "date"),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, reference="transfer_proposal",
        hidden=("reason", "proposed_at", "status", "decided_by_id", "decided_at", "refusal_reason",
                "transfer_id"))
    book.object("InterestProposal", _l("Interest waiting for a second MPTF officer"), {
        "usd_amount": Field(_l("Amount (USD)"), "money", currency="USD"),
        "value_date": Field(_l("Value date"), "date"), "note": Field(_l("Note / reason")),
        "reverses_id": Field(_l("Reverses"), "ref", ref="interest"),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, collection=Target(_l("Interest"), "contributions.interest"),
        hidden=("proposed_at", "proposed_on", "status", "decided_by_id", "decided_at", "refusal_reason",
                "entry_id"))
    book.object("DepositReversalProposal", _l("Deposit reversal waiting for a second MPTF officer"), {
        "deposit_id": Field(_l("Deposit"), "ref", ref="deposit"), "reason": Field(_l("Reason")),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, collection=Target(_l("Deposits"), "contributions.deposits"),
        hidden=("proposed_at", "status", "decided_by_id", "decided_at", "refusal_reason", "reversal_id"))
    book.object("RateProposal", _l("Exchange rate waiting for a second MPTF officer"), {
        "rate": Field(_l("Rate (units of the currency per 1 US dollar)"), "rate"),
        "month": Field(_l("Month"), "month"),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, collection=Target(_l("Exchange rates"), "contributions.rates"),
        hidden=("currency", "entry_id", "entry_version", "proposed_at", "status", "decided_by_id",
                "decided_at", "refusal_reason", "rate_id"))
    book.object("ExchangeRate", _l("Exchange rate"), {
        "rate": Field(_l("Rate (units of the currency per 1 US dollar)"), "rate"),
        "month": Field(_l("Month"), "month"),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, reference="exchange_rate", hidden=("currency", "created_by_id", "created_at", "confirmed_by_id",
                                          "rate_file_id"))

    book.action("objective.create", _l("Objective added"), "Objective",
                lambda e: _("Added by %(user)s.", user=e.who))
    book.action("objective.update", _l("Objective changed"), "Objective",
                lambda e: _("Changed by %(user)s.", user=e.who))
    book.action("pledge.create", _l("Pledge recorded"), "Pledge",
                lambda e: _("Recorded by %(user)s: %(amount)s, %(earmark)s, pledged on %(date)s.",
                            user=e.who, amount=e.show("amount"), earmark=_earmark(e),
                            date=e.show("pledged_on")))
    book.action("pledge.withdraw", _l("Pledge withdrawn"), "Pledge", _withdrawn, told=("withdrawn_reason",))
    book.action("pledge.fulfil", _l("Commitment recorded against a pledge"), "Pledge", _fulfilled,
                told=("fulfilled",))
    book.action("commitment.create", _l("Commitment recorded"), "Commitment", _commitment)
    book.action("commitment.reference", _l("Commitment reference corrected"), "Commitment", _reference,
                told=("reference", "closed_year"))
    book.action("deposit.create", _l("Deposit recorded"), "Deposit", _deposit)
    book.action("deposit.reverse", _l("Deposit reversed"), "Deposit", _reversal)
    book.action("deposit.import", _l("Deposits imported"), "Deposit", _import)
    book.action("interest.create", _l("Interest recorded"), "InterestEntry",
                lambda e: _("Recorded by %(user)s: %(amount)s to the %(pool)s pool, value date %(date)s.",
                            user=e.who, amount=e.show("usd_amount"), pool=e.in_sentence("pool_id"),
                            date=e.show("value_date")))
    book.action("interest.reverse", _l("Interest reversed"), "InterestEntry",
                lambda e: _("Reversed by %(user)s: %(amount)s taken back from the %(pool)s pool.", user=e.who,
                            amount=e.money("usd_amount", "USD", absolute=True),
                            pool=e.in_sentence("pool_id")))
    book.action("pool.transfer", _l("Transfer between pools"), "PoolTransfer",
                lambda e: _("%(amount)s moved by %(user)s from the %(source)s pool to the %(target)s pool on "
                            "%(date)s.",
                            user=e.who, amount=e.show("usd_amount"), source=e.in_sentence("from_pool_id"),
                            target=e.in_sentence("to_pool_id"), date=e.show("transferred_on")))
    book.action("transfer_proposal.propose", _l("Transfer between pools proposed"), "TransferProposal",
                lambda e: _("%(user)s proposed moving %(amount)s from the %(source)s pool to the %(target)s "
                            "pool on %(date)s: it waits for a second administrator.",
                            **_transfer_proposal(e)),
                changes=False)
    book.action("transfer_proposal.confirm", _l("Transfer between pools confirmed"), "TransferProposal",
                lambda e: _("%(user)s confirmed the transfer of %(amount)s from the %(source)s pool to the "
                            "%(target)s pool proposed by %(proposer)s: the money moved.",
                            **_transfer_proposal(e)),
                changes=False)
    book.action("transfer_proposal.refuse", _l("Transfer between pools refused"), "TransferProposal",
                lambda e: _("%(user)s refused the transfer of %(amount)s from the %(source)s pool to the "
                            "%(target)s pool proposed by %(proposer)s: %(reason)s",
                            reason=e.iso(e.value("refusal_reason") or ""), **_transfer_proposal(e)),
                changes=False)
    book.action("transfer_proposal.withdraw", _l("Transfer between pools withdrawn"), "TransferProposal",
                lambda e: _("%(user)s withdrew the transfer of %(amount)s from the %(source)s pool to the "
                            "%(target)s pool they had proposed.", **_transfer_proposal(e)),
                changes=False)
    book.action("interest_proposal.propose", _l("Interest proposed"), "InterestProposal", _interest_proposed,
                changes=False)
    book.action("interest_proposal.propose_reversal", _l("Reversal of interest proposed"), "InterestProposal",
                _interest_reversal_proposed, changes=False)
    book.action("interest_proposal.confirm", _l("Interest confirmed"), "InterestProposal",
                _interest_confirmed, changes=False)
    book.action("interest_proposal.refuse", _l("Interest refused"), "InterestProposal", _interest_refused,
                changes=False)
    book.action("interest_proposal.withdraw", _l("Interest withdrawn"), "InterestProposal",
                _interest_withdrawn, changes=False)
    book.action("deposit_reversal.propose", _l("Reversal of a deposit proposed"), "DepositReversalProposal",
                _reversal_proposed, changes=False)
    book.action("deposit_reversal.confirm", _l("Reversal of a deposit confirmed"), "DepositReversalProposal",
                lambda e: _("%(user)s confirmed the reversal of a deposit (%(deposit)s) proposed by "
                            "%(proposer)s: it is recorded.", **_reversal_proposal(e)), changes=False)
    book.action("deposit_reversal.refuse", _l("Reversal of a deposit refused"), "DepositReversalProposal",
                _reversal_refused, changes=False)
    book.action("deposit_reversal.withdraw", _l("Reversal of a deposit withdrawn"), "DepositReversalProposal",
                lambda e: _("%(user)s withdrew the reversal of a deposit (%(deposit)s) they had proposed.",
                            **_reversal_proposal(e)), changes=False)
    book.action("exchange_rate.create", _l("Exchange rate set"), "ExchangeRate", _rate)
    book.action("exchange_rate.update", _l("Exchange rate corrected"), "ExchangeRate", _rate, told=("rate",))
    book.action("exchange_rate.import", _l("Exchange rates imported"), "ExchangeRate", _rate_import)
    book.action("rate_proposal.propose", _l("Exchange rate proposed"), "RateProposal", _rate_proposed,
                changes=False)
    book.action("rate_proposal.confirm", _l("Exchange rate confirmed"), "RateProposal", _rate_confirmed,
                changes=False)
    book.action("rate_proposal.refuse", _l("Exchange rate refused"), "RateProposal", _rate_refused,
                changes=False)
    book.action("rate_proposal.withdraw", _l("Exchange rate withdrawn"), "RateProposal", _rate_withdrawn,
                changes=False)
    book.action("rate_import.upload", _l("Rates file uploaded"), "ExchangeRate",
                lambda e: _("%(user)s uploaded the rates file %(file)s; it waits for a second MPTF officer.",
                            **_rate_file(e)))
    book.action("rate_import.refuse", _l("Rates file refused"), "ExchangeRate",
                lambda e: _("%(user)s refused the rates file %(file)s: %(reason)s Nothing was imported.",
                            reason=e.iso(e.entry.note or ""), **_rate_file(e)))
    book.action("rate_import.withdraw", _l("Rates file withdrawn"), "ExchangeRate",
                lambda e: _("%(user)s withdrew the rates file %(file)s they had uploaded: nothing was "
                            "imported.", **_rate_file(e)))

"""The audit trail in words (trustfund/audit_text.py): the fund's own entries,
write-offs, the pools' closing decisions, the financial closure and the certified
final statements."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit_text import Book, Field, Target, Told
from ..extensions import db
from ..formatting import date, money
from ..fund.entries import CLOSING_KINDS, ENTRY_KINDS, INCOME_KINDS, FundEntry, PoolClosing


def _ids(keys: list[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def load_entries(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(FundEntry.id, FundEntry.kind, FundEntry.usd_amount,
                                        FundEntry.value_date, FundEntry.reverses_id)
                              .where(FundEntry.id.in_(_ids(keys))))
    found = {}
    for row in rows:
        values = {"kind": ENTRY_KINDS.get(row.kind, ""), "amount": money(abs(row.usd_amount), "USD"),
                  "date": date(row.value_date)}
        label = (_("Reversal of a %(kind)s of %(amount)s, %(date)s", **values) if row.reverses_id
                 else _("%(kind)s of %(amount)s, %(date)s", **values))
        found[str(row.id)] = Target(label, "closure.entries")
    return found


def load_closings(keys: list[str]) -> dict[str, Target]:
    rows = db.session.execute(sa.select(PoolClosing.id, PoolClosing.kind, PoolClosing.usd_amount)
                              .where(PoolClosing.id.in_(_ids(keys))))
    return {str(row.id): Target(_("%(decision)s: %(amount)s", decision=CLOSING_KINDS.get(row.kind, ""),
                                  amount=money(row.usd_amount, "USD")), "closure.closing")
            for row in rows}


def _entry(e: Told) -> str:
    return _("%(kind)s of %(amount)s recorded by %(user)s for the %(pool)s pool, value date %(date)s.",
             kind=e.show("kind"), amount=e.show("usd_amount"), user=e.who, pool=e.in_sentence("pool_id"),
             date=e.show("value_date"))


def _entry_reversed(e: Told) -> str:
    """Other income reversed leaves the pool; a direct cost or a bank charge reversed
    comes back to it (fund.entries.reversal_moves)."""
    values = {"user": e.who, "amount": e.money("usd_amount", "USD", absolute=True),
              "pool": e.in_sentence("pool_id")}
    if e.value("kind") in INCOME_KINDS:
        return _("Reversed by %(user)s: %(amount)s taken back from the %(pool)s pool.", **values)
    return _("Reversed by %(user)s: %(amount)s given back to the %(pool)s pool.", **values)


def _decision(e: Told) -> str:
    values = {"user": e.who, "amount": e.show("usd_amount"), "pool": e.in_sentence("pool_id")}
    kind = e.value("kind")
    if kind == "refund":
        return _("%(amount)s of the %(pool)s pool refunded to its donors, decided by %(user)s.", **values)
    if kind == "transfer":
        return _("%(amount)s of the %(pool)s pool transferred to %(fund)s (%(reference)s), "
                 "decided by %(user)s.", fund=e.show("fund_name"), reference=e.show("fund_reference"),
                 **values)
    return _("%(amount)s of the %(pool)s pool not refunded (a residual within the waiver), "
             "decided by %(user)s.", **values)


def _proposal_values(e: Told) -> dict:
    return {"user": e.who, "decision": e.show("kind"), "amount": e.show("usd_amount"),
            "pool": e.in_sentence("pool_id"), "proposer": e.name("user", e.value("proposed_by_id"))}


def _proposed(e: Told) -> str:
    values = _proposal_values(e)
    if e.value("kind") == "transfer":
        return _("%(user)s proposed a closing decision on the %(pool)s pool: %(decision)s, %(amount)s, to "
                 "%(fund)s (%(reference)s); it waits for a second SRSG staff member.",
                 fund=e.show("fund_name"), reference=e.show("fund_reference"), **values)
    return _("%(user)s proposed a closing decision on the %(pool)s pool: %(decision)s, %(amount)s; it waits "
             "for a second SRSG staff member.", **values)


def _confirmed(e: Told) -> str:
    return _("%(user)s confirmed the closing decision on the %(pool)s pool proposed by %(proposer)s "
             "(%(decision)s, %(amount)s): the balance left the pool.", **_proposal_values(e))


def _refused(e: Told) -> str:
    return _("%(user)s refused the closing decision on the %(pool)s pool proposed by %(proposer)s "
             "(%(decision)s, %(amount)s): %(reason)s", reason=e.iso(e.value("refusal_reason") or ""),
             **_proposal_values(e))


def _withdrawn(e: Told) -> str:
    return _("%(user)s withdrew the closing decision on the %(pool)s pool they had proposed (%(decision)s, "
             "%(amount)s).", **_proposal_values(e))


def _entry_proposal_values(e: Told) -> dict:
    return {"user": e.who, "kind": e.show("kind"), "amount": e.show("usd_amount"),
            "pool": e.in_sentence("pool_id"),
            "proposer": e.name("user", e.value("proposed_by_id"))}


def _entry_proposed(e: Told) -> str:
    return _("%(user)s proposed an entry for the %(pool)s pool (%(kind)s of %(amount)s, value date "
             "%(date)s); it waits for a second MPTF officer.", date=e.show("value_date"),
             **_entry_proposal_values(e))


def _entry_reversal_proposed(e: Told) -> str:
    return _("%(user)s proposed to reverse an entry of the %(pool)s pool (%(kind)s of %(amount)s): "
             "%(reason)s It waits for a second MPTF officer.", reason=e.iso(e.value("description") or ""),
             **_entry_proposal_values(e))


def _entry_confirmed(e: Told) -> str:
    if e.value("reverses_id") is not None:
        return _("%(user)s confirmed the reversal of an entry of the %(pool)s pool (%(kind)s of %(amount)s) "
                 "proposed by %(proposer)s: it is recorded.", **_entry_proposal_values(e))
    return _("%(user)s confirmed the entry for the %(pool)s pool (%(kind)s of %(amount)s) proposed by "
             "%(proposer)s: it is recorded.", **_entry_proposal_values(e))


def _entry_refused(e: Told) -> str:
    values = {"reason": e.iso(e.value("refusal_reason") or ""), **_entry_proposal_values(e)}
    if e.value("reverses_id") is not None:
        return _("%(user)s refused the reversal of an entry of the %(pool)s pool (%(kind)s of %(amount)s) "
                 "proposed by %(proposer)s: %(reason)s", **values)
    return _("%(user)s refused the entry for the %(pool)s pool (%(kind)s of %(amount)s) proposed by "
             "%(proposer)s: %(reason)s", **values)


def _entry_withdrawn(e: Told) -> str:
    if e.value("reverses_id") is not None:
        return _("%(user)s withdrew the reversal of an entry of the %(pool)s pool (%(kind)s of %(amount)s) "
                 "they had proposed.", **_entry_proposal_values(e))
    return _("%(user)s withdrew the entry for the %(pool)s pool (%(kind)s of %(amount)s) they had proposed.",
             **_entry_proposal_values(e))


def _written_off(e: Told) -> str:
    return _("%(amount)s of commitment %(commitment)s written off by %(user)s.", amount=e.money("amount"),
             commitment=e.name("commitment", e.value("commitment_id")), user=e.who)


def _write_off_values(e: Told) -> dict:
    return {"user": e.who, "amount": e.money("amount"),
            "commitment": e.name("commitment", e.value("commitment_id")),
            "proposer": e.name("user", e.value("proposed_by_id"))}


def _write_off_proposed(e: Told) -> str:
    return _("%(user)s proposed to write off %(amount)s of commitment %(commitment)s: %(reason)s It waits "
             "for a second MPTF officer.", reason=e.iso(e.value("reason") or ""), **_write_off_values(e))


def _write_off_confirmed(e: Told) -> str:
    return _("%(user)s confirmed the write-off of %(amount)s of commitment %(commitment)s proposed by "
             "%(proposer)s: it is written off.", **_write_off_values(e))


def _write_off_refused(e: Told) -> str:
    return _("%(user)s refused the write-off of %(amount)s of commitment %(commitment)s proposed by "
             "%(proposer)s: %(reason)s", reason=e.iso(e.value("refusal_reason") or ""),
             **_write_off_values(e))


def _write_off_withdrawn(e: Told) -> str:
    return _("%(user)s withdrew the write-off of %(amount)s of commitment %(commitment)s they had proposed.",
             **_write_off_values(e))


def register(book: Book) -> None:
    book.reference("fund_entry", load_entries)
    book.reference("pool_closing", load_closings)
    usd = Field(_l("Amount (USD)"), "money", currency="USD")
    pool = Field(_l("Pool"), "ref", ref="pool")
    book.object("FundEntry", _l("Cost or income of the fund"), {
        "kind": Field(_l("Kind"), "choice", choices=ENTRY_KINDS), "usd_amount": usd, "pool_id": pool,
        "value_date": Field(_l("Value date"), "date"), "description": Field(_l("Description")),
    }, reference="fund_entry", collection=Target(_l("Direct costs, bank charges and other income"),
                                                 "closure.entries"),
        hidden=("reverses_id", "created_by_id", "created_at"))
    book.object("PoolClosing", _l("Closing decision of a pool"), {
        "kind": Field(_l("Decision"), "choice", choices=CLOSING_KINDS), "usd_amount": usd, "pool_id": pool,
        "decided_on": Field(_l("Date"), "date"), "fund_name": Field(_l("Receiving fund")),
        "fund_reference": Field(_l("Reference of the transfer")), "note": Field(_l("Note")),
    }, reference="pool_closing", hidden=("decided_by_id", "created_at"))
    book.object("ClosingProposal", _l("Closing decision waiting for a second SRSG staff member"), {
        "kind": Field(_l("Decision"), "choice", choices=CLOSING_KINDS), "usd_amount": usd, "pool_id": pool,
        "fund_name": Field(_l("Receiving fund")), "fund_reference": Field(_l("Reference of the transfer")),
        "note": Field(_l("Note")), "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, hidden=("proposed_at", "status", "decided_by_id", "decided_at", "refusal_reason", "closing_id"))
    book.object("FundEntryProposal", _l("Cost or income of the fund waiting for a second MPTF officer"), {
        "kind": Field(_l("Kind"), "choice", choices=ENTRY_KINDS), "usd_amount": usd, "pool_id": pool,
        "value_date": Field(_l("Value date"), "date"), "description": Field(_l("Description / reason")),
        "reverses_id": Field(_l("Reverses"), "ref", ref="fund_entry"),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, collection=Target(_l("Direct costs, bank charges and other income"), "closure.entries"),
        hidden=("proposed_at", "proposed_on", "status", "decided_by_id", "decided_at", "refusal_reason",
                "entry_id"))
    book.object("WriteOff", _l("Write-off"), {
        "amount": Field(_l("Amount"), "money", currency_key="currency"),
        "commitment_id": Field(_l("Commitment"), "ref", ref="commitment"),
        "written_off_on": Field(_l("Date"), "date"), "reason": Field(_l("Reason")),
    }, hidden=("currency", "created_by_id", "created_at"))
    book.action("commitment.write_off", _l("Outstanding amount written off"), "WriteOff", _written_off)
    book.object("WriteOffProposal", _l("Write-off waiting for a second MPTF officer"), {
        "amount": Field(_l("Amount"), "money", currency_key="currency"),
        "outstanding": Field(_l("Outstanding when proposed"), "money", currency_key="currency"),
        "commitment_id": Field(_l("Commitment"), "ref", ref="commitment"), "reason": Field(_l("Reason")),
        "proposed_by_id": Field(_l("Proposed by"), "ref", ref="user"),
    }, hidden=("currency", "proposed_at", "status", "decided_by_id", "decided_at", "refusal_reason",
               "entry_id"))
    book.action("write_off.propose", _l("Write-off proposed"), "WriteOffProposal", _write_off_proposed,
                changes=False)
    book.action("write_off.confirm", _l("Write-off confirmed"), "WriteOffProposal", _write_off_confirmed,
                changes=False)
    book.action("write_off.refuse", _l("Write-off refused"), "WriteOffProposal", _write_off_refused,
                changes=False)
    book.action("write_off.withdraw", _l("Write-off withdrawn"), "WriteOffProposal", _write_off_withdrawn,
                changes=False)
    book.action("pool.close", _l("Closing decision on a pool"), "PoolClosing", _decision,
                told=("kind", "usd_amount", "pool_id", "fund_name", "fund_reference"))
    book.action("pool_closing.propose", _l("Closing decision on a pool proposed"), "ClosingProposal",
                _proposed, changes=False)
    book.action("pool_closing.confirm", _l("Closing decision on a pool confirmed"), "ClosingProposal",
                _confirmed, changes=False)
    book.action("pool_closing.refuse", _l("Closing decision on a pool refused"), "ClosingProposal",
                _refused, changes=False)
    book.action("pool_closing.withdraw", _l("Closing decision on a pool withdrawn"), "ClosingProposal",
                _withdrawn, changes=False)
    book.action("fund.close_financially", _l("Fund financially closed"), "Fund",
                lambda e: _("The fund was financially closed by %(user)s.", user=e.who), told=("status",))
    book.action("final_statement.issue", _l("Certified final statements issued"), "Fund",
                lambda e: _("Certified final financial statements signed off and issued by %(user)s.",
                            user=e.who), changes=False)
    book.action("fund_entry.create", _l("Cost or income of the fund recorded"), "FundEntry", _entry)
    book.action("fund_entry.reverse", _l("Cost or income of the fund reversed"), "FundEntry", _entry_reversed)
    book.action("fund_entry.propose", _l("Cost or income of the fund proposed"), "FundEntryProposal",
                _entry_proposed, changes=False)
    book.action("fund_entry.propose_reversal", _l("Reversal of a cost or income of the fund proposed"),
                "FundEntryProposal", _entry_reversal_proposed, changes=False)
    book.action("fund_entry.confirm", _l("Cost or income of the fund confirmed"), "FundEntryProposal",
                _entry_confirmed, changes=False)
    book.action("fund_entry.refuse", _l("Cost or income of the fund refused"), "FundEntryProposal",
                _entry_refused, changes=False)
    book.action("fund_entry.withdraw", _l("Cost or income of the fund withdrawn"), "FundEntryProposal",
                _entry_withdrawn, changes=False)

"""The glossary: the fund's words, explained once, in every language.

Each entry has a title, a one-line summary (the tooltip of a term linked from a page)
and a paragraph or a list. Pages link the words they use to their entry with
`{{ term('pool') }}` (the link text is the entry's title) or `{{ term('pool', _('Pools')) }}`:
a link to /help/glossary#term-pool that says its summary when pointed at.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape


@dataclass(frozen=True)
class Entry:
    key: str
    title: object
    summary: object
    body: tuple = ()  # paragraphs
    items: tuple = ()  # (SAA status, text) pairs: the states of the SAA


GLOSSARY = (
    Entry("saa", _l("Standard Administrative Arrangement (SAA)"),
          _l("The agreement a donor signs with the MPTF Office before it contributes."),
          (_l("The SAA is the legal agreement between a donor and the MPTF Office, the fund's "
              "Administrative Agent. A pledge may be recorded whatever its status; a commitment or "
              "a deposit only while it is in force: signed or amended."),)),
    Entry("saa_status", _l("SAA status"),
          _l("Where the donor's SAA stands, from not started to signed, amended or closed."),
          (_l("Every change of status is kept in the donor's history: who, when, and the note."),),
          (("not_started", _l("Nothing has been sent to the donor yet.")),
           ("draft_shared", _l("The MPTF Office has sent the standard text.")),
           ("under_negotiation", _l("The donor and the MPTF Office are discussing the text.")),
           ("signed", _l("In force, with its date, both signatories and its reference.")),
           ("amended", _l("In force, as changed by a signed amendment.")),
           ("closed", _l("No new commitment or deposit may be recorded.")))),
    Entry("pledged", _l("Pledged, not yet committed"),
          _l("What a donor has announced and not yet signed as a commitment."),
          (_l("A pledge is an announced amount. Once the donor signs a commitment against it, that "
              "amount counts as committed and no longer as pledged, so that nothing is counted twice. "
              "What remains of a pledge in force is \u201cpledged, not yet committed\u201d; a withdrawn "
              "pledge counts nowhere."),)),
    Entry("committed", _l("Committed"),
          _l("The amount a donor commits under its signed SAA, in its own currency."),
          (_l("A commitment names its currency, its amount, its earmarking and possibly a schedule of "
              "instalments. Deposits are received against it, never above it."),)),
    Entry("deposited", _l("Deposited"),
          _l("Money received against a commitment, reversals deducted."),
          (_l("Each deposit is recorded in the commitment's currency with the UN operational rate of "
              "exchange of its month, its value in US dollars, the Administrative Agent fee and the net "
              "amount. A mistaken deposit is never deleted: it is reversed by an entry of the opposite "
              "amounts that names it, with a reason."),)),
    Entry("outstanding", _l("Outstanding"),
          _l("What is committed and not yet deposited."),
          (_l("Outstanding is committed less deposited, in the commitment's currency. An instalment "
              "whose due date has passed while the deposits are below what was due by then is "
              "overdue."),)),
    Entry("pool", _l("Pool"),
          _l("Where the fund's money is kept: one un-earmarked pool and one per objective."),
          (_l("A pool receives the net deposits earmarked to it (and, for the un-earmarked pool, the "
              "interest) and any other income credited to it, gives and receives transfers, and pays the "
              "travel grants approved from it and the direct costs and bank charges charged to it. "
              "Available is what it received less what is committed to grants or spent; it is never "
              "negative."),)),
    Entry("earmarking", _l("Earmarking"),
          _l("A donor's choice to give to one objective of the fund, or to leave its money un-earmarked, "
            "for any of them."),
          (_l("Un-earmarked money may be used for any objective of the fund, and is encouraged. Money "
              "earmarked to an objective goes to that objective's pool."),)),
    Entry("fee", _l("Administrative Agent fee"),
          _l("The MPTF Office's part of each deposit's US dollar amount, at the rate in force on its "
             "value date (1 per cent under the SAA)."),
          (_l("The MPTF Office, as Administrative Agent, deducts its fee from each deposit when it is "
              "received: the fee rate in force on the deposit's value date (1 per cent under the "
              "Standard Administrative Arrangement) times the deposit's amount in US dollars, rounded "
              "to the cent; the rest, the net amount, goes to the pool."),)),
    Entry("share", _l("Share of spending"),
          _l("A donor's part of a pool's spending, in proportion to its net deposits into the pool."),
          (_l("Each pool's spending is shared among the donors who gave to it, in proportion to their "
              "net deposits, and rounded so that the shares add up to the spending to the cent. "
              "Spending paid from interest belongs to no donor."),)),
    Entry("balance", _l("Balance"),
          _l("A donor's net deposits less its share of spending."),
          (_l("The balance is the donor's money still in the fund: its net deposits less its share of "
              "the pools' spending. The statement shows it at the start and at the end of any "
              "period."),)),
    Entry("ldc", _l("Least developed countries (LDCs)"),
          _l("Countries the UN lists as least developed; their delegates come first."),
          (_l("Delegates of developing countries may be funded; those of LDCs come first in every "
              "review queue. A country's LDC periods are kept with their dates: whether it is an LDC is "
              "judged on the start date of the event. A country that graduates stops being an LDC on "
              "its graduation date; events after that date count it as another developing "
              "country."),)),
    Entry("overrun", _l("Overrun"),
          _l("Actual travel costs above what was committed for a grant."),
          (_l("The pool pays the committed amount at once. The difference is paid at once too when it "
              "is within the tolerance the administrators set; otherwise only once a second SRSG staff "
              "member, not the one who recorded the costs, approves it. A rejected overrun is not "
              "paid."),)),
)
ENTRIES = {entry.key: entry for entry in GLOSSARY}


def term(key: str, text=None) -> Markup:
    """A word of a page linked to its glossary entry, its summary as the tooltip."""
    entry = ENTRIES[key]
    href = url_for("main.glossary", _anchor=f"term-{key}")
    shown = entry.title if text is None else text
    return Markup('<a class="term" href="{}" title="{}">{}</a>').format(
        href, escape(str(entry.summary)), escape(str(shown)))

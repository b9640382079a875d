"""What each role's dashboard shows: the services' figures laid out as blocks.

- MPTF officer: contributions (pledged, committed, deposited; by donor type, by
  earmarking, by currency; overdue instalments; SAAs awaiting signature).
- SRSG staff: pools and travel (money per pool, spending against budget, grants by
  status, funded delegates per event, LDC and other developing countries). No
  donor breakdowns: allocations do not depend on who gave.
- Admin and auditor: both of the above and the latest entries of the audit trail.
- Donor: its own commitments, deposits and share of spending (donor_dashboard).

A dashboard is a summary: the tables that grow with the data (overdue instalments,
SAAs awaiting signature, events) show TABLE_ROWS rows, how many more there are and
links to the full lists; their totals, charts and the .xlsx keep every row.

The staff dashboards' figures sum every deposit and grant: each worker keeps them
(trustfund.cache) while the data is unchanged. Every change of the data changes
the data version, so the next request computes afresh: a new deposit shows at
once. The key names today's date (overdue instalments) and the locale (pool
labels are translated).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _

from .. import cache, clock
from ..audit_text import book, describe_many
from ..donors.models import DONOR_TYPES, SAA_STATUSES
from ..formatting import money as fmt_money
from ..formatting import number
from ..permissions import ADMIN, AUDITOR, DONOR, MPTF_OFFICER, SRSG_STAFF
from ..travel.models import GRANT_STATUSES
from . import services, travel_figures
from .blocks import TABLE_ROWS, Block, Chart, Column, Dashboard, MoreLink, Tile

USD = "USD"


def _usd(key: str, header: str) -> Column:
    return Column(key, header, "money", currency=USD)


def _sum(rows: list[dict], *keys: str) -> dict:
    return {key: sum((row[key] for row in rows), type(rows[0][key])()) if rows else 0 for key in keys}


def _capped(block: Block, more, links: list[MoreLink], *, last: bool = False,
            count: int | None = None) -> Block:
    """A table that grows with the data: TABLE_ROWS rows on the page (the last ones
    if `last`), then `more(shown, count)` and links to the full lists. The
    chart, the totals and the .xlsx keep every row. `more` gets the integers: its
    message chooses the plural form by `count` and formats the numbers itself."""
    block.cap, block.cap_last, block.count, block.more_links = TABLE_ROWS, last, count, links
    if block.more_count:
        every = len(block.table_rows) + block.more_count
        block.more = more(len(block.table_rows), every)
        # The page's total row sums every row, not only those shown: it says so (the
        # .xlsx has every row, so its "Total" stays).
        block.totals_label = ngettext("Total of all %(count)s row", "Total of all %(count)s rows", every,
                                      count=number(every))
    return block


def _labels(*choices: dict) -> dict[str, str]:
    """The translated labels of some choices (keys must not clash between them)."""
    return {key: str(label) for labels in choices for key, label in labels.items()}


def _flow_columns() -> list[Column]:
    return [_usd("pledged", _("Pledged, not yet committed (USD)")), _usd("committed", _("Committed (USD)")),
            _usd("deposited", _("Deposited (USD)"))]


def contribution_blocks(fig: services.ContributionFigures) -> tuple[list[Block], list[Tile]]:
    overview_rows = [
        {"figure": _("Pledged, not yet committed"), "usd": fig.total.pledged},
        {"figure": _("Committed"), "usd": fig.total.committed},
        {"figure": _("Deposited"), "usd": fig.total.deposited},
        {"figure": _("Administrative Agent fee"), "usd": fig.fees},
        {"figure": _("Net deposits"), "usd": fig.net},
    ]
    rate_note = _("Pledges and commitments are converted to USD at the UN operational rate of "
                  "their month; deposits at the rate recorded with each deposit.") + " " + _(
        "A pledge counts only for what is not yet committed: once its commitment is recorded, it "
        "counts as committed.")
    overview = Block("overview", _("Pledged, committed and deposited"),
                     [Column("figure", _("Figure")), _usd("usd", _("Amount (USD)"))], overview_rows,
                     chart=Chart("figure", ["usd"]), note=rate_note, sheet_title=_("Overview"))

    type_rows = [{"type": str(DONOR_TYPES.get(key, key)), "pledged": flow.pledged,
                  "committed": flow.committed, "deposited": flow.deposited}
                 for key, flow in fig.by_type.items()]
    by_type = Block("by_type", _("By donor type"), [Column("type", _("Donor type"))] + _flow_columns(),
                    type_rows,
                    totals={"type": _("Total"), **_sum(type_rows, "pledged", "committed", "deposited")},
                    chart=Chart("type", ["pledged", "committed", "deposited"]))

    earmark_rows = [{"earmark": label if key is not None else _("Un-earmarked"), "pledged": flow.pledged,
                     "committed": flow.committed, "deposited": flow.deposited}
                    for key, label, flow in fig.by_earmark]
    by_earmark = Block("by_earmark", _("Un-earmarked and earmarked"),
                       [Column("earmark", _("Earmarking"))] + _flow_columns(), earmark_rows,
                       totals={"earmark": _("Total"),
                               **_sum(earmark_rows, "pledged", "committed", "deposited")},
                       chart=Chart("earmark", ["pledged", "committed", "deposited"], horizontal=True),
                       note=_("Earmarked money is credited to the pool of the objective the donor chose "
                              "and stays with that objective (a surplus of Objective 1 may be used for "
                              "Objective 2, by a transfer two people confirm). Un-earmarked money may be "
                              "used for any objective."))

    currency_rows = [{"currency": c.currency, "pledged": c.pledged, "committed": c.committed,
                      "deposited": c.deposited, "pledged_usd": c.pledged_usd,
                      "committed_usd": c.committed_usd, "deposited_usd": c.deposited_usd}
                     for c in fig.by_currency]
    by_currency = Block(
        "by_currency", _("By currency"),
        [Column("currency", _("Currency")),
         Column("pledged", _("Pledged, not yet committed"), "money", currency_key="currency"),
         Column("committed", _("Committed"), "money", currency_key="currency"),
         Column("deposited", _("Deposited"), "money", currency_key="currency"),
         _usd("pledged_usd", _("Pledged, not yet committed (USD)")),
         _usd("committed_usd", _("Committed (USD)")),
         _usd("deposited_usd", _("Deposited (USD)"))],
        currency_rows,
        totals={"currency": _("Total (USD)"),
                **_sum(currency_rows, "pledged_usd", "committed_usd", "deposited_usd")},
        chart=Chart("currency", ["pledged_usd", "committed_usd", "deposited_usd"],
                    title=_("By currency, in USD")),
        note=_("Amounts in their own currency, then in USD."), empty=_("No contributions yet."), wide=True)

    blocks = [overview, by_type, by_earmark, by_currency]
    if fig.unconverted:
        rows = [{"what": _("Pledged, not yet committed") if u.kind == "pledged" else _("Committed"),
                 "currency": u.currency, "month": u.month, "amount": u.amount} for u in fig.unconverted]
        blocks.append(Block(
            "unconverted", _("Not in the USD figures: no exchange rate for the month"),
            [Column("what", _("Figure")), Column("currency", _("Currency")),
             Column("month", _("Month"), "month"),
             Column("amount", _("Amount"), "money", currency_key="currency")], rows,
            note=_("Enter the UN operational rate of these months to include them."),
            link=("contributions.rates", _("Exchange rates")), sheet_title=_("Without an exchange rate")))

    overdue_rows = [{"donor": o.donor_name, "reference": o.reference or f"#{o.commitment_id}",
                     "currency": o.currency, "due_on": o.due_on, "amount": o.amount,
                     "shortfall": o.shortfall, "days_late": o.days_late} for o in fig.overdue]
    blocks.append(_capped(Block(
        "overdue", _("Overdue instalments"),
        [Column("donor", _("Donor")), Column("reference", _("Commitment")), Column("currency", _("Currency")),
         Column("due_on", _("Due on"), "date"),
         Column("amount", _("Instalment"), "money", currency_key="currency"),
         Column("shortfall", _("Not yet deposited"), "money", currency_key="currency"),
         Column("days_late", _("Days late"), "int")],
        overdue_rows, empty=_("No instalment is overdue."), wide=True),
        lambda shown, count: ngettext(
            "The %(shown)s oldest of %(count)s overdue instalment; the .xlsx has them all.",
            "The %(shown)s oldest of %(count)s overdue instalments; the .xlsx has them all.",
            count, shown=number(shown), count=number(count)),
        [MoreLink("contributions.index", _("Commitments with an overdue instalment"),
                  {"status": "overdue"})],
        count=fig.overdue_count))

    labels = _labels(DONOR_TYPES, SAA_STATUSES)  # translated once, not once per donor
    saa_rows = [{"donor": a.donor_name, "type": labels.get(a.donor_type, a.donor_type),
                 "status": labels.get(a.status, a.status), "since": a.since}
                for a in fig.awaiting_saa]
    blocks.append(_capped(Block(
        "saa", _("SAAs awaiting signature"),
        [Column("donor", _("Donor")), Column("type", _("Donor type")), Column("status", _("SAA status")),
         Column("since", _("Since (UTC)"), "datetime", page_header=_("Since"))],
        saa_rows, empty=_("No SAA is waiting for signature."), link=("donors.index", _("Donors")), wide=True),
        lambda shown, count: ngettext(
            "The %(shown)s waiting longest of %(count)s donor; the .xlsx has them all.",
            "The %(shown)s waiting longest of %(count)s donors; the .xlsx has them all.",
            count, shown=number(shown), count=number(count)),
        [MoreLink("donors.index", _("Donors: %(status)s", status=SAA_STATUSES[status]), {"saa": status})
         for status in services.AWAITING_SIGNATURE]))

    tiles = [Tile(_("Pledged, not yet committed"), fig.total.pledged),
             Tile(_("Committed"), fig.total.committed),
             Tile(_("Deposited"), fig.total.deposited),
             Tile(_("Net deposits"), fig.net, detail=_("after the Administrative Agent fee"))]
    return blocks, tiles


def travel_blocks(fig: travel_figures.TravelFigures) -> tuple[list[Block], list[Tile]]:
    # Every figure the pool's available money is made of (contributions.pools), so that
    # each row adds up to it, to the cent.
    pool_rows = [{"pool": p.label, "deposits_net": p.deposits_net, "interest": p.interest,
                  "other_income": p.other_income, "transfers_in": p.transfers_in,
                  "transfers_out": p.transfers_out, "committed": p.committed, "spent": p.spent,
                  "direct_costs": p.direct_costs, "bank_charges": p.bank_charges,
                  "closed_out": p.closed_out, "available": p.available}
                 for p in fig.pools]
    money_keys = ("deposits_net", "interest", "other_income", "transfers_in", "transfers_out", "committed",
                  "spent", "direct_costs", "bank_charges", "closed_out", "available")
    pools = Block(
        "pools", _("Money available per pool"),
        [Column("pool", _("Pool")), _usd("deposits_net", _("Net deposits")), _usd("interest", _("Interest")),
         _usd("other_income", _("Other income")),
         _usd("transfers_in", _("Transfers in")), _usd("transfers_out", _("Transfers out")),
         _usd("committed", _("Grants committed, not yet reconciled")),
         _usd("spent", _("Actual costs of reconciled grants")),
         _usd("direct_costs", _("Direct costs")), _usd("bank_charges", _("Bank charges")),
         _usd("closed_out", _("Refunded, transferred or not refunded at closure")),
         _usd("available", _("Available"))],
        pool_rows, totals={"pool": _("Total"), **_sum(pool_rows, *money_keys)},
        chart=Chart("pool", ["available"], horizontal=True), link=("contributions.pools", _("Pools")),
        note=_("All amounts in USD."), wide=True)

    budget_rows = [{"pool": p.label, "budget": p.budget, "spent": p.spent, "direct_costs": p.direct_costs,
                    "bank_charges": p.bank_charges, "committed": p.committed, "closed_out": p.closed_out,
                    "available": p.available, "used": p.used_percent} for p in fig.pools]
    budget_keys = ("budget", "spent", "direct_costs", "bank_charges", "committed", "closed_out", "available")
    budget_totals = {"pool": _("Total"), **_sum(budget_rows, *budget_keys)}
    budget = Block(
        "budget", _("Spending against budget"),
        [Column("pool", _("Pool")), _usd("budget", _("Budget")),
         _usd("spent", _("Actual costs of reconciled grants")),
         _usd("direct_costs", _("Direct costs")), _usd("bank_charges", _("Bank charges")),
         _usd("committed", _("Grants committed, not yet reconciled")),
         _usd("closed_out", _("Refunded, transferred or not refunded at closure")),
         _usd("available", _("Available")),
         Column("used", _("Used (%)"), "percent")],
        budget_rows, totals=budget_totals,
        chart=Chart("pool", list(budget_keys[1:]), stacked=True, horizontal=True),
        note=_("A pool's budget is what it received: net deposits, interest, other income and "
               "transfers in, less transfers out. Used is what was spent, the direct costs, the bank "
               "charges and what is committed to grants, as a share of the budget."))

    status_rows = [{"status": str(GRANT_STATUSES.get(s.status, s.status)), "count": s.count,
                    "requested": s.requested, "actual": s.actual}
                   for s in fig.statuses]
    statuses = Block(
        "grants_by_status", _("Travel grants by status"),
        [Column("status", _("Status")), Column("count", _("Grants"), "int"),
         _usd("requested", _("Estimated total (USD)")), _usd("actual", _("Spent (USD)"))],
        status_rows, totals={"status": _("Total"), **_sum(status_rows, "count", "requested", "actual")},
        chart=Chart("status", ["count"], unit="count"), link=("travel.grants", _("Travel grants")))

    event_rows = [{"event": f"{e.title} ({e.city})", "start_on": e.start_on, "ldc": e.ldc, "other": e.other,
                   "total": e.total}
                  for e in fig.events]
    events = _capped(Block(
        "events", _("Funded delegates per event"),
        [Column("event", _("Event")), Column("start_on", _("Starts on"), "date"),
         Column("ldc", _("From LDCs"), "int"), Column("other", _("From other developing countries"), "int"),
         Column("total", _("Total"), "int")],
        event_rows, totals={"event": _("Total"), **_sum(event_rows, "ldc", "other", "total")},
        chart=Chart("event", ["ldc", "other"], unit="count", stacked=True, horizontal=True),
        note=_("Funded: approved, travelled or no-show."), empty=_("No events yet."),
        link=("travel.events", _("Events")), wide=True),
        lambda shown, count: ngettext(
            "The %(shown)s latest of %(count)s event; the chart and the .xlsx have them all.",
            "The %(shown)s latest of %(count)s events; the chart and the .xlsx have them all.",
            count, shown=number(shown), count=number(count)),
        [MoreLink("travel.events", _("Events"), {})], last=True)

    ldc_rows = [{"group": _("Least developed countries") if g.ldc else _("Other developing countries"),
                 "requests": g.requests, "funded": g.funded, "amount": g.amount} for g in fig.ldc]
    ldc = Block(
        "ldc", _("LDCs and other developing countries"),
        [Column("group", _("Countries")), Column("requests", _("Requests"), "int"),
         Column("funded", _("Funded delegates"), "int"), _usd("amount", _("Committed or spent (USD)"))],
        ldc_rows, totals={"group": _("Total"), **_sum(ldc_rows, "requests", "funded", "amount")},
        chart=Chart("group", ["requests", "funded"], unit="count"),
        note=_("LDC status as of each event's start date."), sheet_title=_("LDCs and other countries"))

    ldc_funded = fig.ldc[0].funded
    # What travel can be paid from: not the pools of the other objectives (a transfer
    # brings their money to travel); every pool's is in the table above.
    tiles = [Tile(_("Available for travel"), fig.available_for_travel,
                  detail=_("Objective 1 and un-earmarked pools")),
             Tile(_("Requests awaiting a decision"), fig.awaiting_decision, "int"),
             Tile(_("Funded delegates"), fig.funded, "int",
                  detail=ngettext("%(count)s from an LDC", "%(count)s from LDCs", ldc_funded,
                                  count=number(ldc_funded)))]
    return [pools, budget, statuses, events, ldc], tiles


def _audit_rows() -> list[dict]:
    return [{"at": d.entry.at, "object": d.target.label if d.target else d.kind_label, "what": d.sentence}
            for d in describe_many(services.latest_audit_entries(10, without=book().routine_actions()))]


def audit_block() -> Block:
    # Kept like the figures (every entry is written with the change it records, so a
    # new one changes the data version): the sentences are in the reader's language
    # and show times in the reader's time zone, so both name the key.
    rows = cache.keep(("dashboard", "audit", str(get_locale()), str(get_timezone())), _audit_rows)
    return Block("audit", _("Latest entries of the audit trail"),
                 [Column("at", _("When (UTC)"), "datetime", page_header=_("When")),
                  Column("object", _("Object")),
                  Column("what", _("What happened"))],
                 rows, empty=_("No entries yet."), link=("admin.audit", _("Audit trail")), wide=True,
                 sheet_title=_("Audit trail"))


def donor_blocks(fig: services.DonorFigures) -> tuple[list[Block], list[Tile]]:
    commitment_rows = [{"currency": c.currency, "count": c.count, "committed": c.committed,
                        "deposited": c.deposited, "written_off": c.written_off,
                        "outstanding": c.outstanding} for c in fig.commitments]
    # What the fund's closure wrote off, once anything was: without it a row's
    # outstanding amount would not be its committed amount less its deposits.
    written_off = any(c.written_off for c in fig.commitments)
    commitments = Block(
        "donor_commitments", _("Commitments"),
        [Column("currency", _("Currency")), Column("count", _("Commitments"), "int"),
         Column("committed", _("Committed"), "money", currency_key="currency"),
         Column("deposited", _("Deposited"), "money", currency_key="currency"),
         *([Column("written_off", _("Written off"), "money", currency_key="currency")]
           if written_off else []),
         Column("outstanding", _("Outstanding"), "money", currency_key="currency")],
        commitment_rows, empty=_("No commitments yet."), note=_("In the currency of each commitment."))
    pool_rows = [{"pool": p.label, "deposited_usd": p.deposited_usd, "fees": p.fees, "net": p.net,
                  "weight": p.weight, "pool_spending": p.pool_spending, "share": p.share_of_spending}
                 for p in fig.pools]
    # Where transfers between pools moved some of the donor's money, the net deposits
    # its share counts (the statement's) beside those it made into each pool.
    moved = any(p.moved for p in fig.pools)
    pools = Block(
        "donor_pools", _("Deposits and share of spending"),
        [Column("pool", _("Pool")), _usd("deposited_usd", _("Deposited (USD)")),
         _usd("fees", _("Administrative Agent fee")), _usd("net", _("Net deposits")),
         *([_usd("weight", _("Net deposits after transfers between pools"))] if moved else []),
         _usd("pool_spending", _("Spending of the pool")), _usd("share", _("Your share of spending"))],
        pool_rows, totals={"pool": _("Total"), **_sum(pool_rows, "deposited_usd", "fees", "net", "share",
                                                      *(("weight",) if moved else ()))},
        chart=Chart("pool", ["weight" if moved else "net", "share"]), empty=_("No deposits yet."),
        note=_("Your share of a pool's spending is in proportion to your net deposits into it, after the "
               "transfers between pools (which move donors' money from one pool to another).") if moved
        else _("Your share of a pool's spending is in proportion to your net deposits into it."))
    # The words of the portal's balance and of the statement, just below and beside.
    later = _("Of which %(amount)s is dated after today, not yet in your balance of today.",
              amount=fmt_money(fig.net_later, USD)) if fig.net_later else ""
    tiles = [Tile(_("Deposited"), fig.deposited_usd), Tile(_("Net deposits"), fig.net, detail=later),
             Tile(_("Your share of spending"), fig.share_of_spending)]
    return [commitments, pools], tiles


def donor_dashboard(donor_id: int) -> Dashboard:
    blocks, tiles = donor_blocks(services.donor_figures(donor_id))
    return Dashboard(DONOR, [(_("Your contributions"), blocks)], tiles)


def _figures(name, on: dt.date, compute):
    """compute(), kept per worker at the current data version (see module doc)."""
    return cache.keep(("dashboard", name, on, str(get_locale())), compute)


def _contributions(on: dt.date, complete: bool) -> services.ContributionFigures:
    """The contribution figures, kept under one key for the page and its .xlsx: the
    sums with the page's first overdue instalments and how many there are. The .xlsx
    (`complete`) has every overdue instalment: read afresh when the sums were kept (a
    download after a view of the page sums nothing else again); when it computes
    the sums itself, the page's first rows are the first of its rows (same order)."""
    every = None

    def compute():
        nonlocal every
        rows, count = services.overdue_instalments(on, None if complete else TABLE_ROWS)
        if complete:
            every = rows
        return services.contribution_sums(on), rows[:TABLE_ROWS], count

    sums, first, count = _figures("contributions", on, compute)
    if not complete:
        return services.with_overdue(sums, first, count)
    if every is None:
        every, count = services.overdue_instalments(on, None)
    return services.with_overdue(sums, every, count)


def dashboard_for(role: str, donor_id: int | None = None, *, complete: bool = False,
                  on: dt.date | None = None) -> Dashboard:
    """The dashboard of a role (a donor's needs its donor id) as of `on` (today). The
    page's tables that grow with the data show their first rows only; `complete` (the
    .xlsx) loads every row of them (the overdue instalments are otherwise read up to
    the page's cap)."""
    if role == DONOR:
        return donor_dashboard(donor_id)
    on = on or clock.today()
    board = Dashboard(role)
    if role in (MPTF_OFFICER, ADMIN, AUDITOR):
        blocks, tiles = contribution_blocks(_contributions(on, complete))
        board.sections.append((_("Contributions"), blocks))
        board.tiles += tiles
    if role in (SRSG_STAFF, ADMIN, AUDITOR):
        blocks, tiles = travel_blocks(
            _figures("travel", on, travel_figures.travel_figures))
        board.sections.append((_("Pools and travel support"), blocks))
        board.tiles += tiles
    if role in (ADMIN, AUDITOR):
        board.sections.append((_("Audit trail"), [audit_block()]))
    return board

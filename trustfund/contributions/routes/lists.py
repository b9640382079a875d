"""Contributions: the lists of pledges, commitments and deposits and the pages of a
single commitment, pledge and deposit (the entry forms are in entries.py, rates,
pools and objectives in fund.py, the import in imports.py)."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SearchField
from wtforms.widgets import Select

from ... import cache, currencies, language
from ...clock import today
from ...donors.choices import NAME_SEARCH_MAX, few_donors
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...paging import per_page
from ...permissions import FINANCE_READERS as READERS
from ...permissions import MPTF_OFFICER, roles_required
from .. import lists, queries, reversal_changes, services
from ..blueprint import bp
from ..exports import commitment_statuses
from ..forms import DecideTransferForm, ListFilterForm, ReasonForm, ReferenceForm, RefuseTransferForm
from ..loaders import get_commitment_or_404
from ..models import Commitment, Deposit, Pledge
from ..rules import overdue_instalments

_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


class ManyOptionsSelect(Select):
    """wtforms' Select, each plain option written as a plain string: the same HTML
    (markupsafe's escapes), without two Markup objects per option, which made the
    list of every donor (5,000 at a hundred times the fund's size) the slowest part
    of the list pages (docs/performance.md)."""

    @classmethod
    def render_option(cls, value, label, selected, **kwargs):
        if kwargs or type(value) is not str or type(label) is not str:
            return super().render_option(value, label, selected, **kwargs)
        attributes = "selected " if selected else ""
        return (f'<option {attributes}value="{value.translate(_HTML_ESCAPES)}">'
                f"{label.translate(_HTML_ESCAPES)}</option>")


class ListFilters(ListFilterForm):
    """The lists' filters, with the search of donors' names used when there are too
    many donors for a select."""

    donor_name = SearchField(_l("Donor"), render_kw={"placeholder": _l("Name or part of it"),
                                                     "maxlength": NAME_SEARCH_MAX})


def _donor_filter(form: ListFilters, filters: dict, endpoint: str) -> dict | None:
    """Sets up the donor filter: the select of every donor when there are few, else
    the name search. Returns what the search shows of a donor chosen by id (a link
    from the donor's page: ?donor=ID), with the link that drops it; else None."""
    rows, chosen = few_donors(filters["donor"])
    if rows is not None and not filters["donor_name"]:  # a name searched stays shown
        rows.sort(key=lambda r: (r.name.lower(), r.id))
        form.donor.choices = [("", _("All donors"))] + [(str(r.id), r.name) for r in rows]
        form.donor.widget = ManyOptionsSelect()
        form.donor.data = str(filters["donor"]) if filters["donor"] else ""
        form.donor_filter = form.donor
        return None
    form.donor_filter = form.donor_name
    if not filters["donor"]:
        return None
    name = chosen.name if chosen is not None else f"#{filters['donor']}"
    args = {k: v for k, v in request.args.items() if k not in ("donor", "donor_id", "page")}
    return {"id": filters["donor"], "name": name,
            "clear_url": url_for(endpoint, **args)}


def objective_choices() -> list[tuple[str, str]]:
    """The earmarking filter's objectives: (id, "Objective 1: its title, shortened")."""
    def short(objective) -> str:
        title = objective.local_title
        title = title if len(title) <= 40 else title[:39].rstrip() + "…"
        return _("Objective %(number)s: %(title)s", number=objective.number, title=title)

    return [(str(o.id), short(o)) for o in queries.objectives()]


def _kept_choices() -> tuple[tuple, tuple]:
    """The filters' currencies in use and objectives, named in the reader's language:
    kept per locale while the data is unchanged (trustfund.cache), since both lists
    show them at each view (three statements)."""
    def compute():
        return (tuple((c, currencies.label(c)) for c in queries.currencies_in_use()),
                tuple(objective_choices()))

    return cache.keep(("contributions.filter_choices", str(language.locale())), compute)


def filter_form(filters: dict, endpoint: str, kind: str | None = None) -> tuple[ListFilters, dict | None]:
    """The filter form and the donor chosen by id when the donor filter is a name search."""
    form = ListFilters(request.args)
    chosen = _donor_filter(form, filters, endpoint)
    currency_choices, objective_choices = _kept_choices()
    form.currency.choices = [("", _("All currencies")), *currency_choices]
    form.earmark.choices = [("", _("Any earmarking")), ("none", _("Un-earmarked")), *objective_choices]
    if kind == "pledges":
        form.status.choices = [("", _("All")), ("active", _("In force")), ("fulfilled", _("Fulfilled")),
                               ("withdrawn", _("Withdrawn"))]
    else:
        form.status.choices = [("", _("All")), ("outstanding", _("Deposits outstanding")),
                               ("complete", _("Settled (fully deposited or rest written off)")),
                               ("overdue", _("Instalment overdue"))]
    return form, chosen


def _export_filters(filters: dict) -> dict:
    return queries.shown_filters(filters)


@bp.route("/")
@roles_required(*READERS)
def index():
    """Pledges and commitments, with what has been deposited and what is outstanding."""
    filters = queries.parse_filters(request.args, queries.COMMITMENT_SORTS)
    filters["commitment"] = None  # a filter of the deposits' list only
    if request.args.get("format") == "xlsx":
        return export_response("contributions", _export_filters(filters), current_user)
    form, chosen_donor = filter_form(filters, "contributions.index", filters["kind"])
    if filters["kind"] == "pledges":
        page = lists.page_of(queries.pledge_query(filters, current_user), request.args, per_page())
        totals = lists.pledge_totals(filters, current_user)
        overdue = {}
    else:
        totals = lists.commitment_totals(filters, current_user)
        # The totals count the filtered commitments: the pager needs no count of its own.
        page = lists.commitment_page(filters, current_user, request.args, per_page(),
                                     total=sum(t["count"] for t in totals))
        overdue = queries.overdue_by_commitment([row.Commitment for row in page.items])
    return render_template("contributions/index.html", page=page, form=form, filters=filters,
                           totals=totals, overdue=overdue, status_of=commitment_statuses(),
                           chosen_donor=chosen_donor, earmark_label=queries.earmark_labeller())


@bp.route("/deposits")
@roles_required(*READERS)
def deposits():
    """Deposits and reversals, with totals per currency and in USD."""
    filters = queries.parse_filters(request.args, queries.DEPOSIT_SORTS)
    if request.args.get("format") == "xlsx":
        return export_response("deposits", _export_filters(filters), current_user)
    form, chosen_donor = filter_form(filters, "contributions.deposits")
    per_currency, usd = lists.deposit_totals(filters, current_user)
    # The totals count the rows (reversals included): the pager needs no count of its own.
    page = lists.deposit_page(filters, current_user, request.args, per_page(), total=usd["count"])
    commitment = db.session.get(Commitment, filters["commitment"]) if filters["commitment"] else None
    reversed_by = queries.reversals_of(row.Deposit.id for row in page.items
                                       if row.Deposit.reverses_id is None)
    return render_template("contributions/deposits.html", page=page, form=form, filters=filters,
                           per_currency=per_currency, usd=usd, commitment=commitment, reversed_by=reversed_by,
                           chosen_donor=chosen_donor, earmark_label=queries.earmark_labeller(),
                           waiting_reversals=reversal_changes.waiting(
                               partial(queries.deposits_among, filters, current_user)))


@bp.route("/commitments/<int:commitment_id>")
@roles_required(*READERS)
def commitment(commitment_id: int):
    """A commitment: its schedule (overdue instalments flagged), deposits and reversals,
    write-offs (recorded, and one waiting for a second MPTF officer); for officers, the
    form correcting its reference."""
    item = get_commitment_or_404(commitment_id)
    form = None
    if current_user.role == MPTF_OFFICER:
        form = ReferenceForm(data={"reference_seen": item.reference or ""})
    return commitment_page(item, form)


def commitment_page(item, reference_form):
    """The commitment's page (with the reference form as posted, when it was refused).
    Its latest deposits and reversals, a page of them (the deposits list, filtered by
    the commitment, pages through all of them): the scale demo's largest commitment has
    1,983, whose every row took 400-800 ms to load and render; the sums received are
    over all of them (SQL)."""
    shown = per_page()
    deposits = db.session.scalars(
        sa.select(Deposit).where(Deposit.commitment_id == item.id).order_by(Deposit.id.desc()).limit(shown)
        .options(sa.orm.selectinload(Deposit.reversed_by), sa.orm.selectinload(Deposit.reverses))).all()
    deposits.reverse()  # oldest first, as recorded
    count = len(deposits) if len(deposits) < shown else db.session.scalar(
        sa.select(sa.func.count()).select_from(Deposit).where(Deposit.commitment_id == item.id))
    overdue = {i.id for i in overdue_instalments(item.instalments, item.settled, today())}
    cumulative, schedule = 0, []
    for instalment in item.instalments:
        cumulative += instalment.amount
        schedule.append((instalment, cumulative, instalment.id in overdue))
    usd, net = queries.received_by_commitment([item.id]).get(item.id, (0, 0))
    return render_template("contributions/commitment.html", commitment=item, schedule=schedule,
                           deposits=deposits, deposit_count=count,
                           usd=usd, net=net, overdue=bool(overdue),
                           reversal_waits=queries.reversals_waiting_among(
                               d.id for d in deposits if not d.reverses_id and not d.reversed_by),
                           write_offs=queries.write_offs(item.id),
                           write_off_waiting=queries.write_off_waiting(item.id),
                           can_write=current_user.role == MPTF_OFFICER, reference_form=reference_form)


@bp.route("/commitments/<int:commitment_id>/reference", methods=["POST"])
@roles_required(MPTF_OFFICER)
def correct_reference(commitment_id: int):
    """Correct the commitment's reference (services.correct_reference); a refusal is
    shown beside its field on the commitment's page, nothing changed."""
    item = get_commitment_or_404(commitment_id)
    form = ReferenceForm()
    if form.validate_on_submit():
        done = run(form, lambda: services.correct_reference(
            current_user, item, reference=form.reference.data, reason=form.reason.data,
            reference_seen=form.reference_seen.data))
        if done is not None:
            flash(_("The commitment's reference is now %(reference)s.", reference=done.reference), "success")
            return redirect(url_for("contributions.commitment", commitment_id=commitment_id))
        item = get_commitment_or_404(commitment_id)
    return commitment_page(item, form)


@bp.route("/pledges/<int:pledge_id>")
@roles_required(*READERS)
def pledge(pledge_id: int):
    item = db.session.get(Pledge, pledge_id) or abort(404)
    return render_template("contributions/pledge.html", pledge=item, form=ReasonForm(),
                           can_write=current_user.role == MPTF_OFFICER)


@bp.route("/deposits/<int:deposit_id>")
@roles_required(*READERS)
def deposit(deposit_id: int):
    return deposit_page(db.session.get(Deposit, deposit_id) or abort(404))


def deposit_page(item: Deposit, refused=None):
    """A deposit's page, with its reversal waiting for a second MPTF officer if one
    does (reversal_changes); `refused`: the refusal form of that reversal when its
    refusal was refused (its error beside the reason)."""
    waiting = reversal_changes.reversal_waiting(item.id)
    return render_template("contributions/deposit.html", deposit=item,
                           can_write=current_user.role == MPTF_OFFICER, waiting=waiting,
                           blocked=reversal_changes.why_not_now(waiting) if waiting else None,
                           active_officers=reversal_changes.active_officers() if waiting else 0,
                           answer_form=DecideTransferForm(formdata=None),
                           refuse_form=refused or RefuseTransferForm(formdata=None), refused=refused,
                           officers=reversal_changes.officers_of(item.id) if item.reverses_id else None)


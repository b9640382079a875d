"""Grant pages: the list, a new request, a grant's page, the review queue, and the
decisions and reconciliation posted from them."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ... import cache, clock
from ...admin.models import OVERRUN_TOLERANCE, PENDING, TERMINAL_EXPENSES, setting_on, settings_on
from ...confirmation import check, confirm_page, confirmed
from ...contributions.forms import DecideTransferForm, RefuseTransferForm
from ...countries.models import Country
from ...errors import DomainError, run
from ...exports import export_response
from ...extensions import db
from ...formatting import date as fmt_date
from ...formatting import money
from ...forms import answer_refused
from ...localized import sort_key
from ...money import USD, MoneyError, parse_amount
from ...once import already_recorded, fresh_token, run_once
from ...paging import paginate
from ...params import id_arg
from ...permissions import SRSG_STAFF, TRAVEL_READERS, roles_required
from ...redirects import local_next
from .. import corrections, delegates, previews, queries
from ..blueprint import bp
from ..decisions import (
    approval_seen,
    approve_grant,
    default_pool_chooser,
    reject_grant,
    waitlist_grant,
)
from ..forms import (
    ApproveForm,
    CancelForm,
    CorrectionForm,
    CostsForm,
    DelegateForm,
    GrantFilterForm,
    GrantForm,
    ReasonForm,
)
from ..models import (
    APPROVED,
    NO_SHOW,
    OVERRUN_APPROVED,
    OVERRUN_PENDING,
    TRAVELLED,
    CostCorrection,
    Delegate,
    DelegateRenaming,
    Event,
    TravelGrant,
)
from ..overruns import approve_overrun, pending_overruns, reject_overrun
from ..queries import travel_pools
from ..reconcile import (
    cancel_grant,
    cancellation_seen,
    check_can_cancel,
    check_can_close,
    record_no_show,
    record_travel,
)
from ..services import preview_figures, request_grant

REQUEST = "grant_request"  # the request form's one-time token (trustfund.submissions)


def get_grant_or_404(grant_id: int) -> TravelGrant:
    return db.session.get(TravelGrant, grant_id) or abort(404)


# The filters' choices of every country and every event, named in the reader's
# language: kept per locale while the data is unchanged (trustfund.cache), since
# the lists and the queue show them at each view.

def country_choices(blank: str) -> list[tuple[str, str]]:
    def compute():
        countries = db.session.scalars(sa.select(Country)).all()
        return tuple(sorted(((c.code, c.local_name) for c in countries), key=lambda c: sort_key(c[1])))

    return [("", blank), *cache.keep(("travel.country_choices", str(get_locale())), compute)]


def event_choices(blank: str) -> list[tuple[int, str]]:
    def compute():
        events = db.session.scalars(sa.select(Event).order_by(Event.start_on, Event.id)).all()
        return tuple((e.id, f"{e.local_title} — {e.city}, {fmt_date(e.start_on)}") for e in events)

    return [(0, blank), *cache.keep(("travel.event_choices", str(get_locale())), compute)]


@bp.route("/grants")
@roles_required(*TRAVEL_READERS)
def grants():
    filters = queries.grant_filters(request.args)
    if request.args.get("format") == "xlsx":
        return export_response("grants", request.args.to_dict(), current_user)
    form = GrantFilterForm(request.args)
    form.event.choices = event_choices(_("Any"))
    form.country.choices = country_choices(_("Any"))
    totals = queries.grant_totals(filters)
    # The kept totals count the listed grants: the pager does not count them again.
    page = paginate(queries.grants_query(filters), current_app.config["PAGE_SIZE"], total=totals.count)
    return render_template("travel/grants.html", form=form, page=page, totals=totals, filters=filters)


# --- A new request -------------------------------------------------------------

def _preview(form: GrantForm, event: Event | None) -> dict | None:
    if event is None:
        return None
    try:
        airfare = parse_amount(form.airfare.data, USD) if form.airfare.data else None
    except MoneyError:
        airfare = None
    travel_from = form.travel_from.data if not form.travel_from.errors else None
    travel_to = form.travel_to.data if not form.travel_to.errors else None
    days = form.dsa_days.data if not form.dsa_days.errors else None
    return preview_figures(event, travel_from=travel_from, travel_to=travel_to, airfare=airfare,
                           dsa_days=days)


@bp.route("/grants/new", methods=["GET", "POST"])
@roles_required(SRSG_STAFF)
def new_grant():
    form = GrantForm()
    form.event_id.choices = event_choices(_("Choose an event"))
    form.country_code.choices = country_choices(_("Choose a State"))
    if request.method == "GET" and id_arg(request.args, "event"):
        form.event_id.data = id_arg(request.args, "event")
    event = db.session.get(Event, form.event_id.data) if form.event_id.data else None
    if request.method == "POST" and request.form.get("action") == "preview":
        form.validate()
    elif form.validate_on_submit():
        done = run_once(form, REQUEST, lambda: (
            request_grant(
                current_user, event_id=form.event_id.data, delegate_name=form.delegate_name.data,
                delegate_function=form.delegate_function.data or "", country_code=form.country_code.data,
                email=form.email.data or "", phone=form.phone.data or "",
                travel_from=form.travel_from.data, travel_to=form.travel_to.data,
                origin_city=form.origin_city.data, airfare=form.airfare.data, dsa_days=form.dsa_days.data,
                dsa_amount=form.dsa_amount.data, terminal_expenses=form.terminal_expenses.data,
                total=form.total.data, override_reason=form.override_reason.data or "")))
        if done is not None and done.repeated:
            return already_recorded("travel.grant", grant_id=done.earlier_id)
        if done is not None:
            grant = done.entry
            flash(_("Request entered for %(name)s: %(total)s.", name=grant.delegate.name,
                    total=money(grant.total)), "success")
            return redirect(url_for("travel.grant", grant_id=grant.id))
    fresh_token(form, REQUEST)
    events = db.session.scalars(sa.select(Event)).all()
    terminal = settings_on(TERMINAL_EXPENSES, {e.id: e.start_on for e in events})
    return render_template("travel/grant_form.html", form=form, event=event,
                           figures=_preview(form, event), events=events, terminal=terminal)


# --- A grant's page --------------------------------------------------------------

@bp.route("/delegates/<int:delegate_id>/edit", methods=["GET", "POST"])
@roles_required(SRSG_STAFF)
def edit_delegate(delegate_id: int):
    """Correct a delegate's name, function, email or phone (an empty field clears it);
    a new name of a delegate whose travel was approved waits for a second SRSG staff
    member, who confirms or refuses it here (travel.delegates)."""
    delegate = db.session.get(Delegate, delegate_id) or abort(404)
    form = DelegateForm(obj=delegate)
    if request.method == "GET":
        form.seen.data = delegates.delegate_seen(delegate)
    if form.validate_on_submit():
        saved = run(form, lambda: delegates.correct_delegate(
            current_user, delegate, name=form.name.data, function=form.function.data or "",
            email=form.email.data or "", phone=form.phone.data or "", seen=form.seen.data,
            reason=form.reason.data or ""))
        if saved is not None and saved.renaming is not None:
            flash(_("The new name is proposed: nothing changes until another SRSG staff member confirms it. "
                    "The other details are saved."), "success")
            return redirect(url_for("travel.edit_delegate", delegate_id=delegate.id,
                                    _anchor="waiting-renaming"))
        if saved is not None:
            flash(_("The delegate's details are saved."), "success")
            latest = _delegate_requests(delegate.id)
            fallback = url_for("travel.grant", grant_id=latest[-1].id) if latest else url_for("travel.grants")
            return redirect(local_next(fallback))
    return _delegate_page(delegate, form)


def _delegate_requests(delegate_id: int) -> list[TravelGrant]:
    return db.session.scalars(sa.select(TravelGrant).where(TravelGrant.delegate_id == delegate_id)
                              .options(sa.orm.joinedload(TravelGrant.event)).order_by(TravelGrant.id)).all()


def _delegate_page(delegate: Delegate, form, refused_renaming=None):
    """The delegate's form, with the change of their name waiting for a second SRSG
    staff member, if any (`refused_renaming`: its refusal form sent without a reason)."""
    waiting = delegates.waiting_for(delegate.id)
    return render_template("travel/delegate_form.html", form=form, delegate=delegate,
                           requests=_delegate_requests(delegate.id),
                           travel_approved=delegates.travel_approved(delegate.id),
                           waiting_renaming=waiting,
                           renaming_blocked=delegates.why_not_now(waiting) if waiting else None,
                           active_staff=corrections.active_staff() if waiting else 0,
                           answer_form=DecideTransferForm(formdata=None),
                           refuse_form=refused_renaming or RefuseTransferForm())


@bp.route("/renamings/<int:renaming_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/renamings/<int:renaming_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/renamings/<int:renaming_id>/withdraw", methods=["POST"], defaults={"answer": "withdraw"})
@roles_required(SRSG_STAFF)
def answer_renaming(renaming_id: int, answer: str):
    """A second SRSG staff member confirms or refuses a waiting change of a delegate's
    name; its proposer may withdraw it (travel.delegates)."""
    renaming = db.session.get(DelegateRenaming, renaming_id) or abort(404)
    delegate_id = renaming.delegate_id

    def again(form):
        delegate = db.session.get(Delegate, delegate_id)
        page_form = DelegateForm(obj=delegate, formdata=None)
        page_form.seen.data = delegates.delegate_seen(delegate)
        return _delegate_page(delegate, page_form, refused_renaming=form)

    return _answer_waiting(delegates, renaming, answer, {
        "confirm": lambda done: _("Name changed: the delegate is now %(name)s.", name=done.name),
        "refuse": lambda done: _("Change of name refused: the delegate's name stands."),
        "withdraw": lambda done: _("Change of name withdrawn: the delegate's name stands.")},
        url_for("travel.edit_delegate", delegate_id=delegate_id), "waiting-renaming", again)


def _answer_waiting(module, row, answer: str, said: dict, back: str, anchor: str, again):
    """The answer `answer` (confirm, refuse with a reason, withdraw) of the current user
    to the waiting `row` of `module` (travel.corrections, travel.delegates: second_person
    answers): done, `said[answer](row)` and back to `back`; a refusal without its reason,
    the page again (`again(form)`) with the error beside it; else back to the row
    (`anchor`), the refusal said."""
    row_id = row.id
    form = RefuseTransferForm() if answer == "refuse" else DecideTransferForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: module.confirm(current_user, row_id),
                 "refuse": lambda: module.refuse(current_user, row_id, form.reason.data),
                 "withdraw": lambda: module.withdraw(current_user, row_id)}
        done = run(form, steps[answer])
        if done is not None:
            flash(said[answer](done), "success")
            return redirect(back)
    if answer_refused(form, waits=row.status == PENDING, decided=module.already_decided_message()):
        return again(form), 200
    return redirect(f"{back}#{anchor}")


@bp.route("/grants/<int:grant_id>")
@roles_required(*TRAVEL_READERS)
def grant(grant_id: int):
    return _grant_page(get_grant_or_404(grant_id))


def _grant_page(grant: TravelGrant, refused: str = "", form=None, refused_correction=None):
    """The grant's page; `refused` names its decision form ("approve", "reject",
    "waitlist", "overrun_reject") whose post was refused for one of its fields: shown
    again with the error beside that field and what was typed in it;
    `refused_correction`: the refusal form of a waiting correction of its costs that
    was refused without a reason (its error beside the reason)."""
    pools = travel_pools()
    default = default_pool_chooser(pools)(grant.total)
    approve_form = _approve_form(pools, default)
    if refused == "approve" and form is not None and form.pool_id.data in dict(approve_form.pool_id.choices):
        approve_form.pool_id.data = form.pool_id.data  # the pool chosen, not the default again
    closed = grant.status in (TRAVELLED, NO_SHOW)
    waiting = corrections.waiting_for(grant.id) if closed else None
    paid = corrections.paid_for(grant, waiting.costs) if waiting else None
    return render_template("travel/grant.html", grant=grant, pools=pools, default_pool=default,
                           former_names=delegates.former_names(grant.delegate_id),
                           waiting_renaming=delegates.waiting_for(grant.delegate_id),
                           today=clock.today(), approve_form=approve_form,
                           reason_form=ReasonForm(), refused=refused, refused_form=form,
                           corrections=corrections.confirmed_for(grant.id) if closed else [],
                           figures_since_moved=previews.figures_since_moved(grant),
                           waiting_correction=waiting,
                           correction_blocked=corrections.why_not_now(waiting) if waiting else None,
                           correction_paid=paid,
                           correction_above=paid - corrections.agreed(grant) if waiting else 0,
                           can_correct=closed and current_user.role == SRSG_STAFF and _correctable(grant),
                           active_staff=corrections.active_staff() if waiting else 0,
                           answer_form=DecideTransferForm(),
                           refuse_form=refused_correction or RefuseTransferForm())


def _correctable(grant: TravelGrant) -> bool:
    """Whether the grant's costs can be corrected now (the page offers the form)."""
    try:
        corrections.grant_checks(grant)
    except DomainError:
        return False
    return True


def _approve_form(pools, default) -> ApproveForm:
    form = ApproveForm()
    form.pool_id.choices = [(0, _("Default: Objective 1, then un-earmarked"))] + [
        (p.id, f"{p.label} — {money(p.available)}") for p in pools]
    form.pool_id.data = default.id if default is not None else 0
    return form


def _flash_refusal(form) -> None:
    for message in form.form_errors:
        flash(message, "danger")
    for field in form:
        for message in field.errors:
            flash(message, "danger")


def _shown(grant: TravelGrant, which: str) -> bool:
    """Whether the grant's page shows the decision form `which` to the current user (as
    templates/travel/grant.html decides): a refusal beside a field it does not show
    would be told nowhere."""
    if which in ("approve", "reject", "waitlist"):
        return (grant.status in ("requested", "waitlisted") and grant.requested_by_id != current_user.id
                and (which != "waitlist" or grant.status == "requested"))
    if which == "overrun_reject":
        return grant.overrun_status == "pending" and grant.overrun_recorded_by_id != current_user.id
    return False


def _refused(grant: TravelGrant, form, which: str, back: str):
    """A decision refused: a field's error beside that field on the grant's page (what
    was typed kept), with nothing written; a refusal of the decision itself (already
    decided, not enough money...) told at the top of the page it came from."""
    if _shown(grant, which) and any(field.errors for field in form if field.name != "csrf_token"):
        return _grant_page(grant, which, form)
    _flash_refusal(form)
    return redirect(back)


@bp.route("/grants/<int:grant_id>/approve", methods=["POST"])
@roles_required(SRSG_STAFF)
def approve(grant_id: int):
    grant = get_grant_or_404(grant_id)
    form = ApproveForm()
    form.pool_id.choices = [(0, "")] + [(p.id, "") for p in travel_pools()]
    # A pool that is not a number is refused, not taken for "the default pool".
    valid, pool_id = form.validate(), form.pool_id.data or None
    if valid and not confirmed():
        form.seen.raw_data = [approval_seen(grant)]  # carried by the confirmation page
        return _confirm(form, grant, lambda: previews.approval(current_user, grant, pool_id),
                        _("Approve %(amount)s", amount=money(grant.total)), "success", "approve")
    result = valid and run(form, lambda: approve_grant(current_user, grant, pool_id,
                                                       seen=form.seen.data or ""))
    if not result:
        return _refused(grant, form, "approve", local_next(url_for("travel.grant", grant_id=grant_id)))
    if result.status == APPROVED:
        flash(_("Approved: %(amount)s committed from the %(pool)s pool.",
                amount=money(result.committed_amount),
                pool=result.pool.sentence_name), "success")
    else:
        flash(_("The request is waitlisted: %(reason)s Approve it again when a pool has the money.",
                reason=queries.decision_note(result)), "warning")
    return redirect(local_next(url_for("travel.grant", grant_id=grant_id)))


@bp.route("/grants/<int:grant_id>/reject", methods=["POST"])
@roles_required(SRSG_STAFF)
def reject(grant_id: int):
    grant = get_grant_or_404(grant_id)
    form = ReasonForm()
    if form.validate() and not confirmed():
        return _confirm(form, grant, lambda: previews.rejection(current_user, grant, form.reason.data),
                        _("Reject the request"), "danger", "reject")
    return _decide(grant_id, reject_grant, _("Request rejected."), "reject")


@bp.route("/grants/<int:grant_id>/waitlist", methods=["POST"])
@roles_required(SRSG_STAFF)
def waitlist(grant_id: int):
    return _decide(grant_id, waitlist_grant, _("Request waitlisted."), "waitlist")


def _crumbs(grant: TravelGrant, title: str) -> list:
    return [(_("Travel grants"), url_for("travel.grants")),
            (_("Travel grant %(id)s", id=grant.id), url_for("travel.grant", grant_id=grant.id)),
            (title, None)]


def _confirm(form, grant: TravelGrant, preview, button: str, style: str, which: str = ""):
    """The confirmation page of a decision posted from a grant's page or the review
    queue (confirmation.py); a refusal known before confirming is told as one found
    after it would be (_refused)."""
    back = local_next(url_for("travel.grant", grant_id=grant.id))
    summary = check(form, preview)
    if summary is None:
        return _refused(grant, form, which, back)
    return confirm_page(summary, form=form, button=button, cancel=back,
                        crumbs=_crumbs(grant, summary.title), style=style)


def _decide(grant_id: int, operation, done: str, which: str):
    grant = get_grant_or_404(grant_id)
    form = ReasonForm()
    decided = form.validate() and run(form, lambda: operation(current_user, grant, form.reason.data or ""))
    back = local_next(url_for("travel.grant", grant_id=grant_id))
    if not decided:
        return _refused(grant, form, which, back)
    flash(done, "success")
    return redirect(back)


# --- After the event ---------------------------------------------------------------

@bp.route("/grants/<int:grant_id>/travelled", methods=["GET", "POST"])
@roles_required(SRSG_STAFF)
def travelled(grant_id: int):
    return _close(grant_id, TRAVELLED)


@bp.route("/grants/<int:grant_id>/no-show", methods=["GET", "POST"])
@roles_required(SRSG_STAFF)
def no_show(grant_id: int):
    return _close(grant_id, NO_SHOW)


def _close(grant_id: int, outcome: str):
    grant = get_grant_or_404(grant_id)
    try:
        check_can_close(grant, outcome)
    except DomainError as refusal:
        flash(refusal.message, "warning")
        return redirect(url_for("travel.grant", grant_id=grant.id))
    form = CostsForm()
    if request.method == "GET" and outcome == TRAVELLED:
        form.actual_ticket.data = f"{grant.airfare:.2f}"
        form.actual_dsa.data = f"{grant.dsa_amount:.2f}"
        form.actual_terminal.data = f"{grant.terminal_expenses:.2f}"
    if form.validate_on_submit():
        costs = {"ticket": form.actual_ticket.data, "dsa": form.actual_dsa.data,
                 "terminal": form.actual_terminal.data}
        if not confirmed():
            summary = check(form, lambda: previews.closing(current_user, grant, outcome,
                                                           reason=form.reason.data or "", **costs))
            if summary is not None:
                return confirm_page(summary, form=form, button=_("Record the costs"),
                                    cancel=url_for("travel.grant", grant_id=grant.id),
                                    crumbs=_crumbs(grant, summary.title))
        else:
            if outcome == TRAVELLED:
                done = run(form, lambda: record_travel(current_user, grant, **costs))
            else:
                done = run(form, lambda: record_no_show(current_user, grant, reason=form.reason.data or "",
                                                        **costs))
            if done is not None:
                flash(_costs_recorded(done), "success")
                return redirect(url_for("travel.grant", grant_id=grant.id))
    return render_template("travel/grant_close.html", grant=grant, form=form, outcome=outcome,
                           tolerance=overrun_tolerance())


def _costs_recorded(grant: TravelGrant) -> str:
    """What recording the costs did to the money: a return when money returns, an
    overrun when the costs exceed the commitment; never a negative return."""
    pool = grant.pool.sentence_name
    if grant.overrun_status == OVERRUN_PENDING and grant.overrun_amount <= overrun_tolerance():
        return _("Actual costs recorded: %(costs)s. %(paid)s paid from the %(pool)s pool; the overrun of "
                 "%(overrun)s is within the tolerance, but the pool cannot pay it now: it awaits the "
                 "approval of another SRSG staff member once it can.",
                 costs=money(grant.actual_costs), paid=money(grant.actual_total), pool=pool,
                 overrun=money(grant.overrun_amount))
    if grant.overrun_status == OVERRUN_PENDING:
        return _("Actual costs recorded: %(costs)s. %(paid)s paid from the %(pool)s pool; the overrun of "
                 "%(overrun)s awaits the approval of another SRSG staff member.",
                 costs=money(grant.actual_costs), paid=money(grant.actual_total), pool=pool,
                 overrun=money(grant.overrun_amount))
    if grant.overrun_status == OVERRUN_APPROVED:
        return _("Actual costs recorded: %(spent)s spent from the %(pool)s pool, including an overrun of "
                 "%(overrun)s within the tolerance.", spent=money(grant.actual_total), pool=pool,
                 overrun=money(grant.overrun_amount))
    if grant.returned > 0:
        return _("Actual costs recorded: %(spent)s spent, %(released)s returned to the %(pool)s pool.",
                 spent=money(grant.actual_total), released=money(grant.returned), pool=pool)
    return _("Actual costs recorded: %(spent)s spent from the %(pool)s pool, the whole amount committed.",
             spent=money(grant.actual_total), pool=pool)


def overrun_tolerance() -> Decimal:
    return setting_on(OVERRUN_TOLERANCE, clock.today())


@bp.route("/grants/<int:grant_id>/overrun/approve", methods=["POST"])
@roles_required(SRSG_STAFF)
def approve_overrun_view(grant_id: int):
    grant = get_grant_or_404(grant_id)
    form = ReasonForm()
    valid = form.validate()
    if valid and not confirmed():
        return _confirm(form, grant, lambda: previews.overrun_approval(current_user, grant),
                        _("Approve the overrun of %(amount)s", amount=money(grant.overrun_amount)), "success")
    done = valid and run(form, lambda: approve_overrun(current_user, grant))
    if not done:
        _flash_refusal(form)
    else:
        flash(_("Overrun of %(amount)s approved and paid from the %(pool)s pool.",
                amount=money(done.overrun_amount), pool=done.pool.sentence_name), "success")
    return redirect(local_next(url_for("travel.grant", grant_id=grant_id)))


@bp.route("/grants/<int:grant_id>/overrun/reject", methods=["POST"])
@roles_required(SRSG_STAFF)
def reject_overrun_view(grant_id: int):
    grant = get_grant_or_404(grant_id)
    form = ReasonForm()
    valid = form.validate()
    if valid and not confirmed():
        return _confirm(form, grant, lambda: previews.overrun_rejection(current_user, grant,
                                                                        form.reason.data),
                        _("Reject the overrun"), "danger", "overrun_reject")
    done = valid and run(form, lambda: reject_overrun(current_user, grant, form.reason.data or ""))
    if not done:
        return _refused(grant, form, "overrun_reject", local_next(url_for("travel.grant", grant_id=grant_id)))
    else:
        flash(_("Overrun of %(amount)s rejected: the grant stays at the %(committed)s committed.",
                amount=money(done.overrun_amount), committed=money(done.actual_total)), "success")
    return redirect(local_next(url_for("travel.grant", grant_id=grant_id)))


@bp.route("/grants/<int:grant_id>/correct", methods=["GET", "POST"])
@roles_required(SRSG_STAFF)
def correct_costs(grant_id: int):
    """An SRSG staff member proposes corrected costs for a closed trip; another
    confirms them on the grant's page (travel.corrections)."""
    grant = get_grant_or_404(grant_id)
    try:
        corrections.grant_checks(grant)
    except DomainError as refusal:
        flash(refusal.message, "warning")
        return redirect(url_for("travel.grant", grant_id=grant.id))
    if corrections.waiting_for(grant.id) is not None:
        flash(corrections.already_waiting_message(), "warning")
        return redirect(url_for("travel.grant", grant_id=grant.id, _anchor="waiting-correction"))
    form = CorrectionForm()
    if request.method == "GET":
        form.actual_ticket.data = f"{grant.actual_ticket:.2f}"
        form.actual_dsa.data = f"{grant.actual_dsa:.2f}"
        form.actual_terminal.data = f"{grant.actual_terminal:.2f}"
    if form.validate_on_submit():
        costs = {"ticket": form.actual_ticket.data, "dsa": form.actual_dsa.data,
                 "terminal": form.actual_terminal.data, "reason": form.reason.data or ""}
        if not confirmed():
            summary = check(form, lambda: previews.cost_correction(current_user, grant, **costs))
            if summary is not None:
                return confirm_page(summary, form=form, button=_("Propose the correction"),
                                    cancel=url_for("travel.grant", grant_id=grant.id),
                                    crumbs=_crumbs(grant, summary.title))
        elif run(form, lambda: corrections.propose(current_user, grant, **costs)) is not None:
            flash(_("The correction is proposed: nothing changes until another SRSG staff member "
                    "confirms it."), "success")
            return redirect(url_for("travel.grant", grant_id=grant.id, _anchor="waiting-correction"))
    return render_template("travel/grant_correct.html", grant=grant, form=form)


@bp.route("/corrections/<int:correction_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/corrections/<int:correction_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/corrections/<int:correction_id>/withdraw", methods=["POST"], defaults={"answer": "withdraw"})
@roles_required(SRSG_STAFF)
def answer_cost_correction(correction_id: int, answer: str):
    """A second SRSG staff member confirms or refuses a waiting correction of a trip's
    costs; its proposer may withdraw it (travel.corrections)."""
    correction = db.session.get(CostCorrection, correction_id) or abort(404)
    grant_id = correction.grant_id
    return _answer_waiting(corrections, correction, answer, {
        "confirm": _correction_confirmed,
        "refuse": lambda done: _("Correction refused: the recorded costs stand."),
        "withdraw": lambda done: _("Correction withdrawn: the recorded costs stand.")},
        url_for("travel.grant", grant_id=grant_id), "waiting-correction",
        lambda form: _grant_page(get_grant_or_404(grant_id), refused_correction=form))


def _correction_confirmed(correction: CostCorrection) -> str:
    pool = correction.grant.pool.sentence_name
    change = correction.change
    if change < 0:
        return _("Costs corrected: the trip now costs the fund %(paid)s; %(returned)s returned to the "
                 "%(pool)s pool.", paid=money(correction.spent_after), returned=money(-change), pool=pool)
    if change > 0:
        return _("Costs corrected: the trip now costs the fund %(paid)s; %(extra)s more spent from the "
                 "%(pool)s pool.", paid=money(correction.spent_after), extra=money(change), pool=pool)
    return _("Costs corrected: what the trip costs the fund is unchanged (%(paid)s).",
             paid=money(correction.spent_after))


@bp.route("/grants/<int:grant_id>/cancel", methods=["GET", "POST"])
@roles_required(SRSG_STAFF)
def cancel(grant_id: int):
    grant = get_grant_or_404(grant_id)
    try:
        check_can_cancel(grant)
    except DomainError as refusal:
        flash(refusal.message, "warning")
        return redirect(url_for("travel.grant", grant_id=grant.id))
    form = CancelForm()
    form.reason.flags.required = True
    held = grant.committed_amount if grant.status == APPROVED else Decimal("0.00")
    valid = form.validate_on_submit()
    if valid and not confirmed():
        form.seen.raw_data = [cancellation_seen(grant)]  # carried by the confirmation page
        summary = check(form, lambda: previews.cancellation(current_user, grant, form.reason.data))
        if summary is not None:
            return confirm_page(summary, form=form, button=_("Cancel the grant"),
                                cancel=url_for("travel.grant", grant_id=grant.id),
                                crumbs=_crumbs(grant, summary.title), style="danger")
    elif valid:
        done = run(form, lambda: cancel_grant(current_user, grant, form.reason.data or "",
                                              seen=form.seen.data or ""))
        if done is not None:
            if held > 0:
                flash(_("Grant cancelled; %(amount)s returned to the pool.", amount=money(held)), "success")
            else:
                flash(_("Request withdrawn; no money was committed for it."), "success")
            return redirect(url_for("travel.grant", grant_id=grant.id))
    return render_template("travel/grant_cancel.html", grant=grant, form=form, held=held)


# --- The review queue ----------------------------------------------------------------

@bp.route("/queue")
@roles_required(*TRAVEL_READERS)
def queue():
    event_id = queries.grant_filters(request.args)["event"]
    if request.args.get("format") == "xlsx":
        return export_response("travel_queue", request.args.to_dict(), current_user)
    event = db.session.get(Event, event_id) if event_id else None
    page = paginate(queries.queue_query(event_id), current_app.config["PAGE_SIZE"],
                    total=queries.queue_count(event_id))
    events = event_choices(_("All events"))
    pools = travel_pools()
    return render_template("travel/queue.html", page=page, event=event, events=events,
                           pools=pools, default_pool_for=default_pool_chooser(pools),
                           overruns=pending_overruns(event_id),
                           waiting_corrections=[c for c in corrections.waiting_shown()
                                                if not event_id or c.grant.event_id == event_id],
                           waiting_renamings=delegates.waiting_shown())

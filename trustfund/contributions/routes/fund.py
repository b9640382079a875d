"""The fund's structure: objectives (admin), UN exchange rates (officer), pools
and transfers between them (admin)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ... import currencies, localized
from ...admin.models import PENDING
from ...clock import today
from ...confirmation import check, confirm_page, confirmed
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...formatting import money as fmt_money
from ...formatting import rate as fmt_rate
from ...forms import answer_refused
from ...money import USD
from ...once import already_recorded, fresh_token, run_once
from ...paging import paginate, per_page
from ...params import date_arg, iso_date
from ...permissions import ADMIN, MPTF_OFFICER, roles_required
from ...permissions import FINANCE_READERS as READERS
from .. import previews, rate_changes, services, transfer_changes
from ..blueprint import bp
from ..forms import (
    DecideTransferForm,
    ObjectiveEditForm,
    ObjectiveForm,
    RateEditForm,
    RateFilterForm,
    RateForm,
    RefuseTransferForm,
    TransferForm,
)
from ..models import ExchangeRate, Objective, RateProposal, TransferProposal
from ..pools import FIGURES as POOL_FIGURES
from ..pools import all_pools
from ..rate_import import waiting_rate_files
from ..rates import currency_choices, listed, missing_months, month_label, rate_for

# --- Objectives --------------------------------------------------------------

@bp.route("/objectives")
@roles_required(*READERS)
def objectives():
    if request.args.get("format") == "xlsx":
        return export_response("objectives", {}, current_user)
    rows = db.session.scalars(sa.select(Objective).options(joinedload(Objective.pool))
                              .order_by(Objective.number)).all()
    return render_template("contributions/objectives.html", objectives=rows,
                           can_write=current_user.role == ADMIN)


@bp.route("/objectives/new", methods=["GET", "POST"])
@bp.route("/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_objective(objective_id: int | None = None):
    objective = None
    if objective_id is not None:
        objective = db.session.get(Objective, objective_id) or abort(404)
    form = ObjectiveForm(obj=objective) if objective is None else ObjectiveEditForm(obj=objective)
    if request.method == "GET" and objective is not None:
        localized.fill(form, objective.title_translations)
    if form.validate_on_submit():
        saved = run(form, lambda: services.save_objective(
            current_user, objective, number=form.number.data, title=form.title.data,
            description=form.description.data or "", active=form.active.data,
            version=form.version.data if objective is not None else None,
            title_translations=localized.translations_from(form)))
        if saved is not None:
            flash(_("Objective %(number)s saved.", number=saved.number), "success")
            return redirect(url_for("contributions.objectives"))
    return render_template("contributions/objective_form.html", form=form, objective=objective)


# --- Exchange rates ----------------------------------------------------------

@bp.route("/rates")
@roles_required(*READERS)
def rates():
    """The UN operational rates of exchange, newest month first."""
    currency = (request.args.get("currency") or "").strip().upper()
    if request.args.get("format") == "xlsx":
        return export_response("rates", {"currency": currency} if currency else {}, current_user)
    return _rates_page(currency)


def _rates_page(currency: str = "", refused: dict | None = None):
    """The rates page, with the rates and rates files waiting for a second MPTF officer;
    `refused`: the refusal form of a waiting rate that was refused (its error beside
    the reason), by the proposal's id."""
    form = RateFilterForm(request.args)
    used = db.session.scalars(sa.select(ExchangeRate.currency).distinct().order_by(ExchangeRate.currency))
    form.currency.choices = [("", _("All currencies"))] + [(c, currencies.label(c)) for c in used]
    page = paginate(listed(currency), per_page())
    waiting = rate_changes.waiting()
    return render_template("contributions/rates.html", page=page, form=form, missing=missing_months(today()),
                           can_write=current_user.role == MPTF_OFFICER, waiting=waiting,
                           corrections_waiting={p.entry_id: p.id for p in waiting if p.entry_id},
                           blocked={p.id: rate_changes.why_not_now(p) for p in waiting},
                           waiting_files=waiting_rate_files(), active_officers=rate_changes.active_officers(),
                           answer_form=DecideTransferForm(formdata=None),
                           refuse_form=RefuseTransferForm(formdata=None), refused=refused or {})


@bp.route("/rates/new", methods=["GET", "POST"])
@bp.route("/rates/<int:rate_id>/edit", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def edit_rate(rate_id: int | None = None):
    entry = None
    if rate_id is not None:
        entry = db.session.get(ExchangeRate, rate_id) or abort(404)
    form = RateForm(obj=entry) if entry is None else RateEditForm(obj=entry)
    form.currency.choices = currency_choices(include_usd=False)
    if request.method == "GET":
        if entry is not None:
            form.rate.data = fmt_rate(entry.rate)  # in the user's locale, as they would type it
            form.version.data = rate_changes.form_version(entry)
        else:
            asked = iso_date(f"{request.args.get('month', '')}-01")
            form.month.data = asked if asked is not None else today().replace(day=1)
            form.currency.data = request.args.get("currency", "")
    if form.validate_on_submit():
        proposed = run(form, lambda: rate_changes.propose(
            current_user, form.currency.data, form.month.data, form.rate.data, entry=entry,
            version=form.version.data if entry is not None else None, adding=entry is None))
        if isinstance(proposed, ExchangeRate):
            flash(_("%(month)s already has this rate for %(currency)s: nothing changed.",
                    month=month_label(proposed.month), currency=proposed.currency), "info")
            return redirect(url_for("contributions.rates", currency=proposed.currency))
        if proposed is not None:
            flash(_("Proposed: %(rate)s per US dollar for %(currency)s in %(month)s. The rate changes when "
                    "another MPTF officer confirms it on this page.", currency=proposed.currency,
                    month=month_label(proposed.month), rate=fmt_rate(proposed.rate)), "success")
            if rate_changes.active_officers() < 2:
                flash(_("You are the only active MPTF officer: a second one is needed to confirm it. An "
                        "administrator can create the account."), "warning")
            return redirect(url_for("contributions.rates", _anchor=f"waiting-rate-{proposed.id}"))
    return render_template("contributions/rate_form.html", form=form, entry=entry)


@bp.route("/rates/waiting/<int:proposal_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/rates/waiting/<int:proposal_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/rates/waiting/<int:proposal_id>/withdraw", methods=["POST"], defaults={"answer": "withdraw"})
@roles_required(MPTF_OFFICER)
def answer_rate(proposal_id: int, answer: str):
    """A second MPTF officer confirms or refuses a waiting rate; its proposer may
    withdraw it (rate_changes)."""
    proposal = db.session.get(RateProposal, proposal_id) or abort(404)
    form = RefuseTransferForm() if answer == "refuse" else DecideTransferForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: rate_changes.confirm(current_user, proposal_id),
                 "refuse": lambda: rate_changes.refuse(current_user, proposal_id, form.reason.data),
                 "withdraw": lambda: rate_changes.withdraw(current_user, proposal_id)}
        done = run(form, steps[answer])
        if done is not None:
            words = {"currency": proposal.currency, "month": month_label(proposal.month),
                     "rate": fmt_rate(proposal.rate)}
            flash({"confirm": _("Confirmed: the rate for %(currency)s in %(month)s is %(rate)s per US "
                                "dollar.", **words),
                   "refuse": _("Rate refused: the rates did not change."),
                   "withdraw": _("Rate withdrawn: the rates did not change.")}[answer], "success")
            return redirect(url_for("contributions.rates"))
    if answer_refused(form, waits=proposal.status == PENDING, decided=rate_changes.already_decided_message()):
        return _rates_page(refused={proposal_id: form}), 200
    return redirect(url_for("contributions.rates", _anchor=f"waiting-rate-{proposal.id}"))


@bp.route("/rates/lookup")
@roles_required(*READERS)
def rate_lookup():
    """The UN rate for a currency on a date, for the deposit form's script:
    {"rate": "0.941", "month": "May 2017"}; rate is null when there is none."""
    currency = (request.args.get("currency") or "").strip().upper()
    on = date_arg(request.args, "date")
    if on is None:
        return jsonify(rate=None, month=None)
    rate = rate_for(currency, on) if len(currency) == 3 else None
    return jsonify(rate=None if rate is None else str(rate), month=month_label(on.replace(day=1)))


# --- Pools and transfers -----------------------------------------------------

@bp.route("/pools")
@roles_required(*READERS)
def pools():
    """Sources and uses of each pool, as in the MPTF Gateway's fund summary."""
    if request.args.get("format") == "xlsx":
        return export_response("pools", {}, current_user)
    return _pools_page()


def _pools_page(refused: dict | None = None):
    rows = all_pools()
    totals = {name: sum((getattr(p, name) for p in rows), start=0) for name in POOL_FIGURES}
    return render_template("contributions/pools.html", pools=rows, totals=totals,
                           can_transfer=current_user.role == ADMIN,
                           can_edit_objectives=current_user.role == ADMIN, **_waiting("pools", refused))


def _waiting(back: str, refused: dict | None) -> dict:
    """The transfers waiting for a second admin, and the forms to decide on them
    (blank, even when the page answers a post); `refused`: the refusal form of a
    waiting transfer that was refused (its error beside the reason), by its id."""
    waiting = transfer_changes.waiting_transfers()
    return {"waiting_transfers": waiting, "back": back,
            "blocked": {t.id: transfer_changes.why_not_now(t) for t in waiting},
            "decide_form": DecideTransferForm(formdata=None),
            "refuse_form": RefuseTransferForm(formdata=None), "refused": refused or {},
            "active_admins": transfer_changes.active_admins()}


@bp.route("/pools/transfers")
@roles_required(*READERS)
def transfers():
    if request.args.get("format") == "xlsx":
        return export_response("transfers", {}, current_user)
    return _transfers_page()


def _transfers_page(refused: dict | None = None):
    page = paginate(transfer_changes.transfers_made(), per_page())
    return render_template("contributions/transfers.html", page=page, admins_of=transfer_changes.admins_of,
                           can_transfer=current_user.role == ADMIN, **_waiting("transfers", refused))


@bp.route("/pools/transfer", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_transfer():
    form = TransferForm()
    pools = all_pools()
    choices = [(p.id, _("%(pool)s — %(amount)s available", pool=p.label, amount=fmt_money(p.available, USD)))
               for p in pools]
    form.from_pool_id.choices = choices
    form.to_pool_id.choices = choices
    if request.method == "GET":
        form.transferred_on.data = today()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.transfer(
            form.from_pool_id.data, form.to_pool_id.data, form.usd_amount.data, form.reason.data,
            form.transferred_on.data))
        if summary is not None:
            pools_page = url_for("contributions.pools")
            return confirm_page(summary, form=form, button=_("Propose the transfer"), cancel=pools_page,
                                crumbs=[(_("Pools"), pools_page), (summary.title, None)])
    elif valid:
        # Nobody alone moves money: the confirmed form proposes the transfer, which a
        # second admin confirms (transfer_changes; confirmed.transfer applies it then).
        done = run_once(form, "transfer", lambda: transfer_changes.propose(
            current_user, form.from_pool_id.data, form.to_pool_id.data, form.usd_amount.data,
            form.reason.data, form.transferred_on.data))
        if done is not None and done.repeated:
            return already_recorded("contributions.transfers")
        if done is not None:
            proposal = done.entry
            flash(_("Proposed: %(amount)s from the %(source)s pool to the %(target)s pool waits for a second "
                    "administrator to confirm it. Nothing has moved yet.",
                    amount=fmt_money(proposal.usd_amount, USD), source=proposal.from_pool.sentence_name,
                    target=proposal.to_pool.sentence_name), "success")
            if transfer_changes.active_admins() < 2:
                flash(_("You are the only active administrator: a second administrator is needed to "
                        "confirm it. Whoever runs the server can create one with the command "
                        "flask --app trustfund create-user."), "warning")
            return redirect(url_for("contributions.pools"))
    fresh_token(form, "transfer")
    return render_template("contributions/transfer_form.html", form=form)


@bp.route("/pools/transfers/waiting/<int:proposal_id>/confirm", methods=["POST"],
          defaults={"decision": "confirm"})
@bp.route("/pools/transfers/waiting/<int:proposal_id>/refuse", methods=["POST"],
          defaults={"decision": "refuse"})
@bp.route("/pools/transfers/waiting/<int:proposal_id>/withdraw", methods=["POST"],
          defaults={"decision": "withdraw"})
@roles_required(ADMIN)
def decide_transfer(proposal_id: int, decision: str):
    """Another admin confirms or refuses a waiting transfer; its proposer may withdraw it."""
    proposal = db.session.get(TransferProposal, proposal_id) or abort(404)
    form = RefuseTransferForm() if decision == "refuse" else DecideTransferForm()
    to_pools = form.back.data == "pools"
    operations = {"confirm": lambda: transfer_changes.confirm(current_user, proposal_id),
                  "refuse": lambda: transfer_changes.refuse(current_user, proposal_id, form.reason.data),
                  "withdraw": lambda: transfer_changes.withdraw(current_user, proposal_id)}
    done = run(form, operations[decision]) if form.validate_on_submit() else None
    if done is not None:
        flash({"confirm": _("Transfer confirmed: %(amount)s moved from the %(source)s pool to the "
                            "%(target)s pool.",
                            amount=fmt_money(done.usd_amount, USD), source=done.from_pool.sentence_name,
                            target=done.to_pool.sentence_name),
               "refuse": _("Transfer refused: nothing moved."),
               "withdraw": _("Transfer withdrawn: nothing moved.")}[decision], "success")
    elif answer_refused(form, waits=proposal.status == PENDING,
                        decided=transfer_changes.already_decided_message()):
        return (_pools_page if to_pools else _transfers_page)({proposal_id: form})
    return redirect(url_for("contributions.pools" if to_pools else "contributions.transfers"))

"""The fund's closing: what is left to settle, write-offs (proposed by one MPTF officer,
confirmed by another: closure.write_offs), each pool's decision with
the refunds it would make (proposed by one SRSG staff member, confirmed by another:
closure.proposals), the payment instructions, and the financial closure."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...admin.models import REFUND_WAIVER, setting_on
from ...clock import today
from ...confirmation import check, confirm_page, confirmed
from ...contributions import queries as contribution_queries
from ...contributions.loaders import get_commitment_or_404
from ...contributions.models import Pool
from ...contributions.pools import all_pools
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...formatting import money as fmt_money
from ...forms import answer_refused
from ...fund.entries import CLOSING_KINDS, WAITING, ClosingProposal, PoolClosing, WriteOffProposal
from ...fund.models import FINANCIALLY_CLOSED
from ...fund.status import current_fund, effective_status
from ...money import USD
from ...once import fresh_token, run_once
from ...permissions import ADMIN, MPTF_OFFICER, SRSG_STAFF, STAFF, roles_required
from .. import financial, previews, proposals, write_offs
from ..blueprint import bp
from ..closing_export import decisions_query, instructions, parts_of
from ..forms import AnswerDecisionForm, DecisionForm, FinancialClosureForm, RefuseDecisionForm, WriteOffForm
from ..refunds import plans

WRITE_OFF = "write_off"  # the write-off form's one-time token (trustfund.submissions)


def _decision_form(pool_id: int, balance, data=None) -> DecisionForm:
    form = DecisionForm(formdata=data, prefix=f"pool{pool_id}")
    form.kind.choices = [(k, str(v)) for k, v in CLOSING_KINDS.items()]
    if data is None:
        form.balance.data = str(balance)
    return form


def _page(forms: dict | None = None, closure_form: FinancialClosureForm | None = None,
          refused: dict | None = None, refused_write_offs: dict | None = None):
    """The closing page; `refused`: the refusal form of a waiting decision that was
    refused (its error beside the reason), by the proposal's id; `refused_write_offs`:
    the same, of a waiting write-off."""
    fund = current_fund() or abort(404)
    forms = forms or {}
    waiting = {proposal.pool_id: proposal for proposal in proposals.waiting()}
    pool_plans = plans(today(), waiting) if fund.status != FINANCIALLY_CLOSED else []
    for plan in pool_plans:
        forms.setdefault(plan.pool.id, _decision_form(plan.pool.id, plan.balance))
    waiting_write_offs = write_offs.waiting()
    return render_template(
        "closure/closing.html", fund=fund, status=effective_status(fund), unsettled=financial.unsettled(),
        problems=financial.closable_problems(), outstanding=financial.outstanding_commitments(),
        pools=all_pools(), plans=pool_plans, forms=forms,
        decisions=db.session.scalars(decisions_query()).all(),
        waiver=setting_on(REFUND_WAIVER, today()), closure_form=closure_form or FinancialClosureForm(),
        waiting=waiting, stale={pool_id: proposals.is_stale(p) for pool_id, p in waiting.items()},
        gone={pool_id: proposals.proposer_gone(p) for pool_id, p in waiting.items()},
        stale_message=proposals.stale_message, answer_form=AnswerDecisionForm(formdata=None),
        refuse_form=RefuseDecisionForm(formdata=None), refused=refused or {},
        active_srsg=proposals.active_srsg_staff(), write_offs_waiting=waiting_write_offs,
        write_off_of={proposal.commitment_id: proposal for proposal in waiting_write_offs},
        stale_write_off={p.id: write_offs.is_stale(p) for p in waiting_write_offs},
        gone_write_off={p.id: write_offs.proposer_gone(p) for p in waiting_write_offs},
        write_off_stale_message=write_offs.stale_message, refused_write_offs=refused_write_offs or {},
        active_officers=write_offs.active_officers(),
        recorded_write_offs=contribution_queries.write_offs(),
        roles={"admin": ADMIN, "officer": MPTF_OFFICER, "srsg": SRSG_STAFF})


def _confirm(summary, form, button: str):
    """The confirmation of a closing step, whose Cancel leads back to the closing page."""
    back = url_for("closure.closing")
    return confirm_page(summary, form=form, button=button, style="danger", cancel=back,
                        crumbs=[(_("Closing the fund"), back), (summary.title, None)])


@bp.route("/closing")
@roles_required(*STAFF)
def closing():
    if request.args.get("format") == "xlsx":
        return export_response("closing", {}, current_user)
    return _page()


@bp.route("/closing/pools/<int:pool_id>", methods=["POST"])
@roles_required(SRSG_STAFF)
def decide(pool_id: int):
    pool = db.session.get(Pool, pool_id) or abort(404)
    form = _decision_form(pool.id, pool.available, request.form)
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.pool_decision(
            pool, form.kind.data, fund_name=form.fund_name.data or "",
            fund_reference=form.fund_reference.data or "", note=form.note.data or "",
            balance_seen=form.balance.data))
        if summary is not None:
            return _confirm(summary, form, _("Propose the decision"))
    elif valid:
        done = run(form, lambda: proposals.propose(
            current_user, pool, form.kind.data, fund_name=form.fund_name.data or "",
            fund_reference=form.fund_reference.data or "", note=form.note.data or "",
            balance_seen=form.balance.data))
        if done is not None:
            flash(_("The decision on the %(pool)s pool is proposed: nothing has moved yet. It takes effect "
                    "when a second SRSG staff member confirms it.", pool=pool.sentence_name), "success")
            if proposals.active_srsg_staff() < 2:
                flash(_("You are the only active SRSG staff member: a second one is needed to confirm it. "
                        "An administrator can create the account."), "warning")
            return redirect(url_for("closure.closing", _anchor=f"waiting-decision-{done.id}"))
    return _page({pool_id: form}), 200


@bp.route("/closing/proposals/<int:proposal_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/closing/proposals/<int:proposal_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/closing/proposals/<int:proposal_id>/withdraw", methods=["POST"],
          defaults={"answer": "withdraw"})
@roles_required(SRSG_STAFF)
def answer_decision(proposal_id: int, answer: str):
    """A second SRSG staff member confirms or refuses a waiting closing decision; its
    proposer may withdraw it (closure.proposals)."""
    proposal = db.session.get(ClosingProposal, proposal_id) or abort(404)
    form = RefuseDecisionForm() if answer == "refuse" else AnswerDecisionForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: proposals.confirm(current_user, proposal_id),
                 "refuse": lambda: proposals.refuse(current_user, proposal_id, form.reason.data),
                 "withdraw": lambda: proposals.withdraw(current_user, proposal_id)}
        done = run(form, steps[answer])
        if done is not None and answer == "confirm":
            flash(_("Decision confirmed: %(amount)s left the %(pool)s pool.",
                    amount=fmt_money(done.usd_amount, USD),
                    pool=done.pool.sentence_name), "success")
            return redirect(url_for("closure.decision", closing_id=done.id))
        if done is not None:
            flash({"refuse": _("Decision refused: nothing has moved."),
                   "withdraw": _("Decision withdrawn: nothing has moved.")}[answer], "success")
            return redirect(url_for("closure.closing"))
    if answer_refused(form, waits=proposal.status == WAITING, decided=proposals.already_decided_message()):
        return _page(refused={proposal_id: form}), 200
    return redirect(url_for("closure.closing", _anchor=f"waiting-decision-{proposal.id}"))


@bp.route("/closing/decisions/<int:closing_id>")
@roles_required(*STAFF)
def decision(closing_id: int):
    closing_row = db.session.get(PoolClosing, closing_id) or abort(404)
    return render_template("closure/decision.html", closing=closing_row,
                           proposal=proposals.proposal_of(closing_row.id),
                           instructions=instructions(parts_of([closing_row.id])))


@bp.route("/closing/commitments/<int:commitment_id>/write-off", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def write_off_view(commitment_id: int):
    commitment = get_commitment_or_404(commitment_id)
    form = WriteOffForm()
    valid = form.validate_on_submit()
    # A confirmation carries the outstanding amount its page showed; one without it (not
    # sent by that page) is shown the confirmation, as the form's first post is.
    if valid and (not confirmed() or not form.outstanding_seen.data):
        summary = check(form, lambda: previews.write_off(commitment, form.amount.data or None,
                                                         form.reason.data))
        if summary is not None:
            form.outstanding_seen.raw_data = [str(commitment.outstanding)]
            return _confirm(summary, form, _("Propose the write-off"))
    elif valid:
        done = run_once(form, WRITE_OFF, lambda: write_offs.propose(
            current_user, commitment, amount=form.amount.data or None, reason=form.reason.data,
            outstanding_seen=form.outstanding_seen.data))
        if done is not None and done.repeated:
            flash(_("This form had already been sent, and its write-off is shown here. Nothing was proposed "
                    "a second time."), "warning")
            return redirect(url_for("closure.closing", _anchor=f"waiting-write-off-{done.earlier_id}"))
        if done is not None:
            flash(_("The write-off is proposed: nothing is written off yet. It takes effect when a second "
                    "MPTF officer confirms it."), "success")
            if write_offs.active_officers() < 2:
                flash(_("You are the only active MPTF officer: a second one is needed to confirm it. An "
                        "administrator can create the account."), "warning")
            return redirect(url_for("closure.closing", _anchor=f"waiting-write-off-{done.entry.id}"))
    fresh_token(form, WRITE_OFF)
    return render_template("closure/write_off.html", form=form, commitment=commitment)


@bp.route("/closing/write-offs/<int:proposal_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/closing/write-offs/<int:proposal_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/closing/write-offs/<int:proposal_id>/withdraw", methods=["POST"],
          defaults={"answer": "withdraw"})
@roles_required(MPTF_OFFICER)
def answer_write_off(proposal_id: int, answer: str):
    """A second MPTF officer confirms or refuses a waiting write-off; its proposer may
    withdraw it (closure.write_offs)."""
    proposal = db.session.get(WriteOffProposal, proposal_id) or abort(404)
    form = RefuseDecisionForm() if answer == "refuse" else AnswerDecisionForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: write_offs.confirm(current_user, proposal_id),
                 "refuse": lambda: write_offs.refuse(current_user, proposal_id, form.reason.data),
                 "withdraw": lambda: write_offs.withdraw(current_user, proposal_id)}
        done = run(form, steps[answer])
        if done is not None:
            flash({"confirm": _("Write-off confirmed: %(amount)s of the commitment is written off.",
                                amount=fmt_money(proposal.amount, proposal.currency)),
                   "refuse": _("Write-off refused: nothing was written off."),
                   "withdraw": _("Write-off withdrawn: nothing was written off.")}[answer], "success")
            return redirect(url_for("closure.closing"))
    if answer_refused(form, waits=proposal.status == WAITING, decided=write_offs.already_decided_message()):
        return _page(refused_write_offs={proposal_id: form}), 200
    return redirect(url_for("closure.closing", _anchor=f"waiting-write-off-{proposal.id}"))


@bp.route("/closing/close", methods=["POST"])
@roles_required(ADMIN)
def close_fund_view():
    fund = current_fund() or abort(404)
    form = FinancialClosureForm()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.fund_closure(fund, form.note.data or ""))
        if summary is not None:
            return _confirm(summary, form, _("Close the fund financially"))
    elif valid:
        done = run(form, lambda: financial.close_fund(current_user, fund, note=form.note.data or ""))
        if done is not None:
            flash(_("The fund is financially closed."), "success")
            return redirect(url_for("closure.closing"))
    return _page(closure_form=form), 200

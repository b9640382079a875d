"""The fund's own entries: direct costs, bank charges and other income (an MPTF
officer proposes each entry and each reversal, a second one confirms it:
closure.entry_proposals; every finance reader sees them)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import today
from ...confirmation import check, confirm_page, confirmed
from ...contributions.pools import all_pools
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...formatting import money as fmt_money
from ...forms import answer_refused
from ...fund.entries import ENTRY_KINDS, WAITING, FundEntry, FundEntryProposal
from ...money import USD
from ...once import fresh_token, run_once
from ...paging import paginate, per_page
from ...permissions import FINANCE_READERS, MPTF_OFFICER, roles_required
from .. import entry_proposals, previews
from ..blueprint import bp
from ..entries_export import entries_query, totals_by_kind
from ..forms import AnswerDecisionForm, FundEntryForm, ReasonForm, RefuseDecisionForm

PURPOSE = "fund_entry"


@bp.route("/entries")
@roles_required(*FINANCE_READERS)
def entries():
    if request.args.get("format") == "xlsx":
        return export_response("fund_entries", {}, current_user)
    return _page()


def _page(refused: dict | None = None):
    """The entries page, with the entries and reversals waiting for a second MPTF
    officer; `refused`: the refusal form of a waiting one that was refused (its error
    beside the reason), by the proposal's id."""
    page = paginate(entries_query(), per_page())
    reversed_ids = set(db.session.scalars(sa.select(FundEntry.reverses_id)
                                          .where(FundEntry.reverses_id.is_not(None))))
    waiting = entry_proposals.waiting()
    return render_template("closure/entries.html", page=page, totals=totals_by_kind(), kinds=ENTRY_KINDS,
                           reversed_ids=reversed_ids, can_write=current_user.role == MPTF_OFFICER,
                           waiting=waiting, blocked={p.id: entry_proposals.why_not_now(p) for p in waiting},
                           reversal_waiting={p.reverses_id for p in waiting if p.reverses_id},
                           recorded=entry_proposals.officers_of([e.id for e in page.items]),
                           answer_form=AnswerDecisionForm(formdata=None),
                           refuse_form=RefuseDecisionForm(formdata=None), refused=refused or {})


def _form() -> FundEntryForm:
    form = FundEntryForm()
    form.kind.choices = [("", "—")] + [(k, str(v)) for k, v in ENTRY_KINDS.items()]
    form.pool_id.choices = [(0, "—")] + [(p.id, str(p.label)) for p in all_pools()]
    return form


@bp.route("/entries/new", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def new_entry():
    form = _form()
    if request.method == "GET":
        form.value_date.data = today()
    if form.validate_on_submit():
        done = run_once(form, PURPOSE, lambda: entry_proposals.propose_entry(
            current_user, kind=form.kind.data, pool_id=form.pool_id.data, value_date=form.value_date.data,
            usd_amount=form.usd_amount.data, description=form.description.data))
        if done is not None and done.repeated:
            flash(_("This form had already been sent, and its entry is shown here. Nothing was proposed "
                    "a second time."), "warning")
            return redirect(url_for("closure.entries"))
        if done is not None:
            _proposed(_("%(kind)s of %(amount)s proposed: nothing is recorded until another MPTF officer "
                        "confirms it.", kind=done.entry.kind_label,
                        amount=fmt_money(done.entry.usd_amount, USD)))
            return redirect(url_for("closure.entries", _anchor=f"waiting-entry-{done.entry.id}"))
    fresh_token(form, PURPOSE)
    return render_template("closure/entry_form.html", form=form)


def _proposed(message: str) -> None:
    flash(message, "success")
    if entry_proposals.active_officers() < 2:
        flash(_("You are the only active MPTF officer: a second one is needed to confirm it. An "
                "administrator can create the account."), "warning")


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def reverse_entry(entry_id: int):
    entry = db.session.get(FundEntry, entry_id) or abort(404)
    form = ReasonForm()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.entry_reversal(entry, form.reason.data))
        if summary is not None:
            back = url_for("closure.entries")
            return confirm_page(summary, form=form, button=_("Propose the reversal"), style="danger",
                                cancel=back, crumbs=[(_("Direct costs, bank charges and other income"), back),
                                                     (summary.title, None)])
    elif valid:
        done = run(form, lambda: entry_proposals.propose_reversal(current_user, entry, form.reason.data))
        if done is not None:
            _proposed(_("The reversal is proposed: nothing is recorded until another MPTF officer confirms "
                        "it."))
            return redirect(url_for("closure.entries", _anchor=f"waiting-entry-{done.id}"))
        entry = db.session.get(FundEntry, entry_id)
    return render_template("closure/reverse_entry.html", form=form, entry=entry)


@bp.route("/entries/waiting/<int:proposal_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/entries/waiting/<int:proposal_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/entries/waiting/<int:proposal_id>/withdraw", methods=["POST"], defaults={"answer": "withdraw"})
@roles_required(MPTF_OFFICER)
def answer_entry(proposal_id: int, answer: str):
    """A second MPTF officer confirms or refuses a waiting entry or reversal; its
    proposer may withdraw it (closure.entry_proposals)."""
    proposal = db.session.get(FundEntryProposal, proposal_id) or abort(404)
    form = RefuseDecisionForm() if answer == "refuse" else AnswerDecisionForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: entry_proposals.confirm(current_user, proposal_id),
                 "refuse": lambda: entry_proposals.refuse(current_user, proposal_id, form.reason.data),
                 "withdraw": lambda: entry_proposals.withdraw(current_user, proposal_id)}
        done = run(form, steps[answer])
        if done is not None and answer == "confirm":
            message = (_("Confirmed: the reversal of entry #%(id)s is recorded.", id=done.reverses_id)
                       if done.reverses_id else
                       _("Confirmed: %(kind)s of %(amount)s recorded for the %(pool)s pool.",
                         kind=done.kind_label,
                         amount=fmt_money(done.usd_amount, USD), pool=done.pool.sentence_name))
            flash(message, "success")
            return redirect(url_for("closure.entries"))
        if done is not None:
            flash({"refuse": _("Entry refused: nothing was recorded."),
                   "withdraw": _("Entry withdrawn: nothing was recorded.")}[answer], "success")
            return redirect(url_for("closure.entries"))
    if answer_refused(form, waits=proposal.status == WAITING,
                      decided=entry_proposals.already_decided_message()):
        return _page(refused={proposal_id: form}), 200
    return redirect(url_for("closure.entries", _anchor=f"waiting-entry-{proposal.id}"))

"""The officer's entries: pledges, commitments, deposits, reversals and interest."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...admin.models import PENDING
from ...clock import today
from ...confirmation import check, confirm_page, confirmed
from ...donors.choices import offer_donors, wanted_donor, with_saa_status
from ...donors.models import Donor
from ...errors import run
from ...exports import export_response
from ...extensions import db
from ...formatting import amount as fmt_amount
from ...formatting import money as fmt_money
from ...formatting import percent as fmt_percent
from ...formatting import rate as fmt_rate
from ...forms import answer_refused
from ...money import USD, precision, quantum
from ...once import already_recorded, fresh_token, run_once
from ...paging import paginate, per_page
from ...params import date_arg
from ...permissions import FINANCE_READERS as READERS
from ...permissions import MPTF_OFFICER, roles_required
from .. import interest_changes, previews, references, reversal_changes, services
from ..blueprint import bp
from ..forms import (
    CommitmentForm,
    DecideTransferForm,
    DepositForm,
    InterestForm,
    PledgeForm,
    ReasonForm,
    RefuseTransferForm,
)
from ..loaders import get_commitment_or_404
from ..models import Deposit, DepositReversalProposal, InterestEntry, InterestProposal, Pledge
from ..preview import as_text, preview_deposit
from ..queries import objectives
from ..rates import currency_choices, rate_for, rate_tolerance
from ..rules import reference_key
from .lists import deposit_page


def _earmark_options() -> list[tuple[str, str]]:
    return [("", _("Un-earmarked"))] + [(str(o.id), o.label) for o in objectives() if o.active]


def _entry_form(form_class, donor_id: int | None = None):
    form = form_class()
    form.donor_search = offer_donors(form.donor_id, wanted_donor() or donor_id, label=with_saa_status)
    form.currency.choices = currency_choices()
    form.objective_id.choices = _earmark_options()
    return form


def _donor(form) -> Donor | None:
    return db.session.get(Donor, form.donor_id.data) if form.donor_id.data else None


def _require_donor(form) -> bool:
    if not form.donor_id.data:
        form.donor_id.errors = list(form.donor_id.errors) + [_("Choose the donor.")]
        return False
    return True


@bp.route("/pledges/new", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def new_pledge():
    form = _entry_form(PledgeForm)
    if request.method == "GET":
        form.pledged_on.data = today()
    if form.validate_on_submit() and _require_donor(form):
        donor = _donor(form)
        done = run_once(form, "pledge", lambda: services.record_pledge(
            current_user, donor, currency=form.currency.data, amount=form.amount.data,
            objective_id=form.objective_id.data or None, pledged_on=form.pledged_on.data,
            note=form.note.data or ""))
        if done is not None:
            if done.repeated:
                return already_recorded("contributions.pledge", pledge_id=done.earlier_id)
            pledge = done.entry
            flash(_("Pledge of %(amount)s by %(donor)s recorded.",
                    amount=fmt_money(pledge.amount, pledge.currency), donor=donor.name), "success")
            return redirect(url_for("contributions.pledge", pledge_id=pledge.id))
    fresh_token(form, "pledge")
    return render_template("contributions/pledge_form.html", form=form)


@bp.route("/pledges/<int:pledge_id>/withdraw", methods=["POST"])
@roles_required(MPTF_OFFICER)
def withdraw_pledge(pledge_id: int):
    pledge = db.session.get(Pledge, pledge_id) or abort(404)
    form = ReasonForm()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.pledge_withdrawal(pledge, form.reason.data))
        if summary is not None:
            return confirm_page(summary, form=form, button=_("Withdraw the pledge"), style="danger",
                                cancel=url_for("contributions.pledge", pledge_id=pledge.id), crumbs=[
                                    (_("Pledges"), url_for("contributions.index", kind="pledges")),
                                    (f"#{pledge.id}", url_for("contributions.pledge", pledge_id=pledge.id)),
                                    (summary.title, None)])
    elif valid:
        done = run(form, lambda: services.withdraw_pledge(current_user, pledge, form.reason.data))
        if done is not None:
            flash(_("The pledge was marked withdrawn."), "success")
            return redirect(url_for("contributions.pledge", pledge_id=pledge_id))
        pledge = db.session.get(Pledge, pledge_id)
    return render_template("contributions/pledge.html", pledge=pledge, form=form, can_write=True)


def _instalments(form) -> list[tuple]:
    """Every row of the form, empty ones too: a refusal names its row by its place."""
    return [(entry.form.due_on.data, (entry.form.amount.data or "").strip())
            for entry in form.instalments.entries]


def _pledge_of_form() -> Pledge | None:
    """The pledge the commitment form fulfils: ?pledge=ID when it opens from the
    pledge's page, then the form's hidden pledge_id (404 for an unknown id on a GET;
    a POST's is checked by the service)."""
    text = request.args.get("pledge", "") if request.method == "GET" else request.form.get("pledge_id", "")
    pledge = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        pledge = db.session.get(Pledge, int(text))
    if text and pledge is None and request.method == "GET":
        abort(404)
    return pledge


def _fill_from_pledge(form, pledge: Pledge) -> None:
    """"Record the commitment" from a pledge: its donor, currency, earmarking, and
    what is still pledged as the amount (in the user's locale, as typed)."""
    form.pledge_id.data = str(pledge.id)
    form.currency.data = pledge.currency
    form.amount.data = fmt_amount(pledge.rest if pledge.is_open else pledge.amount, pledge.currency)
    form.objective_id.data = str(pledge.objective_id) if pledge.objective_id else ""
    if pledge.objective is not None and not pledge.objective.active:
        # Its objective retired since: not among the choices, so said now, before the
        # form offers "Un-earmarked" in its place.
        form.objective_id.errors = [services.earmark_refusal(pledge).message]


@bp.route("/commitments/new", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def new_commitment():
    pledge = _pledge_of_form()
    form = _entry_form(CommitmentForm, pledge.donor_id if pledge is not None else None)
    if request.method == "GET":
        form.committed_on.data = today()
        if pledge is not None:
            _fill_from_pledge(form, pledge)
    if form.validate_on_submit() and _require_donor(form):
        donor = _donor(form)
        done = run_once(form, "commitment", lambda: services.record_commitment(
            current_user, donor, currency=form.currency.data, amount=form.amount.data,
            objective_id=form.objective_id.data or None, committed_on=form.committed_on.data,
            reference=form.reference.data or "", note=form.note.data or "",
            instalments=_instalments(form), pledge_id=form.pledge_id.data or None))
        if done is not None:
            if done.repeated:
                return already_recorded("contributions.commitment", commitment_id=done.earlier_id)
            commitment = done.entry
            flash(_("Commitment of %(amount)s by %(donor)s recorded.",
                    amount=fmt_money(commitment.amount, commitment.currency), donor=donor.name), "success")
            return redirect(url_for("contributions.commitment", commitment_id=commitment.id))
        pledge = _pledge_of_form()
    donor = _donor(form)
    fresh_token(form, "commitment")
    return render_template("contributions/commitment_form.html", form=form, donor=donor, pledge=pledge)


@bp.route("/commitments/<int:commitment_id>/deposits/new", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def new_deposit(commitment_id: int):
    commitment = get_commitment_or_404(commitment_id)
    form = DepositForm()
    form.rate.description = _("Filled in from the UN operational rate of the value date's month. Another "
                              "rate needs a note, and may differ from it by at most %(tolerance)s.",
                              tolerance=fmt_percent(rate_tolerance()))
    if request.method == "GET":
        form.value_date.data = today()
        table = rate_for(commitment.currency, today())
        form.rate.data = fmt_rate(table)  # in the user's locale, as they would type it
    if form.validate_on_submit():
        done = run_once(form, "deposit", lambda: services.record_deposit(
            current_user, commitment, value_date=form.value_date.data, amount=form.amount.data,
            rate=form.rate.data or None, rate_note=form.rate_note.data or "",
            bank_reference=form.bank_reference.data or "",
            separate_transfer=bool(form.separate_transfer.data),
            separate_note=form.separate_note.data or ""))
        if done is not None and done.repeated:
            return already_recorded("contributions.deposit", deposit_id=done.earlier_id)
        if done is not None:
            deposit = done.entry
            flash(_("Deposit recorded: %(amount)s at %(rate)s = %(usd)s, fee %(fee)s, net %(net)s.",
                    amount=fmt_money(deposit.amount, deposit.currency), rate=fmt_rate(deposit.rate),
                    usd=fmt_money(deposit.usd_amount, USD), fee=fmt_money(deposit.fee, USD),
                    net=fmt_money(deposit.net, USD)), "success")
            return redirect(url_for("contributions.deposit", deposit_id=deposit.id))
        commitment = get_commitment_or_404(commitment_id)
    table = rate_for(commitment.currency, form.value_date.data) if form.value_date.data else None
    fresh_token(form, "deposit")
    # The deposit that already has the reference, for a link beside the refusal.
    holder = references.standing_deposit(reference_key(form.bank_reference.data)) \
        if form.bank_reference.errors else None
    return render_template("contributions/deposit_form.html", form=form, commitment=commitment,
                           table_rate=table, places=precision(commitment.currency), holder=holder,
                           # Texts for the script, with {month} and {rate} for it to fill in.
                           label_rate=_("UN operational rate for %(month)s: %(rate)s",
                                        month="{month}", rate="{rate}"),
                           label_none=_("No UN operational rate on file for %(month)s.",
                                        month="{month}"))


@bp.route("/commitments/<int:commitment_id>/deposits/preview")
@roles_required(MPTF_OFFICER)
def deposit_preview(commitment_id: int):
    """What the deposit form's values would record (preview.preview_deposit), for its
    script: the raw figures as strings of digits, and as the user's locale shows them."""
    commitment = get_commitment_or_404(commitment_id)
    args = request.args
    preview = preview_deposit(commitment, value_date=date_arg(args, "value_date"),
                              amount=args.get("amount", "")[:40], rate=args.get("rate", "")[:30],
                              rate_note=args.get("rate_note", "")[:2000])
    f, currency = preview.figures, commitment.currency
    return jsonify(
        ok=f is not None, problem=preview.problem, field=preview.field, month=preview.month,
        figures=None if f is None else {
            "amount": str(f.amount), "rate": str(f.rate), "usd": str(f.usd), "fee_rate": str(f.fee_rate),
            "fee": str(f.fee), "net": str(f.net),
            "outstanding_after": str(preview.outstanding_after.quantize(quantum(currency)))},
        table_rate=as_text(preview.table_rate), fee_rate=as_text(preview.fee_rate),
        shown={
            "table_rate": fmt_rate(preview.table_rate), "fee_rate": fmt_percent(preview.fee_rate),
            **({} if f is None else {
                "amount": fmt_money(f.amount, currency), "rate": fmt_rate(f.rate),
                "usd": fmt_money(f.usd, USD), "fee": fmt_money(f.fee, USD), "net": fmt_money(f.net, USD),
                "fee_rate": fmt_percent(f.fee_rate),
                "outstanding_after": fmt_money(preview.outstanding_after, currency)})})


@bp.route("/deposits/<int:deposit_id>/reverse", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def reverse_deposit(deposit_id: int):
    """An MPTF officer proposes a deposit's reversal; another confirms it on the
    deposit's page (reversal_changes)."""
    deposit = db.session.get(Deposit, deposit_id) or abort(404)
    form = ReasonForm()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.deposit_reversal(deposit, form.reason.data, current_user))
        if summary is not None:
            back = url_for("contributions.deposit", deposit_id=deposit.id)
            return confirm_page(summary, form=form, button=_("Propose the reversal"), style="danger",
                                cancel=back, crumbs=[(_("Deposits"), url_for("contributions.deposits")),
                                                     (f"#{deposit.id}", back), (summary.title, None)])
    elif valid:
        proposal = run(form, lambda: reversal_changes.propose(current_user, deposit, form.reason.data))
        if proposal is not None:
            _proposed(_("The reversal is proposed: nothing is recorded until another MPTF officer "
                        "confirms it."))
            return redirect(url_for("contributions.deposit", deposit_id=deposit_id))
        deposit = db.session.get(Deposit, deposit_id)
    return render_template("contributions/reverse.html", form=form, deposit=deposit)


@bp.route("/deposits/reversals/<int:proposal_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/deposits/reversals/<int:proposal_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/deposits/reversals/<int:proposal_id>/withdraw", methods=["POST"], defaults={"answer": "withdraw"})
@roles_required(MPTF_OFFICER)
def answer_deposit_reversal(proposal_id: int, answer: str):
    """A second MPTF officer confirms or refuses a deposit's waiting reversal; its
    proposer may withdraw it (reversal_changes)."""
    proposal = db.session.get(DepositReversalProposal, proposal_id) or abort(404)
    deposit_id = proposal.deposit_id
    form = RefuseTransferForm() if answer == "refuse" else DecideTransferForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: reversal_changes.confirm(current_user, proposal_id),
                 "refuse": lambda: reversal_changes.refuse(current_user, proposal_id, form.reason.data),
                 "withdraw": lambda: reversal_changes.withdraw(current_user, proposal_id)}
        done = run(form, steps[answer])
        if done is not None:
            flash({"confirm": lambda: _("Deposit reversed: %(amount)s, net %(net)s taken back from the pool.",
                                        amount=fmt_money(-done.amount, done.currency),
                                        net=fmt_money(-done.net, USD)),
                   "refuse": lambda: _("Reversal refused: nothing was recorded."),
                   "withdraw": lambda: _("Reversal withdrawn: nothing was recorded.")}[answer](), "success")
            return redirect(url_for("contributions.deposit", deposit_id=deposit_id))
    if answer_refused(form, waits=proposal.status == PENDING,
                      decided=reversal_changes.already_decided_message()):
        return deposit_page(db.session.get(Deposit, deposit_id), refused=form), 200
    return redirect(url_for("contributions.deposit", deposit_id=deposit_id, _anchor="waiting-reversal"))


@bp.route("/interest")
@roles_required(*READERS)
def interest():
    if request.args.get("format") == "xlsx":
        return export_response("interest", {}, current_user)
    return _interest_page()


def _interest_page(refused: dict | None = None):
    """The interest page, with the interest and reversals waiting for a second MPTF
    officer; `refused`: the refusal form of a waiting one that was refused (its error
    beside the reason), by the proposal's id."""
    query = sa.select(InterestEntry).order_by(InterestEntry.value_date.desc(), InterestEntry.id.desc())
    page = paginate(query, per_page())
    total = db.session.scalar(sa.select(sa.func.sum(InterestEntry.usd_amount)))
    reversed_ids = set(db.session.scalars(sa.select(InterestEntry.reverses_id)
                                          .where(InterestEntry.reverses_id.is_not(None))))
    waiting = interest_changes.waiting()
    return render_template("contributions/interest.html", page=page, total=total,
                           reversed_ids=reversed_ids, can_write=current_user.role == MPTF_OFFICER,
                           waiting=waiting, blocked={p.id: interest_changes.why_not_now(p) for p in waiting},
                           reversal_waiting={p.reverses_id for p in waiting if p.reverses_id},
                           recorded=interest_changes.officers_of([e.id for e in page.items]),
                           active_officers=interest_changes.active_officers(),
                           answer_form=DecideTransferForm(formdata=None),
                           refuse_form=RefuseTransferForm(formdata=None), refused=refused or {})


def _proposed(message: str) -> None:
    flash(message, "success")
    if interest_changes.active_officers() < 2:
        flash(_("You are the only active MPTF officer: a second one is needed to confirm it. An "
                "administrator can create the account."), "warning")


@bp.route("/interest/new", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def new_interest():
    form = InterestForm()
    if request.method == "GET":
        form.value_date.data = today()
    if form.validate_on_submit():
        done = run_once(form, "interest", lambda: interest_changes.propose(
            current_user, value_date=form.value_date.data, usd_amount=form.usd_amount.data,
            note=form.note.data or "", separate=form.separate.data))
        if done is not None and done.repeated:
            return already_recorded("contributions.interest")
        if done is not None:
            _proposed(_("Interest of %(amount)s proposed: nothing is credited to the un-earmarked pool until "
                        "another MPTF officer confirms it.", amount=fmt_money(done.entry.usd_amount, USD)))
            return redirect(url_for("contributions.interest"))
    fresh_token(form, "interest")
    return render_template("contributions/interest_form.html", form=form)


@bp.route("/interest/<int:entry_id>/reverse", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def reverse_interest(entry_id: int):
    entry = db.session.get(InterestEntry, entry_id) or abort(404)
    form = ReasonForm()
    valid = form.validate_on_submit()
    if valid and not confirmed():
        summary = check(form, lambda: previews.interest_reversal(entry, form.reason.data))
        if summary is not None:
            back = url_for("contributions.interest")
            return confirm_page(summary, form=form, button=_("Propose the reversal"), style="danger",
                                cancel=back, crumbs=[(_("Interest"), back), (summary.title, None)])
    elif valid:
        proposal = run(form, lambda: interest_changes.propose_reversal(current_user, entry, form.reason.data))
        if proposal is not None:
            _proposed(_("The reversal is proposed: nothing is recorded until another MPTF officer "
                        "confirms it."))
            return redirect(url_for("contributions.interest"))
        entry = db.session.get(InterestEntry, entry_id)
    return render_template("contributions/reverse_interest.html", form=form, entry=entry)


@bp.route("/interest/waiting/<int:proposal_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/interest/waiting/<int:proposal_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/interest/waiting/<int:proposal_id>/withdraw", methods=["POST"], defaults={"answer": "withdraw"})
@roles_required(MPTF_OFFICER)
def answer_interest(proposal_id: int, answer: str):
    """A second MPTF officer confirms or refuses waiting interest or its reversal; its
    proposer may withdraw it (interest_changes)."""
    proposal = db.session.get(InterestProposal, proposal_id) or abort(404)
    form = RefuseTransferForm() if answer == "refuse" else DecideTransferForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: interest_changes.confirm(current_user, proposal_id),
                 "refuse": lambda: interest_changes.refuse(current_user, proposal_id, form.reason.data),
                 "withdraw": lambda: interest_changes.withdraw(current_user, proposal_id)}
        done = run(form, steps[answer])
        if done is not None:
            flash({"confirm": (_("Confirmed: the reversal of interest entry #%(id)s is recorded.",
                                 id=getattr(done, "reverses_id", None))
                               if getattr(done, "reverses_id", None) else
                               _("Confirmed: interest of %(amount)s credited to the un-earmarked pool.",
                                 amount=fmt_money(getattr(done, "usd_amount", 0), USD))),
                   "refuse": _("Interest refused: nothing was recorded."),
                   "withdraw": _("Interest withdrawn: nothing was recorded.")}[answer], "success")
            return redirect(url_for("contributions.interest"))
    if answer_refused(form, waits=proposal.status == PENDING,
                      decided=interest_changes.already_decided_message()):
        return _interest_page(refused={proposal_id: form}), 200
    return redirect(url_for("contributions.interest", _anchor=f"waiting-interest-{proposal.id}"))

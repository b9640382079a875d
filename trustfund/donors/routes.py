"""Donors and their SAA: the list, the donor page, and the officer's forms."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import run
from ..exports import export_response
from ..extensions import db
from ..forms import answer_refused
from ..paging import paginate
from ..params import page_arg
from ..permissions import ADMIN, AUDITOR, MPTF_OFFICER, SRSG_STAFF, roles_required
from . import renamings
from .blueprint import bp
from .forms import DonorEditForm, DonorFilterForm, DonorForm, RenamingAnswerForm, RenamingRefusalForm, SaaForm
from .loaders import get_donor_or_404
from .models import SAA_IN_FORCE, SAA_STATUSES, DonorRenaming
from .queries import country_choices, donor_countries, donor_query, parse_filters
from .services import allowed_next, change_saa_status, contributions_recorded, create_donor, lookalike_of

READERS = (ADMIN, MPTF_OFFICER, SRSG_STAFF, AUDITOR)
PER_PAGE = 50


@bp.route("/")
@roles_required(*READERS)
def index():
    filters = parse_filters(request.args)
    if request.args.get("format") == "xlsx":
        chosen = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "name")}
        return export_response("donors", chosen, current_user)
    form = DonorFilterForm(request.args)
    form.country.choices = [("", _("All countries"))] + donor_countries()
    page = paginate(donor_query(filters, current_user), PER_PAGE)
    # The changes of donors' names waiting for a second MPTF officer, each to its donor's
    # page (the officers' dashboards link here).
    return render_template("donors/index.html", page=page, form=form, filters=filters,
                           waiting_renamings=renamings.waiting_shown())


def _donor_form(donor=None) -> DonorForm:
    form = DonorForm(obj=donor) if donor is None else DonorEditForm(obj=donor)
    form.country_code.choices = [("", "—")] + country_choices()
    if request.method == "GET" and donor is not None:
        form.country_code.data = donor.country_code or ""
        form.version.data = donor.version
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def new():
    form = _donor_form()
    if form.validate_on_submit():
        donor = run(form, lambda: create_donor(
            current_user, name=form.name.data, donor_type=form.donor_type.data,
            country_code=form.country_code.data or None, contact_name=form.contact_name.data or "",
            contact_email=form.contact_email.data or "",
            lookalike_confirmed=form.lookalike_confirmed.data))
        if donor is not None:
            flash(_("Donor %(name)s added. Its SAA is not started.", name=donor.name), "success")
            return redirect(url_for("donors.view", donor_id=donor.id))
    return render_template("donors/form.html", form=form, donor=None,
                           lookalike=_lookalike(form, None))


def _lookalike(form, donor):
    """The donor whose name the posted one looks like, to offer the confirmation."""
    if request.method != "POST" or not form.name.errors:
        return None
    return lookalike_of(form.name.data, donor)


@bp.route("/<int:donor_id>/edit", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def edit(donor_id: int):
    donor = get_donor_or_404(donor_id)
    form = _donor_form(donor)
    if form.validate_on_submit():
        saved = run(form, lambda: renamings.correct_donor(
            current_user, donor, version=form.version.data, name=form.name.data,
            donor_type=form.donor_type.data, country_code=form.country_code.data or None,
            contact_name=form.contact_name.data or "", contact_email=form.contact_email.data or "",
            lookalike_confirmed=form.lookalike_confirmed.data, reason=form.reason.data or ""))
        if saved is not None and saved.renaming is not None:
            flash(_("The change is proposed: nothing changes until another MPTF officer confirms it. The "
                    "other details are saved."), "success")
            return redirect(url_for("donors.view", donor_id=donor_id, _anchor="waiting-renaming"))
        if saved is not None:
            flash(_("Donor %(name)s saved.", name=saved.donor.name), "success")
            return redirect(url_for("donors.view", donor_id=donor_id))
        donor = get_donor_or_404(donor_id)
    return render_template("donors/form.html", form=form, donor=donor, lookalike=_lookalike(form, donor),
                           names_confirmed=contributions_recorded(donor.id),
                           waiting_renaming=renamings.waiting_for(donor.id))


@bp.route("/<int:donor_id>")
@roles_required(*READERS)
def view(donor_id: int):
    """The officer's desk: the donor's details, figures, SAA, commitments and deposits
    (a page of each: ?commitments_page=, ?deposits_page=). The figures and lists come
    from the ledger through the template global donor_desk (dashboard/desk.py)."""
    return _donor_page(get_donor_or_404(donor_id))


def _donor_page(donor, refused_renaming=None):
    """The donor's page, with the change of its name waiting for a second MPTF officer,
    if any (`refused_renaming`: its refusal form sent without a reason)."""
    waiting = renamings.waiting_for(donor.id)
    return render_template("donors/view.html", donor=donor, waiting_renaming=waiting,
                           renaming_blocked=renamings.why_not_now(waiting) if waiting else None,
                           renaming_lookalike=(lookalike_of(waiting.name, donor)
                                               if waiting and waiting.name != waiting.name_before else None),
                           answer_form=RenamingAnswerForm(formdata=None),
                           refuse_form=refused_renaming or RenamingRefusalForm(formdata=None),
                           history=list(reversed(donor.saa_history)),
                           latest_amendment=donor.latest_amendment,
                           can_edit=current_user.role == MPTF_OFFICER,
                           next_statuses=allowed_next(donor), status_labels=SAA_STATUSES,
                           commitments_page=page_arg(request.args, "commitments_page"),
                           deposits_page=page_arg(request.args, "deposits_page"))


@bp.route("/renamings/<int:renaming_id>/confirm", methods=["POST"], defaults={"answer": "confirm"})
@bp.route("/renamings/<int:renaming_id>/refuse", methods=["POST"], defaults={"answer": "refuse"})
@bp.route("/renamings/<int:renaming_id>/withdraw", methods=["POST"], defaults={"answer": "withdraw"})
@roles_required(MPTF_OFFICER)
def answer_renaming(renaming_id: int, answer: str):
    """A second MPTF officer confirms or refuses a waiting change of a donor's name; its
    proposer may withdraw it (donors.renamings)."""
    renaming = db.session.get(DonorRenaming, renaming_id) or abort(404)
    donor_id, waits = renaming.donor_id, renaming.status == renamings.PENDING
    form = RenamingRefusalForm() if answer == "refuse" else RenamingAnswerForm()
    if form.validate_on_submit():
        steps = {"confirm": lambda: renamings.confirm(current_user, renaming_id),
                 "refuse": lambda: renamings.refuse(current_user, renaming_id, form.reason.data),
                 "withdraw": lambda: renamings.withdraw(current_user, renaming_id)}
        done = run(form, steps[answer])
        if done is not None:
            flash({"confirm": _("Change confirmed: %(changes)s.", changes=done.in_words),
                   "refuse": _("Change refused: the donor stays as it was."),
                   "withdraw": _("Change withdrawn: the donor stays as it was.")}[answer], "success")
            return redirect(url_for("donors.view", donor_id=donor_id))
    if answer_refused(form, waits=waits, decided=renamings.already_decided_message()):
        return _donor_page(get_donor_or_404(donor_id), refused_renaming=form), 200
    return redirect(url_for("donors.view", donor_id=donor_id, _anchor="waiting-renaming"))


@bp.route("/<int:donor_id>/saa", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def saa(donor_id: int):
    donor = get_donor_or_404(donor_id)
    form = SaaForm()
    if request.method == "POST":
        # The form accepts any status: a step that is not allowed is refused by the
        # service, with a message naming the current status.
        form.to_status.choices = list(SAA_STATUSES.items())
    else:
        form.version.data = donor.version
        if donor.saa_status in SAA_IN_FORCE:
            form.signatory_mptf.data = donor.saa_signatory_mptf
    if form.validate_on_submit():
        saved = run(form, lambda: change_saa_status(
            current_user, donor, form.to_status.data, note=form.note.data or "",
            signed_on=form.signed_on.data, signatory_donor=form.signatory_donor.data,
            signatory_mptf=form.signatory_mptf.data, reference=form.reference.data,
            version=form.version.data))
        if saved is not None:
            flash(_("The SAA of %(name)s is now %(status)s.", name=saved.name,
                    status=str(saved.saa_label).lower()), "success")
            return redirect(url_for("donors.view", donor_id=donor_id))
        donor = get_donor_or_404(donor_id)
    next_statuses = allowed_next(donor)
    form.to_status.choices = [(s, SAA_STATUSES[s]) for s in next_statuses] or [
        ("", _("No further status"))]
    return render_template("donors/saa.html", form=form, donor=donor,
                           signing_statuses=SAA_IN_FORCE, next_statuses=next_statuses)

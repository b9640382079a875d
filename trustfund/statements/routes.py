"""The donor portal, donor statements (screen, print, .xlsx) and every donor's balance."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template, request, send_file
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..clock import today
from ..contributions.models import Deposit
from ..donors.loaders import get_donor_or_404
from ..errors import DomainError, attach
from ..exports import export_response
from ..extensions import db
from ..once import already_recorded, fresh_token, run_once
from ..paging import paginate
from ..params import page_arg
from ..permissions import DONOR, MPTF_OFFICER, STAFF, roles_required
from . import exports as statement_exports  # noqa: F401  (registers the exports)
from .blueprint import bp
from .forms import IssueForm, PeriodForm
from .portal import overview
from .services import (
    balance_sheet,
    commitment_name,
    donor_deposits_query,
    donor_pledges,
    period_or_error,
    statement,
    statement_heading,
    with_reversal_dates,
)

# A commitment in the statement's and the portal's tables (their .xlsx call it too).
bp.add_app_template_global(commitment_name, "commitment_name")
bp.add_app_template_global(statement_heading, "statement_heading")

DEPOSITS_PER_PAGE = 50
STATEMENT_DEPOSITS_PER_PAGE = 100
BALANCES_PER_PAGE = 100
PORTAL_EXPORTS = {"commitments": "my_commitments", "deposits": "my_deposits",
                  "instalments": "my_instalments", "pledges": "my_pledges"}


def _period(form: PeriodForm):
    """The period asked for, or the default one with the refusal beside its field."""
    if not form.validate():
        return period_or_error(None, None)
    try:
        return period_or_error(form.date_from.data, form.date_to.data)
    except DomainError as error:
        attach(form, error)
        return period_or_error(None, None)


def _pdf_response(donor, date_from, date_to):
    import io

    from .pdf import statement_pdf

    result_from, result_to = period_or_error(date_from, date_to)
    # Statements are issued by the MPTF Office's officers: anyone else's copy (a donor's
    # own, an auditor's) says who downloaded it, not that they issued it.
    content = statement_pdf(donor, result_from, result_to, current_user,
                            downloaded=current_user.role != MPTF_OFFICER)
    name = f"statement-{donor.id}-{result_from.isoformat()}-{result_to.isoformat()}.pdf"
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=name, max_age=0)


@bp.route("/issue", methods=["GET", "POST"])
@roles_required(MPTF_OFFICER)
def issue():
    """Issue the statements of a period as PDF documents of their donors."""
    from flask import flash, redirect, url_for
    from flask_babel import gettext as _
    from flask_babel import ngettext

    from ..donors.models import Donor
    from .issue import PAGE_LIMIT, issue_statements

    form = IssueForm()
    form.donors.choices = [(d.id, d.name) for d in db.session.scalars(
        sa.select(Donor).order_by(sa.func.lower(Donor.name)))]
    if form.validate_on_submit():
        chosen = form.donors.data or None
        if len(chosen or form.donors.choices) > PAGE_LIMIT:
            attach(form, DomainError(_("At most %(n)s donors at once here; for more, ask whoever runs the "
                                       "server to run the command flask --app trustfund issue-statements.",
                                       n=PAGE_LIMIT), field="donors"))
        else:
            # Once per render of the form (trustfund.submissions): a double click, or the
            # browser sending a slow issue again, neither stores a second version nor
            # tells every donor user twice.
            done = run_once(form, ISSUE, lambda: Issued(issue_statements(
                current_user, form.date_from.data, form.date_to.data, chosen)))
            if done is not None and done.repeated:
                return already_recorded("statements.index")
            if done is not None:
                issued = done.entry.documents
                flash(ngettext("%(num)d statement issued.", "%(num)d statements issued.", len(issued)),
                      "success")
                return redirect(url_for("statements.index"))
    fresh_token(form, ISSUE)
    return render_template("statements/issue.html", form=form)


ISSUE = "statements"  # the issue form's one-time token (trustfund.submissions)


@dataclass
class Issued:
    """What one issue stored, as submissions.once keeps an entry: its first document."""

    documents: list

    @property
    def id(self) -> int | None:
        return self.documents[0].id if self.documents else None


@bp.route("/portal")
@roles_required(DONOR)
def portal():
    donor = get_donor_or_404(current_user.donor_id)
    which = request.args.get("list")
    if request.args.get("format") == "xlsx" and which in PORTAL_EXPORTS:
        return export_response(PORTAL_EXPORTS[which], {"donor_id": donor.id}, current_user)
    view = overview(donor)
    # Each row says whether it reverses or was reversed, and when; the rows show their
    # commitment (the donor's commitments, read by overview), not their pool.
    deposits = paginate(donor_deposits_query(donor.id, newest_first=True, related=False).options(
                            joinedload(Deposit.commitment), *with_reversal_dates()), DEPOSITS_PER_PAGE)
    return render_template("statements/portal.html", donor=donor, view=view, deposits=deposits,
                           pledges=donor_pledges(donor.id))


@bp.route("/")
@roles_required(*STAFF)
def index():
    form = PeriodForm(request.args)
    date_from, date_to = _period(form)
    if request.args.get("format") == "xlsx" and not form.errors and not form.form_errors:
        return export_response("donor_balances", {"date_from": date_from, "date_to": date_to},
                               current_user)
    date_from, date_to, lines, totals = balance_sheet(date_from, date_to)
    page = page_arg()
    pages = max((len(lines) + BALANCES_PER_PAGE - 1) // BALANCES_PER_PAGE, 1)
    page = min(page, pages)
    shown = lines[(page - 1) * BALANCES_PER_PAGE: page * BALANCES_PER_PAGE]
    return render_template("statements/index.html", form=form, lines=shown, totals=totals,
                           date_from=date_from, date_to=date_to, count=len(lines),
                           page=page, pages=pages)


@bp.route("/<int:donor_id>", endpoint="statement")
@roles_required(DONOR, *STAFF)
def statement_page(donor_id: int):
    donor = get_donor_or_404(donor_id)
    form = PeriodForm(request.args)
    date_from, date_to = _period(form)
    valid = not form.errors and not form.form_errors
    if request.args.get("format") == "xlsx" and valid:
        return export_response("statement", {"donor_id": donor.id, "date_from": date_from,
                                             "date_to": date_to}, current_user)
    if request.args.get("format") == "pdf" and valid:
        return _pdf_response(donor, date_from, date_to)
    printing = bool(request.args.get("print")) and valid
    # The screen shows the period's deposits a page at a time (every figure is still
    # over the whole period); the print view and the .xlsx hold every deposit.
    page = None if printing else page_arg()
    result = statement(donor, date_from, date_to, page=page, per_page=STATEMENT_DEPOSITS_PER_PAGE)
    if valid:
        form.date_from.data, form.date_to.data = result.date_from, result.date_to
    template = "statements/print.html" if printing else "statements/statement.html"
    # The print view is the statement as a document for the donor: no deposit's number
    # or link, whoever prints it.
    return render_template(template, form=form, s=result, donor=donor, today=today(),
                           document=printing)

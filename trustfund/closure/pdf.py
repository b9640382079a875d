"""The fund's closing reports as PDF (issue 19 on issue 18): the certified final
statements (the fund's and each donor's) and the funding status on a date, drawn by
the donor statement's engine (statements/pdf.py: WeasyPrint, A4 landscape, the
machine's own fonts, nothing fetched) from each page's own body template, so that
the PDF's figures are the page's.

A certified statement is issued once: its PDF says who signed it off and when, and
shows the figures stored then (FinalStatement.content), whenever it is downloaded.
The funding status is issued by whoever downloads it, today."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import render_template
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from ..clock import today
from ..formatting import date
from ..fund.entries import CLOSING_KINDS, FinalStatement
from ..statements.pdf import html_to_pdf, page_label
from .final import commitment_as_certified, pool_name_as_certified, signed_off_by
from .funding import LINE_LABELS, FundingStatus, Line, percent_texts


def _name(user) -> str:
    return getattr(user, "name", None) or getattr(user, "email", None) or _("the MPTF Office")


def _pdf(title: str, body: str, issued_on: dt.date, issued_by: str, **context) -> bytes:
    """`issued_by`: who issued it, as named on the day (signed_off_by) or now (_name)."""
    html = render_template("closure/pdf.html", title=title, body=body, issued_on=issued_on,
                           issued_by=issued_by or _("the MPTF Office"), page_label=page_label(), **context)
    return html_to_pdf(html)


def final_statement_pdf(found: FinalStatement) -> bytes:
    """A certified final statement as issued: its signer, its day, its stored figures."""
    c = found.content
    if found.donor_id is None:
        title, body = _("Certified final financial statement of the fund"), "closure/_final_fund_body.html"
    else:
        title = _("Certified final financial statement of %(donor)s", donor=c["donor"]["name"])
        body = "closure/_final_donor_body.html"
    # Its day as the reader's, as the certification line and the page say it (issued_at
    # is a UTC moment: cut to its UTC date, the margins named the day before in Tokyo).
    issued_on = to_user_timezone(found.issued_at).date()
    return _pdf(title, body, issued_on, signed_off_by(found), found=found, c=c, labels=LINE_LABELS,
                kinds=CLOSING_KINDS, D=Decimal, day=dt.date.fromisoformat, percents=stored_percents(found),
                pool_name=pool_name_as_certified,
                commitment_name=commitment_as_certified)


def stored_percents(found: FinalStatement) -> dict[str, str]:
    """The fund's statement's percentages as stored when it was issued (the balance with
    the Administrative Agent as a percentage of the contributions), shown as the page
    shows them; none for a donor's."""
    return percent_texts((line["key"], None if line.get("percent") is None else Decimal(line["percent"]))
                         for line in found.content.get("funding_status", ()))


def funding_status_pdf(status: FundingStatus, shown: list[Line], percents: dict, issued_by) -> bytes:
    """The funding status on `status.on`, issued today by the reader."""
    return _pdf(_("Funding status on %(date)s", date=date(status.on)), "closure/_funding_status_body.html",
                today(), _name(issued_by), status=status, lines=shown, on=status.on, percents=percents)

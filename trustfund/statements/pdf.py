"""Donor statements as PDF (issue 19), drawn by WeasyPrint from the print view's own
template (statements/_body.html), so that the PDF's figures are the page's.

A4 landscape, the fund's name, the period, when and by whom it was issued, "page N
of M" in the reader's language, tables whose header rows repeat on every page. Fonts
are the machine's own (Debian's fonts-noto-core and fonts-noto-cjk: Arabic and
Chinese glyphs), and the stylesheet is read from the app's static folder: the
url_fetcher refuses anything else, so drawing a PDF never reaches the network."""
from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlsplit

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from ..clock import today
from ..donors.models import Donor
from .services import statement


def base_url() -> str:
    """The address the page's links resolve against: the site's (EXTERNAL_URL), so that a
    link drawn in a PDF (a word's glossary entry) leads to the site the donor signs in
    to. Nothing is ever fetched from it: _local_fetcher serves the app's static files
    from disk and refuses every other address."""
    parts = urlsplit(current_app.config["EXTERNAL_URL"])
    return f"{parts.scheme or 'https'}://{parts.netloc}/"


def _local_fetcher():
    """A WeasyPrint URL fetcher that serves the app's static files from disk and
    refuses every other address (no network, no other file)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    folder = os.path.realpath(current_app.static_folder)
    static = url_for("static", filename="")
    base = base_url()

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            return URLFetcherResponse(url, static_file(url, folder, static, base),
                                      {"Content-Type": "text/css" if url.endswith(".css") else
                                       "application/octet-stream"})

    return LocalFetcher(allowed_protocols=("http", "https"))


def static_file(url: str, folder: str, static: str, base: str) -> bytes:
    """The bytes of the app's static file `url` names (at the address `base`, read from
    disk); ValueError for anything else."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != base or not parts.path.startswith(static):
        raise ValueError(f"not fetched: {url}")
    path = os.path.realpath(os.path.join(folder, parts.path[len(static):]))
    if not path.startswith(folder + os.sep) or not os.path.isfile(path):
        raise ValueError(f"no such static file: {url}")
    with open(path, "rb") as handle:
        return handle.read()


def page_label() -> tuple[str, str, str]:
    """"Page %(page)s of %(pages)s" in the reader's language, cut around its numbers
    (the page margin draws them with CSS counters)."""
    text = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    before, _sep, rest = text.partition("\x00")
    middle, _sep, after = rest.partition("\x01")
    return before, middle, after


def statement_pdf(donor: Donor, date_from: dt.date | None, date_to: dt.date | None, issued_by,
                  downloaded: bool = False) -> bytes:
    """The statement of `donor` for the period as PDF bytes, issued today by `issued_by`
    (an MPTF officer), or (`downloaded`: a copy taken by someone who does not issue
    statements, a donor from its portal, an auditor) downloaded today by them."""
    result = statement(donor, date_from, date_to)
    html = render_template("statements/pdf.html", s=result, donor=donor, today=today(),
                           downloaded=downloaded, document=True,
                           issued_by=getattr(issued_by, "name", None) or getattr(issued_by, "email", None)
                           or _("the MPTF Office"),
                           page_label=page_label())
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    """A page drawn for print (a template over statement-pdf.css) as PDF bytes, with
    the app's static files only: the fund's closing reports use it too."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url(), url_fetcher=_local_fetcher()).write_pdf()

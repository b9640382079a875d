"""Issuing the statements of a period in bulk (issue 19): each donor's statement as
PDF, stored as a document of the donor (kind "statement"), which its portal lists.
Issuing a period again replaces that period's earlier statement with a reason (the
earlier one is kept, as every document version is).

Run by an officer for a few donors (the statements page) or by the command
`flask --app trustfund issue-statements --from D --to D` for all, on a schedule."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..documents import services as documents
from ..documents.models import Document, statement_filename, statement_title
from ..documents.notices import donor_users
from ..documents.targets import TARGETS
from ..donors.models import Donor
from ..errors import DomainError
from ..extensions import db
from ..language import speaking
from ..mail.outbox import recipient_locale
from .pdf import statement_pdf
from .services import period_or_error

# More than this from the page is work for the command (a web worker has about 30 s).
PAGE_LIMIT = 50


def statement_language(donor: Donor) -> str:
    """The language a donor's issued statement is written in: the one its users read
    (each user's as their messages speak it: chosen, else their pages' at their last
    sign-in) when they all read one, else the fund's default language; whoever issues
    it, from whichever page or command."""
    languages = {recipient_locale(user) for user in donor_users(donor.id)}
    if len(languages) == 1:
        return languages.pop()
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def issue_statements(actor, date_from: dt.date | None, date_to: dt.date | None,
                     donor_ids: Iterable[int] | None = None) -> list[Document]:
    """Store each chosen donor's statement of the period (every donor's when none is
    chosen) as a document of the donor; returns the documents stored."""
    date_from, date_to = period_or_error(date_from, date_to)
    query = sa.select(Donor).order_by(Donor.id)
    if donor_ids is not None:
        ids = sorted(set(donor_ids))
        if not ids:
            raise DomainError(_("Choose at least one donor."), field="donors")
        query = query.where(Donor.id.in_(ids))
    donors = list(db.session.scalars(query))
    if not donors and donor_ids is None:
        raise DomainError(_("No donor has been added yet: there is no statement to issue."), field="donors")
    if donor_ids is not None and len(donors) != len(set(donor_ids)):
        if actor is None:  # the command, which takes ids
            unknown = min(set(donor_ids) - {d.id for d in donors})
            raise DomainError(_("There is no donor with id %(id)s.", id=unknown), field="donors")
        raise DomainError(_("Choose donors from the list."), field="donors")
    # Stored as the issuer reads it; each reader sees it in their own language
    # (Document.shown_title).
    title = statement_title(date_from, date_to)
    target = TARGETS["donor"]
    limit = max(current_app.config["DOCUMENT_MAX_BYTES"], 50 * 1024 * 1024)
    filename = statement_filename(date_from, date_to)
    issued = []
    for donor in donors:
        with speaking(statement_language(donor)):
            content = statement_pdf(donor, date_from, date_to, actor)
        # The period's statement issued before, whatever the language its title was
        # written in (the file's name names the period in digits).
        earlier = db.session.scalar(sa.select(Document).where(
            Document.object_type == target.name, Document.object_id == donor.id,
            Document.kind == "statement", Document.filename == filename, Document.current_condition())
            .order_by(Document.id).limit(1))
        if earlier is None:
            issued.append(documents.attach(actor, target, donor, kind="statement", title=title,
                                           filename=filename, data=content, max_bytes=limit, issued=True))
        else:
            issued.append(documents.replace(actor, target, donor, earlier, filename=filename, data=content,
                                            reason=_("Issued again"), max_bytes=limit, issued=True))
    return issued

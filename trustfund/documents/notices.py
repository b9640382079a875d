"""Messages to a donor's users when a document of its records is attached or replaced
where they can read it (its portal lists it): a statement issued for the donor, a
signed SAA, a bank advice... One message per active user of THAT donor, in the user's
language, written in the transaction of the upload (trustfund/mail): a rolled-back
upload or issue sends nothing. A document no donor user reads (a travel grant's)
writes no message."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..auth.models import User
from ..donors.models import Donor
from ..extensions import db
from ..mail.links import external_url
from ..mail.outbox import enqueue
from ..permissions import DONOR
from .models import Document
from .targets import Target

SUBJECTS = {
    # The title names it a statement already ("Statement from 1 Jan 2017 to 30 Jun 2017").
    "statement": _l("%(title)s for %(donor)s"),
    "document": _l("New document for %(donor)s: %(title)s"),
}


def donor_users(donor_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role == DONOR, User.donor_id == donor_id, User.active.is_(True))
        .order_by(User.id)))


def tell_donor_users(target: Target, document: Document) -> None:
    """The active users of the document's donor learn that it is in their portal, with a
    link to the portal's documents; nobody else (another donor's users never)."""
    if document.donor_id is None or DONOR not in target.readers:
        return
    donor_name = db.session.get(Donor, document.donor_id).name
    kind = "statement" if document.kind == "statement" else "document"
    title = LazyString(lambda: document.shown_title)  # in each recipient's language
    url = external_url("statements.portal") + "#documents-heading"
    for user in donor_users(document.donor_id):
        enqueue(user, f"{kind}_issued", "document_issued",
                lambda: SUBJECTS[kind] % {"donor": donor_name, "title": title},
                notice=kind, kind_label=target.kinds.get(document.kind, document.kind),
                donor=donor_name, title=title, replaced=document.replaces_id is not None,
                filename=document.filename, url=url)

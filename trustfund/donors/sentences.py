"""The audit trail in words (trustfund/audit_text.py): donors and their SAA."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ..audit_text import Book, Field, Target, Told
from ..extensions import db
from .models import DONOR_TYPES, SAA_STATUSES, Donor


def load_donors(keys: list[str]) -> dict[str, Target]:
    ids = [int(k) for k in keys if k.isdigit()]
    rows = db.session.execute(sa.select(Donor.id, Donor.name).where(Donor.id.in_(ids)))
    return {str(row.id): Target(row.name, "donors.view", {"donor_id": row.id}) for row in rows}


def _saa_status(e: Told) -> str:
    return _("SAA status changed by %(user)s from %(from)s to %(to)s.", user=e.who,
             **{"from": e.show("saa_status", "before"), "to": e.show("saa_status")})


def register(book: Book) -> None:
    book.reference("donor", load_donors)
    book.object("Donor", _l("Donor"), {
        "name": Field(lazy_pgettext("donor", "Name")),
        "donor_type": Field(_l("Type of donor"), "choice", choices=DONOR_TYPES),
        "country_code": Field(_l("Country"), "ref", ref="country"),
        "contact_name": Field(_l("Contact person")),
        "contact_email": Field(_l("Contact email")),
        "saa_status": Field(_l("SAA status"), "choice", choices=SAA_STATUSES),
        "saa_signed_on": Field(_l("Date signed"), "date"),
        "saa_signatory_donor": Field(_l("Signatory for the donor")),
        "saa_signatory_mptf": Field(_l("Signatory for the MPTF Office")),
        "saa_reference": Field(_l("Reference")),
        # An amendment's details, in its "donor.saa_status" entry only.
        "amendment_signed_on": Field(_l("Amendment signed on"), "date"),
        "amendment_signatory_donor": Field(_l("Amendment's signatory for the donor")),
        "amendment_signatory_mptf": Field(_l("Amendment's signatory for the MPTF Office")),
        "amendment_reference": Field(_l("Amendment's reference")),
    }, reference="donor", hidden=("created_at", "name_key"))  # name_key: derived from the name
    book.action("donor.create", _l("Donor added"), "Donor",
                lambda e: _("Donor added by %(user)s: %(type)s.", user=e.who, type=e.show("donor_type")))
    book.action("donor.update", _l("Donor's details changed"), "Donor",
                lambda e: _("Details changed by %(user)s.", user=e.who))
    # A change of who gave (the name, type or country of a donor whose contributions are
    # recorded), proposed by one MPTF officer and confirmed by another (donors.renamings).
    book.action("donor.rename_propose", _l("Change of the donor's name, type or country proposed"), "Donor",
                _change_proposed)
    book.action("donor.rename_confirm", _l("Donor's name, type or country changed"), "Donor",
                _change_confirmed, told=("name",))
    book.action("donor.rename_refuse", _l("Change of the donor's name, type or country refused"), "Donor",
                lambda e: _("Change refused by %(user)s: the donor stays as it was.", user=e.who),
                changes=False)
    book.action("donor.rename_withdraw", _l("Change of the donor's name, type or country withdrawn"), "Donor",
                lambda e: _("Change withdrawn by %(user)s: the donor stays as it was.", user=e.who),
                changes=False)
    book.action("donor.saa_status", _l("SAA status changed"), "Donor", _saa_status, told=("saa_status",))


def _change_proposed(e: Told) -> str:
    """The proposal's entry lists what it would change (its before and after)."""
    return _("Change proposed by %(user)s; it waits for a second MPTF officer, and nothing has changed yet.",
             user=e.who)


def _change_confirmed(e: Told) -> str:
    """Confirmed: the donor's new name said (the type and country changed are listed)."""
    if e.value("name", "before") != e.value("name"):
        return _("Renamed from %(before)s to %(name)s by %(user)s, confirming a colleague's proposal.",
                 before=e.show("name", "before"), name=e.show("name"), user=e.who)
    return _("Corrected by %(user)s, confirming a colleague's proposal.", user=e.who)


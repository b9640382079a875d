"""Donors and their Standard Administrative Arrangement (SAA) with the MPTF Office."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..audit import utcnow
from ..extensions import db
from ..validation import name_key

MEMBER_STATE = "member_state"
DONOR_TYPES = {
    MEMBER_STATE: _l("Member State"),
    "regional_legislative_body": _l("Regional legislative body"),
    "intergovernmental_organization": _l("Intergovernmental organization"),
    "philanthropic_organization": _l("Philanthropic organization"),
}

SAA_STATUSES = {
    "not_started": _l("Not started"),
    "draft_shared": _l("Draft shared"),
    "under_negotiation": _l("Under negotiation"),
    "signed": _l("Signed"),
    "amended": _l("Amended"),
    "closed": _l("Closed"),
}
# Statuses under which the SAA is in force: commitments and deposits are allowed.
SAA_IN_FORCE = ("signed", "amended")
SAA_TRANSITIONS = {
    "not_started": ("draft_shared",),
    "draft_shared": ("under_negotiation", "signed"),
    "under_negotiation": ("draft_shared", "signed"),
    "signed": ("amended", "closed"),
    "amended": ("amended", "closed"),
    "closed": (),
}


def _in(values) -> str:
    return ", ".join(repr(v) for v in values)


def _key_of_inserted_name(context) -> str:
    """The name's key, for rows inserted without the ORM (the scale generator)."""
    return name_key(context.get_current_parameters()["name"])


class Donor(db.Model):
    __tablename__ = "donor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # The name's look-alike key (validation.name_key): donors whose names look the
    # same share it, whatever the letters' scripts, case or spacing.
    name_key: Mapped[str] = mapped_column(sa.String(400), index=True, default=_key_of_inserted_name)
    donor_type: Mapped[str] = mapped_column(sa.String(40), index=True)
    country_code: Mapped[str | None] = mapped_column(sa.ForeignKey("country.code"), index=True)
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    saa_status: Mapped[str] = mapped_column(sa.String(20), default="not_started", index=True)
    saa_signed_on: Mapped[dt.date | None]
    saa_signatory_donor: Mapped[str | None] = mapped_column(sa.String(200))
    saa_signatory_mptf: Mapped[str | None] = mapped_column(sa.String(200))
    saa_reference: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Optimistic locking: a save based on an old version is refused.
    version: Mapped[int] = mapped_column(default=1)

    country = relationship("Country")
    saa_history = relationship(
        "SaaStatusChange", back_populates="donor", order_by="SaaStatusChange.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.CheckConstraint(f"donor_type IN ({_in(DONOR_TYPES)})", name="donor_type"),
        sa.CheckConstraint(f"saa_status IN ({_in(SAA_STATUSES)})", name="saa_status"),
        sa.CheckConstraint(
            f"donor_type <> '{MEMBER_STATE}' OR country_code IS NOT NULL", name="member_state_country"
        ),
        sa.CheckConstraint(
            "saa_status NOT IN ('signed', 'amended') OR (saa_signed_on IS NOT NULL "
            "AND saa_signatory_donor IS NOT NULL AND saa_signatory_mptf IS NOT NULL)",
            name="signed_details",
        ),
    )

    @validates("name")
    def _keep_name_key(self, _key, name):
        self.name_key = name_key(name)
        return name

    @property
    def saa_in_force(self) -> bool:
        return self.saa_status in SAA_IN_FORCE

    @property
    def type_label(self):
        return DONOR_TYPES.get(self.donor_type, self.donor_type)

    @property
    def saa_label(self):
        return SAA_STATUSES.get(self.saa_status, self.saa_status)

    @property
    def latest_amendment(self) -> SaaStatusChange | None:
        """The SAA's latest amendment (its date and reference), or None: the donor keeps the
        original signature's details, an amendment's are only in the history."""
        amendments = [c for c in self.saa_history if c.to_status == "amended"]
        # The latest signed: an older amendment found and recorded later is not the latest.
        return max(amendments, key=lambda c: (c.signed_on or dt.date.min, c.id)) if amendments else None

    def __repr__(self) -> str:
        return f"<Donor {self.name}>"


# The donors in alphabetical order (the donors list's default, and the lists sorted by
# donor), ties by id: a page read from the index instead of sorting every donor.
sa.Index("ix_donor_lower_name_id", sa.func.lower(Donor.name), Donor.id)


class SaaStatusChange(db.Model):
    """One step in a donor's SAA history: who moved it, when, from what to what."""

    __tablename__ = "saa_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    signed_on: Mapped[dt.date | None]
    signatory_donor: Mapped[str | None] = mapped_column(sa.String(200))
    signatory_mptf: Mapped[str | None] = mapped_column(sa.String(200))
    reference: Mapped[str | None] = mapped_column(sa.String(100))

    donor = relationship("Donor", back_populates="saa_history")
    user = relationship("User")


class DonorRenaming(db.Model):
    """A change of the name, type or country of a donor whose contributions are recorded
    (donors.renamings): who gave the money.

    The donor's name is whom the statements, the certified final statements, the donor's
    portal, the audit trail and the published IATI file say the money came from: one
    MPTF officer renaming donors alone could make one donor's contributions read as
    another's (swap two names in three saves, a colleague's review). So once a pledge
    or a commitment is recorded for a donor, the officer who finds its name wrong
    proposes the new one with a reason, and nothing changes while it waits; a second,
    different, active MPTF officer confirms it (the donor is renamed then) or refuses it
    with a reason; its proposer may withdraw it. At most one waits per donor (a partial
    unique index). `name_before`, `type_before`, `country_before`: the donor as it was
    proposed from (a donor changed meanwhile refuses its confirmation); `name`,
    `donor_type`, `country_code`: the donor as it will be (the three, changed or not). A
    funded donor's type (the IATI file's provider type) and country (a Member State's is
    the State) say who gave as its name does: a mistaken one is corrected the same way."""

    __tablename__ = "donor_renaming"

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donor.id"), index=True)
    name_before: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(200))
    type_before: Mapped[str] = mapped_column(sa.String(40))
    donor_type: Mapped[str] = mapped_column(sa.String(40))
    country_before: Mapped[str | None] = mapped_column(sa.String(2))
    country_code: Mapped[str | None] = mapped_column(sa.ForeignKey("country.code"))
    reason: Mapped[str] = mapped_column(sa.Text)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Those of the other changes waiting for a second person: pending, confirmed, refused, withdrawn.
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)

    donor = relationship("Donor")
    country = relationship("Country", foreign_keys=[country_code])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')", name="status"),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name="four_eyes"),
        sa.CheckConstraint(f"donor_type IN ({_in(DONOR_TYPES)})", name="donor_type"),
        sa.CheckConstraint(f"donor_type <> '{MEMBER_STATE}' OR country_code IS NOT NULL",
                           name="member_state_country"),
        sa.Index("uq_donor_renaming_waiting", "donor_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """What it changes, in words: (field, as it was, as it will be), name first."""
        from ..countries.models import Country

        def country(code):
            record = db.session.get(Country, code) if code else None
            return f"{record.local_name} ({code})" if record is not None else (code or "—")

        shown = []
        if self.name != self.name_before:
            shown.append(("name", self.name_before, self.name))
        if self.donor_type != self.type_before:
            shown.append(("donor_type", str(DONOR_TYPES.get(self.type_before, self.type_before)),
                          str(DONOR_TYPES.get(self.donor_type, self.donor_type))))
        if self.country_code != self.country_before:
            shown.append(("country_code", country(self.country_before), country(self.country_code)))
        return shown

    @property
    def in_words(self) -> str:
        """What it changes, in one line in the reader's language: "Kingdom of Sweden to
        Sweden"; "Kingdom of Sweden; Type of donor: Member State to Philanthropic
        organization"."""
        from flask_babel import gettext as _

        labels = {"donor_type": _("Type of donor"), "country_code": _("Country")}
        parts = [] if self.name != self.name_before else [self.name_before]
        for field, before, after in self.changes:
            if field == "name":
                parts.append(_("%(before)s to %(after)s", before=before, after=after))
            else:
                parts.append(_("%(field)s: %(before)s to %(after)s", field=labels[field], before=before,
                               after=after))
        return "; ".join(parts)

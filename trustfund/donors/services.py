"""Donors and their Standard Administrative Arrangement (SAA), as the MPTF officer
keeps them. Each operation takes the actor and the data, changes rows, flushes,
records the audit entry and never commits (the request does)."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from ..audit import record, snapshot, utcnow
from ..connections import hold_row
from ..countries.models import Country
from ..errors import DomainError, check_version, refuse_all
from ..extensions import db
from ..formatting import date as format_date
from ..formatting import number
from ..validation import check_text, name_key, normalized_name, too_long
from .models import (
    DONOR_TYPES,
    MEMBER_STATE,
    SAA_IN_FORCE,
    SAA_STATUSES,
    SAA_TRANSITIONS,
    Donor,
    SaaStatusChange,
)

NAME_MAX, CONTACT_MAX, EMAIL_MAX = 200, 200, 254
# The label of the donor form's confirmation (forms.DonorForm.lookalike_confirmed).
LOOKALIKE_CONFIRMATION = _l("This is another donor, whose name only looks like an existing one")
SIGNATORY_MAX, REFERENCE_MAX, NOTE_MAX = 200, 100, 2000


def _clean(text: str | None) -> str:
    """Trimmed text with runs of white space made single spaces."""
    return re.sub(r"\s+", " ", text or "").strip()


def stale_donor_error() -> DomainError:
    return DomainError(_("Someone else changed this donor while you were working on it — reload "
                         "the page to see their changes, then try again. Nothing was saved."))


def _check_version(donor: Donor, version) -> None:
    """Optimistic locking: the form carries the version it was built from."""
    check_version(donor.version, version, stale_donor_error().message)


def _same_name(one: str, other: str) -> bool:
    return normalized_name(one).casefold() == normalized_name(other).casefold()


def _donors_looking_like(name: str, donor: Donor | None = None) -> list[Donor]:
    """The other donors whose names share this name's look-alike key (an index look-up,
    however many donors)."""
    key = name_key(name)
    if not key:
        return []
    query = sa.select(Donor).where(Donor.name_key == key).order_by(Donor.id)
    if donor is not None and donor.id is not None:
        query = query.where(Donor.id != donor.id)
    return list(db.session.scalars(query))


def find_by_name(name: str) -> Donor | None:
    """The donor with this name, ignoring case, spacing and compatibility forms."""
    return _namesake(_donors_looking_like(name), name)


def lookalike_of(name: str | None, donor: Donor | None = None) -> Donor | None:
    """Another donor whose name looks like `name` without being the same name: its
    creation needs the officer's confirmation (see _validated)."""
    others = _donors_looking_like(name or "", donor)
    return next((d for d in others if not _same_name(d.name, name or "")), None)


# The key of the transaction-level advisory lock that orders donors' names (PostgreSQL).
DONOR_NAMES_LOCK = 7_340_001


def _one_name_at_a_time() -> None:
    """Names are checked and written one transaction at a time, so that two officers
    adding the same donor at the same moment (in other capitals or spacing, which the
    database's unique name does not see) record it once: the second then finds the
    first. PostgreSQL: an advisory lock held to the transaction's end; SQLite: the
    database's one write lock, which any write statement takes (this one changes no row)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(DONOR_NAMES_LOCK)))
    else:
        db.session.execute(sa.update(Donor).where(sa.false()).values(name=Donor.name)
                           .execution_options(synchronize_session=False))


def _namesake(others: list[Donor], name: str) -> Donor | None:
    """The donor among `others` that has this very name (whatever its case or spacing)."""
    return next((d for d in others if _same_name(d.name, name)), None)


def _twin_state(donor: Donor | None, country_code: str) -> Donor | None:
    """Another donor that is the Member State of this country."""
    return db.session.scalar(sa.select(Donor).where(
        Donor.donor_type == MEMBER_STATE, Donor.country_code == country_code,
        *([Donor.id != donor.id] if donor is not None else [])))


def who_gave_refusal(donor: Donor, *, name: str, donor_type: str, country_code: str | None) -> str | None:
    """What would refuse giving the donor this name, type and country now, in words: the
    name another donor's, or the Member State's country another donor's. Read without
    holding anything (change_who_gave checks again under the names' lock): the donor's
    page says it in place of a Confirm bound to be refused."""
    if name != donor.name:
        same = _namesake(_donors_looking_like(name, donor), name)
        if same is not None:
            return _("There is already a donor named “%(name)s”.", name=same.name)
    if donor_type == MEMBER_STATE and country_code is not None:
        twin = _twin_state(donor, country_code)
        if twin is not None:
            return _("This Member State is already a donor: %(name)s.", name=twin.name)
    return None


def _check_name(donor: Donor | None, name: str, lookalike_confirmed: bool) -> None:
    """A donor's name is its own: the same name (whatever its case, spacing or
    compatibility characters) is always refused; a name that only looks the same
    ("Swiss Confederatіon" with a Cyrillic і) only when the officer confirms that it
    is another donor. Keeping a name that already had a look-alike needs nothing."""
    if donor is None or donor.name != name:  # a name kept as it was takes no one's
        _one_name_at_a_time()
    others = _donors_looking_like(name, donor)
    same = _namesake(others, name)
    if same is not None:
        raise DomainError(_("There is already a donor named “%(name)s”.", name=same.name),
                          field="name")
    unchanged = donor is not None and donor.name_key == name_key(name)
    if others and not unchanged and not lookalike_confirmed:
        raise DomainError(_("This name looks like that of a donor already recorded, “%(name)s”. "
                            "If it is really another donor, tick “%(confirm)s” and save again.",
                            name=others[0].name, confirm=LOOKALIKE_CONFIRMATION),
                          field="name")


def _check_type_and_country(donor: Donor | None, donor_type: str, country_code: str | None) -> None:
    """One of the four types; a country from the list; a Member State names its country,
    and is a donor only once."""
    if donor_type not in DONOR_TYPES:
        raise DomainError(_("Choose one of the four types of donor."), field="donor_type")
    if country_code is not None and db.session.get(Country, country_code) is None:
        raise DomainError(_("Choose a country from the list."), field="country_code")
    if donor_type == MEMBER_STATE:
        if country_code is None:
            raise DomainError(_("A Member State donor must name its country."), field="country_code")
        # One at a time, as names are: a donor made a Member State while the same State is
        # added was otherwise recorded twice.
        _one_name_at_a_time()
        twin = _twin_state(donor, country_code)
        if twin is not None:
            raise DomainError(_("This Member State is already a donor: %(name)s.", name=twin.name),
                              field="country_code")


def _validated(donor: Donor | None, *, name, donor_type, country_code, contact_name,
               contact_email, lookalike_confirmed: bool = False) -> dict:
    check_text(name, "name")
    name = normalized_name(name)
    if not name:
        raise DomainError(_("Enter the donor's name."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(ngettext("The name may have at most %(count)s character.",
                                    "The name may have at most %(count)s characters.", NAME_MAX,
                                    count=number(NAME_MAX)), field="name")
    _check_name(donor, name, lookalike_confirmed)
    country_code = (country_code or "").strip().upper() or None
    _check_type_and_country(donor, donor_type, country_code)
    contact_name = _clean(contact_name)
    if len(contact_name) > CONTACT_MAX:
        raise DomainError(ngettext("The contact person may have at most %(count)s character.",
                                    "The contact person may have at most %(count)s characters.",
                                    CONTACT_MAX, count=number(CONTACT_MAX)),
                          field="contact_name")
    contact_email = (contact_email or "").strip()
    if contact_email:
        try:
            contact_email = validate_email(contact_email, check_deliverability=False).normalized
        except EmailNotValidError:
            raise DomainError(_("Enter a valid email address."), field="contact_email") from None
        if len(contact_email) > EMAIL_MAX:
            raise DomainError(_("Enter a valid email address."), field="contact_email")
    return {"name": name, "donor_type": donor_type, "country_code": country_code,
            "contact_name": contact_name, "contact_email": contact_email}


def _flush_unique(donor: Donor) -> None:
    """Flush; a name taken meanwhile by a concurrent request is refused like any duplicate."""
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_("There is already a donor named “%(name)s”.", name=donor.name),
                          field="name") from None


def create_donor(actor, *, name: str, donor_type: str, country_code: str | None = None,
                 contact_name: str = "", contact_email: str = "",
                 lookalike_confirmed: bool = False) -> Donor:
    """Add a donor, whose SAA is not started. Exactly four types; a Member State names
    its country (and is a donor only once); names are unique whatever their case, and
    one that looks like another donor's needs `lookalike_confirmed`."""
    values = _validated(None, name=name, donor_type=donor_type, country_code=country_code,
                        contact_name=contact_name, contact_email=contact_email,
                        lookalike_confirmed=lookalike_confirmed)
    donor = Donor(**values, saa_status="not_started")
    db.session.add(donor)
    _flush_unique(donor)
    record(actor, "donor.create", donor)
    return donor


def update_donor(actor, donor: Donor, *, version, name: str, donor_type: str,
                 country_code: str | None = None, contact_name: str = "",
                 contact_email: str = "", lookalike_confirmed: bool = False) -> Donor:
    """Change a donor's details. `version` is the version the user's form was built
    from: if someone saved the donor since, nothing is written. A new name, type or
    country of a donor whose contributions are recorded is refused: it is proposed
    (donors.renamings)."""
    values = details_checked(donor, version=version, name=name, donor_type=donor_type,
                             country_code=country_code, contact_name=contact_name,
                             contact_email=contact_email, lookalike_confirmed=lookalike_confirmed)
    changed = who_gave_changed(donor, values)
    if changed and contributions_recorded(donor.id):
        raise DomainError(_("Contributions of this donor are recorded: a new name, type or country is "
                            "proposed with a reason and takes effect when a second MPTF officer confirms "
                            "it."),
                          field=changed[0])
    return save_checked(actor, donor, values)


# What says who gave the money: the name, the type (the IATI file's provider type) and
# the country (a Member State's is the State). Once a donor's contributions are
# recorded, they change only by two MPTF officers (donors.renamings).
WHO_GAVE = ("name", "donor_type", "country_code")


def who_gave_changed(donor: Donor, values: dict) -> list[str]:
    """The fields of WHO_GAVE that `values` change, in the form's order."""
    return [field for field in WHO_GAVE if values[field] != getattr(donor, field)]


def save_checked(actor, donor: Donor, values: dict) -> Donor:
    """Write the donor's details as details_checked returned them (audited), if any
    changed."""
    before = snapshot(donor)
    for key, value in values.items():
        setattr(donor, key, value)
    if not db.session.is_modified(donor):
        return donor
    _flush_unique(donor)
    record(actor, "donor.update", donor, before=before)
    return donor


def contributions_recorded(donor_id: int) -> bool:
    """Whether a pledge or a commitment of the donor is recorded: its name, type and
    country then change only by two MPTF officers (donors.renamings). The
    contributions' tables by their names: they sit above the donors."""
    pledges, commitments = db.metadata.tables["pledge"], db.metadata.tables["commitment"]
    return bool(db.session.scalar(sa.select(
        sa.exists().where(pledges.c.donor_id == donor_id)
        | sa.exists().where(commitments.c.donor_id == donor_id))))


def details_checked(donor: Donor, *, version, name: str, donor_type: str, country_code: str | None = None,
                    contact_name: str = "", contact_email: str = "",
                    lookalike_confirmed: bool = False) -> dict:
    """The donor's form as update_donor would save it, checked as it checks it (each
    refusal beside its field), writing nothing: a new name that waits for a second MPTF
    officer (donors.renamings) is refused now for what would refuse it at once."""
    _check_version(donor, version)
    values = _validated(donor, name=name, donor_type=donor_type, country_code=country_code,
                        contact_name=contact_name, contact_email=contact_email,
                        lookalike_confirmed=lookalike_confirmed)
    if values["name"] != donor.name:
        _refuse_renaming_a_payee(donor)
    return values


def change_who_gave(donor: Donor, *, name: str, donor_type: str, country_code: str | None) -> dict:
    """Give the donor this name, type and country, checked again as it is now (another
    donor took the name, or the Member State's country, or a refund to it was decided,
    meanwhile: refused); the donor's snapshot before, for the caller's audit entry. The
    look-alike was confirmed when it was proposed (donors.renamings)."""
    if name != donor.name:
        _check_name(donor, name, lookalike_confirmed=True)
        _refuse_renaming_a_payee(donor)
    _check_type_and_country(donor, donor_type, country_code)
    before = snapshot(donor)
    donor.name, donor.donor_type, donor.country_code = name, donor_type, country_code
    _flush_unique(donor)
    return before


def _refuse_renaming_a_payee(donor: Donor) -> None:
    """A donor to whom a pool's refund was decided keeps its name: the decision, two SRSG
    staff members' (closure.proposals), is the payment instruction naming each donor
    paid, read from the donor's row; one officer renaming it would name another payee
    (a colleague's review). The donor's row is held against rows referring to it
    first: a refund's parts being written by a confirmation are waited for, and seen.
    The closing's tables by their names: the fund's closure sits above the donors."""
    hold_row(db.session, Donor, donor.id, against_references=True)
    refused = payee_refusal(donor.id)
    if refused is not None:
        raise DomainError(refused, field="name")


def payee_refusal(donor_id: int) -> str | None:
    """Why the donor keeps its name, in words, when a pool's refund to it was decided
    (see _refuse_renaming_a_payee, which holds its row first); None otherwise. Read
    alone, it tells the donor's page not to offer a confirmation bound to be refused."""
    closings = db.metadata.tables["pool_closing"]
    parts = db.metadata.tables["pool_closing_part"]
    decided_on = db.session.scalar(
        sa.select(sa.func.min(parts.c.value_date)).join(closings, closings.c.id == parts.c.closing_id)
        .where(parts.c.donor_id == donor_id, closings.c.kind == "refund"))  # fund.entries.REFUND
    if decided_on is None:
        return None
    return _("A refund to this donor was decided on %(date)s: its name stays the one the payment instruction "
             "gives.", date=format_date(decided_on))


def latest_in_tomorrow() -> dt.date:
    """Today's date somewhere on Earth (UTC+14): a signature dated later is in the future
    for everyone."""
    return (utcnow() + dt.timedelta(hours=14)).date()


def allowed_next(donor: Donor) -> tuple[str, ...]:
    return SAA_TRANSITIONS.get(donor.saa_status, ())


def change_saa_status(actor, donor: Donor, to_status: str, *, note: str = "",
                      signed_on: dt.date | None = None, signatory_donor: str | None = None,
                      signatory_mptf: str | None = None, reference: str | None = None,
                      version=None) -> Donor:
    """Move the donor's SAA one step along SAA_TRANSITIONS and keep the step in its history.

    Signing (and each amendment) needs the date signed (not in the future), the
    signatory for the donor and for the MPTF Office, and a reference. The donor keeps
    the original signature's details; an amendment's are in the history. Closing
    needs a note saying why."""
    _check_version(donor, version)
    current = donor.saa_status
    allowed = allowed_next(donor)
    if to_status not in SAA_STATUSES:
        raise DomainError(_("Choose a status from the list."), field="to_status")
    if to_status not in allowed:
        current_label = SAA_STATUSES[current]
        if not allowed:
            message = _("The SAA is %(current)s: its status can no longer change.",
                        current=current_label)
        else:
            message = _("The SAA is %(current)s: it can move to %(allowed)s, not to %(to)s.",
                        current=current_label, to=SAA_STATUSES[to_status],
                        allowed=", ".join(str(SAA_STATUSES[s]) for s in allowed))
        raise DomainError(message, field="to_status")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(ngettext("The note may have at most %(count)s character.",
                                    "The note may have at most %(count)s characters.", NOTE_MAX,
                                    count=number(NOTE_MAX)), field="note")
    signing = to_status in SAA_IN_FORCE
    details: dict = {"signed_on": None, "signatory_donor": None, "signatory_mptf": None,
                     "reference": None}
    if signing:
        details = _signing_details(donor, to_status, signed_on=signed_on,
                                   signatory_donor=signatory_donor,
                                   signatory_mptf=signatory_mptf, reference=reference)
    if to_status == "closed":
        hold_saa(donor)
        for check in BEFORE_SAA_CLOSES:
            check(donor)
        if not note:
            raise DomainError(_("Say in the note why the SAA is closed."), field="note")

    before = snapshot(donor)
    donor.saa_status = to_status
    if to_status == "signed":
        donor.saa_signed_on = details["signed_on"]
        donor.saa_signatory_donor = details["signatory_donor"]
        donor.saa_signatory_mptf = details["signatory_mptf"]
        donor.saa_reference = details["reference"]
    change = SaaStatusChange(donor=donor, from_status=current, to_status=to_status,
                             user_id=getattr(actor, "id", None), note=note, **details)
    db.session.add(change)
    db.session.flush()
    # The donor keeps the original signature's details; an amendment's own are said in
    # its entry (without them a second amendment read "from Amended to Amended").
    amendment = ({f"amendment_{key}": value for key, value in details.items()}
                 if to_status == "amended" else {})
    record(actor, "donor.saa_status", donor, before=before, note=note or None,
           after={**snapshot(donor), **amendment} if amendment else None)
    return donor


# What refuses closing a donor's SAA, from the features above donors (.importlinter's
# layers: the ledger's commitments): a function of the donor raising a DomainError,
# registered from its own module (contributions.services), as countries.after_change.
BEFORE_SAA_CLOSES: list[Callable[[Donor], None]] = []


def before_saa_closes(function: Callable[[Donor], None]) -> Callable[[Donor], None]:
    BEFORE_SAA_CLOSES.append(function)
    return function


def hold_saa(donor: Donor) -> None:
    """Hold the donor's row until the transaction ends, and read its SAA as it now
    stands: the closing of the SAA and a commitment recorded under it take it in turn
    (PostgreSQL: a commitment recorded while the closing's checks ran found the SAA
    still signed, and the SAA was closed with money outstanding on it)."""
    hold_row(db.session, Donor, donor.id)
    db.session.refresh(donor, ["saa_status", "saa_signed_on"])


def _signing_details(donor: Donor, to_status: str, *, signed_on, signatory_donor, signatory_mptf,
                     reference) -> dict:
    amending = to_status == "amended"
    errors = []  # every detail missing or wrong, refused at once (each beside its field)
    if not isinstance(signed_on, dt.date):
        errors.append(DomainError(_("Enter the date the amendment was signed.") if amending
                                  else _("Enter the date the SAA was signed."), field="signed_on"))
    elif signed_on > latest_in_tomorrow():
        errors.append(DomainError(_("The date signed cannot be in the future."), field="signed_on"))
    elif amending and donor.saa_signed_on and signed_on < donor.saa_signed_on:
        errors.append(DomainError(_("An amendment cannot be signed before the SAA itself (%(date)s).",
                                    date=format_date(donor.saa_signed_on)), field="signed_on"))
    missing = {  # messages built only when needed: the demo runs outside any request
        "signatory_donor": lambda: _("Name who signed for the donor."),
        "signatory_mptf": lambda: _("Name who signed for the MPTF Office."),
        "reference": lambda: (_("Enter the amendment's reference.") if amending
                              else _("Enter the SAA's reference.")),
    }
    limits = {"signatory_donor": SIGNATORY_MAX, "signatory_mptf": SIGNATORY_MAX,
              "reference": REFERENCE_MAX}
    given = {"signatory_donor": signatory_donor, "signatory_mptf": signatory_mptf,
             "reference": reference}
    cleaned = {}
    for field, value in given.items():
        value = _clean(value)
        if not value:
            errors.append(DomainError(missing[field](), field=field))
        elif len(value) > limits[field]:
            errors.append(DomainError(too_long(limits[field]), field=field))
        cleaned[field] = value
    refuse_all(errors)
    return {"signed_on": signed_on, **cleaned}

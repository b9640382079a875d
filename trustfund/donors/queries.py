"""The donor list's filters and query, shared by the page and its .xlsx export."""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from .. import cache
from ..connections import holds_text
from ..countries.models import Country, localized_country_name
from ..countries.queries import country_named
from ..exports import DONOR_ID, Col, Filter, Sheet, register_export
from ..extensions import db
from ..localized import sort_key
from ..params import whole_number
from ..permissions import DONOR
from .models import DONOR_TYPES, SAA_STATUSES, Donor

SAA_ORDER = sa.case({status: index for index, status in enumerate(SAA_STATUSES)},
                    value=Donor.saa_status, else_=len(SAA_STATUSES))
SORT_COLUMNS = {
    "name": (),
    "type": (Donor.donor_type,),
    "saa": (SAA_ORDER,),
    "signed": (Donor.saa_signed_on,),
}
SORTS = tuple(SORT_COLUMNS) + tuple(f"-{key}" for key in SORT_COLUMNS)
SEARCH_MAX = 200


def country_choices(codes=None) -> list[tuple[str, str]]:
    """(code, name in the user's language) of the countries, sorted by that name.
    `codes` (codes, or a SELECT of codes) limits the list (e.g. to the countries
    donors have)."""
    query = sa.select(Country.code, Country.name)
    if codes is not None:
        query = query.where(Country.code.in_(codes if isinstance(codes, sa.Select) else list(codes)))
    pairs = [(code, localized_country_name(code, name)) for code, name in db.session.execute(query)]
    return sorted(pairs, key=lambda pair: sort_key(pair[1]))


def donor_countries() -> list[tuple[str, str]]:
    """country_choices() of the countries donors have: the donor list's filter, at
    each view. Kept per locale while the data is unchanged (trustfund.cache); the
    countries are chosen in the same statement (a list of ~200 codes sent back to
    the database cost a round trip and building and parsing a 200-parameter query)."""
    def compute():
        return tuple(country_choices(sa.select(Donor.country_code)
                                     .where(Donor.country_code.is_not(None))))

    return list(cache.keep(("donors.countries", str(get_locale())), compute))


def parse_filters(args) -> dict:
    """The list's filters from a query string (or the export command's options);
    anything not understood is left out rather than refused."""
    args = args or {}
    q = " ".join(str(args.get("q") or "").split())[:SEARCH_MAX]
    donor_type = args.get("type") or ""
    saa = args.get("saa") or ""
    country = str(args.get("country") or "").strip().upper()
    sort = args.get("sort") or "name"
    donor_id = args.get("donor_id")
    return {
        "q": q,
        "type": donor_type if donor_type in DONOR_TYPES else "",
        "saa": saa if saa in SAA_STATUSES else "",
        "country": country if len(country) == 2 and country.isalpha() else "",
        "sort": sort if sort in SORTS else "name",
        "donor_id": whole_number(donor_id) or None,
    }


def name_holds(text: str):
    """A donor's name holds `text` (any letter case), its %, _ and \\ taken
    literally: the donors list's search, the lists' donor filter, the entry forms.

    Written lower(name) LIKE lower(pattern), which is what ILIKE does in a UTF-8
    PostgreSQL database (and what SQLAlchemy sends SQLite for ILIKE): PostgreSQL's
    ILIKE lowers the pattern again for each row, three times slower over 5,000
    donors (7.2 against 2.2 ms at N=100). lower_text: on SQLite too, every letter
    ("émirats" finds "Émirats Foundation"). The text in NFKC, as names are stored
    (validation.normalized_name): a full-width "Ｓｗｉｓｓ" finds "Swiss Confederation", as
    the search box does (search.queries.as_names_are_stored)."""
    return holds_text(Donor.name, unicodedata.normalize("NFKC", text))


def donor_query(filters: dict, user=None) -> sa.Select:
    """Donors matching the filters, in the chosen order. A donor user sees only its own."""
    query = sa.select(Donor).options(joinedload(Donor.country))
    if user is not None and getattr(user, "role", None) == DONOR:
        query = query.where(Donor.id == user.donor_id)
    if filters.get("donor_id"):
        query = query.where(Donor.id == filters["donor_id"])
    if filters.get("q"):
        query = query.where(name_holds(filters["q"]))
    if filters.get("type"):
        query = query.where(Donor.donor_type == filters["type"])
    if filters.get("saa"):
        query = query.where(Donor.saa_status == filters["saa"])
    if filters.get("country"):
        query = query.where(Donor.country_code == filters["country"])
    sort = filters.get("sort") or "name"
    descending = sort.startswith("-")
    columns = SORT_COLUMNS[sort.lstrip("-")]
    order = [c.desc().nulls_last() if descending else c.asc().nulls_last() for c in columns]
    name_order = sa.func.lower(Donor.name)
    if sort == "-name":
        order.append(name_order.desc())
    else:
        order.append(name_order)
    return query.order_by(*order, Donor.id)


def country_label(donor: Donor) -> str:
    if donor.country is None:
        return ""
    return donor.country.local_name


def donor_named(donor_id) -> str:
    """A filter's donor id as the donor's name."""
    donor = db.session.get(Donor, whole_number(donor_id) or 0)
    return donor.name if donor else str(donor_id)


def _donor_type(code) -> str:
    return str(DONOR_TYPES.get(code, code))


# The donor filters of every list of donors' records, as a download's About sheet names them.
DONOR_FILTERS = {
    "donor": Filter(_l("Donor"), donor_named),
    "donor_id": Filter(_l("Donor"), donor_named),
    "donor_name": Filter(_l("Name contains")),
    "donor_type": Filter(_l("Type of donor"), _donor_type),
}


@register_export("donors", "Donors with type, country, SAA status and contact (filters: q, type, "
                           "saa, country, sort)", filters={
    "donor_id": DONOR_FILTERS["donor_id"],
    "q": DONOR_FILTERS["donor_name"],
    "type": DONOR_FILTERS["donor_type"],
    "saa": Filter(_l("SAA status"), lambda code: str(SAA_STATUSES.get(code, code))),
    "country": Filter(_l("Country"), country_named),
}, applies=(DONOR_ID,))
def donors_export(filters: dict, user) -> tuple[list[Sheet], str]:
    filters = parse_filters(filters)
    rows = db.session.scalars(donor_query(filters, user)).unique()
    columns = [
        Col(pgettext("donor", "Name"), lambda d: d.name, width=40),
        Col(_("Type"), lambda d: d.type_label, width=28),
        Col(_("Country"), country_label, width=28),
        Col(_("SAA status"), lambda d: d.saa_label, width=18),
        Col(_("SAA signed on"), lambda d: d.saa_signed_on, "date", width=14),
        Col(_("SAA reference"), lambda d: d.saa_reference or "", width=22),
        Col(_("Contact person"), lambda d: d.contact_name or "", width=30),
        Col(_("Contact email"), lambda d: d.contact_email or "", width=32),
    ]
    # The filters chosen are listed one by one on the About sheet (filters= above).
    return [Sheet(_("Donors"), columns, rows)], _("Donors")

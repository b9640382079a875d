"""Validation of an IATI 2.03 activity file: the official schema (vendored, unmodified,
in vendor/), then the subset of the IATI Standard's rules below, which the schema
alone does not check. Each problem is one line of English for the command line.

The rules (from the 2.03 standard rulesets and the activity-standard guidance):
- identifiers: iati-identifier starts with the reporting organisation's ref and a
  hyphen; no identifier or organisation ref contains / & | ? or a space;
- dates: no transaction-date, value-date or actual activity-date (start 2, end 4) is
  after today; planned start is not after planned end, actual start not after actual
  end; each transaction's value-date is its transaction-date (the fund books values
  on the day they move, so a different one is a slip);
- percentages: the recipient countries and regions add up to 100 (per region
  vocabulary, countries counted with each), the sectors add up to 100 per vocabulary;
- sectors: given either on the activity or on every transaction, never both;
- codes: transaction type, activity status, activity-date type, organisation role
  and type, aid type (vocabulary 1), currency and recipient country are in the
  vendored 2.03 codelists; a currency may also be one created since that copy
  (currency_codes).
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.core import get_global
from babel.numbers import get_territory_currencies
from lxml import etree

from . import rules

VENDOR = Path(__file__).parent / "vendor" / "iati-standard-2.03-from-pyIATI-0.4.1"
SCHEMA = VENDOR / "schemas" / "iati-activities-schema.xsd"
HUNDRED = Decimal("100")


@functools.cache
def schema() -> etree.XMLSchema:
    # The schema's includes and imports are relative paths beside it; nothing is
    # fetched from the network (the parser resolves only local files).
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


@functools.cache
def codelist(name: str) -> frozenset[str]:
    tree = etree.parse(str(VENDOR / "codelists" / f"{name}.xml"))
    return frozenset(code.text.strip() for code in tree.iter("code"))


# Currencies in use since before the fund began (2017) are the ones its records can hold.
CURRENCIES_SINCE = dt.date(2016, 1, 1)


@functools.cache
def currency_codes() -> frozenset[str]:
    """The Currency codelist. IATI's is ISO 4217 replicated, a non-embedded codelist that
    follows ISO's list rather than the Standard's versions; the vendored copy
    (pyIATI 0.4.1) predates currencies created since (BYN, MRU, STN, VES, SLE, ZWG,
    XCG, and ZMW is missing from it), which a fund's records hold as soon as a donor
    pays in them. So: the vendored copy, and every currency that has been legal tender
    in some territory since CURRENCIES_SINCE by CLDR's data (Babel), as the pages
    offer them (trustfund.currencies)."""
    codes = set(codelist("Currency"))
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=CURRENCIES_SINCE,
                                              end_date=dt.date(9999, 12, 31), tender=True))
    return frozenset(codes)


def parse(content: bytes):
    """The document, or raises etree.XMLSyntaxError. Entities are not expanded and
    nothing is fetched: a file to validate may come from anywhere."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
    return etree.fromstring(content, parser)


def validate(content: bytes, today: dt.date) -> list[str]:
    """Every problem found in `content` (an empty list: the file is valid)."""
    try:
        root = parse(content)
    except etree.XMLSyntaxError as error:
        return [f"Not well-formed XML: {error}"]
    if root.getroottree().docinfo.doctype:
        # An IATI file has no DTD; entities declared in one are left unexpanded by
        # the parser, and the schema validator cannot judge what holds them.
        return ["The file declares a DOCTYPE; an IATI file has none (entities are not expanded)."]
    xsd = schema()
    if not xsd.validate(root):
        return [f"Schema (IATI {rules.VERSION}), line {e.line}: {e.message}" for e in xsd.error_log]
    if root.get("version") != rules.VERSION:
        return [f"The file says version {root.get('version')!r}; this validator checks {rules.VERSION}."]
    problems: list[str] = []
    for activity in root.iter("iati-activity"):
        name = (activity.findtext("iati-identifier") or "").strip()
        for check in (_identifiers, _dates, _percentages, _sectors, _codes):
            problems += [f"{name}: {p}" for p in check(activity, today)]
    return problems


def _identifiers(activity, _today) -> list[str]:
    out = []
    identifier = (activity.findtext("iati-identifier") or "").strip()
    reporting_ref = activity.find("reporting-org").get("ref", "")
    if not identifier.startswith(reporting_ref + "-"):
        out.append(f"the identifier {identifier!r} does not start with the reporting organisation's "
                   f"ref {reporting_ref!r} and a hyphen")
    named = [("iati-identifier", identifier)] + [
        (e.tag + "/@ref", e.get("ref")) for e in activity.iter("reporting-org", "participating-org",
                                                               "provider-org", "receiver-org")
        if e.get("ref") is not None]
    for where, value in named:
        bad = rules.bad_identifier_characters(value)
        if bad or not value:
            out.append(f"{where} {value!r} holds characters IATI forbids in identifiers: "
                       + (" ".join(repr(c) for c in bad) or "(empty)"))
    return out


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def _dates(activity, today: dt.date) -> list[str]:
    out = []
    dates = {e.get("type"): _date(e.get("iso-date")) for e in activity.findall("activity-date")}
    for kind in (rules.ACTUAL_START, rules.ACTUAL_END):
        if dates.get(kind) and dates[kind] > today:
            out.append(f"activity-date type {kind} ({dates[kind]}) is in the future")
    for start, end in ((rules.PLANNED_START, rules.PLANNED_END), (rules.ACTUAL_START, rules.ACTUAL_END)):
        if dates.get(start) and dates.get(end) and dates[start] > dates[end]:
            out.append(f"activity-date type {start} ({dates[start]}) is after type {end} ({dates[end]})")
    for n, transaction in enumerate(activity.findall("transaction"), 1):
        day = _date(transaction.find("transaction-date").get("iso-date"))
        value_day = _date(transaction.find("value").get("value-date"))
        if day and day > today:
            out.append(f"transaction {n}: transaction-date {day} is in the future")
        if value_day and value_day > today:
            out.append(f"transaction {n}: value-date {value_day} is in the future")
        if day and value_day and day != value_day:
            out.append(f"transaction {n}: value-date {value_day} is not its transaction-date {day}")
    return out


def _percent(element) -> Decimal | None:
    try:
        return Decimal(element.get("percentage")) if element.get("percentage") is not None else None
    except InvalidOperation:
        return None


def _percentages(activity, _today) -> list[str]:
    out = []
    countries = activity.findall("recipient-country")
    regions = activity.findall("recipient-region")
    if countries or regions:
        by_vocabulary: dict[str, Decimal] = defaultdict(Decimal)
        country_sum = sum((_percent(c) or Decimal(0) for c in countries), Decimal(0))
        for region in regions:
            by_vocabulary[region.get("vocabulary", "1")] += _percent(region) or Decimal(0)
        totals = {v: country_sum + s for v, s in by_vocabulary.items()} or {"countries": country_sum}
        missing = [e for e in countries + regions if _percent(e) is None]
        if missing and len(countries) + len(regions) > 1:
            out.append("a recipient country or region without a percentage, among several")
        elif not missing:
            for vocabulary, total in sorted(totals.items()):
                if total != HUNDRED:
                    out.append(f"recipient countries and regions (vocabulary {vocabulary}) add up to "
                               f"{total}, not 100")
    sectors: dict[str, list] = defaultdict(list)
    for sector in activity.findall("sector"):
        sectors[sector.get("vocabulary", "1")].append(sector)
    for vocabulary, items in sorted(sectors.items()):
        values = [_percent(s) for s in items]
        if len(items) > 1 or values[0] is not None:
            total = sum((v or Decimal(0) for v in values), Decimal(0))
            if None in values or total != HUNDRED:
                out.append(f"sectors of vocabulary {vocabulary} add up to {total}, not 100")
    return out


def _sectors(activity, _today) -> list[str]:
    transactions = activity.findall("transaction")
    on_transactions = [t for t in transactions if t.find("sector") is not None]
    if activity.find("sector") is not None:
        return ["sectors are given on the activity and on transactions"] if on_transactions else []
    if not transactions or len(on_transactions) < len(transactions):
        return ["no sector on the activity, nor on every transaction"]
    return []


def _codes(activity, _today) -> list[str]:
    checks = [
        ("transaction/transaction-type", "code", "TransactionType"),
        ("activity-status", "code", "ActivityStatus"),
        ("activity-date", "type", "ActivityDateType"),
        ("participating-org", "role", "OrganisationRole"),
        ("participating-org", "type", "OrganisationType"),
        ("reporting-org", "type", "OrganisationType"),
        ("transaction/provider-org", "type", "OrganisationType"),
        ("recipient-country", "code", "Country"),
        ("transaction/value", "currency", "Currency"),
    ]
    out = []
    for path, attribute, name in checks:
        codes = currency_codes() if name == "Currency" else codelist(name)
        for element in activity.findall(path):
            value = element.get(attribute)
            if value is not None and value not in codes:
                out.append(f"{path}/@{attribute} {value!r} is not in the {name} codelist")
    currency = activity.get("default-currency")
    if currency is not None and currency not in currency_codes():
        out.append(f"@default-currency {currency!r} is not in the Currency codelist")
    for aid in activity.findall("default-aid-type"):
        if aid.get("vocabulary", "1") == "1" and aid.get("code") not in codelist("AidType"):
            out.append(f"default-aid-type {aid.get('code')!r} is not in the AidType codelist")
    return out

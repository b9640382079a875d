"""The fund's IATI 2.03 activity file, built with lxml from queries.fund_data().

Elements follow the order the 2.03 schema enforces (iati-activity's sequence:
iati-identifier, reporting-org, title, description, participating-org,
activity-status, activity-date, recipient-country/region, sector, default-aid-type,
transaction; transaction's: transaction-type, transaction-date, value, description,
provider-org). Text goes through lxml, which escapes <, & and quotes; characters XML
cannot carry are dropped. Same database and date, same bytes: nothing in the file
depends on the clock, the request or the order rows come back in."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app
from lxml import etree

from . import rules
from .queries import FundData, Org, Transaction, fund_data

PLACEHOLDER_REF = "XX-PLACEHOLDER-SET-TRUSTFUND-IATI-ORG-REF"
# XML 1.0 cannot carry these code points, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Publisher:
    """Who publishes and what: from the app's configuration (config.py, IATI_*)."""

    org_ref: str
    org_name: str
    org_type: str
    fund_code: str
    fund_title: str
    planned_start: dt.date
    planned_end: dt.date

    @property
    def is_placeholder(self) -> bool:
        return self.org_ref == PLACEHOLDER_REF

    @property
    def identifier(self) -> str:
        return rules.activity_identifier(self.org_ref, self.fund_code)


def publisher() -> Publisher:
    c = current_app.config
    return Publisher(org_ref=c["IATI_REPORTING_ORG_REF"], org_name=c["IATI_REPORTING_ORG_NAME"],
                     org_type=c["IATI_REPORTING_ORG_TYPE"], fund_code=c["IATI_FUND_CODE"],
                     fund_title=c["IATI_FUND_TITLE"],
                     planned_start=dt.date.fromisoformat(c["IATI_PLANNED_START"]),
                     planned_end=dt.date.fromisoformat(c["IATI_PLANNED_END"]))


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _narrative(parent, text: str) -> None:
    etree.SubElement(parent, "narrative").text = _text(text)


def _el(parent, tag: str, attrs: dict[str, str | None] | None = None, narrative: str | None = None):
    """A child element with its attributes in the order given (None: left out)."""
    element = etree.SubElement(parent, tag)
    for name, value in (attrs or {}).items():
        if value is not None:
            element.set(name, value)
    if narrative is not None:
        _narrative(element, narrative)
    return element


def _org(parent, tag: str, org: Org, role: str | None = None):
    return _el(parent, tag, {"ref": org.ref, "role": role, "type": org.type} if tag == "participating-org"
               else {"ref": org.ref, "type": org.type}, org.name)


def _transaction(activity, t: Transaction) -> None:
    element = _el(activity, "transaction", {"ref": t.ref})
    _el(element, "transaction-type", {"code": t.type})
    _el(element, "transaction-date", {"iso-date": t.date.isoformat()})
    _el(element, "value", {"currency": t.currency, "value-date": t.date.isoformat()}).text = str(t.value)
    _el(element, "description", None, t.description)
    if t.provider is not None:
        _org(element, "provider-org", t.provider)


def _activity_dates(activity, who: Publisher, data: FundData, as_of: dt.date) -> None:
    _el(activity, "activity-date", {"type": rules.PLANNED_START, "iso-date": who.planned_start.isoformat()})
    if data.first_deposit_on is not None:
        _el(activity, "activity-date", {"type": rules.ACTUAL_START,
                                        "iso-date": data.first_deposit_on.isoformat()})
    _el(activity, "activity-date", {"type": rules.PLANNED_END, "iso-date": who.planned_end.isoformat()})
    if rules.fund_lifecycle_state(as_of) == "closed":
        _el(activity, "activity-date", {"type": rules.ACTUAL_END, "iso-date": as_of.isoformat()})


def build(data: FundData, who: Publisher, as_of: dt.date, *, omit: frozenset[str] = frozenset()) -> bytes:
    """The file's bytes. `omit` names attributes to leave out ("element@attribute"), for
    the test that proves validation notices a missing required attribute."""
    root = etree.Element("iati-activities", version=rules.VERSION)
    last_updated = f"{as_of.isoformat()}T00:00:00Z"
    root.set("generated-datetime", last_updated)
    activity = _el(root, "iati-activity", {
        "{http://www.w3.org/XML/1998/namespace}lang": "en", "default-currency": "USD",
        "last-updated-datetime": last_updated, "hierarchy": "1"})
    etree.SubElement(activity, "iati-identifier").text = who.identifier
    reporting = Org(who.org_name + (" [placeholder identifier: not for publication]"
                                    if who.is_placeholder else ""), who.org_type, who.org_ref)
    _el(activity, "reporting-org", {"ref": reporting.ref, "type": reporting.type}, reporting.name)
    _el(activity, "title", None, who.fund_title)
    _el(activity, "description", {"type": "1"},
        f"{who.fund_title}. Administered by the {who.org_name} as Administrative Agent; "
        f"fund code {who.fund_code}.")
    if data.objectives:
        _el(activity, "description", {"type": "2"},
            " ".join(f"Objective {number}: {title}." for number, title in data.objectives))
    for donor in data.donors:
        _org(activity, "participating-org", donor, rules.FUNDING)
    _org(activity, "participating-org", reporting, rules.ACCOUNTABLE)
    _org(activity, "participating-org", reporting, rules.EXTENDING)
    _org(activity, "participating-org", Org(f"{rules.IOM_NAME}, travel arrangements (Objective 1)",
                                            rules.MULTILATERAL, rules.IOM_REF), rules.IMPLEMENTING)
    _el(activity, "activity-status", {"code": rules.activity_status(as_of)})
    _activity_dates(activity, who, data, as_of)
    if data.countries:
        for code, percentage in data.countries.items():
            _el(activity, "recipient-country", {"code": code, "percentage": str(percentage)})
    else:
        _el(activity, "recipient-region", {"code": rules.DEVELOPING_COUNTRIES_UNSPECIFIED,
                                           "vocabulary": rules.REGION_VOCABULARY_DAC, "percentage": "100"})
    _el(activity, "sector", {"vocabulary": rules.SECTOR_VOCABULARY_DAC, "code": rules.SECTOR,
                             "percentage": "100"})
    _el(activity, "default-aid-type", {"code": rules.AID_TYPE, "vocabulary": rules.AID_TYPE_VOCABULARY})
    for t in data.transactions:
        _transaction(activity, t)
    for path in omit:
        tag, attribute = path.split("@")
        for element in root.iter(tag):
            element.attrib.pop(attribute, None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def activities_file(as_of: dt.date, *, omit: frozenset[str] = frozenset()) -> bytes:
    """The fund's IATI file as of the end of `as_of` (nothing dated later)."""
    return build(fund_data(as_of), publisher(), as_of, omit=omit)

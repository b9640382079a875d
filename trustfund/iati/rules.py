"""The fund's IATI codes and the pure rules of its file: what each ledger entry is in
IATI 2.03 terms, and how the recipient countries' percentages are split.

How the ledger becomes transactions (one rule per kind, applied the same way to every
entry, so that the file's sums by type are the ledger's):
- incoming pledge (13): each pledge at its full amount in its own currency, dated the
  day it was pledged; a withdrawal is a second incoming pledge of minus the rest that
  was withdrawn, dated the day of the withdrawal. A pledge later fulfilled by a
  commitment stays: IATI reports the pledge and the commitment as two steps.
- incoming commitment (11): each commitment at its amount in its own currency, dated
  the day it was committed.
- incoming funds (1): each deposit at its amount in its own currency (value-date: the
  deposit's value date), from the donor (provider-org). A reversal is its own
  transaction of the opposite (negative) amount on the reversal's value date, naming
  the deposit it reverses: nothing is omitted, so the file adds up to the ledger.
  The Administrative Agent fee is not a transaction of its own (the deposit is gross).
- interest payment (5): each interest entry in USD; a reversal is negative, as above.
- expenditure (4): each travel grant with actual costs (travelled or no-show) in USD,
  dated when its costs were recorded, at what was paid then (the actual total less
  an overrun awaiting approval or rejected); an approved overrun is a second
  expenditure on the day it was approved. Delegates are never named.
- transfers between the fund's own pools are inside the activity and not reported;
  refunds and transfers to other funds come with the fund's closure (lifecycle work).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..money import largest_remainder

VERSION = "2.03"

# TransactionType codelist
INCOMING_FUNDS, INCOMING_COMMITMENT, EXPENDITURE, INTEREST_PAYMENT, INCOMING_PLEDGE = (
    "1", "11", "4", "5", "13")
# ActivityStatus codelist: the fund's lifecycle state -> code.
ACTIVITY_STATUS = {"implementation": "2", "finalisation": "3", "closed": "4"}
# ActivityDateType codelist
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
# OrganisationRole codelist
FUNDING, ACCOUNTABLE, EXTENDING, IMPLEMENTING = "1", "2", "3", "4"
# OrganisationType codelist, by the fund's donor types (DESIGN.md §3). A regional
# legislative body is a public body that is neither a national government nor a
# multilateral organisation: "Other Public Sector". None of the four types is a
# private individual, so every donor may be named.
DONOR_ORGANISATION_TYPE = {
    "member_state": "10",                       # Government
    "regional_legislative_body": "15",          # Other Public Sector
    "intergovernmental_organization": "40",     # Multilateral
    "philanthropic_organization": "60",         # Foundation
}
MULTILATERAL = "40"
# DAC 5-digit sector (vocabulary 1): facilitation of orderly, safe, regular and
# responsible migration and mobility.
SECTOR_VOCABULARY_DAC = "1"
SECTOR = "15190"
# AidType (vocabulary 1): basket funds/pooled funding.
AID_TYPE_VOCABULARY = "1"
AID_TYPE = "B04"
# RegionVocabulary 1 (OECD DAC) 998: developing countries, unspecified; used while no
# delegate has been funded yet (a recipient country or region is required).
REGION_VOCABULARY_DAC = "1"
DEVELOPING_COUNTRIES_UNSPECIFIED = "998"
# The International Organization for Migration (DAC channel 47066): implementing
# partner of Objective 1 (travel arrangements).
IOM_REF = "XM-DAC-47066"
IOM_NAME = "International Organization for Migration (IOM)"

# Characters IATI forbids in identifiers (they break URLs and registry look-ups).
_FORBIDDEN_IN_IDENTIFIERS = re.compile(r"[/&|?]")
HUNDRED = Decimal("100")


def fund_lifecycle_state(as_of: dt.date) -> str:
    """The fund's lifecycle state on `as_of`: "implementation", "finalisation" (after
    operational closure) or "closed" (after financial closure).

    The hook for the closure work (issue 18, on another branch): until the fund's
    closures are recorded, the fund is in implementation."""
    return "implementation"


def activity_status(as_of: dt.date) -> str:
    return ACTIVITY_STATUS[fund_lifecycle_state(as_of)]


def bad_identifier_characters(identifier: str) -> list[str]:
    """The characters of `identifier` IATI forbids (/ & | ?), in order, each once;
    also refused: an empty identifier and spaces (reported as ' ')."""
    found = sorted(set(_FORBIDDEN_IN_IDENTIFIERS.findall(identifier)), key=identifier.index)
    if identifier != identifier.strip() or " " in identifier:
        found.append(" ")
    return found


def activity_identifier(org_ref: str, fund_code: str) -> str:
    """The reporting organisation's reference, a hyphen, the fund's code (IATI's rule:
    an activity identifier starts with its reporting organisation's identifier)."""
    return f"{org_ref}-{fund_code}"


def percentages(weights: dict[str, int]) -> dict[str, Decimal]:
    """Percentages of `weights` (country -> integer weight) with two decimals that add
    up to exactly 100 (largest remainder; ties go to the first key in sorted order).
    Countries with no weight are left out; no weight at all: {}."""
    keys = sorted(k for k, w in weights.items() if w > 0)
    if not keys:
        return {}
    parts = largest_remainder(HUNDRED, [Decimal(weights[k]) for k in keys])
    return dict(zip(keys, parts, strict=True))

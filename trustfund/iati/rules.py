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
- incoming commitment (11), negative: each write-off at financial closure (the part
  of a commitment that will never be deposited), in the commitment's currency, dated
  the day it was written off, as a pledge's withdrawal is (the file's commitments
  less its write-offs are what was committed and is still expected or paid).
- the fund's own entries (trustfund/fund/entries.py FundEntry), in USD on their value
  date, a reversal as a negative value naming the entry it reverses: a direct cost
  and a bank charge are expenditure (4), outgoing funds spent for the activity (the
  pools' `direct_costs` and `bank_charges`); other income is incoming funds (1) with
  no provider-org ("funds received for use on the activity, from an external or
  internal source"; the pools' `other_income`). So the file's USD incoming funds are
  the USD deposits plus other income, and its expenditure is travel spending plus
  direct costs and bank charges.
- disbursement (3) for what leaves the fund at its financial closure (PoolClosing):
  TransactionType 3 is "outgoing funds placed at the disposal of a recipient ...
  organisation, or funds transferred between two separately reported activities";
  2.03 has no "outgoing funds" type of its own, and expenditure (4) is for goods and
  services of the activity, which a refund is not. A refund is one disbursement per
  donor's part (ClosingPart, in USD on its value date) with receiver-org the donor
  (name and type, as in participating-org); a part of 0.00 is left out (no money
  moves). A transfer to another fund is one disbursement of the pool's balance on the
  day it was decided, with receiver-org the fund named in the decision and the
  transfer's reference in the description. A residual balance not refunded under the
  waiver is left out: it is paid to no one, so it is no transaction (the file's
  disbursements are the pools' `closed_out` less the waived balances).
- transfers between the fund's own pools are inside the activity and not reported.
- what staff type for one another is not published: the file goes to the IATI
  Registry, for anyone to read, and a pledge's note, an interest entry's note, a
  reason for a reversal, a withdrawal or a write-off are the fund's internal record
  (they may name a person or a bank's problem). A transaction's description says what
  it is and which entry it reverses; only a fund entry's own description (what a
  direct cost bought, where other income came from) is published, as its purpose.

The activity's status and dates come from the fund's record (trustfund/fund/models.py
Fund) as of the date asked for (fund_lifecycle_state): implementation (2) while open;
finalisation (3) from the day the admin closed the operations, or from the day after
the end date (an open fund whose end date has passed is operationally closed by that
alone); closed (4) from the day of the financial closure. Planned start and end are
the record's start and end dates (the end date as extended, the record keeps no
earlier one, so a file as of a day between an old end date and its extension reads
"implementation"); the actual end date, once closed, is the day of the financial
closure, when the activity ended (finalisation is still the activity: the money is
being settled). Without a fund record (a database without reference data) the
configuration's dates are used and the fund is in implementation.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from ..money import largest_remainder

VERSION = "2.03"

# TransactionType codelist
INCOMING_FUNDS, DISBURSEMENT, INCOMING_COMMITMENT, EXPENDITURE, INTEREST_PAYMENT, INCOMING_PLEDGE = (
    "1", "3", "11", "4", "5", "13")
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


@dataclass(frozen=True)
class Lifecycle:
    """The dates of the fund's life its record keeps (None: not happened)."""

    start_on: dt.date
    end_on: dt.date
    operations_closed_on: dt.date | None = None
    financially_closed_on: dt.date | None = None


def fund_lifecycle_state(life: Lifecycle | None, as_of: dt.date) -> str:
    """The fund's lifecycle state on `as_of` (see the module's docstring):
    "implementation", "finalisation" (after operational closure, by the admin or by
    the end date passing) or "closed" (from the day of the financial closure)."""
    if life is None:
        return "implementation"
    if life.financially_closed_on is not None and life.financially_closed_on <= as_of:
        return "closed"
    if (life.operations_closed_on is not None and life.operations_closed_on <= as_of) or as_of > life.end_on:
        return "finalisation"
    return "implementation"


def activity_status(life: Lifecycle | None, as_of: dt.date) -> str:
    return ACTIVITY_STATUS[fund_lifecycle_state(life, as_of)]


def actual_end(life: Lifecycle | None, as_of: dt.date) -> dt.date | None:
    """The activity's actual end date as of `as_of`: the day of the financial closure,
    once it is on or before `as_of`."""
    return life.financially_closed_on if fund_lifecycle_state(life, as_of) == "closed" else None


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

"""The fund's reference data: the fund's own record (name, MPTF Gateway code, dates),
its objectives and their pools, the un-earmarked pool, the settings' first values
and the countries with their LDC periods (data/countries.json, with its sources). A
database needs them before the first entry; they hold no account and no demo figure."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from .admin.models import FEE_RATE, TERMINAL_EXPENSES, Setting
from .audit import record
from .contributions.models import UNEARMARKED, Objective, Pool
from .countries.models import Country, LdcPeriod
from .extensions import db
from .fund.models import Fund
from .fund.status import FUND_NAME

DATA_DIR = Path(__file__).parent / "data"

# The fund (DESIGN.md §1; the MPTF Gateway's fund factsheet): an admin corrects it
# from the fund's page, and extends the end date there with a reason.
FUND_CODE = "MCS00"
FUND_START = dt.date(2017, 4, 3)
FUND_END = dt.date(2018, 12, 31)

OBJECTIVES = [
    (1, "Travel and participation of representatives from developing countries, in particular "
        "the least developed countries, in the conference and its preparatory process"),
    (2, "Activities related to the preparations of the conference"),
    (3, "Operational support of the fund"),
]


def load_countries() -> list[str]:
    """Insert the countries of data/countries.json that are not there yet; their codes."""
    path = DATA_DIR / "countries.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = set(db.session.scalars(sa.select(Country.code)))
    added = []
    for item in data["countries"]:
        if item["code"] in existing:
            continue
        country = Country(code=item["code"], name=item["name"], un_member=item["un_member"],
                          observer=item["observer"], developing=item["developing"])
        for period in item.get("ldc_periods", []):
            country.ldc_periods.append(LdcPeriod(
                start_on=dt.date.fromisoformat(period["start"]),
                end_on=dt.date.fromisoformat(period["end"]) if period.get("end") else None,
                note=period.get("note", "")))
        db.session.add(country)
        added.append(country.code)
    db.session.flush()
    return added


def seed_fund() -> int:
    """The fund's record, if there is none yet (1 if added)."""
    if db.session.scalar(sa.select(Fund.id).limit(1)) is not None:
        return 0
    db.session.add(Fund(code=FUND_CODE, name=FUND_NAME, start_on=FUND_START, end_on=FUND_END))
    db.session.flush()
    return 1


def seed_objectives_and_pools() -> tuple[int, int]:
    """(objectives, pools) added: the three objectives and their pools for a fund that
    has no objective yet. Once it has, its objectives are its admins' (renumbered or
    added in the application, each in the audit trail): a later run adds none behind
    their backs (it once added a second "Objective 3" after an admin renumbered it)."""
    objectives = pools = 0
    seeded = db.session.scalar(sa.select(Objective.id).limit(1)) is not None
    for number, title in () if seeded else OBJECTIVES:
        objective = db.session.scalar(sa.select(Objective).where(Objective.number == number))
        if objective is None:
            objective = Objective(number=number, title=title)
            db.session.add(objective)
            db.session.flush()
            objectives += 1
        if db.session.scalar(sa.select(Pool).where(Pool.objective_id == objective.id)) is None:
            db.session.add(Pool(code=f"OBJ{number}", objective_id=objective.id))
            pools += 1
    if db.session.scalar(sa.select(Pool).where(Pool.code == UNEARMARKED)) is None:
        db.session.add(Pool(code=UNEARMARKED))
        pools += 1
    db.session.flush()
    return objectives, pools


def seed_settings() -> int:
    """Settings added (a setting that has any value keeps it)."""
    start = dt.date(2017, 1, 1)
    added = 0
    for key, value in ((FEE_RATE, Decimal("0.01")), (TERMINAL_EXPENSES, Decimal("100.00"))):
        if db.session.scalar(sa.select(Setting.id).where(Setting.key == key)) is None:
            db.session.add(Setting(key=key, value=str(value), effective_from=start))
            added += 1
    db.session.flush()
    return added


def load_reference_data() -> dict[str, int]:
    """Everything above that is not there yet (idempotent); how many of each were added.
    What it adds is in the audit trail (one entry, by "the system": a command run on
    the server), the countries by their codes."""
    fund = seed_fund()
    countries = load_countries()
    objectives, pools = seed_objectives_and_pools()
    added = {"fund": fund, "countries": len(countries), "objectives": objectives, "pools": pools,
             "settings": seed_settings()}
    if any(added.values()):
        # Of the fund's reference data, not of its record: no object to link to.
        record(None, "reference.load", object_type="Fund", after={**added, "country_codes": countries})
    return added

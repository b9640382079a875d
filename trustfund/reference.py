"""The fund's reference data: its objectives and their pools, the un-earmarked pool,
the settings' first values and the countries with their LDC periods
(data/countries.json, with its sources). A database needs them before the first
entry; they hold no account and no demo figure."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from .admin.models import FEE_RATE, TERMINAL_EXPENSES, Setting
from .contributions.models import UNEARMARKED, Objective, Pool
from .countries.models import Country, LdcPeriod
from .extensions import db

DATA_DIR = Path(__file__).parent / "data"

OBJECTIVES = [
    (1, "Travel and participation of representatives from developing countries, in particular "
        "the least developed countries, in the conference and its preparatory process"),
    (2, "Activities related to the preparations of the conference"),
    (3, "Operational support of the fund"),
]


def load_countries() -> int:
    """Insert the countries of data/countries.json that are not there yet."""
    path = DATA_DIR / "countries.json"
    if not path.exists():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = set(db.session.scalars(sa.select(Country.code)))
    added = 0
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
        added += 1
    db.session.flush()
    return added


def seed_objectives_and_pools() -> None:
    for number, title in OBJECTIVES:
        objective = db.session.scalar(sa.select(Objective).where(Objective.number == number))
        if objective is None:
            objective = Objective(number=number, title=title)
            db.session.add(objective)
            db.session.flush()
        if db.session.scalar(sa.select(Pool).where(Pool.objective_id == objective.id)) is None:
            db.session.add(Pool(code=f"OBJ{number}", objective_id=objective.id))
    if db.session.scalar(sa.select(Pool).where(Pool.code == UNEARMARKED)) is None:
        db.session.add(Pool(code=UNEARMARKED))
    db.session.flush()


def seed_settings() -> None:
    start = dt.date(2017, 1, 1)
    for key, value in ((FEE_RATE, Decimal("0.01")), (TERMINAL_EXPENSES, Decimal("100.00"))):
        if db.session.scalar(sa.select(Setting.id).where(Setting.key == key)) is None:
            db.session.add(Setting(key=key, value=str(value), effective_from=start))
    db.session.flush()


def load_reference_data() -> None:
    """Everything above that is not there yet (idempotent)."""
    load_countries()
    seed_objectives_and_pools()
    seed_settings()

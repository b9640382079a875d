"""Demo data: the fund's objectives and pools, countries, settings, demo accounts,
and what each feature adds (its own demo.py). Idempotent: a second run adds nothing."""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from .admin.models import FEE_RATE, TERMINAL_EXPENSES, Setting
from .auth.models import User
from .contributions.models import UNEARMARKED, Objective, Pool
from .countries.models import Country, LdcPeriod
from .donors.models import Donor, SaaStatusChange
from .extensions import db

DATA_DIR = Path(__file__).parent / "data"

# Demo accounts only: never use these passwords anywhere real.
DEMO_ACCOUNTS = [
    ("admin@trustfund.demo", "demo-admin-pass", "admin"),
    ("officer@trustfund.demo", "demo-officer-pass", "mptf_officer"),
    ("srsg@trustfund.demo", "demo-srsg-pass", "srsg_staff"),
    ("srsg2@trustfund.demo", "demo-srsg2-pass", "srsg_staff"),
    ("donor@trustfund.demo", "demo-donor-pass", "donor"),
    ("auditor@trustfund.demo", "demo-auditor-pass", "auditor"),
]
DEMO_DONOR_NAME = "Kingdom of Sweden"

OBJECTIVES = [
    (1, "Travel and participation of representatives from developing countries, in particular "
        "the least developed countries, in the conference and its preparatory process"),
    (2, "Activities related to the preparations of the conference"),
    (3, "Operational support of the fund"),
]

# Features that add demo data of their own: trustfund.<name>.demo.seed(context).
FEATURE_SEEDS = ("donors", "contributions", "travel")


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


def demo_donor() -> Donor:
    donor = db.session.scalar(sa.select(Donor).where(Donor.name == DEMO_DONOR_NAME))
    if donor is None:
        donor = Donor(name=DEMO_DONOR_NAME, donor_type="member_state", country_code="SE",
                      contact_name="Ministry for Foreign Affairs", contact_email="un.desk@example.se",
                      saa_status="signed", saa_signed_on=dt.date(2017, 4, 20),
                      saa_signatory_donor="Permanent Representative of Sweden",
                      saa_signatory_mptf="Executive Coordinator, MPTF Office",
                      saa_reference="SAA-MCS00-SE-2017")
        db.session.add(donor)
        db.session.flush()
        db.session.add(SaaStatusChange(donor_id=donor.id, from_status="not_started", to_status="signed",
                                       note="Demo data", signed_on=donor.saa_signed_on,
                                       signatory_donor=donor.saa_signatory_donor,
                                       signatory_mptf=donor.saa_signatory_mptf,
                                       reference=donor.saa_reference))
        db.session.flush()
    return donor


def seed_users(donor: Donor) -> dict[str, User]:
    users = {}
    for email, password, role in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=email.split("@")[0].capitalize(), role=role,
                        donor_id=donor.id if role == "donor" else None)
            user.set_password(password)
            db.session.add(user)
        users[email.split("@")[0]] = user
    db.session.flush()
    return users


def seed(scale: int = 1) -> bool:
    """Load the demo; True if anything was added."""
    first_time = db.session.scalar(sa.select(User.id).where(User.email == DEMO_ACCOUNTS[0][0])) is None
    load_countries()
    seed_objectives_and_pools()
    seed_settings()
    donor = demo_donor()
    users = seed_users(donor)
    context = {"users": users, "donor": donor, "scale": scale, "first_time": first_time}
    for name in FEATURE_SEEDS:
        if importlib.util.find_spec(f"{__package__}.{name}.demo") is None:
            continue
        importlib.import_module(f".{name}.demo", __package__).seed(context)
    db.session.flush()
    return first_time

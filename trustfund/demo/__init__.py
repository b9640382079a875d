"""Demo data: the fund's reference data (trustfund/reference.py), demo accounts, and
the demo donors, contributions and travel of this package's modules; the scale
generator in scale/; then the fund's life to its operational closure (lifecycle.py:
2017 closed), run last. Imported by the CLI only. Idempotent: a second run adds
nothing."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import sqlalchemy as sa

from .. import clock
from ..auth.demo_accounts import DEMO_ACCOUNTS
from ..auth.models import User
from ..donors.models import Donor, SaaStatusChange
from ..extensions import db
from ..fund.models import OPEN
from ..fund.status import current_fund
from ..reference import load_reference_data
from . import contributions, donors, lifecycle, travel

DEMO_DONOR_NAME = "Kingdom of Sweden"


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
    load_reference_data()
    donor = demo_donor()
    users = seed_users(donor)
    context = {"users": users, "donor": donor, "scale": scale, "first_time": first_time}
    with recording_the_story():
        donors.seed(context)
        contributions.seed(context)
        travel.seed(context)
    db.session.flush()
    return first_time


@contextmanager
def recording_the_story():
    """The story of 2017-2018 is recorded today, through the services, which refuse new
    pledges, commitments, events and requests once the fund's end date has passed:
    while the story is recorded the fund runs on, and its end date is put back after
    (the demo's own arrangement, like its story's dates: no audit entry)."""
    fund = current_fund()
    end = fund.end_on if fund is not None else None
    today = clock.today()
    if fund is not None and fund.status == OPEN and end < today:
        fund.end_on = today
        db.session.flush()
    try:
        yield
    finally:
        if fund is not None and fund.end_on != end:
            fund.end_on = end
            db.session.flush()


def run_to_closure() -> None:
    """The demo fund's life up to its operational closure (lifecycle.py): after every
    other entry, the scale data's included, since 2017 is then closed."""
    donor = demo_donor()
    lifecycle.seed({"users": seed_users(donor)})

"""Test data builders. Password hashing is done once per session: Argon2id is slow on purpose."""
from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa

from trustfund import demo, reference
from trustfund.auth.models import User
from trustfund.extensions import db
from trustfund.fund.models import Fund

# The tests' fund is still running: its end date is far ahead, so that the tests record
# pledges, commitments, events and requests today. The real fund ended on 31 December
# 2018 (reference data): tests/unit/test_fund_operations.py closes it by that date.
RUNNING_UNTIL = dt.date(2099, 12, 31)

PASSWORD = "correct horse battery staple"
# key: (email, role)
BASE_USERS = {
    "admin": ("admin@test.example", "admin"),
    # A second admin: changes that give power over money or accounts wait for another
    # admin's confirmation (admin.user_changes).
    "admin2": ("admin2@test.example", "admin"),
    "mptf_officer": ("officer@test.example", "mptf_officer"),
    # A second MPTF officer: the fund's own entries and their reversals wait for
    # another officer's confirmation (closure.entry_proposals).
    "mptf_officer2": ("officer2@test.example", "mptf_officer"),
    "srsg_staff": ("srsg@test.example", "srsg_staff"),
    "srsg_staff2": ("srsg2@test.example", "srsg_staff"),
    "donor": ("donor@test.example", "donor"),
    "auditor": ("auditor@test.example", "auditor"),
}


@functools.cache
def password_hash() -> str:
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


def seed_base() -> None:
    reference.load_reference_data()
    db.session.scalar(sa.select(Fund)).end_on = RUNNING_UNTIL
    donor = demo.demo_donor()
    for key, (email, role) in BASE_USERS.items():
        db.session.add(User(email=email, name=key, role=role, password_hash=password_hash(),
                            donor_id=donor.id if role == "donor" else None))
    db.session.flush()


def base_users() -> dict[str, User]:
    by_email = {u.email: u for u in db.session.scalars(sa.select(User))}
    return {key: by_email[email] for key, (email, _role) in BASE_USERS.items()}


def make_user(role: str, email: str, donor_id: int | None = None, active: bool = True) -> User:
    user = User(email=email, name=email, role=role, password_hash=password_hash(),
                donor_id=donor_id, active=active)
    db.session.add(user)
    db.session.commit()
    return user


def second_admin_confirms(app, email: str, who: str = "admin2"):
    """Another admin (a base user, in a browser of their own) confirms the user change
    waiting for the account `email`, as they would on the users page. Returns the answer."""
    from trustfund.admin.models import PENDING, UserChange

    change_id = db.session.scalar(sa.select(UserChange.id).where(UserChange.email == email.lower(),
                                                                 UserChange.status == PENDING))
    assert change_id is not None, f"no change waits for {email}"
    return browser_of(app, who).post(f"/admin/user-changes/{change_id}/confirm", follow_redirects=True)


def log_in(client, who):
    """Logs the test client in as the base user `who` (or a given User): returns the user."""
    user = base_users()[who] if isinstance(who, str) else who
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return user


def browser_of(app, who):
    """A test client of its own (another person's browser), logged in as `who` (log_in)."""
    browser = app.test_client()
    log_in(browser, who)
    return browser


def second_admin_confirms_transfer(app, who: str = "admin2"):
    """Another admin (a base user, in a browser of their own) confirms the transfer
    between pools waiting for a second admin (the only one waiting), as they would on
    the transfers page. Returns the answer."""
    from trustfund.admin.models import PENDING
    from trustfund.contributions.models import TransferProposal

    [proposal_id] = db.session.scalars(sa.select(TransferProposal.id)
                                       .where(TransferProposal.status == PENDING)).all()
    return browser_of(app, who).post(f"/contributions/pools/transfers/waiting/{proposal_id}/confirm",
                                      follow_redirects=True)


def second_admin_confirms_setting(app, key: str, who: str = "admin2"):
    """Another admin (a base user, in a browser of their own) confirms the value of the
    setting `key` waiting for a second admin, as they would on the settings page (it
    takes effect only then: admin.setting_changes). Returns the answer (redirected)."""
    from trustfund.admin.models import PENDING, SettingChange

    change_id = db.session.scalar(sa.select(SettingChange.id).where(SettingChange.key == key,
                                                                    SettingChange.status == PENDING))
    assert change_id is not None, f"no value of {key} waits"
    return browser_of(app, who).post(f"/admin/setting-changes/{change_id}/confirm", follow_redirects=True)


def second_srsg_confirms(app, pool_id: int, who: str = "srsg_staff2"):
    """Another SRSG staff member (a base user, in a browser of their own) confirms the
    closing decision waiting on the pool, as they would on the closing page: it is only
    then applied (closure.proposals). Returns the answer (redirected)."""
    from trustfund.fund.entries import WAITING, ClosingProposal

    proposal_id = db.session.scalar(sa.select(ClosingProposal.id).where(ClosingProposal.pool_id == pool_id,
                                                                        ClosingProposal.status == WAITING))
    assert proposal_id is not None, f"no closing decision waits on pool {pool_id}"
    return browser_of(app, who).post(f"/fund/closing/proposals/{proposal_id}/confirm", follow_redirects=True)


def second_officer_confirms_entry(app, who: str = "mptf_officer2"):
    """Another MPTF officer (a base user, in a browser of their own) confirms the entry
    or reversal of the fund waiting for a second officer (the only one waiting), as
    they would on the entries page: it is recorded only then (closure.entry_proposals).
    Returns the answer (redirected)."""
    from trustfund.fund.entries import WAITING, FundEntryProposal

    [proposal_id] = db.session.scalars(sa.select(FundEntryProposal.id)
                                       .where(FundEntryProposal.status == WAITING)).all()
    return browser_of(app, who).post(f"/fund/entries/waiting/{proposal_id}/confirm", follow_redirects=True)


def second_officer_confirms_rates(app, who: str = "mptf_officer2"):
    """Another MPTF officer (a base user, in a browser of their own) confirms every
    exchange rate waiting for a second officer, oldest first, as they would on the
    rates page: the rates change only then (contributions.rate_changes). Returns the
    last answer (redirected)."""
    from trustfund.contributions.models import RateProposal

    waiting = db.session.scalars(sa.select(RateProposal.id).where(RateProposal.status == "pending")
                                 .order_by(RateProposal.id)).all()
    assert waiting, "no exchange rate waits"
    browser = browser_of(app, who)
    for proposal_id in waiting:
        answer = browser.post(f"/contributions/rates/waiting/{proposal_id}/confirm", follow_redirects=True)
    return answer


def second_officer_confirms_reversal(app, who: str = "mptf_officer2"):
    """Another MPTF officer (a base user, in a browser of their own) confirms the
    deposit's reversal waiting for a second officer (the only one waiting), as they
    would on the deposit's page: it is recorded only then (contributions.
    reversal_changes). Returns the answer (redirected)."""
    from trustfund.contributions.models import DepositReversalProposal

    [proposal_id] = db.session.scalars(sa.select(DepositReversalProposal.id)
                                       .where(DepositReversalProposal.status == "pending")).all()
    return browser_of(app, who).post(f"/contributions/deposits/reversals/{proposal_id}/confirm",
                                      follow_redirects=True)


def second_officer_confirms_interest(app, who: str = "mptf_officer2"):
    """Another MPTF officer (a base user, in a browser of their own) confirms the
    interest or reversal waiting for a second officer (the only one waiting), as they
    would on the interest page: it is recorded only then (contributions.
    interest_changes). Returns the answer (redirected)."""
    from trustfund.contributions.models import InterestProposal

    [proposal_id] = db.session.scalars(sa.select(InterestProposal.id)
                                       .where(InterestProposal.status == "pending")).all()
    return browser_of(app, who).post(f"/contributions/interest/waiting/{proposal_id}/confirm",
                                      follow_redirects=True)


def second_officer_confirms_write_off(app, who: str = "mptf_officer2"):
    """Another MPTF officer (a base user, in a browser of their own) confirms the
    write-off waiting for a second officer (the only one waiting), as they would on the
    closing page: it is written off only then (closure.write_offs). Returns the answer
    (redirected)."""
    from trustfund.fund.entries import WAITING, WriteOffProposal

    [proposal_id] = db.session.scalars(sa.select(WriteOffProposal.id)
                                       .where(WriteOffProposal.status == WAITING)).all()
    return browser_of(app, who).post(f"/fund/closing/write-offs/{proposal_id}/confirm", follow_redirects=True)


def close_year_meanwhile(admin, year: int, reference: str = "Annual report") -> None:
    """`year` closed while a change dated in it waited for a second person, as when the
    proposal and the closing ran at the same moment and neither saw the other:
    closure.years.close_year without its look for what waits (which refuses it
    otherwise), for the tests of what the confirmation then does."""
    from trustfund.closure import years

    real = years.waiting_in
    years.waiting_in = lambda _year: []
    try:
        years.close_year(admin, year, report_reference=f"{reference} {year}")
    finally:
        years.waiting_in = real

"""Digests by email, written by the sender (send-mail) on its own schedule:

- grant requests awaiting decision -> every SRSG staff member but their requester, at
  most every DIGEST_GRANT_REQUESTS_HOURS per person, listing the requests entered
  since that person's last digest;
- overdue instalments and SAAs awaiting signature for more than 30 days -> every MPTF
  officer, every DIGEST_OFFICERS_DAYS.

Only to active users who have not turned digests off (their profile). Staff roles
only: no donor user ever gets a digest, so no digest shows a donor another donor's
data. Each digest and its bookkeeping (mail_digest) are committed together."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.dialects import postgresql, sqlite

from ..audit import utcnow
from ..auth.models import User
from ..contributions.models import Commitment, Instalment
from ..contributions.queries import overdue_by_commitment
from ..donors.models import Donor, SaaStatusChange
from ..extensions import db
from ..mail.links import external_url
from ..mail.models import MailDigest
from ..mail.outbox import enqueue
from ..permissions import MPTF_OFFICER, SRSG_STAFF
from ..travel.models import REQUESTED, TravelGrant

GRANT_REQUESTS, OFFICERS = "grant_requests", "officers"
AWAITING_SIGNATURE = ("draft_shared", "under_negotiation")


def _readers(role: str) -> list[User]:
    return db.session.scalars(sa.select(User).where(User.role == role, User.active.is_(True),
                                                    User.digests.is_(True)).order_by(User.id)).all()


def _last(user: User, kind: str) -> MailDigest | None:
    return db.session.get(MailDigest, (user.id, kind))


def _claim(user: User, kind: str, state: MailDigest | None, now: dt.datetime) -> bool:
    """Claim this person's digest of this kind for `now`, before writing it: one guarded
    statement (an UPDATE of the last digest's moment as it was read, or an INSERT that
    yields to one already there), so that two senders running at once (the --loop
    service and the scheduler's run) write it once; the second finds it claimed."""
    table = MailDigest.__table__
    if state is None:
        insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = (insert(table).values(user_id=user.id, kind=kind, last_sent_at=now)
                     .on_conflict_do_nothing().returning(table.c.user_id))
    else:
        statement = (table.update().where(table.c.user_id == user.id, table.c.kind == kind,
                                          table.c.last_sent_at == state.last_sent_at)
                     .values(last_sent_at=now).returning(table.c.user_id))
    claimed = db.session.execute(statement).first() is not None
    if state is not None:
        db.session.expire(state)
    return claimed


def _grant_subject(count: int):
    """The subject, made in the recipient's language when the message is written."""
    return lambda: ngettext("Trustfund: %(num)d travel grant request awaiting decision",
                            "Trustfund: %(num)d travel grant requests awaiting decision", count)


def _officers_subject(days: int):
    """The subject of the officers' digest, naming how often it comes (DIGEST_OFFICERS_DAYS),
    made in the recipient's language when the message is written."""
    if days == 7:
        return _l("Trustfund: weekly digest for MPTF officers")
    if days == 1:
        return _l("Trustfund: daily digest for MPTF officers")
    return lambda: ngettext("Trustfund: digest for MPTF officers, every %(num)d day",
                            "Trustfund: digest for MPTF officers, every %(num)d days", days)


def grant_request_digests(now: dt.datetime | None = None) -> int:
    """One digest per SRSG staff member whose interval has passed and who has new
    requests awaiting decision that they did not enter themselves."""
    now = now or utcnow()
    every = dt.timedelta(hours=int(current_app.config["DIGEST_GRANT_REQUESTS_HOURS"]))
    written = 0
    for user in _readers(SRSG_STAFF):
        state = _last(user, GRANT_REQUESTS)
        if state is not None and now - state.last_sent_at < every:
            continue
        query = (sa.select(TravelGrant).where(TravelGrant.status == REQUESTED,
                                              TravelGrant.requested_by_id != user.id)
                 .order_by(TravelGrant.ldc.desc(), TravelGrant.requested_at))
        if state is not None:
            query = query.where(TravelGrant.requested_at > state.last_sent_at)
        grants = db.session.scalars(query).all()
        if not grants or not _claim(user, GRANT_REQUESTS, state, now):
            continue
        enqueue(user, "digest_grant_requests", "digest_grant_requests",
                _grant_subject(len(grants)),
                grants=grants, queue_url=external_url("travel.queue"),
                grant_url=lambda g: external_url("travel.grant", grant_id=g.id))
        written += 1
    db.session.commit()
    return written


def _overdue(today: dt.date) -> list[tuple[Commitment, object]]:
    due = sa.select(Instalment.commitment_id).where(Instalment.due_on < today)
    commitments = db.session.scalars(sa.select(Commitment).where(Commitment.id.in_(due))
                                     .order_by(Commitment.id)).all()
    amounts = overdue_by_commitment(commitments, today)
    return [(c, amounts[c.id]) for c in commitments if c.id in amounts]


def _awaiting_signature(now: dt.datetime) -> list[tuple[Donor, dt.datetime]]:
    since = (sa.select(SaaStatusChange.donor_id, sa.func.max(SaaStatusChange.at).label("at"))
             .group_by(SaaStatusChange.donor_id).subquery())
    cutoff = now - dt.timedelta(days=int(current_app.config["SAA_AWAITING_SIGNATURE_DAYS"]))
    rows = db.session.execute(sa.select(Donor, since.c.at).join(since, since.c.donor_id == Donor.id)
                              .where(Donor.saa_status.in_(AWAITING_SIGNATURE), since.c.at < cutoff)
                              .order_by(since.c.at)).all()
    return [(row[0], row[1]) for row in rows]


def officer_digests(now: dt.datetime | None = None) -> int:
    """The digest of MPTF officers (weekly unless configured): overdue instalments (what is due and not yet
    deposited) and SAAs awaiting signature for more than 30 days."""
    now = now or utcnow()
    every = dt.timedelta(days=int(current_app.config["DIGEST_OFFICERS_DAYS"]))
    readers = [(u, s) for u in _readers(MPTF_OFFICER)
               if (s := _last(u, OFFICERS)) is None or now - s.last_sent_at >= every]
    if not readers:
        return 0
    overdue, waiting = _overdue(now.date()), _awaiting_signature(now)
    if not overdue and not waiting:
        return 0
    written = 0
    for user, state in readers:
        if not _claim(user, OFFICERS, state, now):
            continue
        enqueue(user, "digest_officers", "digest_officers", _officers_subject(every.days),
                overdue=overdue, waiting=waiting, now=now,
                commitment_url=lambda c: external_url("contributions.commitment", commitment_id=c.id),
                donor_url=lambda d: external_url("donors.view", donor_id=d.id))
        written += 1
    db.session.commit()
    return written

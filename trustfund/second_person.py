"""Nobody alone moves money (DESIGN.md §5): the shared step of every change that one
person proposes and a second, different person confirms or refuses
(admin.user_changes, contributions.transfer_changes, contributions.interest_changes,
contributions.rate_changes, contributions.reversal_changes, closure.proposals,
closure.entry_proposals, closure.write_offs; the last five of them through Answers).
The waiting row's status moves on by one guarded UPDATE, in the transaction of what
the answer does: of two people
answering at once, or one answer sent twice, exactly one goes through."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from .audit import snapshot, utcnow
from .errors import DomainError
from .extensions import db
from .validation import check_text, too_long


def require_active(actor, role: str, refusal: str) -> None:
    """Refuse (`refusal`, in the caller's words) an actor who is not an active user of
    `role`: who may propose or answer a change that takes two people."""
    if getattr(actor, "role", None) != role or not getattr(actor, "active", False):
        raise DomainError(refusal)


def still_active(actor, role: str):
    """SQL: `actor` is an active user of `role` as the statement runs, for the WHERE of
    a guarded UPDATE by which they decide (an account deactivated or moved to another
    role by a colleague while the decision was on its way decides nothing). The
    users' table by its name: auth sits above the core."""
    users = db.metadata.tables["user"]
    return sa.exists().where(users.c.id == actor.id, users.c.role == role, users.c.active.is_(True))


def answer(model, row_id: int, actor, status: str, *, waiting: str, reason: str | None = None,
           role: str | None = None) -> bool:
    """Move the waiting row `row_id` of `model` (with status, decided_by_id, decided_at
    and refusal_reason columns) to `status`, answered by `actor`: False when it no
    longer waits (answered meanwhile), or, with `role`, when `actor` is no longer an
    active user of that role as the UPDATE runs (deactivated by a colleague while the
    answer was on its way: the account read at the request's start is not enough), and
    then nothing was written (still_active)."""
    where = [model.id == row_id, model.status == waiting]
    if role is not None:
        where.append(still_active(actor, role))
    done = db.session.execute(
        sa.update(model).where(*where)
        .values(status=status, decided_by_id=actor.id, decided_at=utcnow(), refusal_reason=reason)
        .execution_options(synchronize_session=False))
    return done.rowcount == 1


def decide(row, actor, status: str, *, waiting: str, confirmed: str, refused: str, withdrawn: str,
           only_proposer, not_own, already, reason: str | None = None, missing=None,
           role: str | None = None, not_allowed=None) -> dict:
    """The answer `status` of `actor` to the waiting `row` (with proposed_by_id): only
    its proposer withdraws it, its proposer neither confirms nor refuses it (each
    refused with the message given, in the caller's words), a refusal says why
    (refusal_reason; `missing` beside the reason when it does not), then answer(); the
    row's snapshot before the answer, for the audit trail. `already`: the message when
    it no longer waits; `role`: the role `actor` must still have, active, as the answer
    is written (`not_allowed`: the message when not). Who may answer is told first: a
    proposer refusing their own change without a reason (a hand-made request: their
    row offers Withdraw only) learns that it is theirs to withdraw, not of a reason
    field they are not shown."""
    if status == withdrawn and row.proposed_by_id != actor.id:
        raise DomainError(only_proposer)
    if status in (confirmed, refused) and row.proposed_by_id == actor.id:
        raise DomainError(not_own)
    if status == refused:
        reason = refusal_reason(reason, missing)
    before = snapshot(row)
    if not answer(type(row), row.id, actor, status, waiting=waiting, reason=reason, role=role):
        model = type(row)
        still = db.session.scalar(sa.select(model.status).where(model.id == row.id))
        if role is not None and still == waiting:
            raise DomainError(not_allowed)
        raise DomainError(already)
    if status == confirmed:
        _refuse_a_departed_proposer(row.proposed_by_id, role)
    db.session.refresh(row)
    return before


def _refuse_a_departed_proposer(proposer_id: int, role: str | None = None) -> None:
    """A change whose proposer's account was deactivated since (they left, or the
    account was compromised), or moved to another role than `role` (the one that
    proposes it: a demotion takes effect at once), is not confirmed on their word:
    refused in words, which rolls back the answer with the request (errors.run); it
    can still be refused."""
    gone = proposer_gone(proposer_id, role)
    if gone:
        raise DomainError(gone)


def proposer_gone(proposer_id: int, role: str | None = None) -> str | None:
    """Why a change proposed by `proposer_id` can no longer be confirmed on their word
    (_refuse_a_departed_proposer), in words; None while they are an active user of
    `role`. The pages of waiting changes say it in place of Confirm."""
    users = db.metadata.tables["user"]
    proposer = db.session.execute(sa.select(users.c.name, users.c.email, users.c.active, users.c.role)
                                  .where(users.c.id == proposer_id)).one_or_none()
    if proposer is None:
        return None
    name = proposer.name or proposer.email
    if not proposer.active:
        return _("%(name)s, who proposed it, no longer has an active account: it can no longer be "
                 "confirmed. Refuse it, and propose it again yourself if it is still wanted.", name=name)
    if role is not None and proposer.role != role:
        return _("%(name)s, who proposed it, no longer has the role that proposes it: it can no longer be "
                 "confirmed. Refuse it, and propose it again yourself if it is still wanted.", name=name)
    return None


def refusal_reason(reason: str | None, missing) -> str:
    """The reason given for refusing a waiting change, checked as any text; `missing`
    (the caller's words) beside the field when there is none."""
    reason = check_text(reason or "", "reason", multiline=True).strip()
    if not reason:
        raise DomainError(missing, field="reason")
    return reason


def who_proposed_and_confirmed(model, entry_ids: list[int] | None = None) -> dict[int, tuple[str, str]]:
    """Who proposed and who confirmed each entry recorded from a waiting row of `model`
    (with proposed_by_id, decided_by_id and entry_id, the entry it became), by entry id
    (of `entry_ids`, or every one), in one query: (proposer, confirmer), each user's
    name or else email. An entry recorded before it took two people is not in it."""
    users = db.metadata.tables["user"]
    proposer, confirmer = users.alias("proposer"), users.alias("confirmer")
    query = (sa.select(model.entry_id, proposer.c.name, proposer.c.email, confirmer.c.name,
                       confirmer.c.email)
             .join(proposer, proposer.c.id == model.proposed_by_id)
             .join(confirmer, confirmer.c.id == model.decided_by_id)
             .where(model.entry_id.is_not(None)))
    if entry_ids is not None:
        if not entry_ids:
            return {}
        query = query.where(model.entry_id.in_(entry_ids))
    return {entry_id: (p_name or p_email, c_name or c_email)
            for entry_id, p_name, p_email, c_name, c_email in db.session.execute(query)}


@dataclass(frozen=True)
class Answers:
    """The answers to one kind of change waiting for a second person of `role`, as its
    module offers them (contributions.interest_changes, contributions.rate_changes,
    contributions.reversal_changes, closure.entry_proposals, closure.write_offs): find
    a waiting row of
    `model` by its id, answer it (decide(), by an active user of `role`), refuse it
    with a reason or withdraw it (the module records each in the audit trail, its
    action written out), list what waits. `statuses`: its waiting, confirmed, refused
    and withdrawn values; `words()`: its messages in the reader's language, by name:
    missing (no such row), only_proposer, not_own, already, no_reason, not_allowed."""

    model: type
    role: str
    statuses: tuple[str, str, str, str]
    words: Callable[[], dict[str, str]]

    def get(self, row_id: int):
        row = db.session.get(self.model, row_id)
        if row is None:
            raise DomainError(self.words()["missing"])
        return row

    def answer(self, actor, row, status: str, reason: str | None = None) -> dict:
        """decide() for an active user of the role; the row's snapshot before it."""
        words = self.words()
        require_active(actor, self.role, words["not_allowed"])
        waiting, confirmed, refused, withdrawn = self.statuses
        return decide(row, actor, status, waiting=waiting, confirmed=confirmed, refused=refused,
                      withdrawn=withdrawn, only_proposer=words["only_proposer"], not_own=words["not_own"],
                      already=words["already"], reason=reason, missing=words["no_reason"], role=self.role,
                      not_allowed=words["not_allowed"])

    def refusal(self, actor, row_id: int, reason: str) -> tuple[object, dict]:
        """The row refused by `actor` with `reason`, and its snapshot before."""
        if len((reason or "").strip()) > 2000:
            raise DomainError(too_long(2000), field="reason")
        row = self.get(row_id)
        return row, self.answer(actor, row, self.statuses[2], reason)

    def withdrawal(self, actor, row_id: int) -> tuple[object, dict]:
        """The row withdrawn by its proposer `actor`, and its snapshot before."""
        row = self.get(row_id)
        return row, self.answer(actor, row, self.statuses[3])

    def waiting(self, *load) -> list:
        """Every row still waiting, oldest first (with the loader options `load`: what a
        list shows of each, in the same few queries)."""
        model = self.model
        return db.session.scalars(sa.select(model).options(*load).where(model.status == self.statuses[0])
                                  .order_by(model.proposed_at, model.id)).all()

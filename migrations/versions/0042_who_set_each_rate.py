"""who set each exchange rate: its proposer (or rates file) and its confirmer

exchange_rate.proposed_by_id, confirmed_by_id and rate_file_id: the MPTF officer
who proposed the rate as it stands (or uploaded the rates file it came from) and
the one who confirmed it, which the rates page and its .xlsx show (an auditor's
review: only the audit trail said it). A rate set before this revision takes them
from the audit trail: its confirmer is whoever last set it there, and its proposer
the proposal that officer confirmed, or the rates file they confirmed, in that same
step (the trail's next entries of theirs, moments later). A rate one officer set alone
(before revision 0035) names its confirmer only; rates set from the command line name
nobody.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 06:00:00

"""
import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None

SET = ("exchange_rate.create", "exchange_rate.update")
STEP_ENDS = ("rate_proposal.confirm", "exchange_rate.import")


def upgrade():
    # ALTER TABLE on both databases (a batch copy would reflect the whole schema); SQLite
    # takes a column's REFERENCES in ADD COLUMN.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, target in (("proposed_by_id", "user"), ("confirmed_by_id", "user"), ("rate_file_id", "rate_import")):
        name = f"fk_exchange_rate_{column}_{target}"
        if sqlite:
            op.execute(f'ALTER TABLE exchange_rate ADD COLUMN {column} INTEGER '
                       f'CONSTRAINT {name} REFERENCES "{target}" (id)')
        else:
            op.add_column('exchange_rate', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(name), 'exchange_rate', target, [column], ['id'])
    _fill()


# A confirmation writes its rates and its own entry in one transaction, within moments:
# an entry later than this is another step (before revision 0035 one officer set a rate,
# or imported a file, alone, with no confirmation at all).
STEP = dt.timedelta(seconds=60)


def _moment(value) -> dt.datetime:
    """A stored moment as a datetime (SQLite's driver gives its text)."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def _fill():
    connection = op.get_bind()
    rates = {str(row.id) for row in connection.execute(sa.text("SELECT id FROM exchange_rate"))}
    if not rates:
        return
    # Every entry that set a rate or ended a confirmation, in the trail's order (a few per rate).
    entries = connection.execute(sa.text(
        "SELECT id, at, user_id, action, object_id, after FROM audit_entry "
        "WHERE action IN ('exchange_rate.create', 'exchange_rate.update', 'rate_proposal.confirm', "
        "'exchange_rate.import') ORDER BY id")).all()
    last_set = {}
    for entry in entries:
        if entry.action in SET and entry.object_id in rates:
            last_set[entry.object_id] = entry
    for rate_id, entry in last_set.items():
        if entry.user_id is None:
            continue
        values = {"confirmed": entry.user_id, "proposed": None, "file": None, "id": int(rate_id)}
        # The step this setting belonged to ends with its confirmer's next confirm or import,
        # moments later; none (a rate one officer set alone): the confirmer alone is named.
        at = _moment(entry.at)
        end = next((e for e in entries if e.id > entry.id and e.user_id == entry.user_id
                    and e.action in STEP_ENDS), None)
        if end is not None and _moment(end.at) - at > STEP:
            end = None
        if end is not None and end.action == "rate_proposal.confirm" and end.object_id:
            row = connection.execute(sa.text(
                "SELECT proposed_by_id FROM rate_proposal WHERE id = :id AND rate_id = :rate"),
                {"id": int(end.object_id), "rate": int(rate_id)}).first()
            if row is not None:
                values["proposed"] = row.proposed_by_id
        elif end is not None and end.action == "exchange_rate.import":
            after = end.after if isinstance(end.after, dict) else json.loads(end.after or "{}")
            # The file that confirmation posted: of that name, posted in those moments, by another.
            row = connection.execute(sa.text(
                "SELECT id, created_by_id FROM rate_import WHERE filename = :name AND posted_at IS NOT NULL "
                "AND posted_at >= :since AND posted_at <= :until AND rates IS NOT NULL "
                "AND created_by_id != :confirmer ORDER BY posted_at DESC"),
                {"name": after.get("file", ""), "since": at - STEP, "until": _moment(end.at) + STEP,
                 "confirmer": entry.user_id}).first()
            if row is not None:
                values["proposed"], values["file"] = row.created_by_id, row.id
        connection.execute(sa.text(
            "UPDATE exchange_rate SET confirmed_by_id = :confirmed, proposed_by_id = :proposed, "
            "rate_file_id = :file WHERE id = :id"), values)


def downgrade():
    bind = op.get_bind()
    for column, target in (("rate_file_id", "rate_import"), ("confirmed_by_id", "user"), ("proposed_by_id", "user")):
        if bind.dialect.name != "sqlite":
            op.drop_constraint(op.f(f"fk_exchange_rate_{column}_{target}"), 'exchange_rate', type_='foreignkey')
        op.drop_column('exchange_rate', column)

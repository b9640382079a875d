"""one live travel-grant request per delegate and event, held by the database

uq_travel_grant_open_request: a partial unique index on (event_id, delegate_id) over
the grants in a live state (requested, waitlisted, approved, travelled, no-show), the
rule the request service already looks up; two requests entered at the same moment
both passed that look-up.

A database holding two live requests for one delegate and event (entered at the same
moment before this revision) is not changed: the upgrade stops and names them, for
SRSG staff to cancel or reject the extra one with a reason in the version of
Trustfund that made the database (this version serves nothing until its upgrade is
done: schema_guard.py), then upgrade again.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

OPEN = "status IN ('requested', 'waitlisted', 'approved', 'travelled', 'no_show')"


def upgrade():
    twice = op.get_bind().execute(sa.text(
        f"SELECT event_id, delegate_id, count(*) FROM travel_grant WHERE {OPEN} "
        "GROUP BY event_id, delegate_id HAVING count(*) > 1 ORDER BY event_id, delegate_id")).all()
    if twice:
        pairs = "; ".join(f"event {e}, delegate {d}: {n} requests" for e, d, n in twice[:20])
        raise RuntimeError(
            "Some delegates have more than one live travel-grant request for the same event "
            f"({len(twice)} in all; {pairs}). Cancel or reject the extra requests with a "
            "reason in the version of Trustfund that made this database (it runs on it as it is; "
            "this version serves nothing until the upgrade is done), then run the upgrade again.")
    op.create_index('uq_travel_grant_open_request', 'travel_grant', ['event_id', 'delegate_id'],
                    unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.drop_index('uq_travel_grant_open_request', table_name='travel_grant')

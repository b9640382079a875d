"""a request waitlisted for want of money keeps the pools that lacked its total

travel_grant.waitlisted_pool_ids: the ids of the pools that did not have the total
when an approval waitlisted the request ("3,1"); the grant's page, the review queue
and the grants' download say it in each reader's language (it was a sentence stored
in its approver's, in decision_reason). Requests waitlisted before this revision keep
their sentence.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 15:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("travel_grant", sa.Column("waitlisted_pool_ids", sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column("travel_grant", "waitlisted_pool_ids")

"""overruns: actual costs of a trip above its commitment, paid only once approved

Revision ID: 0005
Revises: 0004

Adds the overrun of a travel grant (amount, state, who recorded it, who decided on it,
when, and the reason of a rejection). Grants closed before this revision with costs
above their commitment were paid at once: they are recorded as approved overruns
(recorded by whoever reconciled them, decided when they were reconciled, by nobody),
so that `flask --app trustfund check` finds every payment above a commitment
accounted for.
"""
import sqlalchemy as sa
from alembic import op

import trustfund.money

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('travel_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overrun_amount', trustfund.money.Money(2), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('overrun_status', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('overrun_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('overrun_decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('overrun_decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('overrun_reason', sa.Text(), nullable=False, server_default=''))

    # Money columns are exact on both databases (minor units on SQLite): subtraction is exact.
    op.execute("UPDATE travel_grant SET overrun_amount = actual_total - committed_amount, "
               "overrun_status = 'approved', overrun_recorded_by_id = reconciled_by_id, "
               "overrun_decided_at = reconciled_at "
               "WHERE status IN ('travelled', 'no_show') AND committed_amount > 0 "
               "AND actual_total > committed_amount AND reconciled_by_id IS NOT NULL "
               "AND reconciled_at IS NOT NULL")

    with op.batch_alter_table('travel_grant', schema=None) as batch_op:
        # The models give the defaults; the database's were only for the rows already there.
        batch_op.alter_column('overrun_amount', server_default=None)
        batch_op.alter_column('overrun_reason', server_default=None)
        batch_op.create_index(batch_op.f('ix_travel_grant_overrun_status'), ['overrun_status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_travel_grant_overrun_recorded_by_id_user'), 'user',
                                    ['overrun_recorded_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_travel_grant_overrun_decided_by_id_user'), 'user',
                                    ['overrun_decided_by_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_travel_grant_overrun_not_negative'),
                                         'overrun_amount >= 0')
        batch_op.create_check_constraint(
            batch_op.f('ck_travel_grant_overrun_state'),
            "(overrun_amount = 0 AND overrun_status IS NULL) OR (overrun_amount > 0 AND "
            "overrun_status IN ('pending', 'approved', 'rejected') AND status IN ('travelled', 'no_show') "
            "AND overrun_recorded_by_id IS NOT NULL)")
        batch_op.create_check_constraint(
            batch_op.f('ck_travel_grant_overrun_decided_when'),
            "overrun_status IS NULL OR overrun_status = 'pending' OR overrun_decided_at IS NOT NULL")
        batch_op.create_check_constraint(
            batch_op.f('ck_travel_grant_overrun_rejected_by_someone'),
            "overrun_status IS NULL OR overrun_status <> 'rejected' OR overrun_decided_by_id IS NOT NULL")
        batch_op.create_check_constraint(
            batch_op.f('ck_travel_grant_overrun_four_eyes'),
            'overrun_decided_by_id IS NULL OR overrun_decided_by_id <> overrun_recorded_by_id')
    _queue_order_index()


def _queue_order_index():
    """SQLite rebuilds the table for the constraints above and loses the DESC of this
    index on the way (Alembic reflects its columns, not their order): make it again
    as the models have it."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.drop_index('ix_travel_grant_queue_order', table_name='travel_grant')
    op.create_index('ix_travel_grant_queue_order', 'travel_grant',
                    [sa.literal_column('ldc DESC'), 'requested_at', 'id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('travel_grant', schema=None) as batch_op:
        for name in ('overrun_four_eyes', 'overrun_rejected_by_someone', 'overrun_decided_when',
                     'overrun_state', 'overrun_not_negative'):
            batch_op.drop_constraint(batch_op.f(f'ck_travel_grant_{name}'), type_='check')
        for name in ('overrun_decided_by_id', 'overrun_recorded_by_id'):
            batch_op.drop_constraint(batch_op.f(f'fk_travel_grant_{name}_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_travel_grant_overrun_status'))
        batch_op.drop_column('overrun_reason')
        batch_op.drop_column('overrun_decided_at')
        batch_op.drop_column('overrun_decided_by_id')
        batch_op.drop_column('overrun_recorded_by_id')
        batch_op.drop_column('overrun_status')
        batch_op.drop_column('overrun_amount')
    _queue_order_index()

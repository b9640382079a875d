"""each commitment keeps its deposits' USD amounts and fees

commitment.deposited_usd and commitment.deposit_fees: the sums of the commitment's
deposits' usd_amount and fee (reversals included, as negative amounts), kept by the
same UPDATEs as commitment.deposited. Filled here from the deposits already recorded.
The dashboards sum them instead of every deposit, so the index they read the deposits
from, ix_deposit_dashboard, goes (no other query's plan reads it: one index fewer to
write per deposit).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 00:00:00

"""
import sqlalchemy as sa
from alembic import op

import trustfund.money

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases (a batch copy would reflect the whole schema).
    op.add_column('commitment', sa.Column('deposited_usd', trustfund.money.Money(2),
                                          server_default=sa.text('0'), nullable=False))
    op.add_column('commitment', sa.Column('deposit_fees', trustfund.money.Money(2),
                                          server_default=sa.text('0'), nullable=False))
    # Money(2) is NUMERIC(18, 2) on PostgreSQL and an integer of cents on SQLite, in
    # both tables: the sums are in the columns' own units either way.
    op.execute(
        "UPDATE commitment SET "
        "deposited_usd = COALESCE((SELECT SUM(deposit.usd_amount) FROM deposit "
        "WHERE deposit.commitment_id = commitment.id), 0), "
        "deposit_fees = COALESCE((SELECT SUM(deposit.fee) FROM deposit "
        "WHERE deposit.commitment_id = commitment.id), 0)")
    op.drop_index('ix_deposit_dashboard', table_name='deposit')


def downgrade():
    op.create_index('ix_deposit_dashboard', 'deposit',
                    ['donor_id', 'pool_id', 'currency', 'amount', 'usd_amount', 'fee'], unique=False)
    op.drop_column('commitment', 'deposit_fees')
    op.drop_column('commitment', 'deposited_usd')

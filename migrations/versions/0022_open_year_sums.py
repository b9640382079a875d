"""a closed year's closing stores every weight; deposits indexed by value date first

accounting_year.all_weights: the closing stored every donor's weight in each pool,
negative ones included, so that the positions of later dates start from it and sum
only the open years' deposits (statements/closed.py). Years closed before are
marked false: their later dates are summed from the start, as before.

ix_deposit_value_date (value_date) becomes ix_deposit_value_date_pool_donor_net
(value_date, pool_id, donor_id, net): the same first column for every query by
value date, and the open years' deposits per pool and donor from the index alone.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases (a batch copy would reflect the whole schema).
    op.add_column('accounting_year',
                  sa.Column('all_weights', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index('ix_deposit_value_date_pool_donor_net', 'deposit',
                    ['value_date', 'pool_id', 'donor_id', 'net'], unique=False)
    op.drop_index('ix_deposit_value_date', table_name='deposit')


def downgrade():
    op.create_index('ix_deposit_value_date', 'deposit', ['value_date'], unique=False)
    op.drop_index('ix_deposit_value_date_pool_donor_net', table_name='deposit')
    op.drop_column('accounting_year', 'all_weights')

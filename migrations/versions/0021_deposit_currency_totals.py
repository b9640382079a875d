"""deposit totals by currency from one index: ix_deposit_currency_value_date widened

The deposits list's totals per currency (with no filter, or a currency and period)
read every deposit's amounts; since ix_deposit_currency went (0020), SQLite read them
through ix_deposit_currency_value_date and looked each row up in the table out of
storage order (105 ms at N=100). The same index with the id and the four summed
columns answers the totals from the index alone, in group order (30 ms; a currency
and period 1 ms), and still gives the list its order (value date, then id): one
index replaced by a wider one, none added.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 00:00:00

"""
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_deposit_currency_value_date', table_name='deposit')
    op.create_index('ix_deposit_currency_totals', 'deposit',
                    ['currency', 'value_date', 'id', 'amount', 'usd_amount', 'fee', 'net'], unique=False)


def downgrade():
    op.drop_index('ix_deposit_currency_totals', table_name='deposit')
    op.create_index('ix_deposit_currency_value_date', 'deposit', ['currency', 'value_date'], unique=False)

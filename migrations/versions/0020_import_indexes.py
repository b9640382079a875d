"""indexes that only repeat another's first columns: fewer to write per deposit and audit entry

The deposit's donor_id, pool_id and currency lead ix_deposit_donor_value_date (and
ix_deposit_dashboard), ix_deposit_pool_donor_value_date_net and
ix_deposit_currency_value_date; the audit entry's object_type leads ix_audit_entry_object,
and no query looks an entry up by object_id without its type. An import of 100,000
deposits wrote each of them 100,000 times for no reader (EXPLAIN of every page's
statements: the plans use the composite index instead, at the same cost).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 00:00:00

"""
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

DROPPED = (
    ('deposit', 'ix_deposit_donor_id', ['donor_id']),
    ('deposit', 'ix_deposit_pool_id', ['pool_id']),
    ('deposit', 'ix_deposit_currency', ['currency']),
    ('audit_entry', 'ix_audit_entry_object_type', ['object_type']),
    ('audit_entry', 'ix_audit_entry_object_id', ['object_id']),
)


def upgrade():
    for table, name, _columns in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade():
    for table, name, columns in DROPPED:
        op.create_index(name, table, columns, unique=False)

"""the fund's life: its record, accounting years and what closing one fixed, its own
costs and income, write-offs, closing decisions and certified final statements

Revision ID: 0010
Revises: 0009

Pools gain four figures (other income, direct costs, bank charges, and what left at
the fund's closing), zero for the pools already there; commitments gain the part
written off. The fund's own record is reference data: `flask --app trustfund
setup-fund` adds it to an upgraded database.
"""
import sqlalchemy as sa
from alembic import op

import trustfund.money

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounting_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('report_reference', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_accounting_year_closed_by_id_user')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_accounting_year'))
    )
    op.create_table('final_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=30), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_final_statement_donor_id_donor')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_final_statement_issued_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_final_statement')),
    sa.UniqueConstraint('subject', name=op.f('uq_final_statement_subject'))
    )
    with op.batch_alter_table('final_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_final_statement_donor_id'), ['donor_id'], unique=False)

    op.create_table('fund',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('operations_closed_on', sa.Date(), nullable=True),
    sa.Column('operations_closed_reason', sa.Text(), nullable=False),
    sa.Column('financially_closed_at', sa.DateTime(), nullable=True),
    sa.Column('financially_closed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status <> 'financially_closed' OR financially_closed_at IS NOT NULL", name=op.f('ck_fund_financially_closed_when')),
    sa.CheckConstraint("status IN ('open', 'operationally_closed', 'financially_closed')", name=op.f('ck_fund_status')),
    sa.CheckConstraint('end_on >= start_on', name=op.f('ck_fund_dates_in_order')),
    sa.ForeignKeyConstraint(['financially_closed_by_id'], ['user.id'], name=op.f('fk_fund_financially_closed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund')),
    sa.UniqueConstraint('code', name=op.f('uq_fund_code'))
    )
    op.create_table('fund_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('usd_amount', trustfund.money.Money(2), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('direct_cost', 'bank_charge', 'other_income')", name=op.f('ck_fund_entry_kind')),
    sa.CheckConstraint('(reverses_id IS NULL AND usd_amount > 0) OR (reverses_id IS NOT NULL AND usd_amount < 0)', name=op.f('ck_fund_entry_sign')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_fund_entry_created_by_id_user')),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_fund_entry_pool_id_pool')),
    sa.ForeignKeyConstraint(['reverses_id'], ['fund_entry.id'], name=op.f('fk_fund_entry_reverses_id_fund_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_entry')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_fund_entry_reverses_id'))
    )
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_entry_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_entry_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_entry_value_date'), ['value_date'], unique=False)

    op.create_table('pool_closing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('usd_amount', trustfund.money.Money(2), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('fund_name', sa.String(length=300), nullable=False),
    sa.Column('fund_reference', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind <> 'transfer' OR (fund_name <> '' AND fund_reference <> '')", name=op.f('ck_pool_closing_transfer_names_the_fund')),
    sa.CheckConstraint("kind IN ('refund', 'transfer', 'waived')", name=op.f('ck_pool_closing_kind')),
    sa.CheckConstraint('usd_amount > 0', name=op.f('ck_pool_closing_amount_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_pool_closing_decided_by_id_user')),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_pool_closing_pool_id_pool')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_closing'))
    )
    with op.batch_alter_table('pool_closing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_closing_pool_id'), ['pool_id'], unique=False)

    op.create_table('pool_closing_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('closing_id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('usd_amount', trustfund.money.Money(2), nullable=False),
    sa.Column('weight', trustfund.money.Money(2), nullable=False),
    sa.Column('balance', trustfund.money.Money(2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint('usd_amount >= 0', name=op.f('ck_pool_closing_part_amount_not_negative')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_pool_closing_part_weight_positive')),
    sa.ForeignKeyConstraint(['closing_id'], ['pool_closing.id'], name=op.f('fk_pool_closing_part_closing_id_pool_closing')),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_pool_closing_part_donor_id_donor')),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_pool_closing_part_pool_id_pool')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pool_closing_part')),
    sa.UniqueConstraint('closing_id', 'donor_id', name=op.f('uq_pool_closing_part_closing_id_donor_id'))
    )
    with op.batch_alter_table('pool_closing_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_closing_part_closing_id'), ['closing_id'], unique=False)
        batch_op.create_index('ix_pool_closing_part_donor_date', ['donor_id', 'value_date'], unique=False)

    op.create_table('year_donor_position',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('net', trustfund.money.Money(2), nullable=False),
    sa.Column('returned', trustfund.money.Money(2), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_year_donor_position_donor_id_donor')),
    sa.ForeignKeyConstraint(['year'], ['accounting_year.year'], name=op.f('fk_year_donor_position_year_accounting_year')),
    sa.PrimaryKeyConstraint('year', 'donor_id', name=op.f('pk_year_donor_position'))
    )
    op.create_table('year_pool_position',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('spending', trustfund.money.Money(2), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_year_pool_position_pool_id_pool')),
    sa.ForeignKeyConstraint(['year'], ['accounting_year.year'], name=op.f('fk_year_pool_position_year_accounting_year')),
    sa.PrimaryKeyConstraint('year', 'pool_id', name=op.f('pk_year_pool_position'))
    )
    op.create_table('year_share',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('weight', trustfund.money.Money(2), nullable=False),
    sa.Column('share', trustfund.money.Money(2), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_year_share_donor_id_donor')),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], name=op.f('fk_year_share_pool_id_pool')),
    sa.ForeignKeyConstraint(['year'], ['accounting_year.year'], name=op.f('fk_year_share_year_accounting_year')),
    sa.PrimaryKeyConstraint('year', 'pool_id', 'donor_id', name=op.f('pk_year_share'))
    )
    op.create_table('write_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', trustfund.money.Money(3), nullable=False),
    sa.Column('written_off_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_write_off_amount_positive')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id'], name=op.f('fk_write_off_commitment_id_commitment')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_write_off_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_write_off'))
    )
    with op.batch_alter_table('write_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_write_off_commitment_id'), ['commitment_id'], unique=False)

    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_off', trustfund.money.Money(3), server_default=sa.text('0'), nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_commitment_written_off_within_amount'),
                                         'written_off >= 0 AND deposited + written_off <= amount')

    with op.batch_alter_table('pool', schema=None) as batch_op:
        batch_op.add_column(sa.Column('other_income', trustfund.money.Money(2), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('direct_costs', trustfund.money.Money(2), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('bank_charges', trustfund.money.Money(2), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('closed_out', trustfund.money.Money(2), server_default=sa.text('0'), nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_pool_fund_entries_not_negative'),
            'other_income >= 0 AND direct_costs >= 0 AND bank_charges >= 0 AND closed_out >= 0')



def downgrade():
    with op.batch_alter_table('pool', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_pool_fund_entries_not_negative'), type_='check')
        batch_op.drop_column('closed_out')
        batch_op.drop_column('bank_charges')
        batch_op.drop_column('direct_costs')
        batch_op.drop_column('other_income')

    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_commitment_written_off_within_amount'), type_='check')
        batch_op.drop_column('written_off')

    with op.batch_alter_table('write_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_write_off_commitment_id'))

    op.drop_table('write_off')
    op.drop_table('year_share')
    op.drop_table('year_pool_position')
    op.drop_table('year_donor_position')
    with op.batch_alter_table('pool_closing_part', schema=None) as batch_op:
        batch_op.drop_index('ix_pool_closing_part_donor_date')
        batch_op.drop_index(batch_op.f('ix_pool_closing_part_closing_id'))

    op.drop_table('pool_closing_part')
    with op.batch_alter_table('pool_closing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_closing_pool_id'))

    op.drop_table('pool_closing')
    with op.batch_alter_table('fund_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_entry_value_date'))
        batch_op.drop_index(batch_op.f('ix_fund_entry_pool_id'))
        batch_op.drop_index(batch_op.f('ix_fund_entry_kind'))

    op.drop_table('fund_entry')
    op.drop_table('fund')
    with op.batch_alter_table('final_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_final_statement_donor_id'))

    op.drop_table('final_statement')
    op.drop_table('accounting_year')

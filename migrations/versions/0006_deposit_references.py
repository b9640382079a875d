"""No deposit twice: deposits' reference keys and separate transfers; deposit imports
kept for their preview.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 00:00:00

Existing deposits get the key of their bank reference while they stand. Where two
standing deposits already share a reference, the later ones are marked separate
transfers with a note saying so, so that the unique index can be built; an officer
can read the note on the deposit's page.
"""
from alembic import op
import sqlalchemy as sa

from trustfund.contributions.rules import reference_key

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

NOTE = "Marked a separate transfer by the upgrade that refuses a deposit twice: deposit #{id} already had this bank reference."


def upgrade():
    # Plain ALTER TABLE ADD COLUMN, which SQLite has: a batch operation would copy the
    # table, and SQLite refuses to drop a deposit table whose reversals point to it.
    op.add_column('deposit', sa.Column('reference_key', sa.String(length=300), nullable=True))
    op.add_column('deposit', sa.Column('separate_transfer', sa.Boolean(), server_default=sa.false(),
                                       nullable=False))
    op.add_column('deposit', sa.Column('separate_note', sa.Text(), server_default='', nullable=False))
    _fill_reference_keys()
    op.create_index('ix_deposit_reference_key', 'deposit', ['reference_key'], unique=False)
    op.create_index('uq_deposit_reference_key', 'deposit', ['reference_key'], unique=True,
                    sqlite_where=sa.text('NOT separate_transfer'),
                    postgresql_where=sa.text('NOT separate_transfer'))

    op.create_table('deposit_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.Column('deposits', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_deposit_import_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit_import')),
    sa.UniqueConstraint('token', name=op.f('uq_deposit_import_token'))
    )
    with op.batch_alter_table('deposit_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deposit_import_created_by_id'), ['created_by_id'], unique=False)


def _fill_reference_keys():
    deposit = sa.table('deposit', sa.column('id', sa.Integer), sa.column('bank_reference', sa.String),
                       sa.column('reverses_id', sa.Integer), sa.column('reference_key', sa.String),
                       sa.column('separate_transfer', sa.Boolean), sa.column('separate_note', sa.Text))
    conn = op.get_bind()
    reversed_ids = {row[0] for row in conn.execute(
        sa.select(deposit.c.reverses_id).where(deposit.c.reverses_id.is_not(None)))}
    holders = {}
    rows = conn.execute(sa.select(deposit.c.id, deposit.c.bank_reference)
                        .where(deposit.c.reverses_id.is_(None)).order_by(deposit.c.id)).all()
    for deposit_id, bank_reference in rows:
        key = reference_key(bank_reference)
        if key is None or deposit_id in reversed_ids:
            continue
        values = {'reference_key': key}
        if key in holders:
            values.update(separate_transfer=True, separate_note=NOTE.format(id=holders[key]))
        else:
            holders[key] = deposit_id
        conn.execute(sa.update(deposit).where(deposit.c.id == deposit_id).values(**values))


def downgrade():
    with op.batch_alter_table('deposit_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deposit_import_created_by_id'))
    op.drop_table('deposit_import')
    op.drop_index('uq_deposit_reference_key', table_name='deposit')
    op.drop_index('ix_deposit_reference_key', table_name='deposit')
    op.drop_column('deposit', 'separate_note')
    op.drop_column('deposit', 'separate_transfer')
    op.drop_column('deposit', 'reference_key')

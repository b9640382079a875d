"""edit versions of users, exchange rates and settings; donors' look-alike name keys

Every edit form sends back the version it was built from (issue 14): users,
exchange rates and settings had none. Donors get the key under which names that
look alike are equal (trustfund.validation.name_key), computed here for the
donors already recorded.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

VERSIONED = ('user', 'exchange_rate', 'setting')


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('version', server_default=None)

    with op.batch_alter_table('donor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=400), nullable=True))
    _fill_name_keys()
    with op.batch_alter_table('donor', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=400), nullable=False)
        batch_op.create_index(batch_op.f('ix_donor_name_key'), ['name_key'], unique=False)


def _fill_name_keys():
    from trustfund.validation import name_key

    connection = op.get_bind()
    donor = sa.table('donor', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('name_key', sa.String))
    rows = connection.execute(sa.select(donor.c.id, donor.c.name)).all()
    for donor_id, name in rows:
        connection.execute(donor.update().where(donor.c.id == donor_id)
                           .values(name_key=name_key(name)))


def downgrade():
    with op.batch_alter_table('donor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donor_name_key'))
        batch_op.drop_column('name_key')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')

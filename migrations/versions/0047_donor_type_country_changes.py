"""a funded donor's type and country are corrected by two MPTF officers, as its name is

donor_renaming carries the donor's type and country as they were and as they will be,
beside its name: once a pledge or a commitment is recorded, a mistaken type (the IATI
file's provider type) or country (a Member State's is the State) is proposed with a
reason and takes effect when a second MPTF officer confirms it. Before this revision a
funded donor's type and country could not be corrected at all. The changes proposed
before it changed the name only: their type and country are the donor's.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-07 22:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0047'
down_revision = '0046'
branch_labels = None
depends_on = None

TYPES = "'member_state', 'regional_legislative_body', 'intergovernmental_organization', 'philanthropic_organization'"
WAITING = sa.text("status = 'pending'")
WHO_GAVE = ('type_before', 'donor_type', 'country_before', 'country_code')


def _donor_renaming(*added: sa.Column) -> sa.Table:
    """The table as revision 0046 made it (and `added` columns): SQLite's batch copies it
    from this rather than reflecting it, whose reflection also reads the donor table's
    expression index (a warning) and may not give back the partial unique index."""
    meta = sa.MetaData()
    for name, key in (('user', 'id'), ('donor', 'id')):
        sa.Table(name, meta, sa.Column(key, sa.Integer(), primary_key=True))
    sa.Table('country', meta, sa.Column('code', sa.String(length=2), primary_key=True))
    table = sa.Table(
        'donor_renaming', meta,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=False),
        sa.Column('name_before', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        *added,
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                           name='ck_donor_renaming_status'),
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id OR status = 'withdrawn'",
                           name='ck_donor_renaming_four_eyes'),
        sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name='fk_donor_renaming_donor_id_donor'),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name='fk_donor_renaming_proposed_by_id_user'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name='fk_donor_renaming_decided_by_id_user'),
        sa.PrimaryKeyConstraint('id', name='pk_donor_renaming'),
    )
    sa.Index('ix_donor_renaming_donor_id', table.c.donor_id)
    sa.Index('ix_donor_renaming_status', table.c.status)
    sa.Index('uq_donor_renaming_waiting', table.c.donor_id, unique=True, sqlite_where=WAITING,
             postgresql_where=WAITING)
    return table


def upgrade():
    with op.batch_alter_table('donor_renaming', copy_from=_donor_renaming()) as batch_op:
        batch_op.add_column(sa.Column('type_before', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('donor_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('country_before', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('country_code', sa.String(length=2), nullable=True))
    # The changes proposed before this revision changed the name only.
    op.execute("UPDATE donor_renaming SET "
               "type_before = (SELECT donor.donor_type FROM donor WHERE donor.id = donor_renaming.donor_id), "
               "donor_type = (SELECT donor.donor_type FROM donor WHERE donor.id = donor_renaming.donor_id), "
               "country_before = (SELECT donor.country_code FROM donor WHERE donor.id = donor_renaming.donor_id), "
               "country_code = (SELECT donor.country_code FROM donor WHERE donor.id = donor_renaming.donor_id)")
    added = [sa.Column(name, sa.String(length=40 if 'type' in name else 2), nullable=True) for name in WHO_GAVE]
    with op.batch_alter_table('donor_renaming', copy_from=_donor_renaming(*added)) as batch_op:
        batch_op.alter_column('type_before', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('donor_type', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_donor_renaming_country_code_country'), 'country',
                                    ['country_code'], ['code'])
        batch_op.create_check_constraint(batch_op.f('ck_donor_renaming_donor_type'), f"donor_type IN ({TYPES})")
        batch_op.create_check_constraint(batch_op.f('ck_donor_renaming_member_state_country'),
                                         "donor_type <> 'member_state' OR country_code IS NOT NULL")


def downgrade():
    # Before 0047 a change carries a name only: one of a type or country still waiting
    # would come back as a change of the name to itself, the correction lost.
    waiting = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM donor_renaming WHERE status = 'pending' AND (donor_type <> type_before "
        "OR COALESCE(country_code, '') <> COALESCE(country_before, ''))")).scalar()
    if waiting:
        raise RuntimeError(f"{waiting} change(s) of a donor's type or country wait for a second MPTF officer: "
                           "confirm, refuse or withdraw them before downgrading below 0047.")
    added = [sa.Column(name, sa.String(length=40 if 'type' in name else 2),
                       nullable=name in ('country_before', 'country_code')) for name in WHO_GAVE]
    table = _donor_renaming(*added)
    table.append_constraint(sa.ForeignKeyConstraint(['country_code'], ['country.code'],
                                                    name='fk_donor_renaming_country_code_country'))
    table.append_constraint(sa.CheckConstraint(f"donor_type IN ({TYPES})", name='ck_donor_renaming_donor_type'))
    table.append_constraint(sa.CheckConstraint("donor_type <> 'member_state' OR country_code IS NOT NULL",
                                               name='ck_donor_renaming_member_state_country'))
    with op.batch_alter_table('donor_renaming', copy_from=table) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_donor_renaming_member_state_country'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_donor_renaming_donor_type'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_donor_renaming_country_code_country'), type_='foreignkey')
        for name in reversed(WHO_GAVE):
            batch_op.drop_column(name)

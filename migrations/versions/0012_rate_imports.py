"""files of UN operational rates kept for their preview

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 00:00:01

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.Column('rates', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_rate_import_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_import')),
    sa.UniqueConstraint('token', name=op.f('uq_rate_import_token'))
    )
    with op.batch_alter_table('rate_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_import_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_import_created_by_id'))
    op.drop_table('rate_import')

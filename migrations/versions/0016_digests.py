"""digests: the user's choice, and when each person last got each digest

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digests', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'mail_digest',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('last_sent_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mail_digest_user_id_user')),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_digest')),
    )


def downgrade():
    op.drop_table('mail_digest')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('digests')

"""documents attached to records: metadata, and content in a table apart

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('object_type', sa.String(length=30), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.CheckConstraint('size > 0', name=op.f('ck_document_size_positive')),
        sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], name=op.f('fk_document_donor_id_donor')),
        sa.ForeignKeyConstraint(['replaces_id'], ['document.id'], name=op.f('fk_document_replaces_id_document')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_document_uploaded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document')),
        sa.UniqueConstraint('replaces_id', name=op.f('uq_document_replaces_id')),
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index('ix_document_object', ['object_type', 'object_id'], unique=False)
    op.create_table(
        'document_content',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'],
                                name=op.f('fk_document_content_document_id_document')),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_content')),
    )


def downgrade():
    op.drop_table('document_content')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_object')
        batch_op.drop_index(batch_op.f('ix_document_donor_id'))
    op.drop_table('document')

"""a user's password stamp, renewed when the password changes

user.password_stamp: what a link to set the password (invitation, reset) is checked
against; it changes when the password does (User.set_password), not when the same
password is stored again in today's hash at sign-in (User.rehash_password). Links
used to be checked against the hash itself, so the first sign-in since Argon2id
ended the user's links made before it.

Each existing user's stamp is the SHA-256 of its password hash, the value its links
made before this revision carry: they keep working, until the password changes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 00:00:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

user = sa.table('user', sa.column('id', sa.Integer), sa.column('password_hash', sa.String),
                sa.column('password_stamp', sa.String))


def upgrade():
    # Plain ALTER TABLE on both databases (a batch copy would reflect the whole schema).
    op.add_column('user', sa.Column('password_stamp', sa.String(length=64), server_default='',
                                    nullable=False))
    bind = op.get_bind()
    for user_id, password_hash in bind.execute(sa.select(user.c.id, user.c.password_hash)).all():
        bind.execute(user.update().where(user.c.id == user_id).values(
            password_stamp=hashlib.sha256(password_hash.encode()).hexdigest()))


def downgrade():
    op.drop_column('user', 'password_stamp')

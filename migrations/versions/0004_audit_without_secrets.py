"""the audit trail without secrets: drop session tokens and password hashes from
the before/after values of existing entries

Until this revision a user's audit entries recorded the session token (the
key of the user's session cookie) in their before/after values. The values
are secrets: they are removed from every entry, nothing else changes. There is
no way back (downgrade does nothing): a secret once removed is not restored.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The secrets that entries may hold, as column names of the time.
SECRET_KEYS = ('session_token', 'password_hash')
BATCH = 1000


def _clean(values):
    if not isinstance(values, dict) or not any(key in values for key in SECRET_KEYS):
        return values, False
    return {k: v for k, v in values.items() if k not in SECRET_KEYS}, True


def upgrade():
    connection = op.get_bind()
    entry = sa.table('audit_entry', sa.column('id', sa.Integer), sa.column('before', sa.JSON),
                     sa.column('after', sa.JSON))
    mentions = sa.or_(*[sa.cast(column, sa.Text).like(f'%{key}%')
                        for column in (entry.c.before, entry.c.after) for key in SECRET_KEYS])
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(entry.c.id, entry.c.before, entry.c.after)
            .where(entry.c.id > last_id, mentions).order_by(entry.c.id).limit(BATCH)).all()
        if not rows:
            break
        for entry_id, before, after in rows:
            values = {}
            for name, value in (('before', before), ('after', after)):
                cleaned, changed = _clean(value)
                if changed:
                    values[name] = cleaned
            if values:
                connection.execute(entry.update().where(entry.c.id == entry_id).values(**values))
        last_id = rows[-1][0]


def downgrade():
    pass

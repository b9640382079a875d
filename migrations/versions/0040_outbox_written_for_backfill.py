"""messages written before 0039 are written for the account's role and donor at the upgrade

0039 left outbox_message.written_for_role and written_for_donor_id empty on the
messages written before it, and mail.sender.undeliverable does not compare an empty
role: a pending officer's digest still retrying, or a failed one an admin sends again
months later, would reach the donor user the account became since (a colleague's
review). The account's role and donor at the upgrade are the best known: every such
message of a role's work (not an account message: mail.sender.ACCOUNT_KINDS) takes
them. A message whose account changed before the upgrade still goes as before.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06 23:55:00

"""
from alembic import op

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

# mail.sender.ACCOUNT_KINDS when this was written (a migration keeps its own copy).
ACCOUNT_KINDS = ("account_created", "role_changed", "invitation", "password_reset", "password_changed",
                 "signin_throttled")


def upgrade():
    kinds = ", ".join(f"'{kind}'" for kind in ACCOUNT_KINDS)
    op.execute(
        'UPDATE outbox_message SET '
        'written_for_role = (SELECT u.role FROM "user" u WHERE u.id = outbox_message.user_id), '
        'written_for_donor_id = (SELECT u.donor_id FROM "user" u WHERE u.id = outbox_message.user_id) '
        f'WHERE written_for_role IS NULL AND user_id IS NOT NULL AND kind NOT IN ({kinds})')


def downgrade():
    pass  # the values stay (0039's downgrade drops the columns)

"""Migration 0040: a message written before 0039 (no written_for_role) takes the
account's role and donor at the upgrade, so that mail.sender.undeliverable compares
them: an MPTF officer's digest (every donor's overdue instalments) still retrying, or
failed and sent again by an admin months later, does not reach the donor user the
account became since. An account message (an invitation) is left as it is. (Found by
a colleague's review of upgrades with data.)"""
import datetime as dt

import sqlalchemy as sa


def test_a_message_written_before_0039_is_not_sent_once_the_account_becomes_a_donor(empty_database_url):
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db
    from trustfund.mail.models import OutboxMessage
    from trustfund.mail.sender import undeliverable
    from trustfund.mail.services import resend

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0038")
            at = dt.datetime(2026, 12, 1)
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    'INSERT INTO "user" (id, email, name, password_hash, role, active, session_token, '
                    "created_at, version) "
                    "VALUES (3, 'o@un.org', 'O', 'x', 'mptf_officer', :yes, 't', :at, 1)"),
                    {"yes": True, "at": at})
                conn.execute(sa.text(
                    "INSERT INTO donor (id, name, name_key, donor_type, contact_name, contact_email, "
                    "saa_status, created_at, version) VALUES (1, 'Kingdom of Sweden', 'klngdom of sweden', "
                    "'philanthropic_organization', '', '', 'not_started', :at, 1)"), {"at": at})
                for mid, status, kind in ((1, "pending", "digest_officers"), (2, "failed", "digest_officers"),
                                          (3, "pending", "invitation")):
                    conn.execute(sa.text(
                        "INSERT INTO outbox_message (id, user_id, to_address, locale, kind, subject, "
                        "body_text, body_html, sensitive, status, attempts, next_attempt_at, last_error, "
                        "created_at) "
                        "VALUES (:id, 3, 'o@un.org', 'en', :kind, 'Weekly digest for MPTF officers', "
                        "'every donor''s overdue instalments', '<p>every donor</p>', :no, :status, 0, :at, "
                        "'', :at)"),
                        {"id": mid, "status": status, "kind": kind, "no": False, "at": at})
            upgrade()
            assert undeliverable(db.session.get(OutboxMessage, 1)) is None  # still the officer's
            assert db.session.get(OutboxMessage, 3).written_for_role is None  # an account message
            db.session.expire_all()
            # After the upgrade, two admins move the account to the donor role.
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE \"user\" SET role = 'donor', donor_id = 1 WHERE id = 3"))
            pending = db.session.get(OutboxMessage, 1)
            failed = db.session.get(OutboxMessage, 2)
            resend(None, failed)  # the admin's "Send again" on the outbox page
            db.session.commit()
            assert undeliverable(pending) is not None, "a pending officer digest would go to the donor user"
            assert undeliverable(failed) is not None, "a resent officer digest would go to the donor user"
        finally:
            db.session.remove()
            db.engine.dispose()

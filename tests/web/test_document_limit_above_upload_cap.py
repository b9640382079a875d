"""The largest document that may be attached is a setting (TRUSTFUND_DOCUMENT_MAX_BYTES,
README "Documents"), and the attach form says it ("at most 25 MB"). But every request
body is capped at a fixed MAX_CONTENT_LENGTH of 16 MB (config.py), which the setting
does not follow: with the setting raised to 25 MB for large scanned SAAs, a 17 MB scan
(under the limit the form shows) is refused with the generic "File too large" error
page (413), the form and its title lost, nothing attached."""
from __future__ import annotations

import sqlalchemy as sa

from tests.factories import documents as files
from tests.factories import statements as data
from trustfund.documents.models import Document


def test_a_file_under_the_documents_own_limit_is_attached(another_app, db):
    from tests.factories import base_users

    sweden, _other = data.two_donor_fund()
    app = another_app(DOCUMENT_MAX_BYTES=25 * files.MB)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = base_users()["mptf_officer"].get_id()
    form = client.get(f"/documents/donor/{sweden.id}/new").get_data(as_text=True)
    assert "at most 25 MB" in form  # what the officer is told
    scan = files.png() + bytes(17 * files.MB)  # a 17 MB scan: under 25 MB
    answer = files.post_file(client, f"/documents/donor/{sweden.id}/new", scan, "signed-saa.png",
                             kind="saa", title="Signed SAA (scan)")
    assert answer.status_code == 302, (answer.status_code, answer.get_data(as_text=True)[:300])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1

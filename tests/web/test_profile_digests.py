"""The profile offers the digest by email only to the roles that receive one, named for
theirs: a donor's profile offered "Send me the digests by email (requests awaiting
decision, overdue instalments, SAAs awaiting signature)", ticked, and saved the choice,
though no digest is ever written to a donor user (notifications.digests writes to the
SRSG staff and the MPTF officers only): a donor relying on it for reminders of an
overdue instalment got none (a colleague's review of the donor portal)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from tests.pages import text
from trustfund import demo
from trustfund.auth.models import User
from trustfund.mail.models import OutboxMessage


def test_a_donor_is_not_offered_a_digest_it_never_receives(client, login_as, db, users):
    from trustfund.notifications.digests import grant_request_digests, officer_digests

    sweden = demo.demo_donor()
    data.commitment(sweden, "1000.00", instalments=[(dt.date(2017, 6, 30), "1000.00")])  # overdue
    db.session.commit()
    grant_request_digests()
    officer_digests()
    db.session.commit()
    # The officer is told of Sweden's overdue instalment; Sweden's own user never is.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.user_id == users["mptf_officer"].id)) >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.user_id == users["donor"].id)) == 0
    login_as("donor")
    page = client.get("/profile").get_data(as_text=True)
    assert 'name="digests"' not in page and "digest" not in text(page)
    # Saving the profile changes the time zone only.
    version = db.session.get(User, users["donor"].id).version
    saved = client.post("/profile", data={"timezone": "Europe/Stockholm", "version": str(version)},
                        follow_redirects=True)
    assert "Your profile is saved" in text(saved)
    db.session.expire_all()
    donor = db.session.get(User, users["donor"].id)
    assert donor.timezone == "Europe/Stockholm" and donor.digests


@pytest.mark.parametrize(("role", "offered"), [
    ("srsg_staff", "Send me the digest of requests awaiting decision by email"),
    ("mptf_officer", "Send me the digest of overdue instalments and SAAs awaiting signature by email"),
    ("admin", None), ("auditor", None)])
def test_each_role_is_offered_the_digest_it_receives(client, login_as, role, offered):
    login_as(role)
    page = client.get("/profile").get_data(as_text=True)
    if offered is None:
        assert 'name="digests"' not in page
    else:
        assert 'name="digests"' in page and offered in text(page)

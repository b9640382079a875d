"""Issue 20's journey, in Chromium against the live server (CSRF on): an admin invites
a user without typing a password; the sender hands the invitation to a real SMTP
server (tests/smtp_server.py); the invited user follows the link from the captured
mail, chooses a password, signs in with it; the link does not work a second time."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.browser import login

pytestmark = pytest.mark.e2e

PASSWORD = "amber kettle under nine bridges"


@pytest.fixture
def mail_to_live_server(live_server, _smtp_server):
    """The live app sends to the tests' SMTP server, with links to the live server."""
    config = live_server.app.config
    saved = {key: config[key] for key in ("MAIL_PORT", "EXTERNAL_URL")}
    config.update(MAIL_PORT=_smtp_server.port, EXTERNAL_URL=live_server.url)
    _smtp_server.clear()
    yield _smtp_server
    config.update(saved)
    _smtp_server.clear()


def test_an_invited_user_sets_a_password_from_the_mail_and_signs_in(new_page, live_server,
                                                                     mail_to_live_server):
    from trustfund.mail.sender import send_due

    email = f"invited-{uuid.uuid4().hex[:8]}@example.org"
    admin = login(new_page(), "admin")
    admin.goto("/admin/users/new")
    admin.get_by_label("Email").fill(email)
    admin.get_by_label("Name").fill("Sara Tesfaye")
    admin.get_by_label("Role").select_option("auditor")
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_load_state("load")
    assert email in admin.content()

    with live_server.app.app_context():
        send_due()  # the invitation (and whatever the demo fund's decisions wrote)
    [mail] = mail_to_live_server.to(email)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(live_server.url) + r"/password/\d+/[A-Za-z0-9_-]+", text).group(0)

    invited = new_page()
    invited.goto(link)
    assert email in invited.content()
    invited.get_by_label("New password").fill(PASSWORD)
    invited.get_by_label("The same password again").fill(PASSWORD)
    invited.get_by_role("button", name="Set my password").click()
    invited.wait_for_load_state("load")
    assert "/login" in invited.url and "Your password is set." in invited.content()
    invited.get_by_label("Email").fill(email)
    invited.get_by_label("Password").fill(PASSWORD)
    invited.get_by_role("button", name="Log in").click()
    invited.wait_for_load_state("load")
    assert "/login" not in invited.url and email in invited.content()

    again = new_page()
    response = again.goto(link)
    assert response.status == 404 and "This link is no longer valid" in again.content()

"""Only the newest password link works: sending a reset link spends the earlier ones,
an invitation included (the refusal page says a link dies when "a newer one was sent").
(Found by a colleague's review.)"""
from __future__ import annotations

import re

BASE = "https://trustfund.test.example"
LINK = re.compile(re.escape(BASE) + r"(/password/\d+/[A-Za-z0-9_-]+)")
NEW = "violet harbour seven lanterns"


def _links(smtp_server, address):
    return [LINK.search(mail.get_body(preferencelist=("plain",)).get_content()).group(1)
            for mail in smtp_server.to(address)]


def test_an_older_reset_link_dies_when_a_newer_one_is_sent(app, users, runner, smtp_server):
    email = users["donor"].email
    app.test_client().post("/password/forgot", data={"email": email})
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    app.test_client().post("/password/forgot", data={"email": email})
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    older, newer = _links(smtp_server, email)
    assert older != newer
    # The older link (e.g. left in a forwarded or intercepted message) must be dead.
    assert app.test_client().get(older).status_code == 404
    response = app.test_client().post(older, data={"password": NEW, "confirm": NEW})
    assert response.status_code != 302


def test_an_invitation_dies_when_a_reset_link_is_sent_after_it(app, client, login_as, users, runner,
                                                                smtp_server):
    login_as("admin")
    assert client.post("/admin/users/new", data={
        "email": "jane@sweden.example", "name": "Jane", "role": "donor",
        "donor_id": users["donor"].donor_id, "active": "y", "password": ""}).status_code == 302
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    app.test_client().post("/password/forgot", data={"email": "jane@sweden.example"})
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    invitation, reset = _links(smtp_server, "jane@sweden.example")
    # The invitation (valid 72 hours) must not stay usable beside the newer link.
    assert app.test_client().get(invitation).status_code == 404
    assert app.test_client().get(reset).status_code == 200


def test_the_newest_link_still_sets_the_password(app, users, runner, smtp_server):
    email = users["donor"].email
    for _ in range(2):
        app.test_client().post("/password/forgot", data={"email": email})
        assert runner.invoke(args=["send-mail"]).exit_code == 0
    _older, newer = _links(smtp_server, email)
    browser = app.test_client()
    assert browser.get(newer).status_code == 200
    assert browser.post(newer, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert app.test_client().post("/login", data={"email": email, "password": NEW}).status_code == 302

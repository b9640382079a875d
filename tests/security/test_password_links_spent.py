"""A link to choose a password dies when what it was sent for no longer holds: the
address it went to was corrected by an admin (the link is in the wrong mailbox; an
invitation not yet used goes to the new address), or the account was deactivated (a
compromised account must not open again with an old link at its reactivation)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from trustfund.auth.models import User

BASE = "https://trustfund.test.example"
LINK = re.compile(re.escape(BASE) + r"(/password/\d+/[A-Za-z0-9_-]+)")
NEW = "violet harbour seven lanterns"


def _links(smtp_server, address) -> list[str]:
    return [LINK.search(mail.get_body(preferencelist=("plain",)).get_content()).group(1)
            for mail in smtp_server.to(address)]


def _edit(client, user, **changes):
    data = {"email": user.email, "name": user.name, "role": user.role, "donor_id": user.donor_id or 0,
            "version": user.version, "password": "", "active": "y"}
    data.update(changes)
    return client.post(f"/admin/users/{user.id}", data={k: v for k, v in data.items() if v is not None})


def _set_password(client, link):
    return client.post(link, data={"password": NEW, "confirm": NEW})


def test_an_invitation_to_a_mistyped_address_dies_and_goes_to_the_corrected_one(app, client, login_as, db,
                                                                                users, runner, smtp_server):
    donor_id = users["donor"].donor_id
    login_as("admin")
    assert client.post("/admin/users/new", data={
        "email": "jane@typo.example", "name": "Jane", "role": "donor", "donor_id": donor_id,
        "active": "y", "password": ""}).status_code == 302
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    [stolen] = _links(smtp_server, "jane@typo.example")  # in the wrong person's mailbox
    user = db.session.scalar(sa.select(User).where(User.email == "jane@typo.example"))
    assert _edit(client, user, email="jane@sweden.example").status_code == 302  # a donor account: at once
    assert runner.invoke(args=["send-mail"]).exit_code == 0

    outsider = app.test_client()
    assert outsider.get(stolen).status_code == 404
    assert _set_password(outsider, stolen).status_code != 302
    assert outsider.post("/login", data={"email": "jane@sweden.example", "password": NEW}).status_code != 302
    # Jane gets her invitation at the corrected address, and it works.
    [link] = _links(smtp_server, "jane@sweden.example")
    jane = app.test_client()
    assert _set_password(jane, link).status_code == 302
    assert jane.post("/login", data={"email": "jane@sweden.example", "password": NEW}).status_code == 302


def test_a_reset_link_of_the_old_address_dies_and_nothing_is_sent_unasked(app, client, login_as, db, users,
                                                                          runner, smtp_server):
    donor_user = users["donor"]
    app.test_client().post("/password/forgot", data={"email": donor_user.email})
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    [old_link] = _links(smtp_server, donor_user.email)
    login_as("admin")
    assert _edit(client, donor_user, email="new-address@donor.example").status_code == 302
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    assert app.test_client().get(old_link).status_code == 404
    assert smtp_server.to("new-address@donor.example") == []  # a reset is asked for, not sent unasked


def test_a_reset_link_from_before_a_deactivation_does_not_open_the_account_again(app, client, login_as, db,
                                                                                 users, runner, smtp_server):
    donor_user = users["donor"]
    attacker = app.test_client()  # someone with the donor user's mailbox asks for a link
    attacker.post("/password/forgot", data={"email": donor_user.email})
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    [stolen] = _links(smtp_server, donor_user.email)
    login_as("admin")
    assert _edit(client, donor_user, active=None).status_code == 302  # deactivated at once
    assert attacker.get(stolen).status_code == 404
    db.session.expire_all()
    assert _edit(client, db.session.get(User, donor_user.id)).status_code == 302  # reactivated
    db.session.expire_all()
    assert db.session.get(User, donor_user.id).active is True
    assert attacker.get(stolen).status_code == 404
    assert _set_password(attacker, stolen).status_code != 302

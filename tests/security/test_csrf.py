"""With CSRF protection on (as in production), every route that changes
something refuses a request without a valid token: 400, and not a row changes.
The routes come from app.url_map, so a route added later is tried too."""
from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.security.helpers import (
    UNSAFE_METHODS,
    changed_counts,
    csrf_token_from,
    rules,
    table_counts,
    table_rows,
    url_for_rule,
)
from trustfund import demo


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def seeded(app, db):
    demo.seed()
    db.session.commit()


# Plausible form data, so that a missing token is the only thing wrong.
FORM = {"email": "admin@test.example", "password": PASSWORD, "name": "x", "lang": "fr",
        "next": "/", "amount": "100.00", "currency": "USD", "reason": "x", "note": "x"}


@pytest.mark.parametrize("token", ["missing", "forged", "from_another_session"])
def test_every_state_changing_route_refuses_a_request_without_a_valid_token(
        app, db, client, login_as, seeded, csrf_on, token):
    login_as("admin")
    if token == "from_another_session":
        other = app.test_client()
        value = csrf_token_from(other.get("/login").data)
        assert value
    else:
        value = {"missing": None, "forged": "IjAxMjM0NTY3ODki.forged.signature"}[token]
    data = dict(FORM, **({"csrf_token": value} if value else {}))
    tried = []
    before_counts, before_rows = table_counts(db), table_rows(db, db.engine)
    for rule, method in rules(app, UNSAFE_METHODS):
        url = url_for_rule(rule)
        response = client.open(url, method=method, data=data)
        assert response.status_code == 400, (method, url, response.status_code)
        assert b"The form expired or was sent from elsewhere." in response.data, (method, url)
        tried.append(url)
    assert "/login" in tried and "/logout" in tried and "/language" in tried
    assert len(tried) >= 5
    assert changed_counts(before_counts, table_counts(db)) == {}
    assert table_rows(db, db.engine) == before_rows
    # Still logged in, still in English: the logout and the language change did not happen.
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert b'<html lang="en"' in page.data


def test_with_the_token_the_same_request_goes_through(app, client, login_as, csrf_on):
    """The control: the refusals above are the token's doing."""
    login_as("admin")
    page = client.get("/dashboard/")
    token = csrf_token_from(page.data)
    assert token
    response = client.post("/language", data={"lang": "fr", "next": "/dashboard/", "csrf_token": token})
    assert response.status_code == 302
    assert b'<html lang="fr"' in client.get("/dashboard/").data
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_the_login_form_needs_the_token_too(app, client, users, csrf_on):
    response = client.post("/login", data={"email": "officer@test.example", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard/").status_code == 302
    token = csrf_token_from(client.get("/login").data)
    response = client.post("/login", data={"email": "officer@test.example", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200

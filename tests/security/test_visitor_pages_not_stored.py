"""Pages served to a visitor not logged in stay out of caches too (a colleague's
review of the HTTP layer): the page a password link opens showed the account's email
address, under a URL that carries the link's secret, without Cache-Control: a shared
computer's browser kept it in its cache, and a proxy could. The app's own CSS and
scripts are still cached."""
from __future__ import annotations

from urllib.parse import urlsplit


def test_the_set_password_page_is_not_stored(app, db, users, client):
    from trustfund.auth.tokens import issue

    user = users["donor"]
    url, _expires = issue(user, "reset")
    db.session.commit()
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert user.email in response.get_data(as_text=True)  # personal data on the page
    assert "no-store" in response.headers.get("Cache-Control", ""), response.headers.get("Cache-Control")


def test_the_login_page_is_not_stored_and_the_css_is_cached(app, client):
    assert client.get("/login").headers.get("Cache-Control") == "no-store"
    css = client.get("/static/app.css")
    assert css.status_code == 200
    assert "no-store" not in css.headers.get("Cache-Control", "")

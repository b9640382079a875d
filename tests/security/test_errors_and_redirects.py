"""Friendly error pages that give nothing away, a crash that leaves no trace in
the database, and redirects that never leave the site."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.security.helpers import assert_secure_headers, table_counts
from trustfund.permissions import public

OFF_SITE = ["http://evil.example/", "https://evil.example/login", "//evil.example/x", "///evil.example",
            "/\\evil.example", "\\\\evil.example", "https:/evil.example", "javascript:alert(1)",
            "/\t/evil.example", "/\n/evil.example", " //evil.example", "http:evil.example",
            "data:text/html,<script>alert(1)</script>", "evil.example"]


def _stays_on_site(response) -> str:
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert "evil" not in location, location
    return location


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_language_switch_never_redirects_off_site(app, client, login_as, logged_in):
    if logged_in:
        login_as("mptf_officer")
    for target in OFF_SITE:
        response = client.post("/language", data={"lang": "es", "next": target},
                               headers={"Accept-Language": "fr", "Referer": "http://evil.example/"})
        _stays_on_site(response)
    # A path of this site is kept, query string included.
    response = client.post("/language", data={"lang": "es", "next": "/admin/audit?action=login"})
    assert _stays_on_site(response).endswith("/admin/audit?action=login")


def test_login_next_never_leaves_the_site(app, users):
    from tests.factories import PASSWORD

    for target in OFF_SITE:
        client = app.test_client()
        response = client.post("/login", query_string={"next": target},
                               data={"email": "officer@test.example", "password": PASSWORD})
        _stays_on_site(response)
        from trustfund.extensions import limiter

        limiter.reset()


@pytest.mark.parametrize("role", [None, "donor", "admin"])
def test_an_unknown_page_shows_the_friendly_404(app, client, login_as, role):
    if role:
        login_as(role)
    response = client.get("/no/such/page?x=<script>alert(1)</script>")
    assert response.status_code == 404
    page = response.data.decode()
    assert "There is no such page, or it is not yours to see." in page
    assert "Back to the start page" in page
    assert "<script>alert(1)</script>" not in page
    assert "The requested URL was not found on the server" not in page  # Werkzeug's bare page
    assert_secure_headers(response, "404")


def test_an_unknown_object_of_an_existing_route_is_the_same_404(app, client, login_as):
    login_as("admin")
    response = client.get("/admin/users/987654")
    assert response.status_code == 404
    assert b"There is no such page, or it is not yours to see." in response.data


@pytest.fixture
def crashing_app(app, database_url):
    """A second app on the same test database (routes can be added only before an
    app's first request), with a public route that writes, flushes, then fails."""
    from trustfund import create_app
    from trustfund.audit import AuditEntry, record
    from trustfund.contributions import pools
    from trustfund.extensions import db

    crashing = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url,
                                      "PROPAGATE_EXCEPTIONS": False})

    @public
    def explode():
        db.session.add(AuditEntry(action="should.vanish", object_type="Test"))
        record(None, "should.vanish.too", note="written before the crash")
        pools.move(pools.unearmarked_pool().id, interest=100, available=100)
        db.session.flush()
        raise RuntimeError("secret detail: the database password is hunter2")

    crashing.add_url_rule("/test-only/explode", "test_explode", explode, methods=["GET", "POST"])
    yield crashing
    with crashing.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_crash_shows_the_friendly_500_and_rolls_everything_back(crashing_app, db):
    from trustfund.audit import AuditEntry
    from trustfund.contributions.models import Pool

    before = table_counts(db)
    pools_before = [(p.code, p.interest, p.available)
                    for p in db.session.scalars(sa.select(Pool).order_by(Pool.id))]
    client = crashing_app.test_client()
    for method in ("GET", "POST"):
        response = client.open("/test-only/explode", method=method)
        assert response.status_code == 500
        page = response.data.decode()
        assert "Something went wrong" in page
        assert "Nothing was saved." in page
        assert "hunter2" not in page and "Traceback" not in page and "RuntimeError" not in page
        assert_secure_headers(response, "500")
    db.session.expire_all()
    assert table_counts(db) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action.like("should.vanish%"))) == 0
    assert [(p.code, p.interest, p.available)
            for p in db.session.scalars(sa.select(Pool).order_by(Pool.id))] == pools_before
    # The app keeps working after the crash.
    assert client.get("/login").status_code == 200

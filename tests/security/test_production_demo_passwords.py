"""A production server started on a database that holds the demo (a copy of one, or
the instance database `make run` made, production's default when DATABASE_URL is unset)
does not let anyone in with the passwords the README publishes. (Found by a colleague's
review: admin@trustfund.demo / demo-admin-pass signed in.)"""
from __future__ import annotations

import re
import secrets

import pytest

MAIL = {"MAIL_SERVER": "smtp.example.org", "MAIL_SENDER": "Trustfund <trustfund@example.org>",
        "EXTERNAL_URL": "https://trustfund.example.org"}


@pytest.mark.slow
def test_production_does_not_serve_the_demo_accounts(tmp_path, monkeypatch, shared_ratelimit_storage):
    from trustfund import create_app
    from trustfund.extensions import db
    from trustfund.maintenance.schema import stamp_head

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    dev = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    with dev.app_context():
        db.create_all()
        stamp_head()
        db.session.commit()
    result = dev.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with dev.app_context():
        db.engine.dispose()

    try:
        prod = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32),
                                         "RATELIMIT_STORAGE_URI": shared_ratelimit_storage, **MAIL})
    except RuntimeError:
        return  # refusing to start on a database holding the demo's accounts is a fix
    client = prod.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/login", base_url="https://localhost",
                         headers={"Referer": "https://localhost/login"},
                         data={"csrf_token": token, "email": "admin@trustfund.demo",
                               "password": "demo-admin-pass"})
    with prod.app_context():
        db.engine.dispose()
    assert answer.status_code != 302, \
        "production signed in admin@trustfund.demo with the published demo password"

"""Production refuses login throttling counted in each worker's memory however
"memory://" is spelled: the limits library reads the scheme case-blind and strips the
value. (Found by a colleague's review: "MEMORY://", "Memory://" or " memory://" started
production with each worker counting failed logins on its own.)"""
from __future__ import annotations

import secrets

import pytest

MAIL = {"MAIL_SERVER": "smtp.example.org", "MAIL_SENDER": "Trustfund <trustfund@example.org>",
        "EXTERNAL_URL": "https://trustfund.example.org"}


@pytest.mark.parametrize("storage", ["MEMORY://", "Memory://", " memory://"])
def test_production_refuses_memory_storage_however_spelled(storage, tmp_path, monkeypatch):
    from trustfund import create_app
    from trustfund.extensions import db, limiter

    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    try:
        app = create_app("production", {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}",
            "SECRET_KEY": secrets.token_hex(32), "RATELIMIT_STORAGE_URI": storage, **MAIL})
    except RuntimeError:
        return  # refused, as the README says
    with app.app_context():
        kind = type(limiter.storage).__name__
        db.engine.dispose()
    pytest.fail(f"production started with RATELIMIT_STORAGE_URI={storage!r}: login throttling in {kind}")

"""Every page renders in each of the six languages, for each role."""
import re

import pytest

from trustfund import demo
from trustfund.permissions import ROLES

LANGUAGES = ["en", "fr", "es", "ar", "zh", "ru"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_in_every_language(app, db, client, login_as, backend, role):
    if backend != "sqlite":
        pytest.skip("rendering does not depend on the database; the SQLite run covers it")
    demo.seed()
    db.session.commit()
    user = login_as(role)
    urls = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        allowed = getattr(view, "allowed_roles", None)
        if allowed is not None and role not in allowed:
            continue
        url = re.sub(r"<int:[^>]+>", "1", rule.rule)
        url = re.sub(r"<(?:string:)?[^>]+>", "x", url)
        urls.append(url)
    assert urls
    for lang in LANGUAGES:
        user.locale = lang
        db.session.commit()
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302, 404), (lang, url, response.status_code)
            if response.status_code == 200 and response.mimetype == "text/html":
                assert f'<html lang="{lang}"'.encode() in response.data, (lang, url)
            response.close()

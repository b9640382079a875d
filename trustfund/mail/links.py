"""Links in messages, made from the app's external address (EXTERNAL_URL), never from a
request's Host header: a password-reset request sent with a forged Host must not get
a link to someone else's server."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["EXTERNAL_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)

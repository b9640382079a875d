"""Where a page may send the user next: only a path of this site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None) -> str | None:
    """Only a path of this site: no scheme, no host, no '//' or backslash tricks."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def local_next(default: str) -> str:
    """Where to go back to: a path on this site given by the form (or the query), else `default`."""
    return safe_next(request.form.get("next") or request.args.get("next")) or default

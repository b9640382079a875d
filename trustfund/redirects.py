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


def back_url(default: str) -> str:
    """Where a form's Cancel leads: the page the user came from, else `default`.

    The page of origin is the `back` a posted form carries (forms keep it across a
    refusal), or, when the form is shown, the `back` or `next` of the query string or
    the Referer of this site; never the form's own page, never another site."""
    if request.method == "POST":
        candidates = [request.form.get("back")]
    else:
        candidates = [request.args.get("back"), request.args.get("next"), _referrer()]
    here = request.script_root + request.path
    for candidate in candidates:
        target = safe_next(candidate)
        if target and urlsplit(target).path != here:
            return target
    return default


def _referrer() -> str | None:
    parts = urlsplit(request.referrer or "")
    if not parts.path or parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")

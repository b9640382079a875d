"""Whole pages kept per worker, with holes for what is each request's own.

A page that is the same for everyone of a role (the staff dashboard: cache key
per role, locale, time zone, day and data version) still differed per request in
three places of base.html: the session's CSRF token, the user's e-mail address
and the current path (the language form's "next"). Rendering base.html around
the kept figures was a third of a warm dashboard request's time.

render_kept() renders such a page once with a marker in each of those places,
keeps the text cut at the markers, and for each request joins the pieces with
that request's own values, escaped as the template would have escaped them. The
markers are a random tag per worker between NUL characters, which no text field
accepts (trustfund.validation), so no stored text can be mistaken for one.

The CSRF marker is set where Flask-WTF keeps a request's signed token
(g.<WTF_CSRF_FIELD_NAME>, documented in generate_csrf), so every csrf_token() the
page's template calls, whichever macro calls it, yields the marker while the page
is kept. Parts of the context rendered beforehand (the dashboard's kept body) have
no holes: a page whose text holds the session's token outside them is refused
with an error, never kept. A request with flashed messages waiting renders
normally (and shows them).
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable

from flask import current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from . import cache

HOLES = ("csrf_token", "next_path", "user_email")
_TAG = secrets.token_hex(8)
_MARK = {name: Markup(f"\x00{name}:{_TAG}\x00") for name in HOLES}
_CUT = re.compile("\x00(" + "|".join(HOLES) + f"):{_TAG}\x00")


def next_path() -> str:
    """Where the language form sends the user back to: this page, for a GET."""
    return request.full_path if request.method == "GET" else ""


def user_email() -> str:
    return getattr(current_user, "email", "") or ""


def frame_values() -> dict[str, str]:
    """base.html's per-request values, for the context processor of every page."""
    return {"next_path": next_path(), "user_email": user_email()}


def render_kept(key: Hashable, template: str, context: Callable[[], dict]) -> str:
    """`template` rendered with context(), kept under `key` (plus the template's
    name) while the data is unchanged (trustfund.cache), its holes filled for this
    request. The key names everything the page depends on besides the data and the
    three holes: role, locale, time zone, day, script root."""
    if not cache.enabled() or session.get("_flashes"):
        return render_template(template, **context())
    pieces = cache.keep(("kept-page", template, key), lambda: _cut(template, context()))
    return _fill(pieces)


def _cut(template: str, context: dict) -> tuple[str, ...]:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.pop(field, None)
    setattr(g, field, _MARK["csrf_token"])
    try:
        html = render_template(template, **context, next_path=_MARK["next_path"],
                               user_email=_MARK["user_email"])
    finally:
        g.pop(field, None)
        if token is not None:
            setattr(g, field, token)
    pieces = tuple(_CUT.split(html))
    if any("\x00" in piece for piece in pieces[::2]):  # a marker cut apart: never serve it
        raise RuntimeError(f"{template}: a hole's marker was altered while rendering")
    # Parts rendered before the markers were set (a kept body passed in the context)
    # must not hold this session's CSRF token either: every signed token of a session
    # starts with the same payload (the session's raw token), whatever its time.
    if generate_csrf().split(".")[0] in html:
        raise RuntimeError(f"{template}: the session's CSRF token is outside the holes; "
                           "the page would give it to everyone of the role")
    return pieces


def _fill(pieces: tuple[str, ...]) -> str:
    values = {"csrf_token": str(escape(generate_csrf())), "next_path": str(escape(next_path())),
              "user_email": str(escape(user_email()))}
    out = [pieces[0]]
    for i in range(1, len(pieces), 2):
        out.append(values[pieces[i]])
        out.append(pieces[i + 1])
    return "".join(out)

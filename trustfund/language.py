"""The request's language, asked of Flask-Babel once per request.

A page formats hundreds of amounts and dates and translates a hundred texts; each
time, Flask-Babel finds the request's locale and catalog again through three or
four lookups of Flask's context-local `g` (about 4 µs for the locale, 13 µs for a
translated text: 3-4 ms of a statement's 100 rows). Flask-Babel keeps the locale
for the whole request already (it chooses it once, at first use); this keeps the
same two answers beside it, in the same `g`, so that a lookup is one.

The language changes within a request only inside Flask-Babel's force_locale (a
message written in its recipient's language): use speaking(), which forgets the
answers on the way in and on the way out. Outside a request (commands, tests
without one) nothing is kept: each call asks Flask-Babel.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale
from flask import Flask, g, has_request_context
from flask_babel import force_locale, get_locale, get_translations, refresh

_KEY = "trustfund_language"


def _asked() -> tuple[Locale | None, object] | None:
    """(locale, translations) of the request, asked once; None outside a request."""
    if not has_request_context():
        return None
    found = g.get(_KEY)
    if found is None:
        found = (get_locale(), get_translations())
        setattr(g, _KEY, found)
    return found


def locale() -> Locale | None:
    """flask_babel.get_locale(), asked once per request."""
    found = _asked()
    return found[0] if found is not None else get_locale()


def code() -> str:
    """The request's language as its code ("fr"), "" when none: what a form or a
    confirmation page records it was shown in."""
    return str(locale() or "")


def translations():
    """flask_babel.get_translations(), asked once per request."""
    found = _asked()
    return found[1] if found is not None else get_translations()


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """flask_babel.force_locale(language), the request's kept answers forgotten when
    it begins and when it ends (the only way to change the language mid-request)."""
    g.pop(_KEY, None)
    try:
        with force_locale(language):
            yield
    finally:
        g.pop(_KEY, None)


ZONE_KEY = "trustfund_zone"


@contextmanager
def in_zone(zone: str | None) -> Iterator[None]:
    """Moments shown, and "today" reckoned, in `zone` (a message's recipient's), whatever
    the zone of the user whose request writes it: select_timezone reads it first;
    Flask-Babel's kept zone is forgotten when it begins and when it ends."""
    before = g.get(ZONE_KEY)
    setattr(g, ZONE_KEY, zone)
    refresh()
    try:
        yield
    finally:
        if before is None:
            g.pop(ZONE_KEY, None)
        else:
            setattr(g, ZONE_KEY, before)
        refresh()


def register(app: Flask) -> None:
    """The templates' _(), ngettext(), pgettext() and npgettext(): Flask-Babel's own
    (flask_babel.Babel.init_app installs the same calls), through translations()."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def visitors_language(chosen: str | None, accepted, languages) -> str | None:
    """The language a visitor chose in the language menu (`chosen`, the session's),
    or else the best of their browser's (`accepted`, the request's Accept-Language);
    None when neither names one of the app's `languages` (a request's language
    before, or without, a user's own choice)."""
    if chosen in languages:
        return chosen
    return accepted.best_match(languages)

"""The web app serves no request on a database at another schema than this version's
(maintenance.schema.schema_problem), as the commands refuse to run on one
(cli.on_upgraded_database): gunicorn started before `flask db upgrade`, or a backup of
an older version restored while it runs, served pages and then ended a write in a bare
500 ("no such column"), and at an old enough revision sign-in itself failed. A request
hook, registered by the app factory before every other."""
from __future__ import annotations

from flask import Response, current_app, request, session

from .language import speaking, visitors_language
from .maintenance.schema import schema_problem

_CHECKED = "trustfund.schema_checked"


def register(app) -> None:
    """Each worker checks the schema at its first request and again while a problem
    stands (the check is one small query, not one per request); a request that fails
    is answered with the same refusal when the schema is the cause (a database
    restored under a running worker). Registered first, before any hook that reads
    the database (the user's language)."""

    def schema_first():
        if app.extensions.get(_CHECKED) or request.endpoint == "static":
            return None
        problem = schema_problem()
        if problem:
            return refusal(problem)
        app.extensions[_CHECKED] = True
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, schema_first)


def refusal_after_failure():
    """The refusal if a failed request's cause is the schema (checked anew), else None."""
    try:
        problem = schema_problem()
    except Exception:  # the error page must not fail: the 500 page is shown then
        return None
    if problem:
        current_app.extensions[_CHECKED] = False
        return refusal(problem)
    return None


def refusal(problem: str):
    """503 in the visitor's language, with nothing read from the database (its own
    page: base.html reads the signed-in user), and the sentence in the server's log."""
    current_app.logger.error("Refusing requests: %s", problem)
    # The visitor's choice in the language menu (the session's), else their browser's:
    # not the account's, which is in the database.
    code = visitors_language(session.get("lang"), request.accept_languages,
                             current_app.config["LANGUAGES"]) or "en"
    with speaking(code):
        html = current_app.jinja_env.get_template("errors/503.html").render(
            lang=code, direction="rtl" if code == "ar" else "ltr")
    return Response(html, 503, {"Retry-After": "60", "Cache-Control": "no-store"}, mimetype="text/html")

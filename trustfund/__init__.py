"""Trustfund: the application factory."""
from __future__ import annotations

import gc
import hmac
import math
import os
import time

from flask import Flask, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .language import visitors_language

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# Room for a form's other fields and the multipart framing around an uploaded file.
FORM_AROUND_A_FILE = 1024 * 1024


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    from config import CONFIGS

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(root, "templates"),
        instance_path=os.path.join(root, "instance"),
    )
    config_name = config_name or os.environ.get("TRUSTFUND_CONFIG", "development")
    config_class = CONFIGS[config_name]
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    # A request's body holds the largest document that may be attached (its setting,
    # which the attach form states) and the form around it: raised to it, or a scan
    # under the stated limit was refused with a bare 413 (a colleague's review).
    app.config["MAX_CONTENT_LENGTH"] = max(app.config["MAX_CONTENT_LENGTH"],
                                           app.config["DOCUMENT_MAX_BYTES"] + FORM_AROUND_A_FILE)
    if hasattr(config_class, "validate"):
        config_class.validate(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        # The client's address (login throttling) and scheme from the headers our
        # own proxies set, and from no one else's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from . import params, read_only

    params.register(app)  # before any route: every <int:...> is an id the database can hold
    register_extensions(app)

    read_only.register(app)  # before the blueprints' hooks: it runs before any statement
    from . import schema_guard

    schema_guard.register(app)  # first of all the hooks: no request on a database at another schema
    register_blueprints(app)
    register_sentences(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    from .cli import register_commands

    register_commands(app)
    return app


GC_THRESHOLDS = (50_000, 10, 10)  # see settle_memory


def compile_templates(app: Flask) -> int:
    """Compile every template (pages, emails, documents) once, as a worker starts
    (wsgi.py, before settle_memory: the compiled templates are then out of the
    collector's reach too), and return how many. Jinja compiles a template the first
    time it renders it, in each worker: after each start of the app, the first view
    of every page in every worker waited for its templates (the dashboard's five: 50
    ms, on a page of about 100 ms). The 166 templates take about a second of each
    worker's start."""
    environment = app.jinja_env
    names = environment.list_templates()
    for name in names:
        environment.get_template(name)
    return len(names)


def settle_memory() -> None:
    """Collect, then put every object made so far (the modules, the app and its
    extensions: about 150,000) out of the garbage collector's reach (gc.freeze), so
    that the collections during requests traverse what requests make, not the whole
    program. A first view of a statement after a change allocates enough to set off
    a full collection every few requests: it spent 40 ms of about 170 in collections,
    its slowest views far more (p95 275 -> 163 ms on SQLite at N=100). Called once
    the app is made, in each worker (wsgi.py) and by the benchmarks; not by the tests,
    which make many apps in one process (frozen objects are never freed).

    Then the youngest generation is collected after 50,000 new objects rather than
    Python's 700 (the older generations keep their thresholds, 10 and 10): a first
    view of the donor balances builds a line for each of 5,000 donors and set off
    91 collections (10 ms) that found about 230 objects of garbage in all. Most of
    what requests make is freed by reference counting; what is not (cycles) waits
    longer, and a cycle that outlives a collection moves to an older generation,
    collected far less often. Measured (SQLite, N=100, 480 first views of the
    heaviest pages, .xlsx included): the worker's memory 169 MB against 153 MB with
    Python's thresholds, flat after the first 160 views; 4 full collections
    against 140. First views of the balances and statements 8-21 ms quicker on
    SQLite, 7-15 ms on PostgreSQL (docs/performance.md). The numbers are CPython
    3.11's meaning of the thresholds (3.14's collector reads them otherwise)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)



def select_locale() -> str:
    from flask import current_app, has_request_context

    if not has_request_context():
        # Commands (imports, demo data, checks) speak the default language.
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    languages = current_app.config["LANGUAGES"]
    # A language chosen in this session (the menu; on the login page, for this session
    # only) first, then the account's own, then the browser's.
    chosen = session.get("lang")
    if chosen not in languages and current_user and current_user.is_authenticated \
            and current_user.locale in languages:
        return current_user.locale
    return visitors_language(chosen, request.accept_languages, languages) or "en"


def select_timezone() -> str:
    """The user's own time zone (timezones.py), else the app's default zone
    (BABEL_DEFAULT_TIMEZONE, UTC): moments are shown in it, and "today" is the date in
    it (clock.today)."""
    from flask import current_app, g, has_app_context, has_request_context

    from .language import ZONE_KEY
    from .timezones import UTC, is_zone

    if has_app_context() and is_zone(g.get(ZONE_KEY)):  # a message written for its recipient
        return g.get(ZONE_KEY)
    if has_request_context() and current_user and current_user.is_authenticated \
            and is_zone(current_user.timezone):
        return current_user.timezone
    default = current_app.config.get("BABEL_DEFAULT_TIMEZONE")
    return default if is_zone(default) else UTC


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories="translations")
    # Logins to one account or from one address one at a time, so that Flask-Limiter's
    # count of refused ones holds when attempts arrive together (auth/login_turns.py):
    # registered first, its turn is taken before the limiter tests the counts.
    from .auth import login_turns

    login_turns.register(app)
    limiter.init_app(app)

    from . import models  # noqa: F401  (every table, for Alembic and create_all)
    from .fund import guard  # noqa: F401  (financial closure: no write to the fund any more)

    @login_manager.user_loader
    def load_user(session_id: str):
        from .auth.models import User

        if not isinstance(session_id, str):
            return None
        user_id, _, token = session_id.partition(":")
        if not (user_id.isascii() and user_id.isdigit() and len(user_id) <= 9) or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or not hmac.compare_digest(
                user.session_token.encode(), token.encode()):
            return None
        return user

    from . import connections

    with app.app_context():
        connections.register(db.engine)


def register_blueprints(app: Flask) -> None:
    """Each feature's blueprint. Importing a feature's view modules attaches their
    views (and the downloads they register) to its blueprint."""
    from .admin import routes as admin_views
    from .auth import routes as auth_views
    from .closure import attachments as closure_attachments  # noqa: F401  (a documents target)
    from .closure.blueprint import bp as closure_bp
    from .closure.routes import closing as closure_closing  # noqa: F401
    from .closure.routes import entries as closure_entries  # noqa: F401
    from .closure.routes import reports as closure_reports  # noqa: F401
    from .closure.routes import years as closure_years  # noqa: F401
    from .contributions import filters as contribution_filters  # noqa: F401
    from .contributions.blueprint import bp as contributions_bp
    from .contributions.routes import entries, fund, imports, lists, rate_imports  # noqa: F401
    from .countries import routes as country_views
    from .dashboard import routes as dashboard_views
    from .documents import blocks as document_blocks
    from .documents import routes as document_views
    from .donors import routes as donor_views
    from .fund import routes as fund_views
    from .iati import routes as iati_views
    from .mail import routes as mail_views
    from .main import routes as main_views
    from .search import routes as search_views
    from .statements import routes as statement_views
    from .travel import filters  # noqa: F401
    from .travel.blueprint import bp as travel_bp
    from .travel.routes import events, grants  # noqa: F401

    for bp in (auth_views.bp, main_views.bp, admin_views.bp, donor_views.bp, contributions_bp,
               country_views.bp, travel_bp, statement_views.bp, dashboard_views.bp, fund_views.bp,
               closure_bp, iati_views.bp, document_views.bp, search_views.bp, mail_views.bp):
        app.register_blueprint(bp)
    document_blocks.register(app)  # the records' pages show their documents


def register_sentences(app: Flask) -> None:
    """Each feature's sentences for the audit entries it records (trustfund/audit_text.py)."""
    from . import audit_text
    from .admin import sentences as admin_sentences
    from .auth import sentences as auth_sentences
    from .closure import sentences as closure_sentences
    from .contributions import sentences as contribution_sentences
    from .countries import sentences as country_sentences
    from .documents import sentences as document_sentences
    from .donors import sentences as donor_sentences
    from .fund import sentences as fund_sentences
    from .mail import sentences as mail_sentences
    from .travel import sentences as travel_sentences

    book = audit_text.install(app)
    for feature in (auth_sentences, admin_sentences, donor_sentences, country_sentences, fund_sentences,
                    contribution_sentences, travel_sentences, closure_sentences, document_sentences,
                    mail_sentences):
        feature.register(book)


def _wait_of(error) -> dict:
    """A limit's refusal: the minutes until it lets the client try again (the page names
    them, as Retry-After does: an hour's wait was "a few minutes")."""
    from flask_limiter.errors import RateLimitExceeded

    if not isinstance(error, RateLimitExceeded) or limiter.current_limit is None:
        return {}
    # Rounded up (a wait said shorter than it is would be refused again), the window's
    # end being a second past its length (an hour's is 3,601 s away: 60 minutes).
    seconds = limiter.current_limit.reset_at - time.time() - 1
    return {"wait_minutes": max(1, math.ceil(seconds / 60))}


def register_errorhandlers(app: Flask) -> None:
    def render_error(code: int):
        def handler(error):
            if code == 500:
                db.session.rollback()
                from .schema_guard import refusal_after_failure

                refused = refusal_after_failure()
                if refused is not None:
                    return refused
            return render_template(f"errors/{code}.html", error=error, **_wait_of(error)), code

        return handler

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", error=error, csrf=True), 400


def register_request_hooks(app: Flask) -> None:
    from .validation import refuse_json_bodies, refuse_nul_in_query_strings

    refuse_nul_in_query_strings(app)
    refuse_json_bodies(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SEND_HSTS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # Pages and downloads (send_file says "no-cache") stay out of shared disk caches,
            # a visitor's too: a password link's page shows the account's address under a
            # URL that holds the link's secret.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def rollback_unfinished(exc):
        # A request that failed leaves no trace: whatever it flushed is rolled back.
        if exc is not None:
            db.session.rollback()


def register_template_helpers(app: Flask) -> None:
    from . import formatting, language, navigation
    from .forms import problems
    from .permissions import ROLE_LABELS
    from .redirects import back_url
    from .waiting import waiting_for_you

    language.register(app)  # after Flask-Babel's init_app, whose template calls these replace
    formatting.register(app)
    navigation.register(app)
    # Forms that help: the summary of a form's errors, and where its Cancel leads.
    app.jinja_env.globals.update(form_problems=problems, back_url=back_url)
    # What waits for a second person, on every staff dashboard (trustfund/waiting.py).
    app.jinja_env.globals.update(waiting_for_you=waiting_for_you)

    @app.context_processor
    def inject():
        from flask_babel import get_locale

        locale = get_locale()
        lang = str(locale.language) if locale else "en"
        return {
            "ROLE_LABELS": ROLE_LABELS,
            "current_lang": lang,
            "text_direction": "rtl" if lang in ("ar", "he", "fa", "ur") else "ltr",
            "LANGUAGE_NAMES": {"en": "English", "fr": "Français", "es": "Español",
                               "ar": "العربية", "zh": "中文", "ru": "Русский"},
        }


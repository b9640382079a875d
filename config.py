"""Configuration classes. Secrets come from the environment, never from the repo."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Secrets that must never reach production: the development and testing
# defaults and the values people paste from tutorials.
WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development-only-secret-key",
                "testing-only-secret-key", "secret-key", "secret_key", "your-secret-key",
                "super-secret", "supersecret", "please-change-me"}
MIN_SECRET_LENGTH = 32
# A random secret of 32 characters shows many different ones ("aaaa..." or
# "12121212..." do not), even hex (16 symbols).
MIN_SECRET_DISTINCT_CHARACTERS = 8


def _int_env(name: str, default: int = 0) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs and bare postgresql:// both mean psycopg 3 here.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'trustfund.sqlite3'}")
    # Each connection is checked as it leaves the pool, and a dead one (the database
    # restarted, a firewall dropped an idle socket) replaced: no request fails for it.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ["en", "fr", "es", "ar", "zh", "ru"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # seed-demo adds accounts whose passwords the README publishes: never in production.
    DEMO_DATA_ALLOWED = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # A request's body: uploads (deposit imports); raised by create_app to hold the
    # largest document that may be attached (DOCUMENT_MAX_BYTES) when that is larger.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Rows a deposit import through the page may hold: it must finish well inside a
    # worker's timeout (gunicorn's default is 30 s). A larger file is refused with the
    # command that imports it: flask --app trustfund import-deposits FILE.
    IMPORT_PAGE_MAX_ROWS = _int_env("TRUSTFUND_IMPORT_PAGE_MAX_ROWS", 10_000)
    PAGE_SIZE = 50
    # The largest document that may be attached to a record (trustfund/documents), in bytes.
    DOCUMENT_MAX_BYTES = _int_env("TRUSTFUND_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
    # Login throttling's counts. Production refuses "memory://" (each worker would
    # count apart): a storage every worker and machine shares, such as Redis
    # (redis://HOST:6379/0).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = "trustfund"
    RATELIMIT_HEADERS_ENABLED = True
    # Refused logins counted per (account, client address) pair: failures from one
    # address cannot lock the account's owner out from another...
    LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = "5 per 15 minutes"
    # ...per account, from any address, looser: against guessing spread over many addresses...
    LOGIN_FAILURES_PER_ACCOUNT = "30 per 15 minutes"
    # ...and per address, on any accounts.
    LOGIN_FAILURES_PER_ADDRESS = "20 per 15 minutes"
    # "Forgot your password?": every request counted (each may send a message), per
    # address typed and per client address.
    PASSWORD_RESETS_PER_ACCOUNT = "3 per hour"
    PASSWORD_RESETS_PER_ADDRESS = "10 per hour"
    PREFERRED_URL_SCHEME = "http"
    SEND_HSTS = False
    # Proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none,
    # the client's address is the connection's; 1: one proxy such as nginx). Login
    # throttling per address needs the real client address, and only headers set
    # by our own proxies may say what it is.
    TRUSTED_PROXIES = _int_env("TRUSTFUND_TRUSTED_PROXIES", 0)
    # Mail (trustfund/mail): messages are outbox rows written with the change that
    # causes them, sent by `flask --app trustfund send-mail` through this SMTP server.
    # TRUSTFUND_MAIL=off switches sending off (production then starts without a server).
    MAIL_ENABLED = os.environ.get("TRUSTFUND_MAIL", "on").strip().lower() not in ("off", "0", "false", "no")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int_env("MAIL_PORT", 587)
    # "starttls" (port 587), "ssl" (SMTPS, port 465) or "none" (a relay on localhost).
    MAIL_SECURITY = os.environ.get("MAIL_SECURITY", "starttls").strip().lower()
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "")
    MAIL_TIMEOUT = _int_env("MAIL_TIMEOUT", 30)
    # A message not accepted is tried again after 1, 2, 4, ... minutes (at most
    # MAIL_MAX_BACKOFF seconds between tries), and marked failed after MAIL_MAX_ATTEMPTS;
    # at once when the server refuses the message itself for good (a 5xx naming its
    # address, content or size: mail.sender.refused_for_good).
    MAIL_MAX_ATTEMPTS = _int_env("MAIL_MAX_ATTEMPTS", 8)
    MAIL_FIRST_BACKOFF = _int_env("MAIL_FIRST_BACKOFF", 60)
    MAIL_MAX_BACKOFF = _int_env("MAIL_MAX_BACKOFF", 6 * 3600)
    # The address people reach the app at: links in messages are made from it, never
    # from a request's Host header (which a sender of a reset request could choose).
    EXTERNAL_URL = os.environ.get("TRUSTFUND_EXTERNAL_URL", "http://127.0.0.1:5000")
    # Digests: grant requests awaiting decision to SRSG staff at most every N hours;
    # overdue instalments and SAAs awaiting signature to MPTF officers every N days.
    DIGEST_GRANT_REQUESTS_HOURS = _int_env("TRUSTFUND_DIGEST_GRANT_REQUESTS_HOURS", 1)
    DIGEST_OFFICERS_DAYS = _int_env("TRUSTFUND_DIGEST_OFFICERS_DAYS", 7)
    SAA_AWAITING_SIGNATURE_DAYS = 30
    # The IATI file (trustfund/iati): who publishes it and what the fund is. The
    # reporting organisation's IATI identifier has no default that could be
    # published: until TRUSTFUND_IATI_ORG_REF is set, a marked placeholder (also in
    # the demo) keeps the file valid and says it is not for publication.
    IATI_REPORTING_ORG_REF = os.environ.get("TRUSTFUND_IATI_ORG_REF",
                                            "XX-PLACEHOLDER-SET-TRUSTFUND-IATI-ORG-REF")
    IATI_REPORTING_ORG_NAME = os.environ.get("TRUSTFUND_IATI_ORG_NAME", "UN Multi-Partner Trust Fund Office")
    IATI_REPORTING_ORG_TYPE = os.environ.get("TRUSTFUND_IATI_ORG_TYPE", "40")  # multilateral
    IATI_FUND_CODE = os.environ.get("TRUSTFUND_IATI_FUND_CODE", "MCS00")
    IATI_FUND_TITLE = ("United Nations voluntary trust fund for the intergovernmental conference to adopt the "
                       "Global Compact for Safe, Orderly and Regular Migration, and its preparatory process")
    IATI_PLANNED_START = "2017-04-03"
    IATI_PLANNED_END = "2018-12-31"


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    # The tests' SMTP server (tests/smtp_server.py) sets the port; nothing is sent
    # unless a test runs the sender.
    MAIL_SERVER = "127.0.0.1"
    MAIL_SECURITY = "none"
    MAIL_SENDER = "Trustfund <trustfund@test.example>"
    MAIL_FIRST_BACKOFF = 60
    EXTERNAL_URL = "https://trustfund.test.example"


class ProductionConfig(Config):
    DEBUG = False
    DEMO_DATA_ALLOWED = False
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    SEND_HSTS = True

    @classmethod
    def validate(cls, app_config) -> None:
        """Refuse to start with a weak secret, in debug mode, or with a protection
        switched off."""
        from flask.helpers import get_debug_flag

        secret = app_config.get("SECRET_KEY") or ""
        if isinstance(secret, bytes):
            secret = secret.decode("latin-1")
        if (secret.strip().lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH
                or len(set(secret)) < MIN_SECRET_DISTINCT_CHARACTERS):
            raise RuntimeError(
                f"Production needs a random SECRET_KEY of at least {MIN_SECRET_LENGTH} characters "
                "in the environment (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        # FLASK_DEBUG=1 would turn on Werkzeug's interactive debugger under `flask run`.
        if app_config.get("DEBUG") or app_config.get("TESTING") or get_debug_flag():
            raise RuntimeError("Production refuses to run in debug or testing mode (unset FLASK_DEBUG).")
        if app_config.get("WTF_CSRF_ENABLED") is False:
            raise RuntimeError("Production refuses to run with CSRF protection off.")
        if not app_config.get("SESSION_COOKIE_SECURE") or not app_config.get("SESSION_COOKIE_HTTPONLY"):
            raise RuntimeError("Production needs Secure and HttpOnly session cookies.")
        if app_config.get("RATELIMIT_ENABLED") is False:
            raise RuntimeError("Production refuses to run without login throttling.")
        # Read as the limits library reads it (a scheme in any case, spaces around it).
        storage = str(app_config.get("RATELIMIT_STORAGE_URI") or "").strip().lower()
        if not storage or storage.startswith("memory:"):
            raise RuntimeError(
                "Production needs RATELIMIT_STORAGE_URI set to a storage every worker and machine "
                "shares, for example redis://127.0.0.1:6379/0: login failures counted in each "
                "worker's memory could be spread over the workers.")
        if app_config.get("MAIL_ENABLED"):
            if not app_config.get("MAIL_SERVER") or not app_config.get("MAIL_SENDER"):
                raise RuntimeError(
                    "Production needs MAIL_SERVER and MAIL_SENDER (and MAIL_PORT, MAIL_SECURITY, "
                    "MAIL_USERNAME, MAIL_PASSWORD as the server wants), or mail switched off "
                    "explicitly with TRUSTFUND_MAIL=off.")
            if app_config.get("MAIL_SECURITY") not in ("starttls", "ssl", "none"):
                raise RuntimeError("MAIL_SECURITY is one of starttls, ssl or none.")
            if not str(app_config.get("EXTERNAL_URL") or "").startswith("https://"):
                raise RuntimeError(
                    "Production needs TRUSTFUND_EXTERNAL_URL, the https:// address people reach "
                    "the app at: the links in messages are made from it.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

"""Configuration classes. Secrets come from the environment, never from the repo."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Secrets that must never reach production: the development default and the
# values people paste from tutorials.
WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development-only-secret-key"}


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
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ["en", "fr", "es", "ar", "zh", "ru"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024  # uploads (deposit imports)
    PAGE_SIZE = 50
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_FAILURES_PER_ADDRESS = "20 per 15 minutes"
    PREFERRED_URL_SCHEME = "http"
    SEND_HSTS = False


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True


class ProductionConfig(Config):
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    SEND_HSTS = True

    @classmethod
    def validate(cls, app_config) -> None:
        """Refuse to start with a weak secret or in debug mode."""
        secret = app_config.get("SECRET_KEY") or ""
        if secret in WEAK_SECRETS or len(secret) < 32:
            raise RuntimeError(
                "Production needs a random SECRET_KEY of at least 32 characters "
                "in the environment (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if app_config.get("DEBUG"):
            raise RuntimeError("Production refuses to run in debug mode.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

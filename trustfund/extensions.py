"""Unbound extension objects, bound to the app in create_app()."""
import flask_limiter
from flask import has_request_context
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that Alembic can find and change them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, minus its check before every request while no limit applies
    to every request.

    Flask-Limiter checks application-wide, default and blueprint limits in a hook
    before every request, and a route's own limits (@limiter.limit) when the route
    is called. Trustfund has only routes' own limits (the login's), so the hook
    found nothing to check on every page, at a twentieth of a warm page's time. It
    is skipped while none of the others is configured, and runs as before as soon
    as one is (tests/security/test_login_throttling.py checks both)."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and not self.request_wide_limits():
            return None
        return super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def request_wide_limits(self) -> bool:
        """Whether any limit applies beyond a route's own. It reads Flask-Limiter's
        internals (4.1): should one of them be missing in another version, it answers
        yes, and every request is checked as Flask-Limiter would."""
        manager = self.limit_manager
        return bool(manager.application_limits or manager.default_limits
                    or getattr(manager, "_blueprint_limits", True) or getattr(self, "_meta_limits", True))


class _SQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, whose paginate() reads the page of the query string through
    params.page_arg(): its own reading let a 20-digit page reach the database's
    OFFSET (a 500 on both databases)."""

    def paginate(self, select, *, page: int | None = None, **kwargs):
        if page is None and has_request_context():
            from .params import page_arg

            page = page_arg()
        return super().paginate(select, page=page, **kwargs)


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Only the login route is limited (see auth.routes); nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

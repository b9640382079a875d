"""Unbound extension objects, bound to the app in create_app()."""
from flask import has_request_context
from flask_babel import Babel
from flask_limiter import Limiter
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
# Only the login route is limited (see auth.routes); nothing is limited by default. The
# counts live in RATELIMIT_STORAGE_URI (Redis in production), shared by every worker.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

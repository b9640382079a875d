"""Unbound extension objects, bound to the app in create_app()."""
import ipaddress

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


def client_address() -> str:
    """The client's address as the limits count it: an IPv4 address, or the /64 network
    of an IPv6 one (a customer's share, in which a host may take any of 2^64
    addresses: counted one by one, one host was that many clients, a colleague's
    review), an IPv4-mapped IPv6 address as its IPv4 one."""
    address = get_remote_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# Only the login route is limited (see auth.routes); nothing is limited by default. The
# counts live in RATELIMIT_STORAGE_URI (Redis in production), shared by every worker.
limiter = Limiter(key_func=client_address, default_limits=[])

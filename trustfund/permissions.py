"""Roles (DESIGN.md §2), the route decorator, and per-object access helpers.

Every view is decorated with @roles_required(...) (or @public for the few pages
anyone may see); tests/web/test_access_matrix.py walks every registered route
and fails for a view that has neither.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ADMIN = "admin"
MPTF_OFFICER = "mptf_officer"
SRSG_STAFF = "srsg_staff"
DONOR = "donor"
AUDITOR = "auditor"

ROLES = (ADMIN, MPTF_OFFICER, SRSG_STAFF, DONOR, AUDITOR)
ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    MPTF_OFFICER: _l("MPTF officer"),
    SRSG_STAFF: _l("SRSG staff"),
    DONOR: _l("Donor"),
    AUDITOR: _l("Auditor"),
}

# Who may read what. Writers are named on each route.
STAFF = (ADMIN, MPTF_OFFICER, SRSG_STAFF, AUDITOR)
FINANCE_READERS = (ADMIN, MPTF_OFFICER, SRSG_STAFF, AUDITOR)
TRAVEL_READERS = (ADMIN, SRSG_STAFF, MPTF_OFFICER, AUDITOR)
# Who receives a digest by email (notifications.digests): the SRSG staff, of requests
# awaiting decision; the MPTF officers, of overdue instalments and SAAs awaiting
# signature. Only they are offered the choice on their profile.
DIGEST_READERS = (SRSG_STAFF, MPTF_OFFICER)


def roles_required(*roles: str):
    """Allow the view only to logged-in users holding one of `roles`:
    anonymous users go to the login page, others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from .extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorator


def public(view):
    """Mark a view as open to anyone (login page, static assets, language switch)."""
    view.allowed_roles = None
    view.is_public = True
    return view


def login_required_any(view):
    """Any logged-in user, whatever the role."""
    return roles_required(*ROLES)(view)


def can_see_donor(user, donor_id: int) -> bool:
    """A donor user sees only its own donor; staff see every donor."""
    if user.role == DONOR:
        return user.donor_id is not None and user.donor_id == donor_id
    return user.role in STAFF

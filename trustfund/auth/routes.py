"""Log in, log out, choose the language; each user's own profile (time zone)."""
from __future__ import annotations

import datetime as dt

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from .. import timezones
from ..audit import utcnow
from ..errors import run
from ..extensions import db, limiter
from ..permissions import login_required_any, public
from ..redirects import safe_next
from .blueprint import bp
from .forms import LoginForm, ProfileForm
from .services import authenticate, end_session, start_session, update_profile


def _account() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_key() -> str:
    return "login-account:" + _account()


def _account_and_address_key() -> str:
    return f"login-pair:{get_remote_address()}:{_account()}"


def _failed(response) -> bool:
    # Count only refused attempts: a successful login redirects.
    return response.status_code != 302


# Refused logins are counted in three ways (config.py), in the storage every worker
# shares (RATELIMIT_STORAGE_URI): per account and address, so that someone failing
# on an account cannot lock its owner out from another address; per account from
# any address, looser, against guessing spread over many addresses; per address on
# any accounts.
@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], methods=["POST"],
               deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], methods=["POST"],
               key_func=_account_key, deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"], methods=["POST"],
               key_func=_account_and_address_key, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Invalid email or password."))
        else:
            lang = session.get("lang")
            session.clear()  # a new session at login: nothing carried over but the language
            if lang:
                session["lang"] = lang
            start_session(user, browser_zone=form.timezone.data)
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required_any
def logout():
    end_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


def zone_choices(current: str | None) -> list[tuple[str, str]]:
    """The time zones to choose from, in the user's language, with today's offsets."""
    return timezones.choices_with(current, get_locale(), dt.date.today())


@bp.route("/profile", methods=["GET", "POST"])
@login_required_any
def profile():
    """Users' own settings: the time zone their pages show moments in."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    form.timezone.choices = zone_choices(user.timezone)
    if request.method == "GET" and not user.timezone:
        form.timezone.data = timezones.UTC
    if form.validate_on_submit():
        saved = run(form, lambda: update_profile(user, timezone=form.timezone.data,
                                                 version=form.version.data))
        if saved is not None:
            flash(_("Your profile is saved: times are shown in %(zone)s.", zone=saved.timezone), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, user=user, now=utcnow())

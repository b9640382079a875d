"""Log in, log out, choose the language; forgotten passwords and invitations' links; each
user's own profile (time zone, digests by email)."""
from __future__ import annotations

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

from .. import clock, timezones
from ..audit import utcnow
from ..errors import run
from ..extensions import client_address, db, limiter
from ..permissions import DIGEST_READERS, MPTF_OFFICER, login_required_any, public
from ..redirects import safe_next
from .blueprint import bp
from .forms import ForgotPasswordForm, LoginForm, ProfileForm, SetPasswordForm
from .login_turns import account
from .services import authenticate, end_session, notify_sign_in_throttled, start_session, update_profile
from .tokens import find_token, invalid_link_message, request_reset, set_password_with_token


def _account_key() -> str:
    return "login-account:" + account()


def _account_and_address_key() -> str:
    # The address's length first: an IPv6 address holds colons, and the typed account may
    # too ("5:officer@..." from ::1 was another address's key).
    address = client_address()
    return f"login-pair:{len(address)}:{address}:{account()}"


def _tell_the_owner(limit) -> None:
    """A per-account limit was reached: the account's owner is told (by email, at most
    every 15 minutes); the answer is the usual 429 page."""
    if notify_sign_in_throttled(account(), get_remote_address()):
        db.session.commit()


def _failed(response) -> bool:
    # Count only refused attempts: a successful login redirects; an attempt the limits
    # refused (429) was no attempt (the owner's own retries while a lock stands would
    # otherwise lengthen it).
    return response.status_code not in (302, 429)


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
               key_func=_account_key, deduct_when=_failed, on_breach=_tell_the_owner)
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"], methods=["POST"],
               key_func=_account_and_address_key, deduct_when=_failed, on_breach=_tell_the_owner)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            # Of the pair, not of the password: the form's own error, above both fields.
            form.form_errors.append(_("Invalid email or password."))
        else:
            lang = session.get("lang")
            session.clear()  # a new session at login: nothing carried over but the language
            if lang:
                session["lang"] = lang
            start_session(user, browser_zone=form.timezone.data, page_language=str(get_locale()))
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


def _reset_account_key() -> str:
    return "reset-account:" + account()


# Every request counts (not only refusals: each one may send a message), per client
# address and per address typed, in the same shared storage as the login's counts.
@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESETS_PER_ACCOUNT"], methods=["POST"],
               key_func=_reset_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if run(form, lambda: request_reset(form.email.data)) is not None:
            # The same answer, whether the address is an account's or not.
            flash(_("If an account has this address, a link to choose a new password is on its "
                    "way to it. The link works once, for one hour."), "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/<int:user_id>/<token>", methods=["GET", "POST"])
@public
def set_password(user_id: int, token: str):
    found = find_token(user_id, token)
    if found is None and request.method == "GET":
        return render_template("auth/set_password.html", form=None, message=invalid_link_message()), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = run(form, lambda: set_password_with_token(user_id, token, form.password.data,
                                                         page_language=str(get_locale())))
        if user is not None:
            if current_user.is_authenticated:
                logout_user()
            lang = session.get("lang")
            session.clear()  # as at login: nothing carried over but the language
            if lang:
                session["lang"] = lang
            flash(_("Your password is set. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    email = found.user.email if found is not None else ""
    return render_template("auth/set_password.html", form=form, email=email)


def zone_choices(current: str | None) -> list[tuple[str, str]]:
    """The time zones to choose from, in the user's language, with today's offsets."""
    return timezones.choices_with(current, get_locale(), clock.today())


@bp.route("/profile", methods=["GET", "POST"])
@login_required_any
def profile():
    """Users' own settings: the time zone their pages show moments in, and whether
    they get the digests by email."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    form.timezone.choices = zone_choices(user.timezone)
    if user.role in DIGEST_READERS:
        # The digest their role receives, named (notifications.digests).
        form.digests.label.text = (_("Send me the digest of overdue instalments and SAAs awaiting signature "
                                     "by email") if user.role == MPTF_OFFICER else
                                   _("Send me the digest of requests awaiting decision by email"))
    else:
        del form.digests  # no digest is written to their role: not offered
    if request.method == "GET" and not user.timezone:
        form.timezone.data = timezones.UTC
    if form.validate_on_submit():
        digests = form.digests.data if user.role in DIGEST_READERS else user.digests
        saved = run(form, lambda: update_profile(user, timezone=form.timezone.data,
                                                 digests=digests, version=form.version.data))
        if saved is not None:
            flash(_("Your profile is saved: times are shown in %(zone)s.",
                    zone=timezones.place(saved.timezone, get_locale())), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, user=user, now=utcnow())

"""Admin: users, settings, and the audit trail (admins and auditors)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock, timezones
from ..audit_text import describe_many
from ..auth.models import User
from ..donors.choices import offer_donors, wanted_donor
from ..errors import run
from ..exports import Col, Sheet, stream, xlsx_response
from ..extensions import db
from ..forms import answer_refused
from ..money import written
from ..paging import paginate
from ..permissions import ADMIN, AUDITOR, ROLE_LABELS, roles_required
from . import audit_trail, setting_changes, user_changes
from .blueprint import bp
from .forms import AuditFilterForm, DecideChangeForm, RefuseChangeForm, SettingForm, UserEditForm, UserForm
from .models import (
    FEE_RATE,
    PENDING,
    RATE_TOLERANCE,
    SETTINGS,
    USD_SETTINGS,
    Setting,
    SettingChange,
    UserChange,
)
from .sentences import setting_value


@bp.route("/users")
@roles_required(ADMIN, AUDITOR)
def users():
    if request.args.get("format") == "xlsx":
        cols = [Col(_("Email"), lambda u: u.email), Col(_("Name"), lambda u: u.name),
                Col(_("Role"), lambda u: str(ROLE_LABELS.get(u.role, u.role))),
                Col(_("Donor"), lambda u: u.donor.name if u.donor else ""),
                Col(_("Active"), lambda u: u.active, "bool"),
                Col(_("Last login (UTC)"), lambda u: u.last_login_at, "datetime")]
        return xlsx_response("users", [Sheet(_("Users"), cols, _all_users()), _waiting_sheet(_waiting())],
                             what=_("Users"), user=current_user)
    return _users_page()


def _all_users() -> list[User]:
    return db.session.scalars(sa.select(User).options(sa.orm.joinedload(User.donor))
                              .order_by(User.email)).all()


def _waiting() -> list[user_changes.Proposal]:
    return [user_changes.describe(change) for change in user_changes.waiting_changes()]


def _users_page(refused: dict | None = None):
    """The users page; `refused`: the refusal form of a waiting change that was
    refused (its error beside the reason), by the change's id."""
    return render_template("admin/users.html", users=_all_users(), waiting=_waiting(), refused=refused or {},
                           **_decision_forms())


def _waiting_sheet(waiting: list[user_changes.Proposal]) -> Sheet:
    """The changes waiting for a second admin, in the words of the users page."""
    cols = [Col(_("User"), lambda p: p.change.email if p.new_account else p.change.user.email),
            Col(_("Proposed by"), lambda p: p.change.proposed_by.email),
            Col(_("When (UTC)"), lambda p: p.change.proposed_at, "datetime"),
            Col(_("Changes"), lambda p: "\n".join([c.text for c in p.changes] + p.lines), width=60),
            Col(_("Note"), lambda p: user_changes.stale_change_message() if p.stale else "", width=60)]
    return Sheet(_("Waiting changes"), cols, waiting)


def _decision_forms() -> dict:
    # Blank, even when the page answers a post (a refusal refused shows its own form).
    return {"decide_form": DecideChangeForm(formdata=None), "refuse_form": RefuseChangeForm(formdata=None),
            "active_admins": user_changes.active_admins()}


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_user(user_id: int | None = None):
    user = None
    if user_id is not None:
        user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user) if user is None else UserEditForm(obj=user)
    chosen = wanted_donor() if request.method == "POST" or user is None else user.donor_id
    form.donor_search = offer_donors(form.donor_id, chosen)
    form.timezone.choices = [("", _("Not set: the user's browser sets it at their next login"))] + \
        timezones.choices_with(user.timezone if user else None, get_locale(), clock.today())
    if form.validate_on_submit():
        saved = run(form, lambda: user_changes.submit_user(
            current_user, user, email=form.email.data, name=form.name.data or "", role=form.role.data,
            donor_id=form.donor_id.data or None, active=form.active.data, password=form.password.data,
            version=form.version.data if user is not None else None, timezone=form.timezone.data or None))
        if isinstance(saved, UserChange):
            # Proposed, not saved: nothing changes until another administrator confirms it.
            flash(_("The account is proposed: it is created when another administrator confirms it.")
                  if user is None else
                  _("The change is proposed: nothing changes until another administrator confirms it."),
                  "success")
            if user_changes.active_admins() < 2:
                flash(_("You are the only active administrator: a second administrator is needed to "
                        "confirm it. Whoever runs the server can create one with the command "
                        "flask --app trustfund create-user."), "warning")
            return redirect(url_for("admin.users"))
        if saved is not None:
            flash(_("User %(email)s saved.", email=saved.email), "success")
            return redirect(url_for("admin.users"))
    waiting = None
    if user is not None:
        change = user_changes.waiting_for(user.id)
        waiting = user_changes.describe(change) if change else None
    return render_template("admin/user_form.html", form=form, user=user, waiting=waiting, **_decision_forms())


@bp.route("/user-changes/<int:change_id>/confirm", methods=["POST"], defaults={"decision": "confirm"})
@bp.route("/user-changes/<int:change_id>/refuse", methods=["POST"], defaults={"decision": "refuse"})
@bp.route("/user-changes/<int:change_id>/withdraw", methods=["POST"], defaults={"decision": "withdraw"})
@roles_required(ADMIN)
def decide_user_change(change_id: int, decision: str):
    """Another admin confirms or refuses a waiting user change; its proposer may withdraw it."""
    change = db.session.get(UserChange, change_id) or abort(404)
    form = RefuseChangeForm() if decision == "refuse" else DecideChangeForm()
    operations = {"confirm": lambda: user_changes.confirm(current_user, change_id),
                  "refuse": lambda: user_changes.refuse(current_user, change_id, form.reason.data),
                  "withdraw": lambda: user_changes.withdraw(current_user, change_id)}
    done = run(form, operations[decision]) if form.validate_on_submit() else None
    if done is not None:
        flash({"confirm": _("Change confirmed: it has taken effect."),
               "refuse": _("Change refused: nothing was changed."),
               "withdraw": _("Change withdrawn: nothing was changed.")}[decision], "success")
    elif answer_refused(form, waits=change.status == PENDING,
                        decided=user_changes.already_decided_message()):
        return _users_page({change_id: form})
    return redirect(url_for("admin.users"))


@bp.route("/settings", methods=["GET"])
@roles_required(ADMIN, AUDITOR)
def settings():
    return _settings_page()


def _settings_page(refused: dict | None = None):
    """The settings page; `refused`: the refusal form of a waiting value that was
    refused (its error beside the reason), by the change's id."""
    history = {key: db.session.scalars(sa.select(Setting).where(Setting.key == key)
                                       .order_by(Setting.effective_from.desc())).all()
               for key in SETTINGS}
    confirmed = setting_changes.confirmations([s.id for rows in history.values() for s in rows])
    waiting = [setting_changes.describe(change) for change in setting_changes.waiting_changes()]
    return render_template("admin/settings.html", settings=SETTINGS, history=history, confirmed=confirmed,
                           waiting=waiting, refused=refused or {}, today=clock.today(),
                           setting_value=setting_value, **_decision_forms())


def _setting_help(key: str) -> str:
    """What a setting's value is, beside its field: a fraction, or US dollars."""
    if key == FEE_RATE:
        return _("A fraction: %(example)s means 1%%.", example=written("0.01"))
    if key == RATE_TOLERANCE:
        return _("A fraction: %(example)s means 10%%. A rate typed for a deposit, or as a month's UN rate, "
                 "that differs by more than this from the UN operational rate it is checked against is "
                 "refused.",
                 example=written("0.1"))
    return _("In US dollars.") if key in USD_SETTINGS else ""


@bp.route("/settings/<key>", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_setting(key: str):
    if key not in SETTINGS:
        abort(404)
    form = SettingForm()
    # What the value is, beside its field: the fee rate is a fraction, the others USD.
    form.value.description = _setting_help(key)
    if request.method == "GET":
        form.effective_from.data = clock.today()
        form.version.data = setting_changes.form_version(key)
    if form.validate_on_submit():
        saved = run(form, lambda: setting_changes.propose(
            current_user, key, form.value.data, form.effective_from.data, version=form.version.data))
        if saved is not None:
            flash(_("The new value is proposed: nothing changes until another administrator confirms it."),
                  "success")
            if user_changes.active_admins() < 2:
                flash(_("You are the only active administrator: a second administrator is needed to "
                        "confirm it. Whoever runs the server can create one with the command "
                        "flask --app trustfund create-user."), "warning")
            return redirect(url_for("admin.settings"))
    waiting = setting_changes.waiting_for(key)
    return render_template("admin/setting_form.html", form=form, key=key, label=SETTINGS[key][0],
                           waiting=setting_changes.describe(waiting) if waiting else None)


@bp.route("/setting-changes/<int:change_id>/confirm", methods=["POST"], defaults={"decision": "confirm"})
@bp.route("/setting-changes/<int:change_id>/refuse", methods=["POST"], defaults={"decision": "refuse"})
@bp.route("/setting-changes/<int:change_id>/withdraw", methods=["POST"], defaults={"decision": "withdraw"})
@roles_required(ADMIN)
def decide_setting_change(change_id: int, decision: str):
    """Another admin confirms or refuses a setting's waiting value; its proposer may withdraw it."""
    change = db.session.get(SettingChange, change_id) or abort(404)
    form = RefuseChangeForm() if decision == "refuse" else DecideChangeForm()
    operations = {"confirm": lambda: setting_changes.confirm(current_user, change_id),
                  "refuse": lambda: setting_changes.refuse(current_user, change_id, form.reason.data),
                  "withdraw": lambda: setting_changes.withdraw(current_user, change_id)}
    done = run(form, operations[decision]) if form.validate_on_submit() else None
    if done is not None:
        # A value may be in force from a later day: said as such, not "taken effect".
        flash({"confirm": lambda: setting_changes.confirmed_message(done),
               "refuse": lambda: _("Change refused: nothing was changed."),
               "withdraw": lambda: _("Change withdrawn: nothing was changed.")}[decision](), "success")
    elif answer_refused(form, waits=change.status == PENDING,
                        decided=setting_changes.already_decided_message()):
        return _settings_page({change_id: form})
    return redirect(url_for("admin.settings"))


@bp.route("/audit")
@roles_required(ADMIN, AUDITOR)
def audit():
    form = AuditFilterForm(request.args)
    audit_trail.offer_choices(form)
    form.validate()  # a refused filter is said beside it; the others apply
    query = audit_trail.query(form)
    filters = audit_trail.readable_filters(form)
    if request.args.get("format") == "xlsx":
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        cut = audit_trail.download_cut(total)
        rows = stream(query.limit(audit_trail.DOWNLOAD_LIMIT))
        return xlsx_response("audit", [audit_trail.sheet(rows)], what=_("Audit trail"),
                             user=current_user, filters=filters, notes={_("Left out"): cut} if cut else None)
    page = paginate(query, 50)
    return render_template("admin/audit.html", form=form, page=page, entries=describe_many(page.items),
                           download_cut=audit_trail.download_cut(page.total or 0))

"""The outbox page: what was sent, what waits, what failed; an admin sends again."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import run
from ..extensions import db
from ..paging import paginate
from ..permissions import ADMIN, AUDITOR, roles_required
from .blueprint import bp
from .forms import STATUS_LABELS, OutboxFilterForm, ResendForm
from .models import OutboxMessage
from .sender import shown_error
from .services import resend


@bp.route("/")
@roles_required(ADMIN, AUDITOR)
def outbox():
    form = OutboxFilterForm(request.args)
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if form.validate() and form.status.data:
        query = query.where(OutboxMessage.status == form.status.data)
    page = paginate(query, 50)
    return render_template("mail/outbox.html", form=form, page=page, resend_form=ResendForm(),
                           status_labels=STATUS_LABELS, shown_error=shown_error)


@bp.route("/<int:message_id>/resend", methods=["POST"])
@roles_required(ADMIN)
def resend_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    form = ResendForm()
    if form.validate_on_submit():
        if run(form, lambda: resend(current_user, message)) is not None:
            flash(_("The message to %(address)s will be sent again.", address=message.to_address),
                  "success")
        else:
            for error in form.form_errors:
                flash(error, "danger")
    else:
        flash(_("The form expired or was sent from elsewhere. Reload the page and try again."), "danger")
    return redirect(url_for("mail.outbox"))

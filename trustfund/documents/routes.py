"""Documents: attach one to a record, replace a version, download (with the record's
own access rules: a donor user its own records' only, 404 for anything else)."""
from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import attach, run
from ..extensions import db
from ..once import already_recorded_at, fresh_token, run_once
from ..permissions import DONOR, roles_required
from . import services
from .blueprint import bp
from .forms import FILE_HELP, AttachForm, DownloadForm, ReplaceForm
from .models import Document
from .targets import READERS, TARGETS, WRITERS, may_read, may_write

ATTACH = "document"  # the attach form's one-time token (trustfund.submissions)


def _record_or_404(target_name: str, object_id: int):
    target = TARGETS.get(target_name)
    obj = target.load(object_id) if target else None
    if obj is None or not may_read(current_user, target, target.donor_of(obj)):
        abort(404)
    return target, obj


def _document_or_404(document_id: int):
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    target, obj = _record_or_404(document.object_type, document.object_id)
    if current_user.role == DONOR and document.replaced_by is not None:
        abort(404)  # a donor reads the versions in force; staff and the auditor every one
    return document, target, obj


def _upload():
    """The uploaded file's name and bytes (no file: None, a message beside the field)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    # Read one byte past the limit: enough to refuse, never the whole of a huge upload.
    try:
        return upload.filename, upload.stream.read(limit + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file


def _help() -> str:
    return str(FILE_HELP) % {"size": f"{current_app.config['DOCUMENT_MAX_BYTES'] / (1024 * 1024):g}"}


@bp.route("/<target_name>/<int:object_id>/new", methods=["GET", "POST"])
@roles_required(*WRITERS)
def new(target_name: str, object_id: int):
    target, obj = _record_or_404(target_name, object_id)
    if not may_write(current_user, target):
        abort(403)
    form = AttachForm()
    form.kind.choices = [("", _("Choose…"))] + [(k, str(label))
                                                 for k, label in services.attachable_kinds(target).items()]
    if form.validate_on_submit():
        upload, limit = _upload(), current_app.config["DOCUMENT_MAX_BYTES"]
        problems = services.attach_problems(target, kind=form.kind.data, title=form.title.data, upload=upload,
                                            max_bytes=limit)
        for problem in problems:
            attach(form, problem)
        if not problems:
            filename, data = upload
            done = run_once(form, ATTACH, lambda: services.attach(
                current_user, target, obj, kind=form.kind.data, title=form.title.data, filename=filename,
                data=data, max_bytes=limit))
            if done is not None and done.repeated:
                return already_recorded_at(target.page(obj))
            if done is not None:
                flash(_("Document attached."), "success")
                return redirect(target.page(obj))
    fresh_token(form, ATTACH)
    return render_template("documents/new.html", form=form, target=target, obj=obj,
                           back=target.page(obj), file_help=_help())


@bp.route("/<int:document_id>/replace", methods=["GET", "POST"])
@roles_required(*WRITERS)
def replace(document_id: int):
    document, target, obj = _document_or_404(document_id)
    if not may_write(current_user, target):
        abort(403)
    if document.issued:
        flash(str(services.issued_refusal()), "warning")
        return redirect(target.page(obj))
    form = ReplaceForm()
    if form.validate_on_submit():
        upload, limit = _upload(), current_app.config["DOCUMENT_MAX_BYTES"]
        problems = services.replace_problems(reason=form.reason.data, upload=upload, max_bytes=limit)
        for problem in problems:
            attach(form, problem)
        if not problems:
            filename, data = upload
            done = run(form, lambda: services.replace(
                current_user, target, obj, document, filename=filename, data=data, reason=form.reason.data,
                max_bytes=limit))
            if done is not None:
                flash(_("New version attached; the older one is kept."), "success")
                return redirect(target.page(obj))
    return render_template("documents/replace.html", form=form, document=document, target=target, obj=obj,
                           back=target.page(obj), file_help=_help())


@bp.route("/<int:document_id>/download", methods=["POST"])
@roles_required(*READERS)
def download(document_id: int):
    document, target, _obj = _document_or_404(document_id)
    form = DownloadForm()
    if not form.validate_on_submit():
        abort(400)
    data = services.content_of(document)
    if current_user.role == DONOR:
        services.record_download(current_user, target, document)
        db.session.commit()
    response = send_file(io.BytesIO(data), mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

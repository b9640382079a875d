"""What the records' pages show of their documents: a block each page includes with
{{ documents_block('donor', donor.id) }} (templates/documents/_block.html), and the
donor portal's list. Template globals, so that the pages of features below documents
in the layers show them without importing it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_login import current_user

from . import services
from .forms import DownloadForm
from .models import Document
from .targets import TARGETS, Target, may_read, may_write


@dataclass
class Attached:
    """A document as a page lists it: the version in force and the older ones."""

    current: Document
    older: list[Document] = field(default_factory=list)


@dataclass
class Block:
    target: Target
    object_id: int
    documents: list[Attached]
    can_attach: bool
    form: Any
    kinds: dict


def documents_block(target_name: str, object_id: int, donor_id: int | None = None) -> Block | None:
    target = TARGETS[target_name]
    if not current_user.is_authenticated or not may_read(current_user, target, donor_id):
        return None
    versions = services.documents_of(target_name, object_id)  # newest first
    by_id = {d.id: d for d in versions}
    replaced = {d.replaces_id for d in versions if d.replaces_id}
    listed = []
    for document in versions:
        if document.id in replaced:
            continue
        older, step = [], document.replaces_id
        while step in by_id:
            older.append(by_id[step])
            step = by_id[step].replaces_id
        listed.append(Attached(document, older))
    return Block(target, object_id, listed, may_write(current_user, target), DownloadForm(), target.kinds)


def donor_documents(donor_id: int) -> list[tuple[Document, Any]]:
    """The donor's documents in force with the label of their kind, for its portal."""
    return [(d, TARGETS[d.object_type].kinds.get(d.kind, d.kind)) for d in services.donor_documents(donor_id)]


def register(app) -> None:
    app.jinja_env.globals["documents_block"] = documents_block
    app.jinja_env.globals["donor_documents"] = donor_documents
    app.jinja_env.globals["download_form"] = DownloadForm

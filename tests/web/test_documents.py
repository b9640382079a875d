"""Documents attached to records (issue 19): each accepted type stored in the database
and read back byte for byte; each refused kind refused beside the field with nothing
written; downloads with the record's access rules (another donor's: 404, and no audit
entry), as attachments with the stored type and nosniff; versions replaced with a
reason and kept; a donor's download in the audit trail; a backup carries the files."""
from __future__ import annotations

import html as html_module
import re

import pytest
import sqlalchemy as sa

from tests.factories import documents as files
from tests.factories import statements as data
from tests.factories.travel import make_event, make_request
from tests.pages import error_beside
from tests.security.helpers import changed_counts, table_counts
from trustfund.audit import AuditEntry
from trustfund.documents.models import Document, DocumentContent
from trustfund.extensions import db

ACCEPTED = {
    "pdf": (files.pdf(pages=2), "Signed SAA.pdf", "application/pdf"),
    "png": (files.png(), "scan.png", "image/png"),
    "jpeg": (files.jpeg(), "photo.JPEG", "image/jpeg"),
    "xlsx": (files.xlsx(), "advice.xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": (files.docx(), "letter.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def _attach(client, target: str, object_id: int, content: bytes, filename: str, kind: str = "other",
            title: str = "A paper"):
    return files.post_file(client, f"/documents/{target}/{object_id}/new", content, filename,
                           kind=kind, title=title)


def _download(client, document_id: int):
    return client.post(f"/documents/{document_id}/download")


def _only_document() -> Document:
    return db.session.scalar(sa.select(Document).order_by(Document.id.desc()))


@pytest.mark.parametrize("kind", list(ACCEPTED))
def test_each_accepted_type_is_stored_and_read_back_byte_for_byte(client, login_as, fund, kind):
    sweden, _evil = fund
    content, filename, content_type = ACCEPTED[kind]
    login_as("mptf_officer")
    answer = _attach(client, "donor", sweden.id, content, filename, kind="saa", title="The signed SAA")
    assert answer.status_code == 302, error_beside(answer.get_data(as_text=True), "file")
    document = _only_document()
    assert (document.content_type, document.size, document.filename) == (content_type, len(content), filename)
    page = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    assert "The signed SAA" in page and "Signed SAA" in page and filename in page
    for who in ("mptf_officer", "auditor", "donor"):
        login_as(who)
        got = _download(client, document.id)
        assert got.status_code == 200, who
        assert got.data == content
        assert got.headers["Content-Type"].split(";")[0] == content_type
        assert got.headers["Content-Disposition"].startswith("attachment;")
        assert got.headers["X-Content-Type-Options"] == "nosniff"


def test_documents_on_commitments_deposits_reversals_and_grants(client, login_as, fund):
    sweden, _evil = fund
    commitment = data.commitment(sweden, "1000.00", reference="DOC-1")
    deposit = data.deposit(commitment, "500.00")
    reversal = data.reverse(deposit)
    grant = make_request(make_event())
    db.session.commit()
    content = files.pdf()
    login_as("mptf_officer")
    # The form's way back names the record once ("Deposit #7", never "Deposit Deposit #7").
    crumbs = [re.search(r'<li class="breadcrumb-item"><a href="[^"]*">([^<]*)</a>',
                        client.get(f"/documents/deposit/{d.id}/new").get_data(as_text=True)).group(1)
              for d in (deposit, reversal)]
    assert crumbs == [f"Deposit #{deposit.id}",
                      html_module.escape(f"Deposit #{reversal.id}, the reversal of #{deposit.id}")]
    for target, obj, kind, page in (
            ("commitment", commitment, "agreement", f"/contributions/commitments/{commitment.id}"),
            ("deposit", deposit, "bank_advice", f"/contributions/deposits/{deposit.id}"),
            ("deposit", reversal, "bank_advice", f"/contributions/deposits/{reversal.id}")):
        answer = _attach(client, target, obj.id, content, "advice.pdf", kind=kind, title=f"Paper of {target}")
        assert answer.status_code == 302 and answer.headers["Location"].endswith(page)
        assert f"Paper of {target}" in client.get(page).get_data(as_text=True)
    # Travel grants are SRSG staff's: an officer may not attach there, SRSG staff may.
    assert _attach(client, "grant", grant.id, content, "note.pdf", kind="note_verbale").status_code == 403
    login_as("srsg_staff")
    assert _attach(client, "donor", sweden.id, content, "x.pdf", kind="saa").status_code == 403
    answer = _attach(client, "grant", grant.id, content, "note.pdf", kind="note_verbale",
                     title="Note verbale")
    assert answer.status_code == 302
    assert "Note verbale" in client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    # A donor's documents include its commitments' and deposits', never a grant's.
    documents = db.session.scalars(sa.select(Document).order_by(Document.id)).all()
    assert [d.donor_id for d in documents] == [sweden.id, sweden.id, sweden.id, None]
    login_as("donor")
    assert _download(client, documents[-1].id).status_code == 404
    portal = client.get("/statements/portal").get_data(as_text=True)
    assert portal.count('class="document"') == 3


REFUSED = {
    "a PNG renamed .pdf": (files.png(), "scan.pdf", "does not match its content"),
    "HTML renamed .pdf": (files.HTML, "statement.pdf", "cannot be attached"),
    "an SVG": (files.SVG, "logo.svg", "cannot be attached"),
    "0 bytes": (b"", "empty.pdf", "The file is empty."),
    "11 MB": (files.pdf()[:-6] + b"0" * (11 * files.MB) + b"%%EOF\n", "big.pdf", "larger than 10 MB"),
    "an encrypted PDF": (files.pdf(password="secret"), "locked.pdf", "encrypted"),
    "a malformed PDF": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf", "damaged"),
    "a PDF with JavaScript": (files.pdf(script=True), "script.pdf", "runs a script"),
    "a PDF that acts when opened": (files.open_action_pdf(), "action.pdf", "runs a script"),
    "a PDF with a script on its first page": (files.page_script_pdf(), "page.pdf", "runs a script"),
    "a PDF with a link that runs a script": (files.link_script_pdf(), "link.pdf", "runs a script"),
    "a PDF whose XFA form runs a script": (files.xfa_pdf(), "form.pdf", "runs a script"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_each_refused_kind_is_refused_beside_the_field_with_nothing_written(client, login_as, fund, case):
    sweden, _evil = fund
    content, filename, message = REFUSED[case]
    login_as("mptf_officer")
    before = table_counts(db)
    answer = _attach(client, "donor", sweden.id, content, filename, kind="saa", title="Refused")
    assert answer.status_code == 200
    assert message in error_beside(answer.get_data(as_text=True), "file")
    assert changed_counts(before, table_counts(db)) == {}


def test_a_pdf_that_opens_at_its_first_page_is_attached(client, login_as, fund):
    """Opening at a page (/OpenAction [page /Fit], as pdfTeX writes it) is no script."""
    sweden, _evil = fund
    login_as("mptf_officer")
    answer = _attach(client, "donor", sweden.id, files.opens_at_first_page_pdf(), "report.pdf", kind="saa",
                     title="Signed SAA")
    assert answer.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_a_missing_title_kind_or_file_is_refused_beside_its_field(client, login_as, fund):
    sweden, _evil = fund
    login_as("mptf_officer")
    before = table_counts(db)
    page = _attach(client, "donor", sweden.id, files.pdf(), "a.pdf", kind="saa", title="  ").get_data(
        as_text=True)
    assert "Give the document a title." in error_beside(page, "title")
    page = _attach(client, "donor", sweden.id, files.pdf(), "a.pdf", kind="ticket").get_data(as_text=True)
    assert error_beside(page, "kind")
    page = client.post(f"/documents/donor/{sweden.id}/new", data={"kind": "saa", "title": "x"},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose the file to attach." in error_beside(page, "file")
    assert changed_counts(before, table_counts(db)) == {}


def test_a_form_sent_empty_or_wrong_in_every_field_says_so_beside_each_at_once(client, login_as, fund):
    """Corrected in one round: the attach form sent empty has its kind, title and file
    refused together; with a file of a refused type, that too is said with the others;
    a new version sent without reason nor file, both."""
    sweden, _evil = fund
    login_as("mptf_officer")
    _attach(client, "donor", sweden.id, files.pdf(), "saa-v1.pdf", kind="saa", title="Signed SAA")
    old = _only_document()
    before = table_counts(db)
    page = client.post(f"/documents/donor/{sweden.id}/new", data={"kind": "", "title": ""},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert error_beside(page, "kind") == "Choose the kind of document."
    assert error_beside(page, "title") == "Give the document a title."
    assert error_beside(page, "file") == "Choose the file to attach."
    page = _attach(client, "donor", sweden.id, files.HTML, "a.pdf", kind="", title="").get_data(as_text=True)
    assert error_beside(page, "kind") and error_beside(page, "title")
    assert "cannot be attached" in error_beside(page, "file")
    page = client.post(f"/documents/{old.id}/replace", data={"reason": ""},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert error_beside(page, "reason") == "Say why the document is replaced."
    assert error_beside(page, "file") == "Choose the file to attach."
    assert changed_counts(before, table_counts(db)) == {}


def test_the_size_limit_is_a_setting(another_app, db, fund):
    from tests.factories import base_users

    sweden, _evil = fund
    app = another_app(DOCUMENT_MAX_BYTES=2 * files.MB)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = base_users()["mptf_officer"].get_id()
    answer = _attach(client, "donor", sweden.id, files.png() + bytes(2 * files.MB), "a.png", kind="saa")
    assert "larger than 2 MB" in error_beside(answer.get_data(as_text=True), "file")
    answer = _attach(client, "donor", sweden.id, files.png() + bytes(2 * files.MB - 100), "a.png", kind="saa")
    assert answer.status_code == 302


def test_another_donors_document_answers_404_and_leaves_no_audit_entry(client, login_as, fund):
    sweden, evil = fund
    login_as("mptf_officer")
    assert _attach(client, "donor", evil.id, files.pdf(), "theirs.pdf", kind="saa").status_code == 302
    theirs = _only_document()
    assert _attach(client, "donor", sweden.id, files.pdf(), "ours.pdf", kind="saa").status_code == 302
    ours = _only_document()
    login_as("donor")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for url in (f"/documents/{theirs.id}/download", f"/documents/{theirs.id + 1000}/download"):
        assert client.post(url).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before
    assert "theirs.pdf" not in client.get("/statements/portal").get_data(as_text=True)
    # Its own: downloaded, and the download is in the audit trail.
    assert _download(client, ours.id).status_code == 200
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.action, entry.object_type, entry.object_id) == (
        "document.download", "Donor", str(sweden.id))
    # A donor cannot attach, nor see the attach page.
    assert _attach(client, "donor", sweden.id, files.pdf(), "x.pdf", kind="saa").status_code == 403


def test_a_replaced_version_is_kept_readable_by_staff_and_the_auditor(client, login_as, fund):
    sweden, _evil = fund
    first, second = files.pdf(pages=1), files.pdf(pages=3)
    login_as("mptf_officer")
    _attach(client, "donor", sweden.id, first, "saa-v1.pdf", kind="saa", title="Signed SAA")
    old = _only_document()
    before = table_counts(db)
    page = files.post_file(client, f"/documents/{old.id}/replace", second, "saa-v2.pdf", reason="")
    assert "Say why the document is replaced." in error_beside(page.get_data(as_text=True), "reason")
    page = files.post_file(client, f"/documents/{old.id}/replace", files.HTML, "saa-v2.pdf",
                           reason="Signed copy")
    assert "cannot be attached" in error_beside(page.get_data(as_text=True), "file")
    assert changed_counts(before, table_counts(db)) == {}
    answer = files.post_file(client, f"/documents/{old.id}/replace", second, "saa-v2.pdf",
                             reason="The countersigned copy")
    assert answer.status_code == 302
    new = _only_document()
    assert (new.replaces_id, new.title, new.kind, new.reason) == (
        old.id, "Signed SAA", "saa", "The countersigned copy")
    # Replaced once: a second replacement of the old version is refused, nothing written.
    before = table_counts(db)
    again = files.post_file(client, f"/documents/{old.id}/replace", second, "saa-v3.pdf", reason="Again")
    assert "already been replaced" in again.get_data(as_text=True)
    assert changed_counts(before, table_counts(db)) == {}
    page = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    assert "saa-v2.pdf" in page and "saa-v1.pdf" in page and "Older version" in page
    assert ("Document “Signed SAA” replaced by mptf_officer with a new version, saa-v2.pdf; the older one, "
            "saa-v1.pdf, is kept.") in re.sub(r"\s+", " ", page)
    for who in ("mptf_officer", "auditor"):
        login_as(who)
        assert _download(client, old.id).data == first
        assert _download(client, new.id).data == second
    login_as("donor")
    assert _download(client, old.id).status_code == 404
    assert _download(client, new.id).data == second
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentContent)) == 2


def test_a_download_is_an_attachment_with_a_safe_name(client, login_as, fund):
    sweden, _evil = fund
    login_as("mptf_officer")
    name = "..\\..\\etc/evil\u202e; X-Injected=1.pdf"
    assert _attach(client, "donor", sweden.id, files.pdf(), name, kind="saa").status_code == 302
    got = _download(client, _only_document().id)
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and "\\" not in disposition and "etc" not in disposition
    assert "%E2%80%AE" not in disposition  # the right-to-left override is gone
    assert "X-Injected" not in got.headers
    assert _only_document().filename == "evil X-Injected=1.pdf"
    assert got.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize("name", [" .pdf", "\x00.pdf", "\u200b.pdf"])
def test_a_name_that_is_only_its_extension_is_offered_as_a_document_with_it(client, login_as, fund, name):
    """Nothing of the name is left but its extension once cleaned: the download is
    "document.pdf" (it was "pdf", without an extension to open it by)."""
    sweden, _evil = fund
    login_as("mptf_officer")
    assert _attach(client, "donor", sweden.id, files.pdf(), name, kind="saa").status_code == 302
    assert _only_document().filename.lower() == "document.pdf"
    disposition = _download(client, _only_document().id).headers["Content-Disposition"]
    assert disposition.lower() == "attachment; filename=document.pdf"


def test_a_download_needs_a_post(client, login_as, fund):
    sweden, _evil = fund
    login_as("mptf_officer")
    _attach(client, "donor", sweden.id, files.pdf(), "a.pdf", kind="saa")
    assert client.get(f"/documents/{_only_document().id}/download").status_code == 405


def test_lists_never_load_the_content(client, login_as, fund):
    """The donor's page and the portal read the metadata only: no query selects the bytes."""
    from tests.sql_log import get_logged

    sweden, _evil = fund
    login_as("mptf_officer")
    _attach(client, "donor", sweden.id, files.pdf(), "a.pdf", kind="saa", title="Listed")
    for who, path in (("mptf_officer", f"/donors/{sweden.id}"), ("donor", "/statements/portal")):
        login_as(who)
        html, seen = get_logged(client, path)
        assert "Listed" in html
        assert [s for s in seen if "document" in s] and not [s for s in seen if "document_content" in s]


def test_backup_and_restore_carry_the_files(tmp_path):
    """`flask backup` copies the documents with their records; `flask restore` brings
    them back byte for byte (SQLite; PostgreSQL's pg_dump carries bytea the same way)."""
    from flask_migrate import stamp

    from tests.factories import base_users, seed_base
    from trustfund import create_app
    from trustfund.documents import services
    from trustfund.documents.targets import TARGETS
    from trustfund.donors.models import Donor

    path = tmp_path / "live.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    content = files.pdf(pages=4) + b"%" + bytes(range(256)) * 100  # bytes of every value
    try:
        with app.app_context():
            db.create_all()
            stamp()
            seed_base()
            sweden = db.session.scalar(sa.select(Donor))
            kept = services.attach(base_users()["mptf_officer"], TARGETS["donor"], sweden, kind="saa",
                                   title="Signed SAA", filename="saa.pdf", data=content, max_bytes=files.MB)
            db.session.commit()
            kept_id = kept.id
        runner = app.test_cli_runner()
        backup_file = tmp_path / "backup.sqlite3"
        assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
        with app.app_context():  # after the backup: the document is replaced by another
            sweden = db.session.scalar(sa.select(Donor))
            services.replace(base_users()["mptf_officer"], TARGETS["donor"], sweden,
                             db.session.get(Document, kept_id), filename="later.png", data=files.png(),
                             reason="Later", max_bytes=files.MB)
            db.session.commit()
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 2
            db.session.remove()
        result = runner.invoke(args=["restore", str(backup_file), "--yes"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1
            assert services.content_of(db.session.get(Document, kept_id)) == content
            db.session.remove()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_document_sent_twice_is_attached_and_told_once(client, login_as, fund):
    """A double-click on "Attach", or the browser sending the form again: one document,
    one message to the donor's users, and the page says nothing was recorded again."""
    from tests.pages import form_token
    from trustfund.mail.models import OutboxMessage

    sweden, _evil = fund
    login_as("mptf_officer")
    url = f"/documents/donor/{sweden.id}/new"
    token = form_token(client, url)
    for _ in range(2):
        answer = files.post_file(client, url, files.pdf(), "saa.pdf", kind="saa", title="Signed SAA",
                                 form_token=token)
        assert answer.status_code == 302
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Nothing was recorded a second time." in shown
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "document_issued")) == 1


def test_a_new_versions_reason_is_as_long_as_any_other_reason_may_be(client, login_as, fund):
    sweden, _evil = fund
    login_as("mptf_officer")
    _attach(client, "donor", sweden.id, files.pdf(), "saa-v1.pdf", kind="saa", title="Signed SAA")
    old = _only_document()
    before = table_counts(db)
    page = files.post_file(client, f"/documents/{old.id}/replace", files.pdf(), "saa-v2.pdf",
                           reason="x" * 2001).get_data(as_text=True)
    assert error_beside(page, "reason") == "At most 2,000 characters."
    assert changed_counts(before, table_counts(db)) == {}


def test_a_donor_statement_is_only_issued_never_uploaded_or_replaced_by_hand(client, login_as, fund, runner):
    """One officer cannot put a statement of their own making in a donor's portal: the
    kind is not offered, a forged post is refused beside the kind, and an issued
    statement cannot be replaced by a file (the donor would see only the forgery); the
    correction, issuing the period again, still replaces it."""
    sweden, _evil = fund
    login_as("mptf_officer")
    form = client.get(f"/documents/donor/{sweden.id}/new").get_data(as_text=True)
    assert 'value="statement"' not in form and "Donor statement" not in form
    before = table_counts(db)
    forged = _attach(client, "donor", sweden.id, files.pdf(pages=1), "statement.pdf", kind="statement",
                     title="Statement 2017")
    assert error_beside(forged.get_data(as_text=True), "kind")  # not a kind one may choose
    assert changed_counts(before, table_counts(db)) == {}
    result = runner.invoke(args=["issue-statements", "--from", "2017-01-01", "--to", "2017-12-31"])
    assert result.exit_code == 0, result.output
    issued = db.session.scalar(sa.select(Document).where(Document.kind == "statement",
                                                         Document.donor_id == sweden.id))
    page = client.get(f"/donors/{sweden.id}").get_data(as_text=True)
    assert f"/documents/{issued.id}/replace" not in page
    before = table_counts(db)
    refused = client.get(f"/documents/{issued.id}/replace", follow_redirects=True).get_data(as_text=True)
    assert "issue the statement of its period again" in html_module.unescape(refused)
    posted = files.post_file(client, f"/documents/{issued.id}/replace", files.pdf(pages=2), "forged.pdf",
                             reason="Corrected")
    assert posted.status_code == 302
    assert changed_counts(before, table_counts(db)) == {}
    login_as("donor")
    assert _download(client, issued.id).status_code == 200
    assert _download(client, issued.id).data == db.session.get(DocumentContent, issued.id).data
    login_as("mptf_officer")
    again = runner.invoke(args=["issue-statements", "--from", "2017-01-01", "--to", "2017-12-31"])
    assert again.exit_code == 0, again.output
    newer = db.session.scalar(sa.select(Document).where(Document.replaces_id == issued.id))
    assert (newer.kind, newer.reason) == ("statement", "Issued again")

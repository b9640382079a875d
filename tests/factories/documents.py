"""Files to attach (accepted ones, and each kind the documents feature refuses), and
posting them as a browser would (no tests here)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

MB = 1024 * 1024


def pdf(pages: int = 1, password: str | None = None, script: bool = False) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if script:  # a document-level script, in the catalog's /Names tree
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert('hello');")})
        tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("hello"), action])})
        writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def open_action_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def opens_at_first_page_pdf() -> bytes:
    """What pdfTeX (hyperref) and many generators write: open at page 1, fitted. A
    destination, no action."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([page.indirect_reference,
                                                                  NameObject("/Fit")])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


XFA_SCRIPT = (b'<?xml version="1.0"?><xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/">'
              b'<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="form1">'
              b'<event activity="initialize"><script contentType="application/x-javascript">'
              b'app.alert("pwned");</script></event></subform></template></xdp:xdp>')


def xfa_pdf() -> bytes:
    """An XFA form whose XML runs a script when the form opens (no /JS object at all)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(XFA_SCRIPT)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): writer._add_object(stream)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _script() -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                             NameObject("/JS"): TextStringObject("app.alert('pwned');")})


def page_script_pdf() -> bytes:
    """A script run when the first page opens (the page's /AA /O), not the catalog's."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _script()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def link_script_pdf() -> bytes:
    """A link covering the page whose action is a script."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(x) for x in (0, 0, 595, 842)]),
        NameObject("/A"): _script()})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    # The markers a JPEG opens with (SOI, APP0 JFIF) and closes with (EOI).
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + bytes(range(256)) + b"\xff\xd9")


def xlsx() -> bytes:
    wb = Workbook()
    wb.active.append(["Bank advice", 1000])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" '
                   'ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def post_file(client, url: str, data: bytes, filename: str, **fields):
    """Post a multipart form with the file under `file`, as a browser does (an attach
    form with the one-time token of a fresh render of its page, unless given)."""
    if url.endswith("/new") and "form_token" not in fields:
        from tests.pages import form_token

        fields["form_token"] = form_token(client, url)
    # The body is encoded here, in memory: Werkzeug's test client spools a body over
    # 500 KB to a temporary file that it never closes.
    boundary, body = encode_multipart({**fields, "file": FileStorage(io.BytesIO(data), filename=filename)})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")

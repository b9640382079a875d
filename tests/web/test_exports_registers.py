"""Every registered export, present and future (the test loops over
exports.REGISTERS): user text is literal text, figures are numbers, and a donor's
session never receives another donor's data."""
import io
import re

import openpyxl
import pytest
from werkzeug.exceptions import HTTPException

from tests.factories import statements as data
from tests.factories.statements import EVIL
from trustfund.errors import DomainError
from trustfund.exports import REGISTERS, build_workbook

# What only the formula-named donor has: its name's marker, references and figures.
EVIL_MARKS = ("HYPERLINK", "EVIL", "55555555", "487156.77", "440000", "444444.44", "4920.78")


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def _filters(donor):
    return {"donor_id": donor.id, "donor": donor.id, "date_from": None, "date_to": None}


def _workbook(name, filters, user):
    """The register's workbook, or None when it refuses (404/403, or a filter it needs)."""
    try:
        sheets, what = REGISTERS[name].build(dict(filters), user)
        with build_workbook(sheets, what=what, user=user, filters=filters) as handle:
            return openpyxl.load_workbook(io.BytesIO(handle.read()))
    except (HTTPException, DomainError):
        return None


def _cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws, cell


def test_the_register_holds_the_statement_and_portal_exports(app):
    assert {"statement", "my_commitments", "my_deposits", "my_instalments",
            "donor_balances"} <= set(REGISTERS)


def test_a_formula_named_donor_is_literal_text_in_every_export(fund, users):
    _sweden, evil = fund
    built = []
    for name in sorted(REGISTERS):
        wb = _workbook(name, _filters(evil), users["auditor"])
        if wb is None:
            continue
        built.append(name)
        for ws, cell in _cells(wb):
            assert cell.data_type not in ("f", "e"), (name, ws.title, cell.coordinate, cell.value)
            if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                assert cell.data_type == "s" and EVIL in cell.value, (name, ws.title, cell.coordinate)
        for ws in wb.worksheets:
            header = [c.value for c in ws[1]]
            if ws.title.startswith("About") or "Donor" not in header or ws.max_row < 2:
                continue
            column = header.index("Donor")
            names = {row[column] for row in ws.iter_rows(min_row=2, values_only=True)}
            assert EVIL in names, (name, ws.title, "the donor's name is missing or altered")
    assert {"statement", "my_commitments", "my_deposits", "my_instalments", "donor_balances"} <= set(built)


def test_figures_in_every_export_are_numbers_and_dates_not_text(fund, users):
    _sweden, evil = fund
    number_like = re.compile(r"^-?[\d,]+(\.\d+)?$")
    date_like = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
    for name in sorted(REGISTERS):
        wb = _workbook(name, _filters(evil), users["auditor"])
        if wb is None:
            continue
        for ws, cell in _cells(wb):
            if ws.title.startswith("About") or cell.row == 1 or cell.data_type != "s":
                continue
            assert not number_like.match(cell.value.strip()) or cell.value.startswith("0") \
                or len(cell.value.strip()) > 15, (name, ws.title, cell.coordinate, cell.value)
            assert not date_like.match(cell.value), (name, ws.title, cell.coordinate, cell.value)


def test_a_donor_user_never_receives_another_donors_rows_from_any_register(fund, users):
    """Each builder applies the donor's ownership to its rows, even for a register no
    donor page offers. (The About sheet repeats the filters asked for; the whole
    workbook, About included, is checked below for every download a donor can reach.)"""
    sweden, evil = fund
    donor_user = users["donor"]
    assert donor_user.donor_id == sweden.id
    for name in sorted(REGISTERS):
        wb = _workbook(name, _filters(evil), donor_user)
        if wb is None:
            continue
        text = "\n".join(str(cell.value) for ws, cell in _cells(wb) if not ws.title.startswith("About"))
        for mark in EVIL_MARKS:
            assert mark not in text, (name, mark)


def _donor_reachable_urls(app, sweden, evil):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "allowed_roles", None)
        if rule.endpoint == "static" or roles is None or "donor" not in roles or "GET" not in rule.methods:
            continue
        for donor in (sweden, evil):
            url = re.sub(r"<int:donor_id>", str(donor.id), rule.rule)
            url = re.sub(r"<int:[^>]+>", "1", url)
            url = re.sub(r"<(?:string:)?[^>]+>", "x", url)
            for query in ("format=xlsx", "format=xlsx&list=commitments", "format=xlsx&list=deposits",
                          "format=xlsx&list=instalments"):
                yield f"{url}?{query}&donor_id={evil.id}&donor={evil.id}"


def test_every_download_a_donor_can_reach_holds_only_its_own_money(app, client, login_as, fund):
    sweden, evil = fund
    login_as("donor")
    urls = list(_donor_reachable_urls(app, sweden, evil))
    assert any(u.startswith("/statements/portal") for u in urls)
    downloads = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        body = response.data
        if response.mimetype.endswith("spreadsheetml.sheet"):
            downloads += 1
            wb = openpyxl.load_workbook(io.BytesIO(body))
            body = "\n".join(str(cell.value) for _ws, cell in _cells(wb)).encode()
            assert sweden.name.encode() in body, url
        for mark in EVIL_MARKS:
            assert mark.encode() not in body, (url, mark)
    assert downloads >= 4     # the portal's three lists and the donor's own statement

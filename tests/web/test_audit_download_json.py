"""The audit trail's download gives each entry's values as recorded "for machines and
for checking": as JSON, which a program reads back (they were Python's text of a dict,
`{'objective_id': None}`, which no JSON reader takes; a colleague's review)."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import openpyxl

from tests.factories.contributions import commitment


def test_the_before_and_after_columns_are_json(app, client, login_as):
    commitment("USD", "1000.00", reference="JSON-1")
    login_as("auditor")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/admin/audit?format=xlsx").data))["Audit trail"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    [created] = [r for r in rows if r["Action code"] == "commitment.create"]
    after = json.loads(created["After"])
    assert after["reference"] == "JSON-1" and after["objective_id"] is None
    assert Decimal(after["amount"]) == Decimal("1000.00")
    assert created["Before"] is None  # a creation has no values before

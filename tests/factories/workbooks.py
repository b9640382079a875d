"""Deposits workbooks as officers upload them, for the import's tests."""
from __future__ import annotations

import io

from openpyxl import Workbook


def deposits_workbook(rows, header=("Commitment", "Value date", "Amount"), *,
                      sheet: str = "Deposits") -> bytes:
    """An .xlsx of one sheet: `header`, then `rows` (text such as "#N/A" or "#REF!" is
    written as an Excel error cell, as openpyxl writes it)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

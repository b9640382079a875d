"""One Excel export of every deposit, in a process of its own (bench_export.py runs it).

    python benchmarks/export_worker.py --url URL --mode app|bare

app:  the application's export — the "deposits" register (exports.REGISTERS) when
      there is one, else exports.build_workbook() with the deposit columns — as
      the page's "Download .xlsx" builds it.
new-cells: the same, with a new cell for every value through openpyxl's own
      append path (what the export falls back to should openpyxl's private
      _values_to_row stop working as exports.reuse_cells() expects).
bare: the same rows (a plain SQL query of the same columns) written by openpyxl's
      write-only mode with nothing else: the reference.
Prints one JSON line: rows, seconds (query and workbook, not start-up), bytes,
peak resident memory of the process (VmHWM: not ru_maxrss, which Linux keeps
across execve, so that a worker started by a large parent reported the parent's
peak) and the resident memory before the export began.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    return _status_mb("VmRSS")


def peak_mb() -> float:
    """This process's own peak resident memory (its address space's high-water mark,
    new at execve); where /proc gives none, ru_maxrss, which may include the parent's
    peak: too high rather than a budget met by a missing figure."""
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def deposit_rows():
    """The deposit list's columns, as plain tuples, newest first."""
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased

    from trustfund.auth.models import User
    from trustfund.contributions.models import Commitment, Deposit, Objective, Pool
    from trustfund.donors.models import Donor
    from trustfund.extensions import db

    reversal = aliased(Deposit)
    recorder = aliased(User)
    query = (
        sa.select(
            Deposit.id,
            Deposit.value_date,
            Donor.name,
            Commitment.reference,
            Objective.number,
            Deposit.currency,
            Deposit.amount,
            Deposit.rate,
            Deposit.usd_amount,
            Deposit.fee_rate,
            Deposit.fee,
            Deposit.net,
            Deposit.bank_reference,
            Deposit.reverses_id,
            reversal.id,
            reversal.value_date,
            Deposit.reason,
            Deposit.separate_note,
            Deposit.created_at,
            sa.func.coalesce(sa.func.nullif(recorder.name, ""), recorder.email),
        )
        .join(Donor, Deposit.donor_id == Donor.id)
        .join(Commitment, Deposit.commitment_id == Commitment.id)
        .join(Pool, Deposit.pool_id == Pool.id)
        .outerjoin(Objective, Pool.objective_id == Objective.id)
        .outerjoin(reversal, reversal.reverses_id == Deposit.id)
        .outerjoin(recorder, recorder.id == Deposit.created_by_id)
        .order_by(Deposit.value_date.desc(), Deposit.id.desc())
    )
    return db.session.execute(query.execution_options(yield_per=2000))


HEADERS = [
    "Deposit",
    "Value date",
    "Donor",
    "Commitment",
    "Earmarking",
    "Currency",
    "Amount",
    "Rate",
    "USD",
    "Fee rate",
    "Fee",
    "Net",
    "Bank reference",
    "Reverses deposit",
    "Reversed by deposit",
    "Reversed on",
    "Reason",
    "Separate transfer",
    "Recorded (UTC)",
    "Recorded by",
]


def bare() -> tuple[int, int]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Deposits")
    ws.append(HEADERS)
    count = 0
    for row in deposit_rows():
        ws.append(
            [
                row[0],
                row[1],
                row[2],
                row[3] or f"#{row[0]}",
                f"Objective {row[4]}" if row[4] else "Un-earmarked",
                *row[5:],
            ]
        )
        count += 1
    with tempfile.TemporaryFile() as handle:
        wb.save(handle)
        return count, handle.tell()


def app_export() -> tuple[int, int, str]:
    from trustfund import exports

    if "deposits" in exports.REGISTERS:
        sheets, what = exports.REGISTERS["deposits"].build({}, None)
        how = "exports.REGISTERS['deposits']"
    else:
        from trustfund.exports import Col, Sheet

        cur = lambda r: r[5]  # noqa: E731  (a column reader, like the registers)
        columns = [
            Col("Deposit", lambda r: r[0], "int"),
            Col("Value date", lambda r: r[1], "date"),
            Col("Donor", lambda r: r[2]),
            Col("Commitment", lambda r: r[3] or f"#{r[0]}"),
            Col("Earmarking", lambda r: f"Objective {r[4]}" if r[4] else "Un-earmarked"),
            Col("Currency", cur),
            Col("Amount", lambda r: r[6], "money", currency_of=cur),
            Col("Rate", lambda r: r[7], "rate"),
            Col("USD", lambda r: r[8], "money", currency="USD"),
            Col("Fee rate", lambda r: r[9], "rate"),
            Col("Fee", lambda r: r[10], "money", currency="USD"),
            Col("Net", lambda r: r[11], "money", currency="USD"),
            Col("Bank reference", lambda r: r[12]),
            Col("Reverses deposit", lambda r: r[13], "int"),
            Col("Reversed by deposit", lambda r: r[14], "int"),
            Col("Reversed on", lambda r: r[15], "date"),
            Col("Reason", lambda r: r[16]),
            Col("Separate transfer", lambda r: r[17]),
        ]
        sheets, what = [Sheet("Deposits", columns, deposit_rows())], "Deposits"
        how = "exports.build_workbook with the deposit columns (no 'deposits' register yet)"
    counted = []
    for sheet in sheets:  # count the rows as they stream through
        rows = sheet.rows
        sheet.rows = _counting(rows, counted) if sheet is sheets[0] else rows
    handle = exports.build_workbook(sheets, what=what, user=None, filters={})
    size = handle.seek(0, 2)
    handle.close()
    return len(counted), size, how


def _counting(rows, counted):
    for row in rows:
        counted.append(None)
        yield row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=("app", "bare", "new-cells"), required=True)
    args = parser.parse_args()
    from common import make_app

    app = make_app(args.url)
    with app.test_request_context():
        from trustfund.extensions import db

        db.session.execute(__import__("sqlalchemy").text("SELECT 1"))
        before = rss_mb()
        began = time.perf_counter()
        if args.mode == "new-cells":
            from trustfund import exports

            exports.reuse_cells = lambda: False
            rows, size, how = app_export()
            how += ", a new cell per value"
        elif args.mode == "app":
            rows, size, how = app_export()
        else:
            rows, size = bare()
            how = "openpyxl write-only, plain rows"
        seconds = time.perf_counter() - began
    peak = peak_mb()
    print(
        json.dumps(
            {
                "mode": args.mode,
                "how": how,
                "rows": rows,
                "seconds": seconds,
                "bytes": size,
                "peak_mb": peak,
                "start_mb": before,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Excel export of every deposit (100,000 at scale 100): the app's export beside bare
openpyxl write-only mode writing the same rows, in the same run.

    .venv/bin/python benchmarks/bench_export.py [--scale 100] [--repeat 1]
        [--backends sqlite,postgresql] [--pg-url URL] [--no-write]

Each export runs in a fresh process (export_worker.py), app and bare in turn,
`--repeat` times each; the fastest run of each counts (the machine is shared,
so the minimum is the least disturbed figure). Reported: rows, wall time of the
query and workbook (start-up excluded), CPU time of the whole process, rows per
second, peak resident memory of the process (its VmHWM, start-up included) and
file size. Budget: the app's rows per second ≥ 0.9 × bare openpyxl's, and the
export process's peak memory ≤ 250 MB. For information, the export with a new
cell per value (its fallback, should openpyxl's private _values_to_row change:
exports.reuse_cells). Writes docs/performance.md section "export".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import PYTHON, ROOT, header, log, postgres, sqlite_db, write_section

WORKER = Path(__file__).resolve().parent / "export_worker.py"
RATIO_BUDGET = 0.9
MEMORY_BUDGET_MB = 250
BUDGETS: list[str] = []  # the last run's budget lines, for run_all.py


def run_worker(url: str, mode: str) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = subprocess.run(
        [PYTHON, str(WORKER), "--url", url, "--mode", mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"export worker ({mode}) failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["process_seconds"] = time.perf_counter() - began
    data["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log(
        f"    {mode}: {data['rows']:,} rows in {data['seconds']:.1f} s "
        f"(CPU {data['cpu_seconds']:.1f} s for the process), peak {data['peak_mb']:.0f} MB"
    )
    return data


def measure(url: str, repeat: int) -> dict[str, dict]:
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for mode in ("bare", "app", "new-cells"):
            data = run_worker(url, mode)
            if mode not in best or data["seconds"] < best[mode]["seconds"]:
                best[mode] = data
            best[mode]["peak_mb"] = max(best[mode]["peak_mb"], data["peak_mb"])
    return best


def rows_table(results: dict[str, dict[str, dict]]) -> str:
    BUDGETS.clear()
    lines = [
        "| Backend | Export | Rows | Wall s | Rows/s | CPU s (process) | Peak MB (process) "
        "| File MB | Budget |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, best in results.items():
        bare, app = best["bare"], best["app"]
        bare_rate = bare["rows"] / bare["seconds"]
        app_rate = app["rows"] / app["seconds"]
        ratio = app_rate / bare_rate
        cpu_ratio = (bare["cpu_seconds"] / app["cpu_seconds"]) if app["cpu_seconds"] else 0
        misses = []
        if ratio < RATIO_BUDGET:
            misses.append(f"{ratio:.3f} of bare openpyxl's rows/s (CPU time: {cpu_ratio:.3f})")
        if app["peak_mb"] > MEMORY_BUDGET_MB:
            misses.append(f"peak {app['peak_mb']:.0f} MB")
        verdict = (
            f"met ({ratio:.3f} of bare; CPU time {cpu_ratio:.3f})"
            if not misses
            else "**not met**: " + "; ".join(misses)
        )
        BUDGETS.append(f"{'met' if not misses else 'NOT MET'}: export, {backend}: {ratio:.3f} of bare "
                       f"openpyxl's rows/s (budget {RATIO_BUDGET}), peak {app['peak_mb']:.0f} MB "
                       f"(budget {MEMORY_BUDGET_MB} MB)")
        fallback = best.get("new-cells")
        rows_of = [(f"app: {app['how']}", app, verdict), ("bare openpyxl write-only", bare, "reference")]
        if fallback:
            rows_of.append((f"app: {fallback['how']}", fallback,
                            f"information: {fallback['rows'] / fallback['seconds'] / bare_rate:.3f} of bare"))
        for label, data, cell in rows_of:
            lines.append(
                f"| {backend} | {label} | {data['rows']:,} | {data['seconds']:.1f} | "
                f"{data['rows'] / data['seconds']:,.0f} | {data['cpu_seconds']:.1f} | "
                f"{data['peak_mb']:.0f} | {data['bytes'] / 1e6:.1f} | {cell} |"
            )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results: dict[str, dict[str, dict]] = {}
    if "sqlite" in backends:
        log("SQLite:")
        url, _ = sqlite_db(args.scale)
        results["SQLite"] = measure(url, args.repeat)
    if "postgresql" in backends:
        log("PostgreSQL:")
        with postgres(args.scale, args.pg_url) as (url, _):
            results["PostgreSQL"] = measure(url, args.repeat)
    argv_text = " ".join(argv if argv is not None else sys.argv[1:])
    load = os.getloadavg()[0]
    body = "\n".join(
        [
            header(f"python benchmarks/bench_export.py {argv_text}".strip()),
            "",
            f"Every deposit of `seed-demo --scale {args.scale}`, each export in a fresh process, app and "
            f"bare in turn, best of {args.repeat}. Load average when done: {load:.1f} (a shared machine: "
            "wall times stretch under load; CPU times less so).",
            "",
            rows_table(results),
            "",
            f"Budget: the app's rows per second ≥ {RATIO_BUDGET} × bare openpyxl's in the same run; the "
            f"export process's peak resident memory ≤ {MEMORY_BUDGET_MB} MB.",
        ]
    )
    if args.no_write:
        print(body)
    else:
        write_section("export", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Every benchmark with a budget, one after the other, on one scale-N SQLite database
and one throwaway PostgreSQL server seeded once (`make bench`); then each budget,
met or not, with its figure.

    .venv/bin/python benchmarks/run_all.py [--scale 100] [--quick]

--quick: fewer requests and a one-minute working day (a smoke run of the harness;
it writes nothing).
Each benchmark writes its own section of docs/performance.md. The working day
changes the PostgreSQL database: it runs last. (bench_http.py, requests per second
of a warm dashboard beside a hello-world app, is information and not run here.)
"""

from __future__ import annotations

import argparse
import time

import bench_export
import bench_import
import bench_load
import bench_pages
from common import header, log, postgres, sqlite_db, write_section


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    scale = str(args.scale)
    began = time.perf_counter()
    quiet = ["--no-write"] if args.quick else []
    log("Scale databases:")
    _url, sqlite_seconds = sqlite_db(args.scale)
    with postgres(args.scale) as (pg_url, pg_seconds):
        seeding = [f"| SQLite | {sqlite_seconds or 0:.1f} |", f"| PostgreSQL | {pg_seconds:.1f} |"]
        if not args.quick:
            write_section(
                "seed",
                "\n".join(
                    [
                        header(f"python benchmarks/run_all.py --scale {scale}"),
                        "",
                        (f"`flask --app trustfund seed-demo --scale {scale}` on an empty database "
                         "(schema by create_all), wall time of the whole command (the SQLite database "
                         "is built once and reused while the schema and the generator are unchanged; "
                         "the time is its build's):"),
                        "",
                        "| Backend | Seconds |",
                        "|---|---|",
                        *seeding,
                    ]
                ),
            )
        common = ["--scale", scale, "--backends", args.backends, "--pg-url", pg_url, *quiet]
        log("\n== Pages ==")
        bench_pages.main(common + (["--requests", "10", "--page-seconds", "4"] if args.quick else []))
        log("\n== Export ==")
        bench_export.main(common)
        if "postgresql" in args.backends:
            log("\n== Working day ==")
            bench_load.main(["--scale", scale, "--pg-url", pg_url, *quiet]
                            + (["--minutes", "1", "--users", "20"] if args.quick else []))
        # Last: it imports into databases of its own (on the same PostgreSQL server).
        log("\n== Import ==")
        bench_import.main(["--backends", args.backends, "--pg-url", pg_url, *quiet]
                          + (["--rows", "10000", "--page-rows", "2000"] if args.quick else []))
    log(f"\nAll benchmarks done in {time.perf_counter() - began:.0f} s. Budgets:")
    lines = bench_pages.BUDGETS + bench_export.BUDGETS + bench_load.BUDGETS + bench_import.BUDGETS
    for line in lines:
        log("  " + line)
    if not args.quick:
        write_section("summary", "\n".join(
            [f"**Where it stands** ({header(f'python benchmarks/run_all.py --scale {scale}')}):", ""]
            + [f"- {line}" for line in lines]))
    return 0 if all(line.startswith("met") for line in lines) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Every benchmark, one after the other, on one scale-N SQLite database and one
throwaway PostgreSQL server seeded once (`make bench`).

    .venv/bin/python benchmarks/run_all.py [--scale 100] [--quick]

--quick: fewer requests and shorter loads (a smoke run of the harness).
Each benchmark writes its own section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import time

import bench_export
import bench_http
import bench_import
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
    log("Scale databases:")
    _url, sqlite_seconds = sqlite_db(args.scale)
    with postgres(args.scale) as (pg_url, pg_seconds):
        seeding = [f"| SQLite | {sqlite_seconds or 0:.1f} |", f"| PostgreSQL | {pg_seconds:.1f} |"]
        write_section(
            "seed",
            "\n".join(
                [
                    header(f"python benchmarks/run_all.py --scale {scale}"),
                    "",
                    f"`flask --app trustfund seed-demo --scale {scale}` on an empty database (schema by "
                    "create_all), wall time of the whole command (the SQLite database is built once and "
                    "reused while the schema and the generator are unchanged; the time is its build's):",
                    "",
                    "| Backend | Seconds |",
                    "|---|---|",
                    *seeding,
                ]
            ),
        )
        common = ["--scale", scale, "--backends", args.backends, "--pg-url", pg_url]
        log("\n== Pages ==")
        bench_pages.main(
            common + (["--requests", "10", "--page-seconds", "4"] if args.quick else [])
        )
        log("\n== Export ==")
        bench_export.main(common)
        log("\n== HTTP ==")
        bench_http.main(common + (["--seconds", "5"] if args.quick else []))
        # Last: it imports into databases of its own (on the same PostgreSQL server).
        log("\n== Import ==")
        bench_import.main(["--backends", args.backends, "--pg-url", pg_url]
                          + (["--rows", "10000", "--page-rows", "2000"] if args.quick else []))
    log(f"\nAll benchmarks done in {time.perf_counter() - began:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

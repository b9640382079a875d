"""A bounded HTTP load generator for bench_http.py: `--threads` threads send GET
requests to 127.0.0.1:PORT for `--seconds` seconds, then stop. Prints one JSON
line: requests, successes (HTTP 200), errors, requests per second, latency p50/p95.
Loopback only: the host is fixed to 127.0.0.1."""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time

HOST = "127.0.0.1"


def worker(port: int, path: str, cookie: str, deadline: float, out: list) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    ok = errors = 0
    latencies = []
    conn = None
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
            if response.getheader("Connection", "").lower() == "close" or response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors += 1
            if conn is not None:
                conn.close()
            conn = None
        latencies.append(time.perf_counter() - began)
    if conn is not None:
        conn.close()
    out.append((ok, errors, latencies))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/")
    parser.add_argument("--cookie", default="")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), 120.0)  # bounded whatever is asked
    out: list = []
    began = time.perf_counter()
    deadline = began + seconds
    threads = [
        threading.Thread(target=worker, args=(args.port, args.path, args.cookie, deadline, out))
        for _ in range(args.threads)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ok = sum(o for o, _e, _l in out)
    errors = sum(e for _o, e, _l in out)
    latencies = sorted(x for _o, _e, lat in out for x in lat)

    def pct(f):
        return (
            latencies[min(len(latencies) - 1, int(len(latencies) * f))] * 1000 if latencies else 0.0
        )

    print(
        json.dumps(
            {
                "requests": ok + errors,
                "ok": ok,
                "errors": errors,
                "seconds": elapsed,
                "rps": ok / elapsed,
                "p50_ms": pct(0.5),
                "p95_ms": pct(0.95),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

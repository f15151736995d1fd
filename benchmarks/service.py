"""Benchmark of the review service (a script, not a test): ``POST /api/v1/checks`` of a 40-entity submission
(benchmarks/generate.py) against a real ``egov-rules serve`` process, with save off and on, from 1, 8 and 32
concurrent clients, and the same check in-process, so the service's overhead is a ratio.  Prints Markdown.

    .venv/bin/python benchmarks/service.py                    # SQLite in a temporary directory
    .venv/bin/python benchmarks/service.py --quick            # fewer requests
    .venv/bin/python benchmarks/service.py --db postgresql://USER@HOST/DB   # an empty PostgreSQL database

The clients run on the same machine as the server (they share its cores), so the numbers are a floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import dump, entity_count, generate  # noqa: E402
from service_support import Server, add_users, upgrade  # noqa: E402

PLACEHOLDER = "bench-submission-id"


def submission() -> str:
    data = generate(40)
    data["submission"]["id"] = PLACEHOLDER
    assert entity_count(data) >= 40
    return dump(data)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def in_process(text: str, n: int) -> dict[str, float]:
    """The same check through the library: load, check, render the JSON report."""
    from egov_rules import Checker
    from egov_rules.check import Report
    from egov_rules.reports import RenderOptions, render

    checker = Checker()
    data = text.encode()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = checker.check_bytes(data, "submission.yaml")
        render(Report([result], checker.rulebook), "json", RenderOptions())
        times.append(time.perf_counter() - start)
    return {"rps": n / sum(times), "p50": statistics.median(times) * 1000, "p99": percentile(times, 0.99) * 1000}


def load(srv: Server, text: str, clients: int, total: int, save: bool, run: str) -> dict[str, float]:
    per_client = max(1, total // clients)
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        mine = []
        with srv.client("bench") as c:
            barrier.wait()
            for i in range(per_client):
                body = text.replace(PLACEHOLDER, f"{run}-{k}-{i}").encode()
                start = time.perf_counter()
                r = c.post("/api/v1/checks", content=body, params={"save": str(save).lower()},
                           headers={"Content-Type": "application/yaml"})
                mine.append(time.perf_counter() - start)
                if r.status_code != 200:
                    with lock:
                        errors.append(f"{r.status_code} {r.text[:100]}")
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return {"rps": len(times) / wall, "p50": statistics.median(times) * 1000, "p99": percentile(times, 0.99) * 1000,
            "n": len(times)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an empty database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--requests", type=int, default=400, help="requests per configuration")
    parser.add_argument("--quick", action="store_true", help="100 requests per configuration")
    args = parser.parse_args(argv)
    total = 100 if args.quick else args.requests
    text = submission()
    local_before = in_process(text, total)  # measured before and after the service runs: the machine is shared
    with tempfile.TemporaryDirectory(prefix="egov-bench-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        srv = Server(url, Path(tmp), extra=["--log-level", "warning"])
        srv.tokens = add_users(url, {"bench": ("reviewer", None)})
        srv.start()
        try:
            with srv.client("bench") as c:  # warm-up: rulebook caches, connection pools
                for _ in range(5):
                    c.post("/api/v1/checks", content=text.encode(), headers={"Content-Type": "application/yaml"})
            rows = []
            for save in (False, True):
                for clients in (1, 8, 32):
                    rows.append((save, clients, load(srv, text, clients, total, save, f"s{int(save)}c{clients}")))
        finally:
            srv.stop()
    local = min(local_before, in_process(text, total), key=lambda r: r["p50"])
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite (WAL, synchronous=FULL)"
    print(f"## Service benchmark: POST /api/v1/checks, 40-entity submission ({len(text.encode())} bytes)\n")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, database {backend}; {total} requests per row; clients on the same "
          f"machine; in-process: the better of a run before and one after the service.\n")
    print("| save | clients | req/s | p50 ms | p99 ms | req/s vs in-process | p50 vs in-process |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for save, clients, r in rows:
        print(f"| {'on' if save else 'off'} | {clients} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p99']:.1f} | "
              f"{r['rps'] / local['rps']:.2f} | {r['p50'] / local['p50']:.2f}x |")
    print(f"| in-process (library) | 1 | {local['rps']:.1f} | {local['p50']:.1f} | {local['p99']:.1f} | 1.00 | "
          "1.00x |")
    one = rows[0][2]
    print(f"\nOne client, save off: the service gives {one['rps'] / local['rps']:.2f} of the in-process "
          f"throughput (overhead {one['p50'] - local['p50']:.1f} ms per request at p50).")
    print(json.dumps({"rows": [{"save": s, "clients": c, **r} for s, c, r in rows], "in_process": local}),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where a whole check of the full rulebook spends its time, by submission size (a script, not a test).

    .venv/bin/python benchmarks/scaling.py                        # 40, 400, 4,000 and 40,000 entities
    .venv/bin/python benchmarks/scaling.py --sizes 400,4000 --rules 12

One table row per size, the phases of ``Checker.check_data`` measured inside one whole check (so they add
up): validation and fact building (``Checker.prepare``), the engine (``engine.run``), and findings and the
rest (``check_facts`` less the engine: wording each verdict, review scope, sorting, names, Art 44
decisions); each per entity as well, so a phase whose cost per entity grows with the size shows.  CPU time of
this process (``time.process_time``), median of the runs: steadier than wall time on a shared machine.
With ``--rules N``: the N rules whose engine time per entity grows most between the two largest sizes
(each rule timed alone, the minimum of three runs).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import entity_count, generate  # noqa: E402

from egov_rules.check import Checker  # noqa: E402
from egov_rules.input.load import Document, Limits  # noqa: E402


def document(data: dict[str, Any]) -> Document:
    return Document(source="generated", data=data, positions={}, key_positions={}, format="data")


def timed(function: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent.append(time.process_time() - start)

    return run


def phases(checker: Checker, data: dict[str, Any]) -> tuple[float, float, float, int]:
    """Prepare, engine and whole CPU seconds of one check, and its number of findings."""
    prepared: list[float] = []
    ran: list[float] = []
    prepare, run = checker.prepare, checker.engine.run
    checker.prepare = timed(prepare, prepared)  # type: ignore[method-assign]
    checker.engine.run = timed(run, ran)  # type: ignore[method-assign]
    try:
        start = time.process_time()
        result = checker.check_data(data)
        whole = time.process_time() - start
    finally:
        del checker.prepare, checker.engine.run  # the class's own methods again
    assert result.error is None, result.error
    return prepared[0], ran[0], whole, len(result.findings)


def rule_times(checker: Checker, data: dict[str, Any]) -> dict[str, float]:
    """Each rule's engine time alone, the minimum of three runs on fresh facts (indexes built each time)."""
    best: dict[str, float] = {}
    for _ in range(3):
        facts = checker.validate(document(data))
        gc.disable()
        try:
            for rule, function, names in getattr(checker.engine, "functions", []):
                from egov_rules.engine.generated import run_rule

                start = time.process_time()
                run_rule(rule, function, names, facts)
                best[rule.id] = min(best.get(rule.id, float("inf")), time.process_time() - start)
        finally:
            gc.enable()
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="40,400,4000,40000", help="entities per submission, comma-separated")
    ap.add_argument("--runs", type=int, default=0, help="checks per size (default: 8,000 entities' worth, 3-50)")
    ap.add_argument("--rules", type=int, default=0, help="list the N rules whose cost per entity grows most")
    args = ap.parse_args()
    checker = Checker(limits=Limits(max_seconds=3600))  # a slow version measured, not stopped
    checker.check_data(generate(400, seed=99))  # first-use costs (labels, closures) out of the numbers
    print(f"load average at start {os.getloadavg()[0]:.1f}; CPU time of one process, median of the runs", "",
          "| entities | runs | findings | validate + facts | engine | findings and rest | whole | per entity: "
          "whole | engine | findings and rest |", "|---|---|---|---|---|---|---|---|---|---|", sep="\n")
    per_rule: dict[int, dict[str, float]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        runs = args.runs or max(3, min(50, 8000 // size))
        datas = [generate(size, seed=i) for i in range(runs)]
        rows = [phases(checker, d) for d in datas]
        n = statistics.median(entity_count(d) for d in datas)
        prep, eng, whole = (statistics.median(r[i] for r in rows) for i in range(3))
        rest = statistics.median(r[2] - r[0] - r[1] for r in rows)
        found = statistics.median(r[3] for r in rows)
        print(f"| {n:,.0f} | {runs} | {found:.0f} | {prep * 1e3:.1f} ms | {eng * 1e3:.1f} ms | {rest * 1e3:.1f} ms | "
              f"{whole * 1e3:.1f} ms | {whole / n * 1e6:.1f} µs | {eng / n * 1e6:.1f} µs | {rest / n * 1e6:.1f} µs |",
              flush=True)
        if args.rules:
            per_rule[int(n)] = rule_times(checker, datas[0])
    if args.rules and len(per_rule) > 1:
        small, large = sorted(per_rule)[-2:]
        growth = sorted(((per_rule[large][r] / large) / max(per_rule[small][r] / small, 1e-9), r)
                        for r in per_rule[small])
        print("", f"Rules whose engine time per entity grows most from {small:,} to {large:,} entities:", "", sep="\n")
        for g, r in reversed(growth[-args.rules:]):
            before, after = per_rule[small][r] * 1e3, per_rule[large][r] * 1e3
            print(f"- {r}: {before:.2f} ms -> {after:.2f} ms (per entity x{g:.2f})")
    print("", f"load average at the end {os.getloadavg()[0]:.1f}", sep="\n")


if __name__ == "__main__":
    main()

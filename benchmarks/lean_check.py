"""What a whole check of a dict costs beyond validation + facts and the engine (issue 15, "a lean check").

    .venv/bin/python benchmarks/lean_check.py                      # this checkout
    .venv/bin/python benchmarks/lean_check.py --against ../main    # and another checkout, rounds interleaved

Per document, warm and paired, in CPU time: ``Checker.check_data`` (the whole check), ``Checker.validate``
(the one-pass validation and facts) and ``engine.run`` on those facts (hash indexes rebuilt), each timed on
the same document one after the other, the least of ``--repeats`` passes kept (other processes only add time);
medians over the documents.  "rest" is the median over documents of whole - prepare - engine (time limit,
collector pause, findings, review scope, decisions, the result).  Also the cost per finding (``builder.build``
over every verdict), alone and with its texts read (worded on first read since the lean check).  Cases: the
2-rule policy of fastpath.py on 44-entity documents, and the full rulebook at 44 and 407 entities.

With ``--against`` each round runs both checkouts in turn, in fresh processes, alternating which goes
first; the table gives the median over rounds of each checkout's medians and the load average.  The machine
is shared: compare the two columns of one run, not numbers of different runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
POLICY = ("art17-data-centre-without-approval", "art19-collected-outside-catalogue")  # as fastpath.py's
CASES = (("policy", 40, 400), ("full", 40, 150), ("full", 400, 12))  # rulebook, entities, documents


def measure(tree: Path, repeats: int) -> dict[str, dict[str, float]]:
    """Run in the process of one checkout: its egov_rules, this directory's generator."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(tree))  # first: that checkout's egov_rules (fastpath.py would put this one's first)
    from generate import generate

    from egov_rules.check import Checker

    try:  # the layered package; a baseline from before the layer folders has the flat modules
        from egov_rules.input.load import Document
        from egov_rules.rules.rulebook import load_rulebook
    except ImportError:
        from egov_rules.load import Document  # type: ignore[no-redef]
        from egov_rules.rulebook import load_rulebook  # type: ignore[no-redef]

    assert Path(sys.modules["egov_rules"].__file__ or "").resolve().is_relative_to(tree.resolve())

    def document(data: dict[str, Any]) -> Document:
        return Document(source="generated", data=data, positions={}, key_positions={}, format="data")

    def policy_rulebook(full: Any) -> Any:  # as fastpath.py's
        return dataclasses.replace(full, rules=[r for r in full.rules if r.id in POLICY], code=b"")

    full = load_rulebook()
    clock = time.thread_time  # CPU time: what a shared machine's other processes change least
    out: dict[str, dict[str, float]] = {}
    for which, size, count in CASES:
        checker = Checker(rulebook=policy_rulebook(full) if which == "policy" else full)
        datas = [generate(size, seed=i) for i in range(count)]
        for d in datas:  # warm: caches, code paths, the trace closures of the rules that fire (compiled once)
            for f in checker.check_data(d).findings:
                f.title  # noqa: B018 - and their texts' plans
        best: dict[str, list[float]] = {k: [math.inf] * count for k in ("whole", "prepare", "engine", "build", "word")}
        found_in = [0] * count
        for repeat in range(repeats):
            for i, d in enumerate(datas):
                # whole check first in one pass, last in the next: the first to read a document pays for
                # bringing it into the CPU's caches, and the least of the passes keeps each one's warm time
                if repeat % 2:
                    t0 = clock()
                    facts = checker.validate(document(d))
                    t1 = clock()
                    runs = checker.engine.run(facts)
                    t2 = clock()
                    checker.check_data(d)
                    t3 = clock()
                    times = {"prepare": t1 - t0, "engine": t2 - t1, "whole": t3 - t2}
                else:
                    t0 = clock()
                    checker.check_data(d)
                    t1 = clock()
                    facts = checker.validate(document(d))
                    t2 = clock()
                    runs = checker.engine.run(facts)
                    t3 = clock()
                    times = {"whole": t1 - t0, "prepare": t2 - t1, "engine": t3 - t2}
                verdicts = [v for r in runs for v in r.verdicts]
                if verdicts:
                    doc = document(d)
                    t4 = clock()
                    found = [checker.builder.build(v, facts, doc) for v in verdicts]
                    t5 = clock()
                    for f in found:
                        f.title  # noqa: B018 - worded on first read where wording is lazy
                    times.update(build=t5 - t4, word=clock() - t4)
                    found_in[i] = len(verdicts)
                for key, spent in times.items():  # the least of the repeats: the others' load only adds
                    best[key][i] = min(best[key][i], spent)
        rest = [w - p - e for w, p, e in zip(best["whole"], best["prepare"], best["engine"], strict=True)]
        with_findings = [i for i in range(count) if found_in[i]]
        built = sum(found_in)
        out[f"{which} {size}"] = {
            **{k: statistics.median(best[k]) * 1e6 for k in ("whole", "prepare", "engine")},
            "rest": statistics.median(rest) * 1e6, "rest_mean": statistics.mean(rest) * 1e6,
            "findings": built / count,
            "per_finding": sum(best["build"][i] for i in with_findings) / built * 1e6 if built else math.nan,
            "per_finding_worded": sum(best["word"][i] for i in with_findings) / built * 1e6 if built else math.nan}
    return out


def run_tree(tree: Path, repeats: int) -> dict[str, dict[str, float]]:
    proc = subprocess.run([sys.executable, __file__, "--tree", str(tree), "--repeats", str(repeats), "--json"],
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(tree)})
    result: dict[str, dict[str, float]] = json.loads(proc.stdout)
    return result


def median_of(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {case: {k: statistics.median(r[case][k] for r in rounds) for k in rounds[0][case]} for case in rounds[0]}


def table(columns: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    names = list(columns)
    out = ["| case | measure | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    rows = (("whole check", "whole", "{:.1f} µs"), ("validation + facts", "prepare", "{:.1f} µs"),
            ("engine", "engine", "{:.1f} µs"), ("rest (median of whole - prepare - engine)", "rest", "{:.1f} µs"),
            ("rest, mean (findings included)", "rest_mean", "{:.1f} µs"),
            ("findings per document", "findings", "{:.2f}"),
            ("per finding (builder.build)", "per_finding", "{:.1f} µs"),
            ("per finding, texts read too", "per_finding_worded", "{:.1f} µs"))
    for case in columns[names[0]]:
        for label, key, fmt in rows:
            out.append(f"| {case} | {label} | " + " | ".join(fmt.format(columns[n][case][key]) for n in names) + " |")
        out.append(f"| {case} | whole / (prepare + engine) | " + " | ".join(
            f"{c[case]['whole'] / (c[case]['prepare'] + c[case]['engine']):.2f}x" for c in columns.values()) + " |")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", type=Path, help="another checkout to compare with, in the same run")
    ap.add_argument("--rounds", type=int, default=3, help="processes per checkout (with --against)")
    ap.add_argument("--repeats", type=int, default=5, help="passes over the documents per process")
    ap.add_argument("--tree", type=Path, default=HERE.parent, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.json:
        print(json.dumps(measure(args.tree, args.repeats)))
        return
    trees = {"this checkout": HERE.parent}
    if args.against:
        trees = {f"against ({args.against})": args.against.resolve(), **trees}
    load = os.getloadavg()[0]
    rounds: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
    for i in range(args.rounds if args.against else 1):
        order = list(trees.items()) if i % 2 == 0 else list(trees.items())[::-1]
        for name, tree in order:
            rounds[name].append(run_tree(tree, args.repeats))
    print("\n".join([f"# Whole check vs validation + facts + engine ({len(rounds[next(iter(rounds))])} "
                     f"round(s) per checkout; load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} "
                     "at the end)", "", *table({n: median_of(r) for n, r in rounds.items()}), ""]))


if __name__ == "__main__":
    main()

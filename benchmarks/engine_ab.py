"""The generated engine against another checkout's, paired in one process (a script, not a test).

    .venv/bin/python benchmarks/engine_ab.py --base /path/to/other/checkout          # e.g. a worktree of main
    .venv/bin/python benchmarks/engine_ab.py --base ../main --only policy --rounds 15

The other checkout's package is copied under another name (``egov_base``) so that both engines load side
by side; each runs on the same facts (its hash indexes dropped before every run, so their building is
counted), in alternating order, and every document's time is the least of the rounds (the machine is
shared: the least is what the code costs, the rest is other people's load).  Reported: the median over the
documents of those least times, and new/old.  Before timing, both engines' verdicts are compared on every
document (counts, statuses, keys): a difference stops the script.

1. The 2-rule policy of benchmarks/fastpath.py on 40-entity documents, with the hand-written floor.
2. The full rulebook on 40- and 4,000-entity documents.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from fastpath import POLICY, document, hand_written  # noqa: E402
from generate import generate  # noqa: E402

from egov_rules.check import Checker  # noqa: E402
from egov_rules.engine.generated import GeneratedEngine  # noqa: E402
from egov_rules.rules.rulebook import load_rulebook  # noqa: E402


def base_package(checkout: Path) -> Any:
    """The other checkout's package as ``egov_base`` (its rule files beside it, as in a checkout)."""
    scratch = Path(tempfile.mkdtemp(prefix="egov-engine-ab-"))
    shutil.copytree(checkout / "egov_rules", scratch / "egov_base", ignore=shutil.ignore_patterns("__pycache__"))
    (scratch / "rules").symlink_to((checkout / "rules").resolve())
    sys.path.insert(0, str(scratch))
    import importlib

    return importlib.import_module("egov_base.engine.generated"), importlib.import_module("egov_base.rules.rulebook")


def outcome(runs: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.rule.id, r.applied, r.passed, r.not_applicable,
             sorted((v.status, v.downgraded, v.key) for v in r.verdicts)) for r in runs]


def paired(label: str, new: Any, old: Any, facts_list: list[Any], rounds: int, hand: bool = False) -> str:
    for facts in facts_list:
        facts._indexes.clear()
        got = outcome(new.run(facts))
        facts._indexes.clear()
        if got != outcome(old.run(facts)):
            raise SystemExit(f"{label}: the engines differ on {facts.source}")
    least: dict[str, list[float]] = {k: [float("inf")] * len(facts_list) for k in ("old", "new", "hand")}
    gc.disable()
    try:
        for r in range(rounds):
            for i, facts in enumerate(facts_list):
                order = (("old", old), ("new", new)) if (r + i) % 2 else (("new", new), ("old", old))
                for name, engine in order:
                    facts._indexes.clear()
                    start = time.perf_counter()
                    engine.run(facts)
                    least[name][i] = min(least[name][i], time.perf_counter() - start)
                if hand:
                    start = time.perf_counter()
                    hand_written(facts)
                    least["hand"][i] = min(least["hand"][i], time.perf_counter() - start)
    finally:
        gc.enable()
    o, n = (statistics.median(least[k]) * 1e6 for k in ("old", "new"))
    row = f"| {label} | {len(facts_list)} | {o:,.1f} µs | {n:,.1f} µs | **{n / o:.2f}** |"
    if hand:
        h = statistics.median(least["hand"]) * 1e6
        row += f" {h:.1f} µs: old {o / h:.2f}x, new {n / h:.2f}x |"
    else:
        row += " |"
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, required=True, help="the other checkout (its egov_rules/ and rules/)")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--only", choices=["policy", "40", "4000"], action="append")
    args = ap.parse_args()
    only = set(args.only or ["policy", "40", "4000"])
    old_generated, old_rulebook = base_package(args.base)
    full, old_full = load_rulebook(), old_rulebook.load_rulebook()
    out = [f"# generated engine: this checkout (new) against {args.base} (old)", "",
           f"load average at start {os.getloadavg()[0]:.1f}; least of {args.rounds} rounds per document, median "
           "over the documents", "",
           "| rulebook, entities | documents | old | new | new/old | hand-written |", "|---|---|---|---|---|---|"]
    if "policy" in only:
        small = dataclasses.replace(full, rules=[r for r in full.rules if r.id in POLICY], code=b"")
        old_small = dataclasses.replace(old_full, rules=[r for r in old_full.rules if r.id in POLICY], code=b"")
        checker = Checker(rulebook=small)
        facts_list = [checker.validate(document(generate(40, seed=i))) for i in range(400)]
        out.append(paired("2-rule policy, ~44", GeneratedEngine(small), old_generated.GeneratedEngine(old_small),
                          facts_list, args.rounds, hand=True))
    new_engine, old_engine = GeneratedEngine(full), old_generated.GeneratedEngine(old_full)
    checker = Checker(rulebook=full)
    for size, count in (("40", 100), ("4000", 4)):
        if size in only:
            facts_list = [checker.validate(document(generate(int(size), seed=i))) for i in range(count)]
            out.append(paired(f"full ({len(full.rules)} rules), ~{size}", new_engine, old_engine, facts_list,
                              args.rounds))
    out += ["", f"load average at the end {os.getloadavg()[0]:.1f}"]
    print("\n".join(out))


if __name__ == "__main__":
    main()

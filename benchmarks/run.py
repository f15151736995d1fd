"""Benchmarks of egov-rules on this machine, in one run (a script, not a test): prints a Markdown report.

    .venv/bin/python benchmarks/run.py            # the full run, under ~10 minutes
    .venv/bin/python benchmarks/run.py --quick    # a smaller run, about a minute

What it measures (targets are measured, never asserted):

1. per-submission latency, 40-entity submissions, full rulebook, each engine: the engine alone and the
   whole check (validation, engine, findings); median and p99; and whether both engines' findings agree;
2. the floor: a hand-written plain-Python check of the Art 17 and 19 joins (the R1, R2 and R6 logic of
   spec/submission.md written directly) against the native engine running the same three rules;
3. scaling from 40 to 100,000 entities (time per entity must stay flat: linear);
4. the CLI on 1,000 files (``egov-rules check DIR --format json``) against merely parsing them with
   yaml's CSafeLoader; the CLI's cold start on one file;
5. memory: peak for the largest submission, and RSS after 10,000 and 100,000 checks in one process.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import dump, entity_count, generate  # noqa: E402

from egov_rules.check import Checker  # noqa: E402
from egov_rules.input.facts import FactBase  # noqa: E402
from egov_rules.input.load import Document  # noqa: E402
from egov_rules.reports.model import submission_dict  # noqa: E402

FLOOR_RULES = ("art17-data-centre-without-approval", "art19-collected-outside-catalogue",
               "art19-recollection-of-shared-data")


def doc(data: dict[str, Any], source: str = "generated") -> Document:
    return Document(source=source, data=data, positions={}, key_positions={}, format="data")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def quantiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------------------------------ the floor
OWN = {"build_own", "expand_own", "rebuild_own"}
SCOPE = {"build_own": "new", "expand_own": "expand", "rebuild_own": "rebuild"}


def hand_written(facts: FactBase) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """R6 (Art 17), R1 and R2 (Art 19) written directly: dict lookups, no rule language."""
    by_id = facts.by_id
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {r: [] for r in FLOOR_RULES}
    # R6: an own data centre needs an approved approval of an e-gov department, before implementation
    approvals: dict[str, list[dict[str, Any]]] = {}
    for a in facts.collection("approvals"):
        approvals.setdefault(a["subject"], []).append(a)
    for p in facts.collection("projects"):
        start = p.get("implementation_start")
        for c in p["components"]:
            if c["kind"] != "data_centre":
                continue
            mode = c["mode"]
            if not (mode in OWN or (mode == "purchase_service" and by_id[c["platform"]].get("unified") is False)):
                continue
            status = "fail"
            for a in approvals.get(c["platform"], ()):
                issuer = by_id[a["issuer"]]
                if not (a["kind"] == "data_centre" and a["decision"] == "approved" and issuer["kind"] == "egov_dept"
                        and issuer["level"] in ("provincial", "municipal")
                        and (mode == "purchase_service" or a.get("scope") == SCOPE.get(mode))):
                    continue
                if start is None or (a.get("date") is not None and a["date"] <= start):
                    status = "pass"
                    break
                if a.get("date") is None:
                    status = "unknown"
            if status != "pass":
                out[FLOOR_RULES[0]].append(((p["_pointer"], c["_pointer"]), status))
    # R1: an item collected from people must be in its unit's catalogue (no catalogue: not applicable)
    catalogues: dict[str, set[str]] = {}
    for cat in facts.collection("collection_catalogues"):
        catalogues.setdefault(cat["unit"], set()).update(e["element"] for e in cat["entries"])
    shared: dict[str, list[dict[str, Any]]] = {}
    for r in facts.collection("info_resources"):
        if r["available"] and r["sharing_type"] in ("unconditional", "conditional"):
            for element in r["elements"]:
                shared.setdefault(element, []).append(r)
    for item in facts.collection("collection_items"):
        key = (item["_pointer"],)
        elements = catalogues.get(item["unit"])
        if item["source"] in ("from_subject", "lookup_key") and elements is not None and \
                item["element"] not in elements:
            out[FLOOR_RULES[1]].append((key, "fail"))
        # R2: data obtainable by sharing from another unit is not collected again
        if item["source"] == "from_subject" and any(r["owner_unit"] != item["unit"]
                                                    for r in shared.get(item["element"], ())):
            out[FLOOR_RULES[2]].append((key, "fail"))
    return out


def native_floor_rules(checker: Checker, facts: FactBase) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    out = {}
    for rule_id in FLOOR_RULES:
        run = checker.native.by_id[rule_id].run(facts)
        out[rule_id] = [(v.key, v.status) for v in run.verdicts]
    return out


# ------------------------------------------------------------------------------------------ sections
class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lines: list[str] = []
        self.native = Checker()
        self.durable: Checker | None = None
        try:
            build, self.durable = timed(Checker, rulebook=self.native.rulebook, engine="durable")
            self.durable_build = build
        except Exception as exc:  # not installed: report, do not fail
            self.durable_note = f"durable engine not available: {exc}"

    def out(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def header(self) -> None:
        self.out(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                 f"{platform.system()} {platform.release()}")
        self.out(f"Rulebook: {len(self.native.rulebook.rules)} rules, version {self.native.rulebook.version}")
        if self.durable is not None:
            notes = self.durable.engine.notes  # type: ignore[attr-defined]
            self.out(f"Durable engine: {len(self.durable.engine.chunks)} rulesets built in "  # type: ignore[attr-defined]
                     f"{ms(self.durable_build)}; rules left to the native engine: {len(notes)}")
        self.out()

    def latency(self) -> list[FactBase]:
        n = self.args.latency
        data = [generate(40, seed) for seed in range(n)]
        facts = [self.native.validate(doc(d)) for d in data]
        self.out(f"## 1. Per submission, 40-entity submissions ({n} different ones, "
                 f"{statistics.mean(entity_count(d) for d in data):.0f} entities on average), full rulebook")
        self.out()
        self.out("| engine | what | median | p99 |")
        self.out("|---|---|---|---|")
        engines = [("native", self.native)] + ([("durable", self.durable)] if self.durable else [])
        reports: dict[str, list[Any]] = {}
        for name, checker in engines:
            repeat = 3 if name == "native" else 1
            run = checker.engine.run
            engine_times = [min(timed(run, f)[0] for _ in range(repeat)) for f in facts]
            check_times = []
            reports[name] = []
            for i, d in enumerate(data):
                t, result = timed(checker.check_data, d, f"s{i}")
                check_times.append(t)
                reports[name].append(submission_dict(result, "en"))
            whole = "whole check (validate, engine, findings)"
            for what, times in (("engine only", engine_times), (whole, check_times)):
                med, p99 = quantiles(times)
                self.out(f"| {name} | {what} | {ms(med)} | {ms(p99)} |")
        validate_times = [timed(self.native.validate, doc(d))[0] for d in data]
        self.out(f"| - | validation and facts alone | {ms(quantiles(validate_times)[0])} | "
                 f"{ms(quantiles(validate_times)[1])} |")
        self.out()
        if self.durable is not None:
            same = sum(a == b for a, b in zip(reports["native"], reports["durable"], strict=True))
            findings = sum(len(r["findings"]) for r in reports["native"])
            self.out(f"Findings identical in {same} of {n} submissions ({findings} findings in all).")
            self.out()
        return facts

    def floor(self, facts: list[FactBase]) -> None:
        self.out("## 2. The floor: hand-written Art 17 and 19 joins (R6, R1, R2) vs the native engine, same rules")
        self.out()
        big = self.native.validate(doc(generate(self.args.floor_size, 1)))
        self.out("| data | hand-written | native engine (3 rules) | ratio | same verdicts |")
        self.out("|---|---|---|---|---|")
        for label, sample in ((f"{len(facts)} x 40 entities", facts), (f"1 x {big.entity_count()} entities", [big])):
            same = all(sorted(hand_written(f)[r]) == sorted(native_floor_rules(self.native, f)[r])
                       for f in sample for r in FLOOR_RULES)
            hand = min(timed(lambda fs: [hand_written(f) for f in fs], sample)[0] for _ in range(5))
            native = min(timed(lambda fs: [native_floor_rules(self.native, f) for f in fs], sample)[0]
                         for _ in range(5))
            self.out(f"| {label} | {ms(hand / len(sample))} | {ms(native / len(sample))} | "
                     f"{native / hand:.2f}x | {'yes' if same else 'NO'} |")
        self.out()

    def findings(self, runs: list[Any], facts: FactBase, d: Document) -> list[Any]:
        return [self.native.builder.build(v, facts, d) for r in runs for v in r.verdicts]

    def scaling(self) -> None:
        self.out("## 3. Scaling (native engine)")
        self.out()
        self.out("Each rule is timed on its own; *engine* is their sum, *whole* adds validation and findings. "
                 "The slowest rule is named; the last column leaves it out.")
        self.out()
        self.out("| entities | validate + facts | engine | findings | whole | whole per entity | findings "
                 "| slowest rule | engine without it, per entity |")
        self.out("|---|---|---|---|---|---|---|---|---|")
        for size in self.args.sizes:
            data = generate(size, 2)
            n = entity_count(data)
            d = doc(data)
            t_val, facts = timed(self.native.validate, d)
            per_rule = [(*timed(c.run, facts), c.rule.id) for c in self.native.native.compiled]
            t_eng = sum(t for t, _, _ in per_rule)
            t_find, found = timed(self.findings, [r for _, r, _ in per_rule], facts, d)
            slow_t, _, slow_id = max(per_rule, key=lambda x: x[0])
            whole = t_val + t_eng + t_find
            self.out(f"| {n:,} | {ms(t_val)} | {ms(t_eng)} | {ms(t_find)} | {ms(whole)} | "
                     f"{whole / n * 1e6:.1f} µs | {len(found):,} | {slow_id} {ms(slow_t)} | "
                     f"{(t_eng - slow_t) / n * 1e6:.1f} µs |")
            gc.collect()
        self.out()

    def cli(self) -> None:
        count = self.args.files
        self.out(f"## 4. The CLI: {count:,} files of 40 entities")
        self.out()
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp) / "subs"
            d.mkdir()
            for i in range(count):
                (d / f"sub{i:05d}.yaml").write_text(dump(generate(40, 10_000 + i)), "utf-8")
            files = sorted(d.glob("*.yaml"))
            size = sum(p.stat().st_size for p in files)

            def parse() -> None:
                for p in files:
                    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)

            t_yaml = min(timed(parse)[0] for _ in range(2))
            cmd = [sys.executable, "-m", "egov_rules", "check", str(d), "--format", "json", "--no-config"]
            rows = [("yaml CSafeLoader, parse only (1 process)", t_yaml)]
            for label, extra in (("egov-rules check DIR --format json (default jobs)", []),
                                 ("egov-rules check DIR --format json --jobs 1", ["--jobs", "1"])):
                t, proc = timed(subprocess.run, [*cmd, *extra], capture_output=True, cwd=tmp)
                if proc.returncode not in (0, 1):
                    self.out(f"CLI failed ({proc.returncode}): {proc.stderr.decode()[:300]}")
                rows.append((label, t))
            self.out(f"{size / 1e6:.1f} MB of YAML.")
            self.out()
            self.out("| what | total | per file | vs parsing alone |")
            self.out("|---|---|---|---|")
            for label, t in rows:
                self.out(f"| {label} | {t:.2f} s | {ms(t / count)} | {t / t_yaml:.2f}x |")
            one = files[0]
            starts = [timed(subprocess.run, [*cmd[:4], str(one), *cmd[5:]], capture_output=True)[0]
                      for _ in range(5)]
            script = [str(Path(sys.executable).parent / "egov-rules"), "check", str(one), "--format", "json",
                      "--no-config"]
            entry = [timed(subprocess.run, script, capture_output=True)[0] for _ in range(5)]
            bare = [timed(subprocess.run, [sys.executable, "-c", "pass"])[0] for _ in range(5)]
            self.out()
            self.out(f"Cold start, one file (median of 5): `python -m egov_rules check` "
                     f"{ms(statistics.median(starts))}, `egov-rules check` {ms(statistics.median(entry))}; "
                     f"a bare `python -c pass` takes {ms(statistics.median(bare))}.")
        self.out()

    def memory(self) -> None:
        self.out("## 5. Memory")
        self.out()
        size = max(self.args.sizes)
        peak = subprocess.run([sys.executable, __file__, "--peak", str(size)], capture_output=True, text=True)
        self.out(f"Peak RSS checking one {size:,}-entity submission in a fresh process: {peak.stdout.strip()}.")
        self.out()
        pool = [generate(40, 20_000 + i) for i in range(200)]
        total, first = self.args.memory
        self.out("| engine | RSS after the first checks | RSS after all | growth | per check |")
        self.out("|---|---|---|---|---|")
        engines = [("native", self.native, total, first)]
        if self.durable is not None:  # durable is ~20 times slower: a fiftieth of the checks
            engines.append(("durable", self.durable, total // 50, first // 50))
        for name, checker, n, m in engines:
            gc.collect()
            at_first = 0.0
            start = time.perf_counter()
            for i in range(n):
                checker.check_data(pool[i % len(pool)], "m")
                if i + 1 == m:
                    gc.collect()
                    at_first = rss_mb()
            gc.collect()
            at_end = rss_mb()
            elapsed = time.perf_counter() - start
            self.out(f"| {name} | {at_first:.1f} MB after {m:,} | {at_end:.1f} MB after {n:,} | "
                     f"{at_end - at_first:+.1f} MB | {ms(elapsed / n)} |")
        self.out()


def peak(size: int) -> None:
    data = generate(size, 3)
    gc.collect()
    before = rss_mb()
    Checker().check_data(data)
    with open("/proc/self/status") as f:
        high = next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))
    print(f"{high:.0f} MB (the process held {before:.0f} MB with the input generated, before checking)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts: about a minute")
    parser.add_argument("--peak", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    if args.peak:
        peak(args.peak)
        return 0
    if args.quick:
        args.latency, args.floor_size, args.files = 60, 4_000, 200
        args.sizes, args.memory = [40, 400, 4_000, 20_000], (10_000, 1_000)
    else:
        args.latency, args.floor_size, args.files = 300, 100_000, 1_000
        args.sizes, args.memory = [40, 400, 4_000, 40_000, 100_000], (100_000, 10_000)
    started = time.perf_counter()
    bench = Bench(args)
    bench.header()
    facts = bench.latency()
    bench.floor(facts)
    bench.scaling()
    bench.cli()
    bench.memory()
    bench.out(f"Whole run: {time.perf_counter() - started:.0f} s.")
    if args.markdown:
        args.markdown.write_text("\n".join(bench.lines) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

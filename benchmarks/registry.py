"""The `--registry` check, before and after it took the one-pass path: one run, paired (a script, not a test).

    .venv/bin/python benchmarks/registry.py                     # against BEFORE (below): ~3 min
    .venv/bin/python benchmarks/registry.py --baseline main     # against another revision
    .venv/bin/python benchmarks/registry.py --quick             # 40 and 400 entities, fewer rounds
    .venv/bin/python benchmarks/registry.py --only cli          # the cold CLI part alone

Generated submissions (benchmarks/generate.py) of 40, 400 and 4,000 entities, written as YAML and as JSON,
each with a registry made from it (its authorities and units, its unified platforms, and the trusted
entities whose references stay inside: what the e-government department would keep).  Two submissions per
size: *copies* (every registry entity also inline, so every trusted one is overridden and compared) and
*lean* (the trusted registry entities left out: the registry supplies them).  Each file is checked from
its path (load, merge, facts, engine, findings) by a child process importing this checkout, and by one
importing the baseline revision (``git archive`` into a scratch directory; this checkout is copied
there too), in rounds that alternate which
goes first; per round the median CPU time of a few checks of each file, then the median of the per-round
ratios.
A check without a registry is timed too (the same in both, unless the baseline differs elsewhere).
Both versions' findings are compared file by file.  Last, the CLI from a cold process on the smallest
*copies* case (loading and validating the registry included), paired the same way.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# the last commit before `--registry` took the one-pass path (branch regfast)
BEFORE = "1a0e428"
TRUSTED = ("platforms", "info_resources", "collection_catalogues", "apps_services_directory", "open_directory")
SUPPORTING = ("authorities", "units")

# The child: checks every file with and without the registry, prints medians and a digest of the findings.
MEASURE = """
import json, statistics, sys, time
root, registry_dir, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, root)
from egov_rules.check import Checker
try:  # the layered package; a baseline from before the layer folders has the flat modules
    from egov_rules.input.registry import load_registry
    from egov_rules.rules.rulebook import load_rulebook
except ImportError:
    from egov_rules.registry import load_registry
    from egov_rules.rulebook import load_rulebook
book = load_rulebook()
out = {}
for path in sys.argv[4:]:
    registry = load_registry(f"{registry_dir}/{path.rsplit('/', 1)[-1].split('.')[0]}")
    for mode, checker in (("registry", Checker(rulebook=book, registry=registry)), ("plain", Checker(rulebook=book))):
        result = checker.check_path(path)  # warm: the fact builder, indexes of the rulebook
        times = []
        for _ in range(repeat):
            start = time.process_time()  # CPU time: less of the other processes' share of a loaded machine
            result = checker.check_path(path)
            times.append(time.process_time() - start)
        findings = sorted((f.rule, f.pointer, f.message["en"]) for f in result.findings)
        out[f"{path}|{mode}"] = [statistics.median(times), str(result.error), findings]
print(json.dumps(out))
"""


def registry_part(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Authorities, units, unified platforms and the trusted entities whose references stay inside."""
    ids = {e["id"] for items in data.values() if isinstance(items, list) for e in items}
    part = {c: list(data.get(c) or []) for c in SUPPORTING}
    part.update({c: [e for e in data.get(c) or [] if c != "platforms" or e.get("unified") is True]
                 for c in TRUSTED})
    while True:
        outside = ids - {e["id"] for items in part.values() for e in items}
        kept = {c: [e for e in items if c in SUPPORTING or not _names(e, outside)] for c, items in part.items()}
        if kept == part:
            return {c: items for c, items in part.items() if items}
        part = kept


def _names(value: Any, ids: set[str]) -> bool:
    if isinstance(value, dict):
        return any(k != "id" and _names(v, ids) for k, v in value.items())
    if isinstance(value, list):
        return any(_names(v, ids) for v in value)
    return isinstance(value, str) and value in ids


def write_cases(scratch: Path, sizes: list[int]) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from generate import dump, entity_count, generate

    files = []
    for size in sizes:
        data = generate(size, seed=1)
        part = registry_part(data)
        held = {e["id"] for c in TRUSTED for e in part.get(c, [])}
        lean = {c: [e for e in items if e.get("id") not in held] if isinstance(items, list) else items
                for c, items in data.items()}
        for name, doc in (("copies", data), ("lean", lean)):
            stem = f"n{entity_count(data)}-{name}"
            reg = scratch / "registries" / stem
            reg.mkdir(parents=True)
            for coll, items in part.items():
                (reg / f"{coll}.json").write_text(json.dumps({coll: items}, ensure_ascii=False), "utf-8")
            (scratch / f"{stem}.yaml").write_text(dump(doc), "utf-8")
            (scratch / f"{stem}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
            files += [scratch / f"{stem}.yaml", scratch / f"{stem}.json"]
    return files


def export(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def bench_cli(roots: dict[str, Path], scratch: Path, env: dict[str, str], rounds: int) -> list[str]:
    """``egov-rules check --format json --registry DIR`` on the smallest submission from a cold process (the
    registry loaded and validated too), both versions back to back per round; wall time."""
    stem = min((p.name for p in (scratch / "registries").iterdir() if p.name.endswith("-copies")),
               key=lambda name: int(name[1:].split("-")[0]))
    env = {**env, "XDG_CACHE_HOME": str(scratch / "cache")}
    commands = {name: [sys.executable, str(root / "cli.py"), "check", "--format", "json", "--registry",
                       str(scratch / "registries" / stem), str(scratch / f"{stem}.yaml")]
                for name, root in roots.items()}
    reports = {}
    for name, cmd in commands.items():  # warm: the rulebook and fact-builder caches, the bytecode
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        reports[name] = json.loads(done.stdout)["submissions"][0]["findings"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(rounds):
        for name in (list(commands) if r % 2 == 0 else list(commands)[::-1]):
            start = time.perf_counter()
            subprocess.run(commands[name], capture_output=True, env=env, check=False)
            times[name].append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(times["after"], times["before"], strict=True)]
    return ["", f"CLI, cold process: `check --format json --registry` on {stem}.yaml, {rounds} rounds (wall time, "
            "the two versions back to back, alternating):", "",
            "| before | after | after/before (median, min-max of rounds) | same findings |", "|---|---|---|---|",
            f"| {statistics.median(times['before']) * 1000:.0f} ms | {statistics.median(times['after']) * 1000:.0f} ms"
            f" | **{statistics.median(ratios):.2f}x** ({min(ratios):.2f}-{max(ratios):.2f}) | "
            f"{'yes' if reports['before'] == reports['after'] else 'NO'} |"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=BEFORE, help=f"revision to compare with (default {BEFORE})")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["checks", "cli"], help="one part: checks in one process, or the CLI")
    args = ap.parse_args()
    sizes, rounds, repeat = ([40, 400], 4, 5) if args.quick else ([40, 400, 4000], 8, 7)
    scratch = Path(tempfile.mkdtemp(prefix="egov-bench-registry-"))
    files = write_cases(scratch, sizes)
    # the working tree as it is now (copied: editing it meanwhile does not change what is measured)
    after = shutil.copytree(ROOT, scratch / "after", ignore=shutil.ignore_patterns(".git", "tests", "__pycache__"))
    roots = {"before": export(args.baseline, scratch / "before"), "after": after}
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(scratch / "pycache")}
    load_start = os.getloadavg()[0]
    began = time.perf_counter()
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for r in range(rounds if args.only != "cli" else 0):
        for name in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
            cmd = [sys.executable, "-c", MEASURE, str(roots[name]), str(scratch / "registries"), str(repeat),
                   *map(str, files)]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            if done.returncode:
                sys.exit(f"{name} failed:\n{done.stderr}")
            runs[name].append(json.loads(done.stdout))
    out = ["# `--registry` check: before (" + args.baseline + ") and after, paired", ""]
    if args.only != "cli":
        out += [f"{rounds} rounds (each: the two versions back to back, alternating which goes first; per file "
                f"the median CPU time of {repeat} checks from the path after a warm-up); load average "
                f"{load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.", "",
                "| file | registry: before | after | after/before (median, min-max of rounds) | no registry: "
                "before | after | same findings |", "|---|---|---|---|---|---|---|"]
    for path in files if args.only != "cli" else []:
        cells = []
        for mode in ("registry", "plain"):
            key = f"{path}|{mode}"
            b = [run[key][0] for run in runs["before"]]
            a = [run[key][0] for run in runs["after"]]
            ratios = [x / y for x, y in zip(a, b, strict=True)]
            cells.append((statistics.median(b), statistics.median(a), ratios))
        same = all(run[f"{path}|{m}"][1:] == runs["before"][0][f"{path}|{m}"][1:]
                   for run in runs["before"] + runs["after"] for m in ("registry", "plain"))
        (rb, ra, rr), (pb, pa, _) = cells
        out.append(f"| {path.name} | {rb * 1000:.2f} ms | {ra * 1000:.2f} ms | **{statistics.median(rr):.2f}x** "
                   f"({min(rr):.2f}-{max(rr):.2f}) | {pb * 1000:.2f} ms | {pa * 1000:.2f} ms | "
                   f"{'yes' if same else 'NO'} |")
    if args.only != "checks":
        out += bench_cli(roots, scratch, env, rounds * 2)
    out += ["", f"Run took {time.perf_counter() - began:.0f} s; load average at the end {os.getloadavg()[0]:.1f}."]
    print("\n".join(out))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

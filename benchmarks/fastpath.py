"""The fast-path benchmark of issue 15, in one run (a script, not a test): prints a Markdown report.

    .venv/bin/python benchmarks/fastpath.py                # 10,000 documents, 100,000 checks: ~10 min
    .venv/bin/python benchmarks/fastpath.py --quick        # 1,000 documents, 10,000 checks: ~1 min
    .venv/bin/python benchmarks/fastpath.py --peers PYTHON # also regorus, run by that interpreter

1. The 2-rule policy (Art 17(1) data centre without approval, Art 19(1) item outside the catalogue) as a
   small rulebook through the API, against the same two rules written by hand in Python, and regorus on
   the same documents (benchmarks/policy.rego, when a peers' venv is given): the bindings that do not pass
   compared document by document; medians per document and their ratios.
2. The full rulebook at 40, 400, 4,000 and 40,000 entities: whole check of a dict, and per entity.
3. The CLI checking one file from a cold process, against ``python -c "import yaml, pydantic, click, rich"``,
   in rounds (the commands back to back, rotating order), median of the per-round ratios; also the same
   check with validation replaced by the validated data (what skipping pydantic would buy).
4. Memory: RSS of one process over 100,000 whole checks (full rulebook, 40-entity documents).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generate import entity_count, generate  # noqa: E402

from egov_rules.check import Checker, _dump  # noqa: E402
from egov_rules.input.facts import POINTER, FactBase  # noqa: E402
from egov_rules.input.load import Document  # noqa: E402
from egov_rules.input.validate import validate_document  # noqa: E402
from egov_rules.rules.rulebook import Rulebook, load_rulebook  # noqa: E402

POLICY = ("art17-data-centre-without-approval", "art19-collected-outside-catalogue")
OWN = {"build_own", "expand_own", "rebuild_own"}
SCOPE = {"build_own": "new", "expand_own": "expand", "rebuild_own": "rebuild"}
FROM_PEOPLE = ("from_subject", "lookup_key")


def document(data: dict[str, Any]) -> Document:
    return Document(source="generated", data=data, positions={}, key_positions={}, format="data")


def median_us(times: list[float]) -> float:
    return statistics.median(times) * 1e6


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --------------------------------------------------------------------------------- the hand-written floor
def hand_written(facts: FactBase) -> dict[str, list[str]]:
    """The two rules written directly (dict lookups), as the rulebook states them; pointers not passing."""
    by_id = facts.by_id
    approvals: dict[str, list[dict[str, Any]]] = {}
    for a in facts.collection("approvals"):
        approvals.setdefault(a["subject"], []).append(a)
    data_centre = []
    for p in facts.collection("projects"):
        start = p.get("implementation_start")
        for c in p["components"]:
            mode = c["mode"]
            if c["kind"] != "data_centre" or not (
                    mode in OWN or (mode == "purchase_service" and by_id[c["platform"]].get("unified") is False)):
                continue
            passed = False
            for a in approvals.get(c["platform"], ()):
                issuer = by_id[a["issuer"]]
                if (a["kind"] == "data_centre" and a["decision"] == "approved" and issuer["kind"] == "egov_dept"
                        and issuer["level"] in ("provincial", "municipal")
                        and (mode == "purchase_service" or a.get("scope") == SCOPE.get(mode))
                        and (start is None or (a.get("date") is not None and a["date"] <= start))):
                    passed = True
                    break
            if not passed:
                data_centre.append(c[POINTER])
    catalogues: dict[str, set[str]] = {}
    for cat in facts.collection("collection_catalogues"):
        catalogues.setdefault(cat["unit"], set()).update(e["element"] for e in cat["entries"])
    outside = []
    for item in facts.collection("collection_items"):
        elements = catalogues.get(item["unit"])
        if item["source"] in FROM_PEOPLE and elements is not None and item["element"] not in elements:
            outside.append(item[POINTER])
    return {"data_centre": data_centre, "outside_catalogue": outside}


def engine_pointers(runs: list[Any]) -> dict[str, list[str]]:
    by_rule = {r.rule.id: sorted(v.key[-1] for v in r.verdicts) for r in runs}
    return {"data_centre": by_rule[POLICY[0]], "outside_catalogue": by_rule[POLICY[1]]}


def policy_rulebook(full: Rulebook) -> Rulebook:
    return dataclasses.replace(full, rules=[r for r in full.rules if r.id in POLICY], code=b"")


# ------------------------------------------------------------------------------------------- 1. policy
def bench_policy(out: list[str], full: Rulebook, n_docs: int, peers: str | None) -> None:
    small = policy_rulebook(full)
    native = Checker(rulebook=small)
    reference = Checker(rulebook=small, engine="reference")
    datas = [generate(40, seed=i) for i in range(n_docs)]
    facts_list = [native.validate(document(d)) for d in datas]
    # Each phase runs over a block of documents, then the next phase over the same block, the order of the
    # phases rotating from block to block: no phase pays for the cache and garbage another left behind (per
    # document, whatever runs first finds the facts out of cache, and an engine run after a whole check
    # measured 1.5x its time alone), and a change of machine load within the run hits every phase alike.
    # regorus runs in its own process on the same block (we wait for its answers: the two never compete
    # for a core).
    peer = None if not peers else subprocess.Popen(
        [peers, str(HERE / "regorus_peer.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    rows: list[dict[str, Any]] = []
    engine_runs: list[Any] = [None] * n_docs

    def run_engine(i: int) -> None:
        facts_list[i]._indexes.clear()  # the engine builds its hash indexes once per submission: count them
        engine_runs[i] = native.engine.run(facts_list[i])

    def run_reference(i: int) -> None:
        facts_list[i]._indexes.clear()
        reference.engine.run(facts_list[i])

    phases: dict[str, Any] = {
        "hand": lambda i: hand_written(facts_list[i]),
        "engine": run_engine,
        "reference": run_reference,
        "whole": lambda i: native.check_data(datas[i]),
        "prepare": lambda i: native.validate(document(datas[i])),
        "pydantic": lambda i: FactBase.from_data(_dump(validate_document(document(datas[i])))),  # the fallback
    }
    times: dict[str, list[float]] = {name: [0.0] * n_docs for name in phases}
    order = list(phases) + (["regorus"] if peer is not None else [])
    block = 100
    for b, first in enumerate(range(0, n_docs, block)):
        ids = range(first, min(first + block, n_docs))
        for name in order[b % len(order):] + order[:b % len(order)]:
            if name == "regorus":
                assert peer is not None and peer.stdin is not None and peer.stdout is not None
                peer.stdin.write("".join(json.dumps(datas[i], default=str) + "\n" for i in ids))
                peer.stdin.flush()
                rows += [json.loads(peer.stdout.readline()) for _ in ids]
                continue
            phase, spent = phases[name], times[name]
            for i in ids:
                t0 = time.perf_counter()
                phase(i)
                spent[i] = time.perf_counter() - t0
    hand, gen, ref, whole, prepare, pydantic_prepare = (times[k] for k in phases)
    agree = sum({k: sorted(v) for k, v in hand_written(f).items()} == engine_pointers(runs)
                for f, runs in zip(facts_list, engine_runs, strict=True))
    regorus_eval = regorus_total = per_document = None
    regorus_agree = None
    if peer is not None:
        peer.communicate()
        regorus_eval = statistics.median(r["eval_us"] for r in rows)
        regorus_total = statistics.median(r["total_us"] for r in rows)
        per_document = statistics.median(w * 1e6 / r["eval_us"] for w, r in zip(whole, rows, strict=True))
        regorus_agree = sum(
            {"data_centre": r["data_centre"], "outside_catalogue": r["outside_catalogue"]}
            == {k: sorted(v) for k, v in hand_written(f).items()}
            for r, f in zip(rows, facts_list, strict=True))
    h, g, rf, w, pr, pp = map(median_us, (hand, gen, ref, whole, prepare, pydantic_prepare))
    found = sum(len(v) for f in facts_list[:1] for v in hand_written(f).values())
    out += [f"## 1. The 2-rule policy, {n_docs:,} documents of about "
            f"{statistics.median(entity_count(d) for d in datas[:200]):.0f} entities (median per document)", "",
            "| what | median | ratio |", "|---|---|---|",
            f"| hand-written Python (facts given) | {h:.1f} µs | 1.00x |",
            f"| egov-rules engine, generated code | {g:.1f} µs | {g / h:.2f}x hand-written |",
            f"| egov-rules engine, reference closures | {rf:.1f} µs | {rf / h:.2f}x hand-written |",
            f"| validation and facts alone (dict in): the one-pass check | {pr:.1f} µs | {pr / g:.2f}x the engine |",
            f"| the same through pydantic (validate, model_dump, FactBase) | {pp:.1f} µs | "
            f"{pp / pr:.2f}x the one-pass check |",
            f"| whole check of a dict (validate, facts, engine, findings) | {w:.1f} µs | "
            f"{w / g:.2f}x the engine |"]
    if regorus_eval is not None and regorus_total is not None:
        out += [f"| regorus: evaluation alone (input set) | {regorus_eval:.1f} µs | "
                f"whole check is {w / regorus_eval:.2f}x it (per document: median {per_document:.2f}x); "
                f"engine {g / regorus_eval:.2f}x it |",
                f"| regorus: set_input_json + evaluation | {regorus_total:.1f} µs | |"]
    else:
        out += ["| regorus | not run (no --peers interpreter; see README) | |"]
    out += ["| OPA (opa-golib-python-bindings) | not installable here: every release needs Python >= 3.14 | |", "",
            f"Same bindings hand-written vs generated engine: {agree} of {n_docs} documents"
            + (f"; regorus vs hand-written: {regorus_agree} of {n_docs}" if regorus_agree is not None else "")
            + f" (first document: {found} bindings not passing).", ""]


# -------------------------------------------------------------------------------------------- 2. scaling
def bench_scaling(out: list[str], full: Rulebook, sizes: list[int]) -> None:
    checker = Checker(rulebook=full)
    out += ["## 2. Full rulebook by size (whole check of a dict; generated engine)", "",
            "| entities | runs | validate + facts | engine | whole check | whole / engine | whole per entity "
            "| findings |",
            "|---|---|---|---|---|---|---|---|"]
    for size in sizes:
        runs = max(3, min(200, 8000 // size))
        datas = [generate(size, seed=i) for i in range(runs)]
        prep, eng, whole = [], [], []
        findings = 0
        for d in datas:
            t0 = time.perf_counter()
            facts = checker.validate(document(d))
            t1 = time.perf_counter()
            checker.engine.run(facts)
            t2 = time.perf_counter()
            result = checker.check_data(d)
            t3 = time.perf_counter()
            prep.append(t1 - t0)
            eng.append(t2 - t1)
            whole.append(t3 - t2)
            findings += len(result.findings)
        n = statistics.median(entity_count(d) for d in datas)
        w = statistics.median(whole)
        e = statistics.median(eng)
        out.append(f"| {n:,.0f} | {runs} | {median_us(prep) / 1000:.2f} ms | {e * 1000:.2f} ms | "
                   f"{w * 1000:.2f} ms | {w / e:.2f}x | {w / n * 1e6:.1f} µs | {findings // runs} |")
    out.append("")


# --------------------------------------------------------------------------------------------- 3. the CLI
# The same CLI check with validation replaced by the already-validated data: what a check costs once a
# valid submission no longer needs pydantic (the one-pass validator, issue 15 pt 2), at best.  Run as a
# script in the child: a stand-in for egov_rules.input.validate hands over the validated data, so neither
# pydantic nor the submission models are imported; everything else is the CLI's own path.
NO_VALIDATION = """
import pickle, sys, types
sys.path.insert(0, sys.argv[1])
with open(sys.argv[2], "rb") as fh:
    validated = pickle.load(fh)
class Validated:
    def model_dump(self, **options):
        return validated
stand_in = types.ModuleType("egov_rules.input.validate")  # Checker.prepare imports it when it first validates
stand_in.validate_document = lambda doc: Validated()
sys.modules["egov_rules.input.validate"] = stand_in
from egov_rules.cli import main
main(["check", "--format", "json", sys.argv[3]])
"""


def bench_cli(out: list[str], pairs: int) -> None:
    import tempfile

    from egov_rules.input.load import load_document
    from egov_rules.input.validate import validate_document

    fixture = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
    scratch = Path(tempfile.mkdtemp(prefix="egov-bench-cli-"))
    validated = scratch / "validated.pickle"
    doc = validate_document(load_document(fixture))
    validated.write_bytes(pickle.dumps(doc.model_dump(mode="python", by_alias=True)))
    check = [sys.executable, str(ROOT / "cli.py"), "check", "--format", "json", str(fixture)]
    imports = [sys.executable, "-c", "import yaml, pydantic, click, rich"]
    no_validation = [sys.executable, "-c", NO_VALIDATION, str(ROOT), str(validated), str(fixture)]
    # Bytecode for every module, ours and the libraries' alike, as an installed package has it (pip
    # compiles at install): in a scratch prefix, so neither the checkout nor the venv is written to and
    # an environment with PYTHONDONTWRITEBYTECODE does not make the CLI compile its modules at every run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")

    def once(cmd: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT, env=env)
        return time.perf_counter() - start

    same = [subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT, env=env).stdout
            for cmd in (check, no_validation)]  # warm: the rulebook cache and the bytecode
    once(imports)
    load_start = os.getloadavg()[0]
    times: dict[str, list[float]] = {"check": [], "imports": [], "no_validation": []}
    commands = {"check": check, "imports": imports, "no_validation": no_validation}
    order = list(commands)
    for i in range(pairs):
        for name in order[i % 3:] + order[:i % 3]:  # each command first as often as the others
            times[name].append(once(commands[name]))
    ratios = [c / m for c, m in zip(times["check"], times["imports"], strict=True)]
    lean = [c / m for c, m in zip(times["no_validation"], times["imports"], strict=True)]
    med = {name: statistics.median(t) * 1000 for name, t in times.items()}
    out += ["## 3. CLI cold start: one-file check vs importing yaml, pydantic, click and rich", "",
            f"{pairs} rounds, each running the three commands back to back (rotating which goes first); "
            f"bytecode cached for every module; load average {load_start:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end.", "",
            "| command | median | min | per-round ratio to the imports: median (min-max) |", "|---|---|---|---|",
            f"| `python -c \"import yaml, pydantic, click, rich\"` | {med['imports']:.0f} ms | "
            f"{min(times['imports']) * 1000:.0f} ms | 1.00x |",
            f"| `egov-rules check --format json {fixture.name}` | {med['check']:.0f} ms | "
            f"{min(times['check']) * 1000:.0f} ms | **{statistics.median(ratios):.2f}x** "
            f"({min(ratios):.2f}-{max(ratios):.2f}) |",
            f"| the same without pydantic validation (validated data given) | {med['no_validation']:.0f} ms | "
            f"{min(times['no_validation']) * 1000:.0f} ms | {statistics.median(lean):.2f}x "
            f"({min(lean):.2f}-{max(lean):.2f}) |", "",
            "Same report from both check commands: " + ("yes" if same[0] == same[1] else "NO") + ".", ""]
    shutil.rmtree(scratch, ignore_errors=True)


# ------------------------------------------------------------------------------------------- 4. memory
def bench_memory(out: list[str], full: Rulebook, checks: int) -> None:
    checker = Checker(rulebook=full)
    datas = [generate(40, seed=i) for i in range(100)]
    marks = sorted({checks // 10, checks // 2, checks})
    rows = []
    gc.collect()
    start_rss = rss_mb()
    began = time.perf_counter()
    for i in range(1, checks + 1):
        checker.check_data(datas[i % len(datas)])
        if i in marks:
            gc.collect()
            rows.append((i, rss_mb()))
    spent = time.perf_counter() - began
    out += ["## 4. Memory over repeated checks (full rulebook, 40-entity documents, one process)", "",
            "| checks | RSS |", "|---|---|", f"| 0 | {start_rss:.1f} MB |"]
    out += [f"| {i:,} | {mb:.1f} MB |" for i, mb in rows]
    out += ["", f"{checks:,} checks in {spent:.1f} s ({spent / checks * 1e6:.0f} µs each, findings included).", ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller counts (about a minute)")
    ap.add_argument("--peers", default=os.environ.get("EGOV_PEERS_PYTHON"),
                    help="a Python with regorus installed (benchmarks/README.md)")
    ap.add_argument("--markdown", type=Path, help="also write the report here")
    ap.add_argument("--only", choices=["policy", "scaling", "cli", "memory"], action="append")
    args = ap.parse_args()
    full = load_rulebook()
    only = set(args.only or ["policy", "scaling", "cli", "memory"])
    out = ["# egov-rules fast-path benchmark", "",
           f"{platform.machine()}, {os.cpu_count()} cores, CPython {platform.python_version()}, "
           f"{platform.system()}; rulebook {full.version}, {len(full.rules)} rules; load average at start "
           f"{os.getloadavg()[0]:.1f}.", ""]
    started = time.perf_counter()
    if "policy" in only:
        bench_policy(out, full, 1000 if args.quick else 10000, args.peers)
    if "scaling" in only:
        bench_scaling(out, full, [40, 400, 4000] if args.quick else [40, 400, 4000, 40000])
    if "cli" in only:
        bench_cli(out, 10 if args.quick else 30)
    if "memory" in only:
        bench_memory(out, full, 10000 if args.quick else 100000)
    out.append(f"Run took {time.perf_counter() - started:.0f} s; load average at the end {os.getloadavg()[0]:.1f}.")
    text = "\n".join(out) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text, "utf-8")


if __name__ == "__main__":
    main()

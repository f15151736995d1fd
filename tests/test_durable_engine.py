"""The durable_rules engine on its own: each construct of the rule language translated into durable
patterns (outcomes identical to the native engine's, including unknown and "there is none"), the remedies
for durable's traps, and a clean exit 2 when durable-rules is not installed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rule_fixtures import BASE, require_durable, write_rule

from egov_rules.check import Checker
from egov_rules.cli import app
from egov_rules.engine.evaluate import RuleRun
from egov_rules.errors import EXIT_INPUT, UsageError
from egov_rules.rules.examples import apply_patch, outcome_of
from egov_rules.rules.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]


def checkers(tmp_path: Path, body: str) -> tuple[Checker, Checker]:
    require_durable()
    d = write_rule(tmp_path, body)
    book = load_rulebook([d], include_default=False)
    return Checker(rulebook=book), Checker(rulebook=book, engine="durable")


def signature(run: RuleRun) -> tuple[Any, ...]:
    return run.applied, run.passed, run.not_applicable, [(v.status, v.downgraded, v.key) for v in run.verdicts]


def agree(native: Checker, durable: Checker, patch: dict[str, Any]) -> str:
    """Both engines' verdicts on the base with ``patch``; they must be identical.  Returns the outcome."""
    data = apply_patch(BASE, patch)
    facts = native.validate(native_doc(data))
    [n], [d] = native.engine.run(facts), durable.engine.run(facts)
    assert signature(n) == signature(d)
    outcome, _ = outcome_of(native, native.rulebook.rules[0], data, "<test>")
    return outcome


def native_doc(data: dict[str, Any]) -> Any:
    from egov_rules.input.load import Document

    return Document(source="<test>", data=data, positions={}, key_positions={}, format="data")


# ------------------------------------------------------------------------------- three-valued logic
CASES: dict[str, tuple[str, list[tuple[dict[str, Any], str]]]] = {
    "equality: null is unknown": ("""\
        for_each: {project: projects}
        require: {project.conforms_overall_framework: true}
    """, [({}, "pass"),
          ({"projects": [{"id": "prj.ex01", "conforms_overall_framework": False}]}, "violation"),
          ({"projects": [{"id": "prj.ex01", "conforms_overall_framework": None}]}, "insufficient")]),
    "null means none: a date that has not happened compares false, never unknown": ("""\
        for_each: {project: projects}
        require: {project.implementation_start: {le: $submission.as_of}}
    """, [({"projects": [{"id": "prj.ex01", "implementation_start": "2016-01-01"}]}, "pass"),
          ({"projects": [{"id": "prj.ex01", "implementation_start": "2017-01-01"}]}, "violation"),
          ({}, "violation")]),
    "not equal to a null reference (there is none) is true": ("""\
        for_each: {system: information_systems}
        require: {system.operator_tsu: {ne: tsu.vendor1}}
    """, [({}, "pass"),
          ({"information_systems": [{"id": "sys.ex01", "operator_tsu": "tsu.vendor1"}]}, "violation")]),
    "membership of a literal set and of another fact's list": ("""\
        for_each: {item: collection_items}
        when: {item.source: {in: [from_subject, lookup_key]}}
        require:
          exists:
            resource: info_resources
            where: {item.element: {in: $resource.elements}}
    """, [({}, "violation"),
          ({"collection_items": [{"id": "ci.05", "source": "via_sharing"}]}, "pass"),
          ({"collection_items": [{"id": i, "source": "via_sharing"} for i in ("ci.01", "ci.02", "ci.04", "ci.05")]},
           "not_applicable")]),
    "contains across bindings, and none with an unknown": ("""\
        for_each: {item: collection_items}
        when: {item.source: from_subject}
        require:
          none:
            resource: info_resources
            where:
              all:
                - resource.elements: {contains: $item.element}
                - resource.owner_unit: {ne: $item.unit}
                - resource.not_shared_basis: {ne: state_secret}
    """, [({}, "pass"),
          ({"collection_items": [{"id": "ci.03", "source": "from_subject"}]}, "insufficient"),
          ({"collection_items": [{"id": "ci.03", "source": "from_subject"}],
            "info_resources": [{"id": "res.fj.pop", "not_shared_basis": "law"}]}, "violation")]),
    "every, with where and require": ("""\
        for_each: {project: projects}
        require:
          every:
            system: information_systems
            where: {system.project: $project.id}
            require: {system.mlps_level: {ge: 2}}
    """, [({}, "pass"),
          ({"information_systems": [{"id": "sys.ex01", "mlps_level": 1}]}, "violation"),
          ({"information_systems": [{"id": "sys.ex01", "mlps_level": None}]}, "violation")]),
    "is_set, is_a, count and days before as_of with an offset": ("""\
        for_each: {system: information_systems}
        require:
          all:
            - system.risk_assessment_date: {is_set: true}
            - system.project: {is_a: projects}
            - system.accesses_shared_sensitive.count: {ge: 1}
            - system.risk_assessment_date.days_before_as_of: {lt: 400}
            - system.risk_assessment_date: {ge: {of: $submission.as_of, minus: 365}}
    """, [({}, "pass"),
          ({"information_systems": [{"id": "sys.ex01", "risk_assessment_date": None}]}, "violation"),
          ({"information_systems": [{"id": "sys.ex01", "risk_assessment_date": "2015-01-01"}]}, "violation"),
          ({"information_systems": [{"id": "sys.ex01", "accesses_shared_sensitive": []}]}, "violation")]),
    "every, over a list of references inside the binding": ("""\
        for_each: {plan: plans}
        require:
          every:
            included: plan.includes_projects
            require: {included.stage: proposal}
    """, [({}, "pass"),
          ({"projects": [{"id": "prj.ex01", "stage": "approved"}]}, "violation"),
          ({"plans": [{"id": "plan.ly.egov", "includes_projects": []}]}, "pass")]),
    "a quantifier may bind the entity its rule is about (one fact, two patterns)": ("""\
        for_each: {unit: units}
        require:
          exists:
            other: units
            where: {other.level: $unit.level}
    """, [({}, "pass")]),
    "a list inside an entity, and a downgrade": ("""\
        for_each: {project: projects, component: project.components}
        when: {component.mode: {in: [build_own, expand_own, rebuild_own]}}
        require: {component.platform.unified: true}
        downgrade:
          when: {component.justification: {is_set: true}}
          reason: {en: justified, zh: 已说明理由}
    """, [({}, "violation"),
          ({"platforms": [{"id": "plat.ct.app", "unified": True}]}, "pass"),
          ({"projects": [{"id": "prj.ex01", "components": [
              {"kind": "business_application", "mode": "build_own", "platform": "plat.ct.app",
               "justification": "legacy"}]}]}, "warning")]),
}


def run_construct(tmp_path: Path, case: str) -> None:
    body, scenarios = CASES[case]
    native, durable = checkers(tmp_path, body)
    assert durable.engine.notes == []  # type: ignore[attr-defined]
    for patch, expected in scenarios:
        assert agree(native, durable, patch) == expected, patch


@pytest.mark.parametrize("case", sorted(CASES))
def test_constructs_give_the_native_outcomes(tmp_path: Path, case: str) -> None:
    run_construct(tmp_path, case)


def run_all_constructs_in_one_process(seed: int) -> subprocess.CompletedProcess[str]:
    code = ("import sys, tempfile, pathlib; sys.path.insert(0, sys.argv[1]); import test_durable_engine as t\n"
            "for case in sorted(t.CASES): t.run_construct(pathlib.Path(tempfile.mkdtemp()), case)\n"
            "print('all', len(t.CASES))")
    env = {**os.environ, "PYTHONHASHSEED": str(seed),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code, str(ROOT / "tests")],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


@pytest.mark.parametrize("seed", range(6))
def test_every_construct_case_runs_in_one_process_under_several_hash_seeds(seed: int) -> None:
    # durable's C core used to read past a join sequence (test_durable_join_sequences.py); with the cases run
    # one after another in one interpreter that read hit an unmapped page under every hash seed tried (0-10:
    # SIGSEGV).  A fresh interpreter per seed gives each run its own heap layout.
    require_durable()
    done = run_all_constructs_in_one_process(seed)
    assert done.returncode == 0, f"seed {seed}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert done.stdout.split() == ["all", str(len(CASES))]


def test_a_rule_durable_cannot_express_runs_natively_and_says_so(tmp_path: Path) -> None:
    native, durable = checkers(tmp_path, """\
        for_each: {project: projects}
        require: {project.implementation_start: {eq: $project.budget.construction_cny}}
    """)
    [note] = durable.engine.notes  # type: ignore[attr-defined]
    assert note.startswith("rule art17-test-rule: run by the native engine because")
    assert "date" in note
    agree(native, durable, {"projects": [{"id": "prj.ex01", "implementation_start": "2016-01-01"}]})
    result = durable.check_data(BASE)
    assert result.engine_notes == [note]


# ------------------------------------------------------------------------------- durable's traps
SIMPLE = """\
    for_each: {item: collection_items}
    require:
      exists:
        catalogue: collection_catalogues
        where: {catalogue.unit: $item.unit}
"""


def test_sessions_are_deleted_so_more_than_1024_checks_run(tmp_path: Path) -> None:
    native, durable = checkers(tmp_path, SIMPLE)
    facts = native.validate(native_doc(BASE))
    expected = signature(native.engine.run(facts)[0])
    for _ in range(1100):  # durable allows 1,024 live sessions per ruleset
        assert signature(durable.engine.run(facts)[0]) == expected


def test_no_background_dispatcher_threads(tmp_path: Path) -> None:
    before = threading.active_count()
    _, durable = checkers(tmp_path, SIMPLE)
    durable.check_data(BASE)
    assert threading.active_count() == before


def test_an_exception_inside_an_action_is_raised_not_swallowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from egov_rules.engine.durable import runtime as durable_engine

    class Broken(durable_engine.Session):
        def __init__(self) -> None:
            super().__init__()
            self.outcomes = None  # type: ignore[assignment]

    native, durable = checkers(tmp_path, SIMPLE)
    monkeypatch.setattr(durable_engine, "Session", Broken)
    facts = native.validate(native_doc(BASE))
    with pytest.raises(AttributeError):
        durable.engine.run(facts)
    monkeypatch.undo()
    assert signature(durable.engine.run(facts)[0]) == signature(native.engine.run(facts)[0])  # still usable


def test_threads_share_one_durable_engine_safely(tmp_path: Path) -> None:
    native, durable = checkers(tmp_path, SIMPLE)
    variants = [BASE, apply_patch(BASE, {"collection_catalogues": [{"id": "cat.ct.mz", "_delete": True}]})]
    expected = [signature(native.engine.run(native.validate(native_doc(v)))[0]) for v in variants]
    got: list[list[Any]] = [[] for _ in range(4)]

    def work(slot: int) -> None:
        for i in range(10):
            v = variants[(slot + i) % 2]
            got[slot].append((v is variants[1], signature(durable.engine.run(native.validate(native_doc(v)))[0])))

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for results in got:
        assert len(results) == 10
        for second, sig in results:
            assert sig == expected[int(second)]


# ------------------------------------------------------------------------------- not installed
@pytest.fixture
def without_durable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "durable" or m.startswith("durable.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "durable", None)  # makes "import durable..." raise ImportError


@pytest.mark.usefixtures("without_durable")
def test_without_durable_rules_the_checker_raises_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        Checker(engine="durable")
    assert info.value.exit_code == EXIT_INPUT
    assert "durable-rules" in info.value.message
    assert "pip install" in (info.value.expected or "")


@pytest.mark.usefixtures("without_durable")
def test_without_durable_rules_the_cli_exits_2_saying_how_to_install_it() -> None:
    result = CliRunner().invoke(app, ["check", str(ROOT / "fixtures" / "01_county_compliant.yaml"),
                                      "--engine", "durable", "--format", "json", "--no-config", "--jobs", "1"])
    assert result.exit_code == 2
    assert "pip install" in result.stderr and "durable" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout

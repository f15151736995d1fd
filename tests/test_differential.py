"""The three engines must agree: generated code (native, the default), the reference closures and
durable_rules: verdicts and the JSON findings.

Every rule example, every fixture and shared example, and generated schema-valid submissions (hypothesis,
``tests/strategies.py``) go through every engine (durable when durable-rules is installed).  Verdicts
are compared per rule and binding (status, downgrade, key, and the counts of passed and not-applicable
bindings); findings as the JSON report has them, in both languages.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from rule_fixtures import require_durable
from strategies import EXAMPLES, document, rulebook, seed_files, submissions, valid

from egov_rules.check import Checker, SubmissionResult
from egov_rules.engine.evaluate import RuleRun
from egov_rules.input.facts import FactBase
from egov_rules.input.load import load_document
from egov_rules.reports.model import submission_dict
from egov_rules.rules.examples import apply_patch

if sys.version_info >= (3, 13):  # durable_rules cannot be built there (README): generated vs reference only
    OTHERS: tuple[str, ...] = ("native",)
else:
    require_durable()  # part of the test install ('.[dev]'): missing, the tests fail rather than skip
    OTHERS = ("native", "durable")

Engines = tuple[Checker, ...]


@pytest.fixture(scope="module")
def engines() -> Engines:
    """The reference first, then the engines compared with it."""
    reference = Checker(rulebook=rulebook(), engine="reference")
    return (reference, *(Checker(rulebook=reference.rulebook, engine=name) for name in OTHERS))


def verdicts(runs: list[RuleRun]) -> list[tuple[Any, ...]]:
    return [(r.rule.id, r.applied, r.passed, r.not_applicable,
             [(v.status, v.downgraded, v.key) for v in r.verdicts]) for r in runs]


def assert_same_verdicts(engines: Engines, facts: FactBase) -> None:
    reference, *others = engines
    expected = verdicts(reference.engine.run(facts))
    for other in others:
        got = verdicts(other.engine.run(facts))
        differ = [(e, g) for e, g in zip(expected, got, strict=True) if e != g]
        assert not differ, (f"{len(differ)} rules differ; first: reference {differ[0][0]} / "
                            f"{other.engine.name} {differ[0][1]}")


def assert_same_json(engines: Engines, run: Any) -> None:
    reference, *others = engines
    expected = as_json(run(reference))
    for other in others:
        assert as_json(run(other)) == expected, other.engine.name


def as_json(result: SubmissionResult) -> list[dict[str, Any]]:
    assert result.error is None, result.error
    return [submission_dict(result, lang) for lang in ("en", "zh")]


def example_cases() -> list[tuple[str, int]]:
    return [(r.id, i) for r in rulebook().rules for i in range(len(r.spec.examples))]


@pytest.mark.parametrize("rule_id", sorted({r for r, _ in example_cases()}))
def test_rule_examples_agree(engines: Engines, rule_id: str) -> None:
    native = engines[0]
    rule = native.rulebook.get(rule_id)
    assert rule is not None
    for i, ex in enumerate(rule.spec.examples):
        data = apply_patch(load_document(native.rulebook.bases[ex.base]).data, ex.patch)
        doc = document(data, f"{rule_id} example {i + 1}")
        assert_same_verdicts(engines, native.validate(doc))
        assert_same_json(engines, lambda checker: checker.check_document(doc))  # noqa: B023


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixtures_and_shared_examples_agree(engines: Engines, path: Path) -> None:
    assert_same_verdicts(engines, engines[0].validate(load_document(path)))
    assert_same_json(engines, lambda checker: checker.check_path(path))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=submissions())
def test_generated_submissions_agree(engines: Engines, data: dict[str, Any]) -> None:
    assert valid(data)
    assert_same_verdicts(engines, engines[0].validate(document(data)))
    assert_same_json(engines, lambda checker: checker.check_data(data))


def test_durable_notes_name_each_rule_it_leaves_to_the_native_engine(engines: Engines) -> None:
    if "durable" not in OTHERS:
        pytest.skip("durable_rules does not build on CPython 3.13+")
    durable = engines[-1]
    notes = durable.engine.notes  # type: ignore[attr-defined]
    native_ids = {p.rule.id for p in durable.engine.plans if p.native is not None}  # type: ignore[attr-defined]
    assert len(notes) == len(native_ids)
    for note in notes:
        rule_id = note.split(":", 1)[0].removeprefix("rule ")
        assert rule_id in native_ids
        assert "run by the native engine because" in note


def test_every_rule_runs_as_generated_code(engines: Engines) -> None:
    """The default engine is the generated code for every rule (no silent fallback to the closures)."""
    from egov_rules.engine.generated import GeneratedEngine

    native = engines[1]
    assert isinstance(native.engine, GeneratedEngine)
    assert [rule.id for rule, _, _ in native.engine.functions] == native.rulebook.ids()
    assert all(callable(function) for _, function, _ in native.engine.functions)

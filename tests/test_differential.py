"""The durable_rules engine and the native engine must agree: verdicts and the JSON findings.

Every rule example, every fixture and shared example, and generated schema-valid submissions (hypothesis,
``tests/strategies.py``) go through both engines.  Verdicts are compared per rule and binding (status,
downgrade, key, and the counts of passed and not-applicable bindings); findings as the JSON report has
them, in both languages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from rule_fixtures import require_durable
from strategies import EXAMPLES, document, rulebook, seed_files, submissions, valid

from egov_rules.check import Checker, SubmissionResult
from egov_rules.evaluate import RuleRun
from egov_rules.examples import apply_patch
from egov_rules.facts import FactBase
from egov_rules.load import load_document
from egov_rules.report.model import submission_dict

require_durable()


@pytest.fixture(scope="module")
def engines() -> tuple[Checker, Checker]:
    native = Checker(rulebook=rulebook())
    return native, Checker(rulebook=native.rulebook, engine="durable")


def verdicts(runs: list[RuleRun]) -> list[tuple[Any, ...]]:
    return [(r.rule.id, r.applied, r.passed, r.not_applicable,
             [(v.status, v.downgraded, v.key) for v in r.verdicts]) for r in runs]


def assert_same_verdicts(engines: tuple[Checker, Checker], facts: FactBase) -> None:
    native, durable = engines
    expected, got = verdicts(native.engine.run(facts)), verdicts(durable.engine.run(facts))
    differ = [(e, g) for e, g in zip(expected, got, strict=True) if e != g]
    assert not differ, f"{len(differ)} rules differ; first: native {differ[0][0]} / durable {differ[0][1]}"


def as_json(result: SubmissionResult) -> list[dict[str, Any]]:
    assert result.error is None, result.error
    return [submission_dict(result, lang) for lang in ("en", "zh")]


def example_cases() -> list[tuple[str, int]]:
    return [(r.id, i) for r in rulebook().rules for i in range(len(r.spec.examples))]


@pytest.mark.parametrize("rule_id", sorted({r for r, _ in example_cases()}))
def test_rule_examples_agree(engines: tuple[Checker, Checker], rule_id: str) -> None:
    native, durable = engines
    rule = native.rulebook.get(rule_id)
    assert rule is not None
    for i, ex in enumerate(rule.spec.examples):
        data = apply_patch(load_document(native.rulebook.bases[ex.base]).data, ex.patch)
        doc = document(data, f"{rule_id} example {i + 1}")
        assert_same_verdicts(engines, native.validate(doc))
        assert as_json(native.check_document(doc)) == as_json(durable.check_document(doc))


@pytest.mark.parametrize("path", seed_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixtures_and_shared_examples_agree(engines: tuple[Checker, Checker], path: Path) -> None:
    native, durable = engines
    assert_same_verdicts(engines, native.validate(load_document(path)))
    assert as_json(native.check_path(path)) == as_json(durable.check_path(path))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=submissions())
def test_generated_submissions_agree(engines: tuple[Checker, Checker], data: dict[str, Any]) -> None:
    assert valid(data)
    native, durable = engines
    assert_same_verdicts(engines, native.validate(document(data)))
    assert as_json(native.check_data(data)) == as_json(durable.check_data(data))


def test_durable_notes_name_each_rule_it_leaves_to_the_native_engine(engines: tuple[Checker, Checker]) -> None:
    _, durable = engines
    notes = durable.engine.notes  # type: ignore[attr-defined]
    native_ids = {p.rule.id for p in durable.engine.plans if p.native is not None}  # type: ignore[attr-defined]
    assert len(notes) == len(native_ids)
    for note in notes:
        rule_id = note.split(":", 1)[0].removeprefix("rule ")
        assert rule_id in native_ids
        assert "run by the native engine because" in note

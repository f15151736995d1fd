"""Every rule's own examples, collected by pytest (the same runner as `egov-rules rules test`)."""

from __future__ import annotations

import pytest

from egov_rules.check import Checker
from egov_rules.input.load import load_document
from egov_rules.rules.examples import outcome_of, run_examples
from egov_rules.rules.rulebook import load_rulebook

RULEBOOK = load_rulebook()
CASES = [(r.id, i, ex.name) for r in RULEBOOK.rules for i, ex in enumerate(r.spec.examples)]


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(rulebook=RULEBOOK)


_RESULTS: dict[str, list] = {}


@pytest.mark.parametrize(("rule_id", "index", "name"), CASES, ids=[f"{c[0]}[{c[1]}]" for c in CASES])
def test_rule_example(checker: Checker, rule_id: str, index: int, name: str) -> None:
    if rule_id not in _RESULTS:
        _RESULTS[rule_id] = run_examples(checker, [rule_id])
    result = _RESULTS[rule_id][index]
    assert result.name == name
    assert result.ok, f"{rule_id} example '{name}': {result.detail}"


@pytest.mark.parametrize("base", sorted(RULEBOOK.bases))
def test_bases_are_compliant(checker: Checker, base: str) -> None:
    """A base that already fails would make 'violation' examples prove nothing."""
    data = load_document(RULEBOOK.bases[base]).data
    bad = {}
    for rule in RULEBOOK.rules:
        got, _ = outcome_of(checker, rule, data, f"_bases/{base}.yaml")
        if got in ("violation", "warning", "insufficient"):
            bad[rule.id] = got
    assert not bad, f"base '{base}' is not compliant: {bad}"


def test_every_rule_has_failing_and_passing_examples() -> None:
    for rule in RULEBOOK.rules:
        expects = {e.expect for e in rule.spec.examples}
        assert "pass" in expects, rule.id
        assert expects & {"violation", "warning", "insufficient"}, rule.id

"""Properties of the native engine on generated schema-valid submissions (``tests/strategies.py``).

* the order of the entities in each list does not change the findings (rule, fingerprint, severity);
* adding an unrelated entity (a unit nothing refers to, an authority) changes no rule's result for the
  bindings that were already there;
* the same input gives byte-identical JSON twice, also from a fresh ``Checker``;
* no rule raises on a schema-valid submission.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import COLLECTIONS, EXAMPLES, document, rulebook, submissions, valid

from egov_rules.check import Checker, Report
from egov_rules.engine.evaluate import binding_key, rule_in_force
from egov_rules.input.facts import FactBase
from egov_rules.reports import RenderOptions, render

SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
CHECKER = Checker(rulebook=rulebook())


def findings(data: dict[str, Any]) -> Counter[tuple[str, str, str]]:
    result = CHECKER.check_data(data)
    assert result.error is None, result.error
    return Counter((f.rule, f.fingerprint, f.severity) for f in result.findings)


def outcomes(data: dict[str, Any]) -> dict[tuple[str, tuple[str, ...]], str]:
    """Each rule's result for each of its bindings: not_applicable, pass, fail, downgraded or unknown."""
    facts: FactBase = CHECKER.validate(document(data))
    out: dict[tuple[str, tuple[str, ...]], str] = {}
    for c in CHECKER.native.compiled:
        if not rule_in_force(c.rule, facts):
            continue
        for env in c.environments(facts):
            key = (c.rule.id, binding_key(env, c.names))
            applies = c.when(env, facts, None) if c.when is not None else True
            if applies is False:
                out[key] = "not_applicable"
                continue
            result = c.require(env, facts, None) if applies else None
            if result is False and c.downgrade is not None and c.downgrade(env, facts, None) is True:
                out[key] = "downgraded"
            else:
                out[key] = {True: "pass", False: "fail", None: "unknown"}[result]
    return out


@st.composite
def shuffled(draw: Any, data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for coll in COLLECTIONS:
        if len(out.get(coll) or []) > 1:
            out[coll] = draw(st.permutations(out[coll]))
    return out


@SETTINGS
@given(data=st.data(), base=submissions())
def test_entity_order_does_not_change_findings(data: st.DataObject, base: dict[str, Any]) -> None:
    other = data.draw(shuffled(base))
    assert findings(other) == findings(base)


REGIONS = {
    "provincial": {"province": "Fujian"},
    "municipal": {"province": "Fujian", "city": "Unrelatedcity"},
    "county": {"province": "Fujian", "city": "Unrelatedcity", "county": "Unrelatedcounty"},
}


@st.composite
def unrelated(draw: Any) -> tuple[str, dict[str, Any]]:
    """A unit or an authority that no entity refers to (and that refers to nothing)."""
    level = draw(st.sampled_from(sorted(REGIONS)))
    if draw(st.booleans()):
        unit_type = draw(st.sampled_from(["state_organ", "public_institution", "social_group", "authorized_org"]))
        return "units", {"id": "unit.unrelated.x1", "name": "unrelated unit", "type": unit_type, "level": level,
                         "region": REGIONS[level]}
    kind = draw(st.sampled_from(["egov_dept", "approval_dept", "finance_dept", "standards_dept", "public_security"]))
    return "authorities", {"id": "auth.unrelated.x1", "kind": kind, "level": level, "region": REGIONS[level]}


@SETTINGS
@given(base=submissions(), extra=unrelated())
def test_an_unrelated_entity_changes_no_existing_result(base: dict[str, Any],
                                                        extra: tuple[str, dict[str, Any]]) -> None:
    coll, entity = extra
    grown = copy.deepcopy(base)
    grown[coll] = [*(grown.get(coll) or []), entity]
    assume(valid(grown))
    before = outcomes(base)
    after = outcomes(grown)
    pointer = f"/{coll}/{len(grown[coll]) - 1}"
    assert {k: v for k, v in after.items() if pointer not in k[1]} == before


@SETTINGS
@given(base=submissions())
def test_same_input_same_bytes_also_from_a_fresh_checker(base: dict[str, Any]) -> None:
    def report(checker: Checker) -> str:
        result = checker.check_data(copy.deepcopy(base), "generated.yaml")
        return render(Report([result], checker.rulebook), "json", RenderOptions())

    first = report(CHECKER)
    assert report(CHECKER) == first
    assert report(Checker(rulebook=CHECKER.rulebook)) == first


@SETTINGS
@given(base=submissions(max_mutations=12))
def test_no_rule_raises_on_a_valid_submission(base: dict[str, Any]) -> None:
    assert valid(base)
    facts = CHECKER.validate(document(base))
    for compiled in CHECKER.native.compiled:
        compiled.run(facts)  # each rule on its own, so a failure names the rule
    result = CHECKER.check_data(base)
    assert result.error is None


def test_a_fresh_rulebook_gives_the_same_bytes() -> None:
    from strategies import seeds

    from egov_rules.rules.rulebook import load_rulebook

    data = seeds()[0]
    a = render(Report([CHECKER.check_data(copy.deepcopy(data), "x")], CHECKER.rulebook), "json", RenderOptions())
    fresh = Checker(rulebook=load_rulebook())
    b = render(Report([fresh.check_data(copy.deepcopy(data), "x")], fresh.rulebook), "json", RenderOptions())
    assert a == b

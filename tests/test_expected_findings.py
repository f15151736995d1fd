"""Submissions with expected findings (fixtures/ and the shared spec examples): the rulebook must cite
every must_cite article, none of must_not_cite, with the stated severities, Art 44 class and exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from egov_rules.check import Checker, Report
from egov_rules.rules.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "vendor" / "spec" / "examples"
CASES = sorted(ROOT.glob("fixtures/*.expected.yaml")) + sorted(SHARED.glob("*.expected.yaml"))

# Art 44 class of an expected file -> the decision outcomes that honour it at its stage
OUTCOMES = {
    "none": {"allow"},
    "B-review": {"needs_review"},
    "A-review": {"needs_review"},
    "A": {"not_implemented"},
    "B": {"refuse_approval", "withhold_funds", "suspend", "terminate", "refuse_acceptance"},
}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(rulebook=load_rulebook())


def _submission(expected: Path) -> Path:
    return expected.with_name(expected.name.replace(".expected.yaml", ".yaml"))


@pytest.mark.parametrize("expected", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_expected_findings(checker: Checker, expected: Path) -> None:
    spec = yaml.safe_load(expected.read_text("utf-8"))
    result = checker.check_path(_submission(expected), raise_errors=True)
    cited = {f.article for f in result.findings}
    violations = {f.article for f in result.findings if f.severity == "violation"}
    for item in spec.get("must_cite") or []:
        assert item["article"] in cited, f"must cite Art {item['article']}: {item.get('check')}"
    for article in spec.get("must_not_cite") or []:
        wrong = [f.rule for f in result.findings if f.article == article]
        assert not wrong, f"must not cite Art {article}, got {wrong}"
    for item in spec.get("must_severity") or []:
        sevs = {f.severity for f in result.findings if f.article == item["article"]}
        assert item["severity"] in sevs, f"Art {item['article']}: expected {item['severity']}, got {sevs}"
    allowed = {c["article"] for c in spec.get("must_cite") or []} | {c["article"] for c in spec.get("may_cite") or []}
    stray = violations - allowed
    assert not stray, f"violations of articles not expected: {sorted(stray)}"
    if not spec.get("must_cite"):
        assert not [f for f in result.findings if f.severity != "insufficient"], "a compliant submission has findings"
    report = Report([result], checker.rulebook)
    assert report.exit_code("violation") == (1 if violations else 0)
    art44 = spec.get("art44")
    if art44:
        decisions = [d for d in result.decisions if d.stage == art44["stage"]]
        assert decisions, "no decision for the expected stage"
        assert decisions[0].outcome in OUTCOMES[art44["class"]], decisions[0]
        for reason in art44.get("review_reasons") or []:  # why the decision needs a reviewer
            assert reason in decisions[0].reasons.values(), (reason, decisions[0].reasons)
    rules = {f.rule: f.severity for f in result.findings}
    for item in spec.get("must_rules") or []:  # rule-level expectations (issue 11 fixtures)
        assert rules.get(item["rule"]) == item["severity"], (item, rules)
    for rule_id in spec.get("must_not_rules") or []:
        assert rule_id not in rules, f"{rule_id} must not fire"
    for item in spec.get("art46") or []:
        statuses = {st for f in result.findings for i, st in f.art46 if i == item["item"]}
        assert item["status"] in statuses, f"Art 46({item['item']}): expected {item['status']}, got {statuses}"

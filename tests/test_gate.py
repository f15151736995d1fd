"""`egov-rules gate`: the Art 44 decision of articles.md §3.1 for each stage, exit codes 0/1/3 (2 bad input).

Most submissions here are the fixtures with one fact patched.  To pin the decision on a known Art 44 class
independently of the growing rulebook, some tests run a one-rule probe rulebook (``--only-rules``) whose
class and fact they choose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from egov_rules.cli import app
from egov_rules.decisions.sanctions import decide

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
COMPLIANT = FIX / "01_county_compliant.yaml"
OWN_DC = FIX / "02_municipal_own_datacentre.yaml"
RECOLLECT = FIX / "03_collection_outside_catalogue.yaml"

PROBE = """\
article: 17
rules:
  - id: art17-gate-probe
    title: {{en: Probe of the Art 44 gate, zh: 第四十四条测试规则}}
    message: {{en: "Project {{project.id}} does not conform.", zh: "项目 {{project.id}} 不符合。"}}
    remediation: {{en: Conform., zh: 整改。}}
    severity: {severity}
    sanctions: {{art44: {cls}, art46: [{{item: 1, impact: project.impact.major_waste}}]}}
    for_each: {{project: projects}}
    require: {{project.conforms_overall_framework: true}}
    examples:
      - {{name: conforms, expect: pass}}
      - name: does not
        expect: violation
        patch: {{projects: [{{id: prj.ex01, conforms_overall_framework: false}}]}}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def patched(tmp_path: Path, base: Path, name: str = "s.yaml", **project: Any) -> str:
    data = yaml.safe_load(base.read_text("utf-8"))
    data["projects"][0].update(project)
    out = tmp_path / name
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return str(out)


def probe(tmp_path: Path, cls: str, severity: str = "violation") -> str:
    rules = tmp_path / "probe-rules" / "ch"
    rules.mkdir(parents=True, exist_ok=True)
    (rules / "art17-gate-probe.yaml").write_text(PROBE.format(cls=cls, severity=severity), "utf-8")
    return str(rules.parent)


def gate_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("gate", *args, "--format", "json")
    assert "Traceback" not in out + err
    return code, json.loads(out)["submissions"][0]["decision"]


# ------------------------------------------------------------------------------------ class B by stage
B_BY_STAGE = {
    "proposal": ("refuse_approval", ["the approval department shall not approve construction",
                                     "the finance department shall not arrange construction funds"]),
    "approved": ("withhold_funds", ["the finance department shall not arrange construction funds",
                                    "the approval already given is flagged for review"]),
    "under_construction": ("suspend", ["suspend disbursement of construction funds", "suspend construction"]),
    "completed": ("refuse_acceptance", ["the project shall not be accepted",
                                        "suspend disbursement of operation and maintenance funds"]),
    "in_operation": ("refuse_acceptance", ["the project shall not be accepted",
                                           "suspend disbursement of operation and maintenance funds"]),
}


@pytest.mark.parametrize("stage", sorted(B_BY_STAGE))
def test_class_b_violation_blocks_with_the_consequence_of_the_projects_stage(tmp_path: Path, stage: str) -> None:
    path = patched(tmp_path, OWN_DC, stage=stage)  # Art 17 own data centre without approval: class B
    code, decision = gate_json(path)
    outcome, consequences = B_BY_STAGE[stage]
    assert code == 1
    assert decision["stage"] == stage
    assert decision["outcome"] == outcome
    assert decision["consequences"] == consequences
    assert decision["blocking_findings"]


def test_stage_option_overrides_the_projects_own_stage_in_decision_and_findings() -> None:
    code, out, _ = run("gate", str(OWN_DC), "--stage", "completed", "--format", "json")
    assert code == 1
    sub = json.loads(out)["submissions"][0]
    assert sub["decision"]["outcome"] == "refuse_acceptance"
    art17 = next(f for f in sub["findings"] if f["rule"] == "art17-data-centre-without-approval")
    assert art17["sanctions"]["art44"]["stage"] == "completed"
    assert "the project shall not be accepted" in art17["sanctions"]["art44"]["consequences"]


def test_under_construction_and_serious_terminates(tmp_path: Path) -> None:
    path = patched(tmp_path, OWN_DC, stage="under_construction", severity="serious")
    code, decision = gate_json(path)
    assert code == 1
    assert decision["outcome"] == "terminate"
    assert decision["consequences"][-1] == "terminate the project (circumstances serious)"


def test_under_construction_with_unknown_severity_suspends_and_says_termination_is_open(tmp_path: Path) -> None:
    path = patched(tmp_path, OWN_DC, stage="under_construction", severity=None)
    code, decision = gate_json(path)
    assert code == 1
    assert decision["outcome"] == "suspend"
    assert "terminate the project (circumstances serious)" not in decision["consequences"]
    assert any("project.severity is unknown" in n for n in decision["notes"])


# ------------------------------------------------------------------------------------ the probe: A, review
@pytest.mark.parametrize("stage", ["planning", "proposal", "approved", "under_construction", "completed",
                                   "in_operation"])
def test_class_a_violation_means_not_implemented_at_any_stage(tmp_path: Path, stage: str) -> None:
    path = patched(tmp_path, COMPLIANT, stage=stage, conforms_overall_framework=False)
    code, decision = gate_json(path, "--only-rules", "--rules", probe(tmp_path, "A"))
    assert code == 1
    assert decision["outcome"] == "not_implemented"
    assert decision["consequences"] == ["the plan or programme shall not be implemented until it is filed"]
    started = stage in ("under_construction", "completed", "in_operation")
    assert any("interpretive recommendation" in n for n in decision["notes"]) is started


@pytest.mark.parametrize("cls", ["A", "B", "B-review"])
def test_unknown_fact_on_a_rule_that_could_trigger_art44_needs_a_reviewer(tmp_path: Path, cls: str) -> None:
    path = patched(tmp_path, COMPLIANT, conforms_overall_framework=None)
    code, decision = gate_json(path, "--only-rules", "--rules", probe(tmp_path, cls))
    assert code == 3
    assert decision["outcome"] == "needs_review"
    [item] = decision["review"]
    assert item["reason"] == "unknown_facts"
    assert "not given" in item["why"]
    assert [m["path"] for m in item["missing_facts"]] == ["project.conforms_overall_framework"]
    expected = ("(review) the plan or programme shall not be implemented until it is filed" if cls == "A"
                else "(review) the approval department shall not approve construction")
    assert decision["conditional_consequences"][0] == expected


def test_b_review_violation_needs_a_reviewer_with_conditional_consequences() -> None:
    code, decision = gate_json(str(RECOLLECT))  # Art 19 re-collection: 44B-review, under construction
    assert code == 3
    assert decision["outcome"] == "needs_review"
    assert decision["consequences"] == ["(review) suspend disbursement of construction funds",
                                        "(review) suspend construction"]
    assert {r["reason"] for r in decision["review"]} == {"b_review"}
    assert {r["rule"] for r in decision["review"]} == {"art19-recollection-of-shared-data"}


def test_warning_on_a_class_b_rule_needs_a_reviewer(tmp_path: Path) -> None:
    path = patched(tmp_path, COMPLIANT, conforms_overall_framework=False)
    code, decision = gate_json(path, "--only-rules", "--rules", probe(tmp_path, "B", severity="warning"))
    assert code == 3
    assert decision["review"][0]["reason"] == "unconfirmed"


def test_findings_with_no_art44_class_never_block(tmp_path: Path) -> None:
    path = patched(tmp_path, COMPLIANT, conforms_overall_framework=False)
    rules = probe(tmp_path, "none")
    assert run("check", path, "--only-rules", "--rules", rules, "--format", "json")[0] == 1
    code, decision = gate_json(path, "--only-rules", "--rules", rules)
    assert code == 0
    assert decision["outcome"] == "allow"


def test_compliant_submission_is_allowed() -> None:
    code, decision = gate_json(str(COMPLIANT))
    assert code == 0
    assert decision["outcome"] == "allow"
    assert decision["consequences"] == []


# ------------------------------------------------------------------------------------ decide() itself
@dataclass
class F:
    art44_class: str
    severity: str = "violation"
    fingerprint: str = "fp"
    waived: dict[str, Any] | None = None
    missing: list[Any] = field(default_factory=list)


def test_decide_a_and_b_together_is_not_implemented_with_both_consequences() -> None:
    d = decide("p", "proposal", "normal", [F("A", fingerprint="a"), F("B", fingerprint="b")])
    assert d.outcome == "not_implemented"
    assert d.consequences == ["not_implemented", "not_approved", "no_construction_funds"]
    assert d.blocking == ["a", "b"] and d.blocks


def test_decide_blocking_wins_over_review_but_keeps_the_review_list() -> None:
    d = decide("p", "under_construction", "normal", [F("B", fingerprint="b"), F("B-review", fingerprint="r")])
    assert d.outcome == "suspend" and d.review == ["r"] and d.reasons == {"r": "b_review"}


def test_decide_skips_waived_findings() -> None:
    d = decide("p", "proposal", None, [F("B", waived={"rule": "x"})])
    assert d.outcome == "allow" and not d.blocking


def test_decide_with_unknown_stage_leaves_class_b_to_a_reviewer() -> None:
    d = decide("p", None, None, [F("B", fingerprint="b")])
    assert d.outcome == "needs_review" and d.reasons == {"b": "stage_unknown"}


def test_planning_stage_shows_proposal_consequences_with_a_note() -> None:
    d = decide("p", "planning", None, [F("B")])
    assert d.outcome == "refuse_approval" and d.notes == ["planning_stage"]


# ------------------------------------------------------------------------------------ every format, inputs
def test_gate_renders_the_decision_in_every_human_format(tmp_path: Path) -> None:
    for fmt, needle in (("table", "not approved, no construction funds"),
                        ("markdown", "not approved, no construction funds"),
                        ("html", "not approved, no construction funds")):
        code, out, _ = run("gate", str(OWN_DC), "--format", fmt)
        assert code == 1, fmt
        assert needle in out, fmt
        assert "art17-data-centre-without-approval" in out, fmt
        assert "Art 46(1)" in out, fmt  # the Art 46 items each finding may lead to
    code, out, _ = run("gate", str(RECOLLECT), "--format", "table")
    assert code == 3
    assert "needs a reviewer's judgement" in out and "44B-review" in out


def test_gate_lists_art46_items_with_their_status() -> None:
    out = run("gate", str(RECOLLECT), "--format", "json")[1]
    sub = json.loads(out)["submissions"][0]
    items = {(f["rule"], a["item"], a["status"]) for f in sub["findings"] for a in f["sanctions"]["art46"]}
    assert ("art19-recollection-of-shared-data", 3, "applicable") in items


def test_gate_on_invalid_input_exits_2_with_position(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(COMPLIANT.read_text("utf-8").replace("stage: proposal", "stage: proposed"), "utf-8")
    code, out, err = run("gate", str(bad), "--format", "json")
    assert code == 2
    assert "bad.yaml:" in err and "proposed" in err and "Traceback" not in out + err


def test_gate_on_a_unit_review_exits_0_with_no_decision(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPLIANT.read_text("utf-8"))
    data["submission"].update(kind="unit_review", units_under_review=["unit.ct.mz"])
    for coll in ("projects", "information_systems", "collection_items"):
        data[coll] = []
    for plan in data["plans"]:
        plan.pop("includes_projects", None)
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    assert run("check", str(path), "--format", "json")[0] in (0, 1)  # a valid submission
    code, out, err = run("gate", str(path), "--format", "json")
    assert code == 0, err  # issue 11 pt 6: report.md keeps 2 for bad input; a unit review is not one
    decision = json.loads(out)["submissions"][0]["decision"]
    assert decision["outcome"] == "no_decision" and decision["projects"] == []
    assert decision["outcome_text"] == "no Art 44 decision (unit review)" and "Traceback" not in out + err


def test_gate_output_is_deterministic() -> None:
    for fmt in ("json", "table", "markdown", "html"):
        assert run("gate", str(RECOLLECT), "--format", fmt)[1] == run("gate", str(RECOLLECT), "--format", fmt)[1]

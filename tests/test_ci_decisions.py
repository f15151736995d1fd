"""The Art 44 decision in every machine format, `gate` over files and directories, `--fail-on` decision
levels, `gate` on a unit review (issue 11 pt 6), and context findings (issue 10 pts 5, 6)."""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from strategies import EXAMPLES, document, rulebook, submissions

from egov_rules.cli import app
from egov_rules.decisions.review_scope import ReviewScope

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
XSD = xmlschema.XMLSchema(str(ROOT / "vendor" / "schemas" / "junit.xsd"))
SARIF = jsonschema.Draft4Validator(json.loads((ROOT / "vendor/schemas/sarif-schema-2.1.0.json").read_text("utf-8")))
COMPLIANT = FIX / "01_county_compliant.yaml"  # allow
OWN_DC = FIX / "02_municipal_own_datacentre.yaml"  # refuse_approval
RECOLLECT = FIX / "03_collection_outside_catalogue.yaml"  # needs_review
UNIT_REVIEW = FIX / "11_municipal_sharing_refusals.yaml"  # no project; violations of the unit under review
TWO_PROJECTS = FIX / "15_public_institution_consent.yaml"  # two projects, both allowed


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args, "--no-config"], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def context_submission(tmp_path: Path) -> Path:
    """Fixture 01 (a county bureau's proposal) whose *city* plan was drawn up without expert review."""
    text = COMPLIANT.read_text("utf-8")
    assert "    expert_review: true\n" in text
    path = tmp_path / "county_proposal_city_plan.yaml"
    path.write_text(text.replace("    expert_review: true\n", "    expert_review: false\n"), "utf-8")
    return path


def junit_cases(text: str) -> dict[str, ET.Element]:
    XSD.validate(io.StringIO(text))
    return {f"{s.get('name')}::{c.get('name')}": c for s in ET.fromstring(text).iter("testsuite")
            for c in s.iter("testcase")}


def sarif_valid(doc: dict[str, Any]) -> None:
    errors = sorted(SARIF.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


# ------------------------------------------------------------------------------------------- gate inputs
def test_gate_takes_files_and_directories_and_exits_with_the_worst_decision(tmp_path: Path) -> None:
    d = tmp_path / "subs"
    d.mkdir()
    for f in (COMPLIANT, RECOLLECT):
        shutil.copy(f, d / f.name)
    code, out, _ = run("gate", str(d), "--format", "json")
    subs = json.loads(out)["submissions"]
    assert code == 3 and [Path(s["file"]).name for s in subs] == [COMPLIANT.name, RECOLLECT.name]
    assert [s["decision"]["outcome"] for s in subs] == ["allow", "needs_review"]
    code, out, _ = run("gate", str(d), str(OWN_DC), "--format", "json")
    assert code == 1 and len(json.loads(out)["submissions"]) == 3  # blocked beats needs review
    assert run("gate", str(COMPLIANT), str(UNIT_REVIEW), "--format", "json")[0] == 0


def test_gate_stage_applies_to_every_file_of_a_directory(tmp_path: Path) -> None:
    d = tmp_path / "subs"
    d.mkdir()
    shutil.copy(OWN_DC, d / OWN_DC.name)
    code, out, _ = run("gate", str(d), "--stage", "in_operation", "--format", "json")
    decision = json.loads(out)["submissions"][0]["decision"]
    assert code == 1 and decision["stage"] == "in_operation" and decision["outcome"] == "refuse_acceptance"


# ------------------------------------------------------------------------------------------- JSON
def test_json_has_one_decision_field_with_each_project_inside() -> None:
    _, out, _ = run("check", str(TWO_PROJECTS), "--format", "json")
    sub = json.loads(out)["submissions"][0]
    assert "decisions" not in sub
    projects = sub["decision"]["projects"]
    assert len(projects) == 2 and len({p["project"] for p in projects}) == 2
    assert {"stage", "outcome", "consequences"} <= set(sub["decision"])  # the contract's fields (report.md)
    code, out, _ = run("gate", str(OWN_DC), "--format", "json")
    assert code == 1
    d = json.loads(out)["submissions"][0]["decision"]
    assert d["outcome"] == "refuse_approval" and [p["outcome"] for p in d["projects"]] == ["refuse_approval"]


# ------------------------------------------------------------------------------------------- JUnit
@pytest.mark.parametrize(("path", "command", "expected"), [
    (COMPLIANT, "check", None),
    (OWN_DC, "check", "failure"),
    (OWN_DC, "gate", "failure"),
    (RECOLLECT, "check", "skipped"),   # needs review, and check does not stop on it
    (RECOLLECT, "gate", "error"),      # gate stops on it (exit 3)
])
def test_junit_has_a_decision_case_per_project_per_the_mapping(path: Path, command: str, expected: str | None) -> None:
    _, out, _ = run(command, str(path), "--format", "junit")
    cases = junit_cases(out)
    (name,) = [n for n in cases if "::art44-decision " in n]
    children = [c.tag for c in cases[name] if c.tag in ("failure", "error", "skipped")]
    assert children == ([expected] if expected else [])
    if expected == "failure":
        assert cases[name].find("failure").get("type") == "refuse_approval"  # type: ignore[union-attr]


def test_junit_fail_on_needs_review_makes_the_review_an_error() -> None:
    code, out, _ = run("check", str(RECOLLECT), "--format", "junit", "--fail-on", "needs-review")
    (case,) = [c for n, c in junit_cases(out).items() if "::art44-decision " in n]
    assert code == 1 and case.find("error") is not None


def test_junit_unit_review_has_one_skipped_no_decision_case() -> None:
    code, out, _ = run("gate", str(UNIT_REVIEW), "--format", "junit", "--lang", "zh")
    cases = junit_cases(out)
    case = cases[f"{UNIT_REVIEW}::art44-decision"]
    skipped = case.find("skipped")
    assert code == 0 and skipped is not None and "第四十四条" in skipped.get("message", "")


# ------------------------------------------------------------------------------------------- SARIF
def test_sarif_carries_each_decision_as_a_result_and_validates() -> None:
    code, out, _ = run("gate", str(OWN_DC), str(RECOLLECT), str(COMPLIANT), str(UNIT_REVIEW), "--format", "sarif")
    doc = json.loads(out)
    sarif_valid(doc)
    run_ = doc["runs"][0]
    decisions = [r for r in run_["results"] if r["ruleId"] == "art44-decision"]
    kinds = {r["properties"]["decision"]["outcome"]: (r["kind"], r["level"]) for r in decisions}
    assert kinds == {"refuse_approval": ("fail", "error"), "needs_review": ("review", "warning"),
                     "allow": ("pass", "none"), "no_decision": ("notApplicable", "none")}
    blocked = next(r for r in decisions if r["kind"] == "fail")
    assert blocked["locations"][0]["physicalLocation"]["region"]["startLine"] > 1  # at the project
    assert [d["outcome"] for d in run_["properties"]["decisions"]] == [
        "refuse_approval", "needs_review", "allow", "no_decision"]
    assert code == 1


# ------------------------------------------------------------------------------------------- github
def test_github_has_one_annotation_per_decision() -> None:
    code, out, _ = run("gate", str(OWN_DC), str(RECOLLECT), str(COMPLIANT), str(UNIT_REVIEW), "--format", "github")
    assert code == 1
    lines = [x for x in out.splitlines() if x.startswith("::") and "Art 44 decision" in x.split("::", 2)[1]]
    assert [x.split(" ", 1)[0] for x in lines] == ["::error", "::warning", "::notice", "::notice"]
    assert "no Art 44 decision (unit review)" in lines[-1]
    assert all(f"file={p.relative_to(ROOT).as_posix()}" in line or f"file={p}" in line
               for p, line in zip((OWN_DC, RECOLLECT, COMPLIANT, UNIT_REVIEW), lines, strict=True))


# ------------------------------------------------------------------------------------------- --fail-on
@pytest.mark.parametrize(("path", "fail_on", "code"), [
    (COMPLIANT, "decision", 0), (COMPLIANT, "needs-review", 0),
    (OWN_DC, "decision", 1), (OWN_DC, "needs-review", 1),
    (RECOLLECT, "decision", 0), (RECOLLECT, "needs-review", 1), (RECOLLECT, "violation", 1),
    (UNIT_REVIEW, "decision", 0), (UNIT_REVIEW, "needs-review", 0), (UNIT_REVIEW, "violation", 1),
])
def test_fail_on_decision_levels(path: Path, fail_on: str, code: int) -> None:
    assert run("check", str(path), "--format", "json", "--fail-on", fail_on)[0] == code


def test_fail_on_decision_level_from_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(RECOLLECT, tmp_path / "s.yaml")
    (tmp_path / ".egov-rules.yaml").write_text("fail-on: needs-review\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "s.yaml", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1


# ------------------------------------------------------------------------------------------- unit review
@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github", "table", "markdown", "html"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gate_on_a_unit_review_exits_0_with_the_units_findings(fmt: str, lang: str) -> None:
    code, out, err = run("gate", str(UNIT_REVIEW), "--format", fmt, "--lang", lang)
    assert code == 0, err
    assert ("no Art 44 decision (unit review)" if lang == "en" else "不作第四十四条处理决定") in out.replace(
        "No Art 44", "no Art 44")
    assert "art31-sharing-request-refused-without-basis" in out or "sr.sm.01" in out  # the unit's findings


# ------------------------------------------------------------------------------------------- context
def test_context_finding_is_apart_and_not_counted(tmp_path: Path) -> None:
    path = context_submission(tmp_path)
    code, out, _ = run("check", str(path), "--format", "json")
    sub = json.loads(out)["submissions"][0]
    assert code == 0 and sub["findings"] == []
    (f,) = sub["context"]
    assert (f["rule"], f["severity"], f["subject"]["id"]) == ("art14-plan-without-expert-review", "violation",
                                                              "plan.ly.egov")
    assert sub["summary"]["violation"] == 0 and sub["summary"]["context"] == 1
    assert run("check", str(path), "--format", "json", "--include-context")[0] == 1


def test_context_is_not_context_when_the_plans_owner_is_under_review(tmp_path: Path) -> None:
    """The same plan owned by the unit under review is its own duty: counted."""
    path = context_submission(tmp_path)
    path.write_text(path.read_text("utf-8").replace("    owner: auth.ly.egov\n", "    owner: unit.ct.mz\n", 1),
                    "utf-8")
    code, out, _ = run("check", str(path), "--format", "json")
    sub = json.loads(out)["submissions"][0]
    assert code == 1 and sub["context"] == [] and [f["rule"] for f in sub["findings"]] == [
        "art14-plan-without-expert-review"]


def test_context_in_every_machine_format(tmp_path: Path) -> None:
    path = context_submission(tmp_path)
    _, out, _ = run("check", str(path), "--format", "junit")
    cases = junit_cases(out)
    case = cases[f"{path}::art14-plan-without-expert-review"]
    assert case.find("failure") is None
    assert "context: " in (ET.fromstring(out).find("testsuite/system-out").text or "")  # type: ignore[union-attr]
    _, out, _ = run("check", str(path), "--format", "junit", "--include-context")
    assert junit_cases(out)[f"{path}::art14-plan-without-expert-review"].find("failure") is not None
    _, out, _ = run("check", str(path), "--format", "sarif")
    doc = json.loads(out)
    sarif_valid(doc)
    (res,) = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "art14-plan-without-expert-review"]
    assert res["level"] == "error" and res["properties"]["context"] is True  # severity unchanged
    _, out, _ = run("check", str(path), "--format", "github")
    (line,) = [x for x in out.splitlines() if "art14-plan-without-expert-review" in x]
    assert line.startswith("::error ") and "title=context%3A " in line
    for fmt, heading in (("table", "Context:"), ("markdown", "### Context:"), ("html", '<h3 class="context">')):
        assert heading in run("check", str(path), "--format", fmt)[1], fmt


def test_context_does_not_change_the_decision(tmp_path: Path) -> None:
    code, out, _ = run("gate", str(context_submission(tmp_path)), "--format", "json")
    assert code == 0 and json.loads(out)["submissions"][0]["decision"]["outcome"] == "allow"


def test_github_decisions_survive_the_annotation_cap(tmp_path: Path) -> None:
    d = tmp_path / "subs"
    d.mkdir()
    for i in range(5):  # 5 blocked decisions and 10 violations: 15 errors, the cap is 10
        shutil.copy(OWN_DC, d / f"s{i}.yaml")
    _, out, _ = run("gate", str(d), "--format", "github")
    errors = [x for x in out.splitlines() if x.startswith("::error ")]
    assert len(errors) == 10
    assert sum("Art 44 decision" in x for x in errors) == 5


# ------------------------------------------------------------------------------------------- properties
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(base=submissions())
def test_context_partitions_the_findings_and_never_decides(base: dict[str, Any]) -> None:
    from egov_rules.check import Report
    from egov_rules.decisions.sanctions import decide
    from egov_rules.reports.model import submission_dict

    checker = _property_checker()
    result = checker.check_data(base, "generated.yaml")
    assert result.error is None
    scope = ReviewScope(checker.validate(document(base)))
    for f in result.findings:
        if f.context:  # about an entity outside the review, attached to no project
            assert f.project is None and not scope.under_review(scope.facts.by_id[f.subject_id])
        if f.subject_id in scope.units or f.subject_type == "project":
            assert not f.context
    as_json = submission_dict(result, "en")
    assert len(as_json["findings"]) + len(as_json["context"]) == len(result.findings)
    # the decisions are what they would be with every finding counted
    for d in result.decisions:
        project = next(p for p in base["projects"] if p["id"] == d.project)
        again = decide(d.project, project.get("stage"), project.get("severity"),
                       [f for f in result.findings if f.project == d.project])
        assert again.outcome == d.outcome
    report = Report([result], checker.rulebook)
    for level in ("violation", "warning", "insufficient"):
        assert report.exit_code(level, include_context=True) >= report.exit_code(level)


_CHECKER: list[Any] = []


def _property_checker() -> Any:
    from egov_rules.check import Checker

    if not _CHECKER:
        _CHECKER.append(Checker(rulebook=rulebook()))
    return _CHECKER[0]

"""SARIF 2.1.0: valid against the official schema, every rule described, stable fingerprints."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker, Report
from egov_rules.cli import app
from egov_rules.reports import RenderOptions

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
SCHEMA = ROOT / "vendor" / "schemas" / "sarif-schema-2.1.0.json"
OWN_DC = FIX / "02_municipal_own_datacentre.yaml"
CATALOGUE = FIX / "03_collection_outside_catalogue.yaml"
COMPLIANT = FIX / "01_county_compliant.yaml"
DC_RULE = "art17-data-centre-without-approval"


def sarif(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["check", *args, "--format", "sarif", "--no-config"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def validate(doc: dict[str, Any]) -> None:
    import jsonschema  # a dev dependency: never skipped

    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text("utf-8")),
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def the(run: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [r for r in run["results"] if r["ruleId"] == rule]


@pytest.fixture()
def batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three submissions and a broken one in a working directory of their own."""
    sub = tmp_path / "subs"
    sub.mkdir()
    for f in (OWN_DC, CATALOGUE, COMPLIANT):
        shutil.copy(f, sub / f.name)
    # a misspelt top-level key on line 5
    (sub / "broken.yaml").write_text("submission:\n  id: x\n  as_of: 2016-11-08\n  kind: project_proposal\n"
                                     "projcts: []\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return sub


def test_a_batch_with_an_input_error_validates_against_the_official_schema(batch: Path) -> None:
    code, doc = sarif(str(batch))
    assert code == 2  # the broken file; the others were still checked
    validate(doc)
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    assert the(run, DC_RULE), "the own data centre finding is reported"
    assert {r["ruleId"] for r in run["results"]} >= {"art19-collected-outside-catalogue"}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    note = invocation["toolExecutionNotifications"][0]
    assert note["level"] == "error"
    loc = note["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "subs/broken.yaml"
    assert loc["region"] == {"startLine": 5, "startColumn": 1}
    assert "projcts" in note["message"]["text"]


def test_a_clean_run_is_successful_and_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, doc = sarif(str(COMPLIANT))
    validate(doc)
    run = doc["runs"][0]
    assert code == 0 and run["invocations"][0]["executionSuccessful"] is True
    assert not [r for r in run["results"] if r["level"] == "error"]


def test_every_rule_of_the_rulebook_is_described_not_only_those_that_fired(batch: Path) -> None:
    _, doc = sarif(str(batch / OWN_DC.name))
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    checker = Checker()
    assert [r["id"] for r in rules] == [*checker.rulebook.ids(), "art44-decision"]  # the decision comes last
    assert len(rules) > len({r["ruleId"] for r in doc["runs"][0]["results"]})
    for descriptor, rule in zip(rules[:-1], checker.rulebook.rules, strict=True):
        spec = rule.spec
        assert descriptor["shortDescription"]["text"] == spec.title.en
        assert descriptor["fullDescription"]["text"]
        md, text = descriptor["help"]["markdown"], descriptor["help"]["text"]
        assert f"Art {spec.article}" in md and "第" in md and "条" in md, rule.id  # English and Chinese citation
        assert spec.title.zh in md and spec.title.zh in text
        props = descriptor["properties"]
        assert (props["article"], props["paragraph"], props["severity"], props["art44"]) == (
            spec.article, spec.paragraph, spec.severity, spec.sanctions.art44)
        assert f"art{spec.article}" in props["tags"]
    dc = next(r for r in rules if r["id"] == DC_RULE)
    assert "rough machine translation" in dc["help"]["markdown"]  # the article's text, labelled as such
    assert "data center" in dc["help"]["markdown"]


def test_results_point_at_the_finding_relative_to_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    _, doc = sarif(str(OWN_DC))  # an absolute path on the command line
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (res,) = the(run, DC_RULE)
    assert rules[res["ruleIndex"]]["id"] == DC_RULE
    assert res["level"] == "error"
    physical = res["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "fixtures/02_municipal_own_datacentre.yaml"
    finding = json.loads(CliRunner().invoke(app, ["check", str(OWN_DC), "--format", "json", "--no-config"]).stdout)
    (f,) = [f for f in finding["submissions"][0]["findings"] if f["rule"] == DC_RULE]
    assert physical["region"] == {"startLine": f["location"]["line"], "startColumn": f["location"]["column"]}
    assert res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == f["location"]["logical"]
    assert res["partialFingerprints"] == {"egovFingerprint/v1": f["fingerprint"]}
    assert "Art 17" in res["message"]["text"]


def test_uris_use_forward_slashes_and_percent_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "泉州 2016"
    d.mkdir()
    shutil.copy(OWN_DC, d / "卫计委.yaml")
    monkeypatch.chdir(tmp_path)
    _, doc = sarif(str(d / "卫计委.yaml"))
    validate(doc)
    uri = the(doc["runs"][0], DC_RULE)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "%E6%B3%89%E5%B7%9E%202016/%E5%8D%AB%E8%AE%A1%E5%A7%94.yaml"


def test_fingerprints_do_not_move_with_unrelated_lines_and_entities(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = OWN_DC.read_text("utf-8")
    shifted = text.replace(
        "\nunits:\n",
        "\n# a comment\n# and another\n\nunits:\n"
        "  - {id: unit.qz.extra, name: an unrelated unit, type: state_organ, level: municipal,"
        " region: {province: Fujian, city: Quanzhou}}\n", 1)
    assert shifted != text
    (tmp_path / "a.yaml").write_text(text, "utf-8")
    (tmp_path / "b.yaml").write_text(shifted, "utf-8")
    _, doc_a = sarif("a.yaml")
    _, doc_b = sarif("b.yaml")
    (a,) = the(doc_a["runs"][0], DC_RULE)
    (b,) = the(doc_b["runs"][0], DC_RULE)
    line_a = a["locations"][0]["physicalLocation"]["region"]["startLine"]
    line_b = b["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert line_b == line_a + 4  # the finding moved ...
    assert a["partialFingerprints"] == b["partialFingerprints"]  # ... its identity did not


def _report(*paths: Path) -> tuple[Checker, Report]:
    checker = Checker()
    return checker, Report([checker.check_path(p) for p in paths], checker.rulebook)


def test_severity_maps_to_level_and_waivers_to_suppressions() -> None:
    from egov_rules.reports.sarif import sarif_dict

    _checker, report = _report(OWN_DC)
    sub = report.submissions[0]
    (f,) = [f for f in sub.findings if f.rule == DC_RULE]
    waiver = {"rule": DC_RULE, "entity": f.subject_id, "justification": "pilot approved by the province",
              "approved_by": "auth.fj.egov", "approval_ref": "闽数字办〔2016〕7号", "expires": "2017-12-31",
              "file": "waivers.yaml", "line": 3}
    sub.findings = [
        dataclasses.replace(f, severity="warning"),
        dataclasses.replace(f, severity="insufficient", fingerprint="0" * 32),
        dataclasses.replace(f, waived=waiver, fingerprint="1" * 32),
    ]
    doc = sarif_dict(report, RenderOptions())
    validate(doc)
    results = [r for r in doc["runs"][0]["results"] if r["ruleId"] != "art44-decision"]
    assert [r["level"] for r in results] == ["warning", "note", "error"]
    assert "suppressions" not in results[0]
    (s,) = results[2]["suppressions"]
    assert s["kind"] == "external" and s["status"] == "accepted"
    assert "pilot approved by the province" in s["justification"] and "闽数字办〔2016〕7号" in s["justification"]


def test_findings_of_rules_outside_the_rulebook_get_a_descriptor() -> None:
    from egov_rules.reports.sarif import sarif_dict

    _, report = _report(OWN_DC)
    sub = report.submissions[0]
    f = sub.findings[0]
    sub.findings.append(dataclasses.replace(f, rule="art17-registry-mismatch", severity="warning"))
    doc = sarif_dict(report, RenderOptions())
    validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (res,) = the(run, "art17-registry-mismatch")
    assert rules[res["ruleIndex"]]["id"] == "art17-registry-mismatch"


def test_output_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ["check", str(OWN_DC), str(CATALOGUE), "--format", "sarif", "--no-config"]
    first = CliRunner().invoke(app, args).stdout
    assert first == CliRunner().invoke(app, args).stdout
    assert "time" not in json.loads(first)["runs"][0]["invocations"][0]  # no start/end times

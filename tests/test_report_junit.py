"""JUnit XML: valid against the Ant schema; a test case per rule and submission; --fail-on decides failures."""

from __future__ import annotations

import dataclasses
import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker, Report
from egov_rules.cli import app
from egov_rules.reports import RenderOptions
from egov_rules.reports.junit import render

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
XSD = ROOT / "vendor" / "schemas" / "junit.xsd"
OWN_DC = FIX / "02_municipal_own_datacentre.yaml"
CATALOGUE = FIX / "03_collection_outside_catalogue.yaml"
COMPLIANT = FIX / "01_county_compliant.yaml"
DC_RULE = "art17-data-centre-without-approval"


def validate(text: str) -> None:
    import xmlschema  # a dev dependency: never skipped

    xmlschema.XMLSchema(str(XSD)).validate(io.StringIO(text))  # a str would be taken for a path


def junit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", *args, "--format", "junit", "--no-config"], catch_exceptions=False)
    return result.exit_code, result.stdout


def suites(text: str) -> list[ET.Element]:
    return ET.fromstring(text).findall("testsuite")


def case(suite: ET.Element, name: str) -> ET.Element:
    (found,) = [c for c in suite.findall("testcase") if c.get("name") == name]
    return found


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    for f in (OWN_DC, CATALOGUE, COMPLIANT):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "zz_broken.yaml").write_text("submission: {id: x\n", "utf-8")
    return tmp_path


def test_a_batch_validates_with_one_suite_per_submission_and_a_case_per_rule(batch: Path) -> None:
    code, text = junit(str(batch))
    assert code == 2
    validate(text)
    ids = Checker().rulebook.ids()
    all_suites = suites(text)
    assert [s.get("name") for s in all_suites] == [str(batch / n) for n in sorted(
        [OWN_DC.name, CATALOGUE.name, COMPLIANT.name, "zz_broken.yaml"])]
    for suite in all_suites[:3]:
        cases = suite.findall("testcase")
        # one case per rule, then one per project decision (each of these has one project)
        names = [c.get("name") for c in cases]
        assert names[:-1] == ids and names[-1].startswith("art44-decision prj.ex0")
        assert {c.get("classname") for c in cases} == {suite.get("name")}
        assert suite.get("tests") == str(len(ids) + 1)
        assert suite.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))
        assert suite.get("skipped") == str(sum(1 for c in cases if c.find("skipped") is not None))
    own_dc = next(s for s in all_suites if s.get("name", "").endswith(OWN_DC.name))
    failure = case(own_dc, DC_RULE).find("failure")
    assert failure is not None and failure.get("type") == "violation"
    assert failure.text is not None
    assert f"{OWN_DC.name}:" in failure.text and "Art 17(1)" in failure.text and "第十七条" in failure.text
    compliant = next(s for s in all_suites if s.get("name", "").endswith(COMPLIANT.name))
    assert compliant.get("failures") == "0"


def test_an_input_error_is_an_errored_test_case(batch: Path) -> None:
    _, text = junit(str(batch / "zz_broken.yaml"))
    validate(text)
    (suite,) = suites(text)
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    error = case(suite, "load").find("error")
    assert error is not None and error.get("type") == "invalid input"
    assert error.text is not None and "zz_broken.yaml:" in error.text


def test_not_applicable_rules_are_skipped() -> None:
    checker = Checker()
    sub = checker.check_path(OWN_DC)
    not_applicable = sorted(r for r, o in sub.outcomes.items() if o == "not_applicable")
    assert not_applicable, "the fixture leaves some rules not applicable"
    (suite,) = suites(render(Report([sub], checker.rulebook), RenderOptions()))
    skipped = sorted(c.get("name", "") for c in suite.findall("testcase") if c.find("skipped") is not None)
    assert skipped == not_applicable


def test_fail_on_decides_what_is_a_failure() -> None:
    checker = Checker()
    sub = checker.check_path(OWN_DC)
    (f,) = [f for f in sub.findings if f.rule == DC_RULE]
    sub.findings = [dataclasses.replace(f, severity="warning")]
    report = Report([sub], checker.rulebook)
    (suite,) = suites(render(report, RenderOptions(fail_on="violation")))
    assert case(suite, DC_RULE).find("failure") is None  # below the threshold: passes ...
    out = suite.find("system-out")
    assert out is not None and out.text is not None and f"warning: Art 17(1) / 第十七条第一款 [{DC_RULE}]" in out.text
    (suite,) = suites(render(report, RenderOptions(fail_on="warning")))
    failure = case(suite, DC_RULE).find("failure")
    assert failure is not None and failure.get("type") == "warning"
    sub.findings = [dataclasses.replace(f, waived={"justification": "pilot"})]
    (suite,) = suites(render(report, RenderOptions(fail_on="insufficient")))
    assert case(suite, DC_RULE).find("failure") is None  # waived: never a failure


def test_output_is_deterministic_and_timestamps_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = junit(str(OWN_DC), str(CATALOGUE))[1]
    assert first == junit(str(OWN_DC), str(CATALOGUE))[1]
    assert {s.get("timestamp") for s in suites(first)} == {"1970-01-01T00:00:00"}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    stamped = junit(str(OWN_DC))[1]
    validate(stamped)
    assert suites(stamped)[0].get("timestamp") == "2023-11-14T22:13:20"


def test_characters_xml_cannot_carry_are_escaped() -> None:
    checker = Checker()
    sub = checker.check_path(OWN_DC)
    (f,) = [f for f in sub.findings if f.rule == DC_RULE]
    sub.findings = [dataclasses.replace(f, message={"en": "bad \x00\x1b byte", "zh": "坏"})]
    text = render(Report([sub], checker.rulebook), RenderOptions())
    validate(text)
    assert "bad \\x00\\x1b byte" in text

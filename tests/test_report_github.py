"""GitHub Actions annotations: the right command per severity, at the right place, escaped as @actions/core does."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker, Report
from egov_rules.cli import app
from egov_rules.reports import RenderOptions
from egov_rules.reports.github import command, escape_data, escape_property, render

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
DC_RULE = "art17-data-centre-without-approval"


def test_escaping_follows_the_toolkit() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"
    # '%' first, or the escapes themselves would be escaped again
    assert escape_property("%3A") == "%253A"


def test_a_command_with_every_property() -> None:
    line = command("error", "two\nlines", file="dir/x,y.yaml", line=4, column=7, title="Art 17: a, b")
    assert line == "::error file=dir/x%2Cy.yaml,line=4,col=7,title=Art 17%3A a%2C b::two%0Alines"


def test_stdin_has_no_file_property() -> None:
    assert command("notice", "m", file="<stdin>", line=3, column=1) == "::notice::m"


def test_findings_become_annotations_at_their_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["check", str(OWN_DC), "--format", "github", "--no-config"])
    assert result.exit_code == 1
    json_out = CliRunner().invoke(app, ["check", str(OWN_DC), "--format", "json", "--no-config"]).stdout
    import json

    (f,) = [f for f in json.loads(json_out)["submissions"][0]["findings"] if f["rule"] == DC_RULE]
    (line,) = [x for x in result.stdout.splitlines() if DC_RULE in x]
    head = (f"::error file=fixtures/02_municipal_own_datacentre.yaml,line={f['location']['line']},"
            f"col={f['location']['column']},title=Art 17(1) ")
    assert line.startswith(head)
    props, message = line[2:].split("::", 1)
    assert "\n" not in line and "%0A" in message  # the remediation follows on a second line
    assert message.startswith(escape_data(f["message"]))
    assert "%2C" in props  # the title "built, expanded or rebuilt" keeps its commas escaped
    assert result.stdout.splitlines()[-1].startswith("egov-rules: 1 submissions checked")


def test_severity_picks_the_command_and_waived_findings_are_silent() -> None:
    checker = Checker()
    sub = checker.check_path(OWN_DC)
    (f,) = [f for f in sub.findings if f.rule == DC_RULE]
    sub.findings = [dataclasses.replace(f, severity="warning"), dataclasses.replace(f, severity="insufficient"),
                    dataclasses.replace(f, waived={"justification": "pilot"})]
    lines = render(Report([sub], checker.rulebook), RenderOptions()).splitlines()
    findings = [x for x in lines[:-1] if "Art 44 decision" not in x]
    assert [x.split(" ", 1)[0] for x in findings] == ["::warning", "::notice"]


def test_an_input_error_is_an_error_annotation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text("submission:\n  id: x\n  as_of: 2016-11-08\n  kind: project_proposal\nprojcts: []\n",
                                "utf-8")
    result = CliRunner().invoke(app, ["check", "bad.yaml", "--format", "github", "--no-config"])
    assert result.exit_code == 2
    errors = [x for x in result.stdout.splitlines() if x.startswith("::error file=bad.yaml,line=5,col=1,")]
    assert errors and "title=egov-rules%3A invalid input::" in errors[0] and "projcts" in errors[0]

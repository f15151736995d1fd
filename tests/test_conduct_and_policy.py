"""Art 47 conduct dates and policy parameters in the rule language (issue 11 points 1, 2, 8).

``conduct_date`` makes the rulebook add an ordinary guard to ``when`` (so every engine applies it): the
rule judges acts dated on or after ``applies_from``; a date whose null means "not happened" is a future
act; any other unknown date is insufficient.  ``{param: NAME}`` operands take a policy parameter that a
configuration (``policy:``) or ``--policy NAME=N`` sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rule_fixtures import BASE, RULE_HEAD, write_rule

from egov_rules.check import Checker
from egov_rules.cli import app
from egov_rules.errors import ConfigError, InputErrors
from egov_rules.rules.examples import apply_patch
from egov_rules.rules.rulebook import apply_parameters, load_rulebook

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ["native"]
try:  # the durable engine is optional (it does not build on every Python)
    import durable.engine  # noqa: F401

    ENGINES.append("durable")
except Exception:  # pragma: no cover - depends on the environment
    pass

APPROVAL_RULE = """\
    conduct_date: approval.date
    for_each: {approval: approvals}
    require:
      approval.decision: rejected
"""
START_RULE = """\
    conduct_date: project.implementation_start
    for_each: {project: projects}
    require:
      project.stage: approved
"""


def outcome(tmp_path: Path, body: str, patch: dict[str, Any], engine: str) -> list[str]:
    rulebook = load_rulebook([write_rule(tmp_path, body)], include_default=False)
    checker = Checker(rulebook=rulebook, engine=engine)
    result = checker.check_data(apply_patch(BASE, patch), "t.yaml", raise_errors=True)
    return [f.severity for f in result.findings]


def approval(date: str | None) -> dict[str, Any]:
    return {"platforms": [{"id": "plat.ct.dc", "kind": "data_centre", "unified": False, "owner": "unit.ct.mz",
                           "level": "county", "region": {"province": "Fujian", "city": "Longyan",
                                                         "county": "Changting"}, "status": "planned"}],
            "approvals": [{"id": "ap.1", "kind": "data_centre", "subject": "plat.ct.dc", "scope": "new",
                           "issuer": "auth.ly.egov", "decision": "approved", "date": date}]}


@pytest.mark.parametrize("engine", ENGINES)
def test_an_act_before_the_measures_is_not_judged(tmp_path: Path, engine: str) -> None:
    assert outcome(tmp_path, APPROVAL_RULE, approval("2014-12-01"), engine) == []
    assert outcome(tmp_path, APPROVAL_RULE, approval("2015-03-31"), engine) == []
    assert outcome(tmp_path, APPROVAL_RULE, approval("2015-04-01"), engine) == ["violation"]


@pytest.mark.parametrize("engine", ENGINES)
def test_an_unknown_act_date_is_insufficient_not_assumed(tmp_path: Path, engine: str) -> None:
    assert outcome(tmp_path, APPROVAL_RULE, approval(None), engine) == ["insufficient"]


@pytest.mark.parametrize("engine", ENGINES)
def test_an_act_that_has_not_happened_yet_is_judged(tmp_path: Path, engine: str) -> None:
    """implementation_start null = not started (spec): a future act, which the Measures govern."""
    assert outcome(tmp_path, START_RULE, {}, engine) == ["violation"]
    started_2014 = {"projects": [{"id": "prj.ex01", "implementation_start": "2014-02-01"}]}
    assert outcome(tmp_path, START_RULE, started_2014, engine) == []
    started_2016 = {"projects": [{"id": "prj.ex01", "implementation_start": "2016-02-01"}]}
    assert outcome(tmp_path, START_RULE, started_2016, engine) == ["violation"]


def test_applies_until_bounds_the_act_date(tmp_path: Path) -> None:
    head = RULE_HEAD.replace("    severity: violation\n", "    severity: violation\n    applies_until: 2016-12-31\n")
    rulebook = load_rulebook([write_rule(tmp_path, APPROVAL_RULE, head)], include_default=False)
    checker = Checker(rulebook=rulebook)
    late = checker.check_data(apply_patch(BASE, approval("2017-01-01")), "t.yaml", raise_errors=True)
    assert late.findings == []
    inside = checker.check_data(apply_patch(BASE, approval("2016-12-31")), "t.yaml", raise_errors=True)
    assert [f.severity for f in inside.findings] == ["violation"]


def test_conduct_date_must_name_a_date(tmp_path: Path) -> None:
    d = write_rule(tmp_path, APPROVAL_RULE.replace("approval.date", "approval.kind", 1))
    with pytest.raises(InputErrors) as info:
        load_rulebook([d], include_default=False)
    assert any("conduct_date names one date" in e.message for e in info.value.errors)


def test_a_misspelt_policy_parameter_is_a_load_error(tmp_path: Path) -> None:
    d = write_rule(tmp_path, """\
        for_each: {request: sharing_requests}
        require:
          request.deadline_days: {le: {param: art31_answer_dayz}}
    """)
    with pytest.raises(InputErrors) as info:
        load_rulebook([d])
    [err] = [e for e in info.value.errors if "art17-test" in e.file]
    assert "'art31_answer_dayz' is not a policy parameter" in err.message
    assert err.suggestion == "art31_answer_days"


# ------------------------------------------------------------------ the Art 31 answer deadline policy
PENDING_20_DAYS = {"sharing_requests": [{"id": "sr.01", "requested_date": "2016-08-31", "deadline_days": 10,
                                          "response": "pending", "response_date": None}]}


def late_requests(checker: Checker) -> list[Any]:
    result = checker.check_data(apply_patch(BASE, PENDING_20_DAYS), "t.yaml", raise_errors=True)
    return [f for f in result.findings if f.rule == "art31-sharing-request-unanswered"]


def test_the_policy_deadline_decides_with_the_requests_own() -> None:
    rulebook = load_rulebook()
    assert rulebook.parameters["art31_answer_days"] == 15
    [late] = late_requests(Checker(rulebook=rulebook))  # 20 days: past 10 and past 15
    assert "15 days" in late.message["en"] and "15 天" in late.message["zh"]
    assert late.art44_class == "B-review" and late.project == "prj.ex01"
    assert late_requests(Checker(rulebook=apply_parameters(rulebook, {"art31_answer_days": 30}))) == []
    [late] = late_requests(Checker(rulebook=apply_parameters(rulebook, {"art31_answer_days": 19})))
    assert "19 days" in late.message["en"]


@pytest.fixture()
def pending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import yaml

    (tmp_path / "sub.yaml").write_text(yaml.safe_dump(apply_patch(BASE, PENDING_20_DAYS), allow_unicode=True),
                                       "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rules_of(stdout: str) -> set[str]:
    return {f["rule"] for s in json.loads(stdout)["submissions"] for f in s["findings"]}


def test_policy_from_the_configuration_file_and_the_command_line(pending: Path) -> None:
    code, out, _ = run("check", "sub.yaml", "--format", "json", "--no-config")
    assert code == 1 and "art31-sharing-request-unanswered" in rules_of(out)
    assert json.loads(out)["tool"]["rulebook"]["policy"] == {"art31_answer_days": 15}  # the default, stated
    (pending / ".egov-rules.yaml").write_text("policy: {art31_answer_days: 30}\n", "utf-8")
    code, out, _ = run("check", "sub.yaml", "--format", "json")
    assert "art31-sharing-request-unanswered" not in rules_of(out)
    code, out, _ = run("check", "sub.yaml", "--format", "json", "--policy", "art31_answer_days=12")
    assert "art31-sharing-request-unanswered" in rules_of(out)  # the command line wins
    assert json.loads(out)["tool"]["rulebook"]["policy"] == {"art31_answer_days": 12}  # the report states it


def test_bad_policy_values_are_clear_input_errors(pending: Path) -> None:
    code, _, err = run("check", "sub.yaml", "--format", "json", "--no-config", "--policy", "art31_answer_dayz=5")
    assert code == 2 and "no policy parameter 'art31_answer_dayz'" in err and "Traceback" not in err
    code, _, err = run("check", "sub.yaml", "--format", "json", "--no-config", "--policy", "art31_answer_days=0")
    assert code == 2 and "between 1 and 3650" in err
    code, _, err = run("check", "sub.yaml", "--format", "json", "--no-config", "--policy", "nonsense")
    assert code == 2 and "NAME=VALUE" in err
    (pending / ".egov-rules.yaml").write_text("policy:\n  art31_answer_days: fifteen\n", "utf-8")
    code, _, err = run("check", "sub.yaml", "--format", "json")
    assert code == 2 and ".egov-rules.yaml:2:" in err and "whole number" in err


def test_rules_params_lists_the_default() -> None:
    code, out, _ = run("rules", "params")
    assert code == 0 and "art31_answer_days = 15" in out


def test_config_error_type() -> None:
    from egov_rules.config import RuleSelection

    with pytest.raises(ConfigError):
        RuleSelection(parameters=(("art31_answer_days", -1, (3, 4)),)).apply(load_rulebook())



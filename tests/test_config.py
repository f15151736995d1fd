"""Configuration: discovery, validation at file:line:column, precedence, and effects on findings and exit codes."""

from __future__ import annotations

import json
import shutil
import typing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from egov_rules.check import Checker
from egov_rules.cli import app
from egov_rules.config import CONFIG_NAME, ConfigModel, find_config, load_config, resolve_config
from egov_rules.errors import ConfigError, EgovError
from egov_rules.reports import FORMATS

ROOT = Path(__file__).resolve().parents[1]
OWN_DC = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
DC_RULE = "art17-data-centre-without-approval"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with one submission whose Art 17 data-centre check fails."""
    shutil.copy(OWN_DC, tmp_path / "sub.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def findings(out: str) -> list[dict[str, Any]]:
    return [f for s in json.loads(out)["submissions"] for f in s["findings"]]


def error_of(text: str) -> EgovError:
    path = write(Path("cfg.yaml"), text)
    with pytest.raises(EgovError) as info:
        load_config(path)
    return info.value


# ------------------------------------------------------------------------------------------ loading
def test_found_from_a_subdirectory_upwards(tmp_path: Path) -> None:
    cfg = write(tmp_path / CONFIG_NAME, "fail-on: warning\n")
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg
    other = tmp_path.parent / (tmp_path.name + "-sibling")
    other.mkdir()
    found = find_config(other)
    assert found is None or tmp_path not in found.parents  # never a sibling's file


def test_a_misspelt_key_names_line_column_and_the_right_key(project: Path) -> None:
    e = error_of("lang: zh\nfial-on: warning\n")
    assert isinstance(e, ConfigError)
    assert (e.line, e.column, e.suggestion) == (2, 1, "fail-on")
    e = error_of("limits:\n  max-bytes: 10\n  max-secs: 3\n")
    assert (e.line, e.column, e.suggestion) == (3, 3, "max-seconds")


@pytest.mark.parametrize(("text", "line", "column", "words"), [
    ("fail-on: sometimes\n", 1, 10, "'violation', 'warning', 'insufficient', 'decision' or 'needs-review'"),
    ("exclude: art17-x\n", 1, 10, "valid list"),
    ("severity:\n  art17-x: high\n", 2, 12, "'violation' or 'warning'"),
    ("limits: {max-bytes: true}\n", 1, 21, "valid integer"),
    ("limits: {max-depth: 0}\n", 1, 21, "greater than 0"),
    ("- fail-on\n", 1, 1, "top level must be a mapping"),
])
def test_wrong_types_are_config_errors_at_their_position(project: Path, text: str, line: int, column: int,
                                                         words: str) -> None:
    e = error_of(text)
    assert (e.line, e.column) == (line, column)
    assert words in e.render()


def test_an_empty_file_is_an_empty_configuration(project: Path) -> None:
    cfg = load_config(write(Path("cfg.yaml"), "# nothing configured yet\n"))
    assert cfg.overrides() == {}


def test_paths_are_relative_to_the_configuration_file(project: Path) -> None:
    (project / "conf" / "policy").mkdir(parents=True)
    write(project / "conf" / "w.yaml", "waivers: []\n")
    cfg = load_config(write(project / "conf" / "cfg.yaml", "rules: policy\nwaivers: w.yaml\nregistry: .\n"))
    over = cfg.overrides()
    assert [Path(d).resolve() for d in over["rules_dirs"]] == [project / "conf" / "policy"]
    assert Path(over["waivers_file"]).resolve() == project / "conf" / "w.yaml"
    assert Path(over["registry_dir"]).resolve() == project / "conf"
    bad = load_config(write(project / "conf" / "bad.yaml", "format: json\nwaivers: nowhere.yaml\n"))
    with pytest.raises(ConfigError) as info:
        bad.overrides()
    assert (info.value.line, info.value.column) == (2, 10) and "nowhere.yaml" in info.value.message


def test_formats_in_the_schema_match_the_renderers() -> None:
    fmt = ConfigModel.model_fields["format"].annotation
    (literal, _none) = typing.get_args(fmt)
    assert set(typing.get_args(literal)) == set(FORMATS)


def test_explicit_file_and_no_config(project: Path) -> None:
    write(project / CONFIG_NAME, "fail-on: warning\n")
    other = write(project / "other.yaml", "lang: zh\n")
    assert resolve_config(None, False, str(project)).model.fail_on == "warning"  # type: ignore[union-attr]
    assert resolve_config(str(other), False).model.lang == "zh"  # type: ignore[union-attr]
    assert resolve_config(None, True) is None
    with pytest.raises(ConfigError, match="not found"):
        resolve_config("missing.yaml", False)


# ------------------------------------------------------------------------------------------ effects
def test_severity_override_changes_findings_and_exit_code(project: Path) -> None:
    write(project / CONFIG_NAME, f"include: [{DC_RULE}]\nseverity: {{{DC_RULE}: warning}}\n")
    code, out, _ = run("check", "sub.yaml", "--format", "json")
    assert code == 0  # a warning does not fail at the default --fail-on violation
    (f,) = findings(out)
    assert (f["rule"], f["severity"]) == (DC_RULE, "warning")
    code, out, _ = run("check", "sub.yaml", "--format", "sarif")
    assert code == 0
    (res,) = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] != "art44-decision"]
    assert res["level"] == "warning"
    assert [r["id"] for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]] == [DC_RULE, "art44-decision"]


def test_fail_on_from_the_file_and_the_command_line_wins(project: Path) -> None:
    write(project / CONFIG_NAME, f"include: [{DC_RULE}]\nseverity: {{{DC_RULE}: warning}}\nfail-on: warning\n")
    assert run("check", "sub.yaml", "--format", "json")[0] == 1
    assert run("check", "sub.yaml", "--format", "json", "--fail-on", "violation")[0] == 0


def test_include_and_exclude_with_globs(project: Path) -> None:
    all_rules = Checker().rulebook.ids()
    write(project / CONFIG_NAME, "include: ['art17-*']\nexclude: [art17-data-centre-*]\n")
    _code, out, _ = run("check", "sub.yaml", "--format", "json")
    data = json.loads(out)
    assert data["tool"]["rulebook"]["rules"] == len(
        [r for r in all_rules if r.startswith("art17-") and not r.startswith("art17-data-centre-")])
    assert DC_RULE not in {f["rule"] for f in findings(out)}
    _code, out, _ = run("check", "sub.yaml", "--format", "junit")
    assert f'name="{DC_RULE}"' not in out


def test_an_unknown_rule_id_is_an_error_with_a_suggestion(project: Path) -> None:
    write(project / CONFIG_NAME, "fail-on: warning\nexclude:\n  - art17-data-centre-without-aproval\n")
    code, out, err = run("check", "sub.yaml", "--format", "json")
    assert code == 2 and out == ""
    assert f"{CONFIG_NAME}:3:5: invalid configuration" in err
    assert f"did you mean '{DC_RULE}'" in err and "Traceback" not in err


def test_selection_that_leaves_no_rule_is_an_error(project: Path) -> None:
    write(project / CONFIG_NAME, "include: ['art99-*']\n")
    code, _, err = run("check", "sub.yaml")
    assert code == 2 and f"{CONFIG_NAME}:1:1:" in err and "no rule to run" in err


def test_format_lang_and_limits_from_the_file(project: Path) -> None:
    write(project / CONFIG_NAME, "format: sarif\nlang: zh\n")
    code, out, _ = run("check", "sub.yaml")
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    assert any("项目" in r["message"]["text"] for r in doc["runs"][0]["results"])
    code, out, _ = run("check", "sub.yaml", "--format", "json", "--lang", "en")
    assert json.loads(out)["lang"] == "en"
    write(project / CONFIG_NAME, "limits: {max-bytes: 100}\n")
    code, _, err = run("check", "sub.yaml", "--format", "json")
    assert code == 2 and "--max-bytes" in err


def test_no_config_and_explicit_config_options(project: Path) -> None:
    write(project / CONFIG_NAME, "include: ['art99-*']\n")  # would fail
    assert run("check", "sub.yaml", "--format", "json", "--no-config")[0] == 1
    other = write(project / "ci.yaml", f"include: [{DC_RULE}]\nseverity: {{{DC_RULE}: warning}}\n")
    assert run("check", "sub.yaml", "--format", "json", "--config", str(other))[0] == 0


def test_waivers_from_the_file_reach_the_checker(project: Path) -> None:
    (project / "ci").mkdir()
    write(project / "ci" / "waivers.yaml", f"""waivers:
  - rule: {DC_RULE}
    entity: prj.ex02
    justification: imaging storage; approved pending the city cloud's expansion
    approved_by: 泉州市数字办
    approval_ref: 泉数字办〔2016〕12号
    expires: 2017-06-30
""")
    write(project / "ci" / "cfg.yaml", f"include: [{DC_RULE}]\nwaivers: waivers.yaml\n")
    code, out, _ = run("check", "sub.yaml", "--format", "json", "--config", "ci/cfg.yaml")
    (f,) = findings(out)
    assert f["waived"]["approval_ref"] == "泉数字办〔2016〕12号"
    assert code == 0


def test_gate_reads_the_configuration_too(project: Path) -> None:
    write(project / CONFIG_NAME, "exclude: [art17-nonexistent]\n")
    code, _, err = run("gate", "sub.yaml", "--format", "json")
    assert code == 2 and "art17-nonexistent" in err

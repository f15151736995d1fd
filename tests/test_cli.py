"""The command line: exit codes, clean errors, determinism, cli.py == egov-rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from egov_rules import check as check_mod
from egov_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "fixtures"
COMPLIANT = str(FIX / "01_county_compliant.yaml")
OWN_DC = str(FIX / "02_municipal_own_datacentre.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_exit_codes_follow_the_findings() -> None:
    assert run("check", COMPLIANT, "--format", "json")[0] == 0
    code, out, _ = run("check", OWN_DC, "--format", "json")
    assert code == 1
    findings = json.loads(out)["submissions"][0]["findings"]
    assert any(f["article"] == 17 and f["severity"] == "violation" for f in findings)


def test_fail_on_insufficient_counts_insufficient_findings(tmp_path: Path) -> None:
    text = Path(COMPLIANT).read_text("utf-8").replace("mlps_level: 2", "mlps_level: 2\n    risk_assessment_date: null")
    text = text.replace("grid_connected: true", "grid_connected: null")
    p = tmp_path / "s.yaml"
    p.write_text(text, "utf-8")
    code, out, _ = run("check", str(p), "--format", "json")
    sevs = {f["severity"] for f in json.loads(out)["submissions"][0]["findings"]}
    if "insufficient" in sevs and "violation" not in sevs:
        assert code == 0
        assert run("check", str(p), "--format", "json", "--fail-on", "insufficient")[0] == 1


def test_typo_in_a_top_level_key_exits_2_naming_key_line_and_suggestion(tmp_path: Path) -> None:
    text = Path(COMPLIANT).read_text("utf-8").replace("\nplatforms:", "\nplatfroms:")
    line = text.split("\n").index("platfroms:   # registry facts (unified platforms covering Changting)") + 1
    p = tmp_path / "typo.yaml"
    p.write_text(text, "utf-8")
    code, out, err = run("check", str(p), "--format", "table")
    assert code == 2
    assert f"typo.yaml:{line}:1" in out + err
    assert "platfroms" in err and "did you mean 'platforms'" in err
    assert "Traceback" not in out + err


def test_json_output_is_deterministic() -> None:
    a = run("check", OWN_DC, COMPLIANT, "--format", "json")[1]
    b = run("check", COMPLIANT, OWN_DC, "--format", "json")[1]
    c = run("check", OWN_DC, COMPLIANT, "--format", "json")[1]
    assert a == c
    assert json.loads(a)["submissions"][0]["file"].endswith("02_municipal_own_datacentre.yaml")
    assert json.loads(b)["submissions"][1] == json.loads(a)["submissions"][0]


def test_internal_error_exits_70_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(check_mod.Checker, "check_path", boom)
    code, out, err = run("check", COMPLIANT, "--format", "json")
    assert code == 70
    assert "internal error" in err and "bug" in err
    assert "Traceback" not in out + err


def test_output_file_is_written_and_never_overwrites_the_input(tmp_path: Path) -> None:
    out_file = tmp_path / "report.json"
    code, stdout, _ = run("check", OWN_DC, "--format", "json", "--output", str(out_file))
    assert code == 1 and stdout == ""
    assert json.loads(out_file.read_text("utf-8"))["submissions"][0]["id"] == "ex02"
    copy = tmp_path / "in.yaml"
    copy.write_text(Path(OWN_DC).read_text("utf-8"), "utf-8")
    before = copy.read_bytes()
    code, _, err = run("check", str(copy), "--format", "json", "--output", str(copy))
    assert code == 2 and "overwrite the input" in err
    assert copy.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_rules_commands() -> None:
    code, out, _ = run("rules", "list", "--format", "json")
    assert code == 0
    ids = [r["id"] for r in json.loads(out)["rules"]]
    assert "art17-data-centre-without-approval" in ids and ids == sorted(
        ids, key=lambda i: (int(i[3:].split("-")[0]), i))
    code, out, _ = run("rules", "show", "art17-data-centre-without-approval")
    assert code == 0 and "Art 17" in out and "data center" in out.lower().replace("centre", "center")
    code, _, err = run("rules", "show", "art17-data-centre-without-aproval")
    assert code == 2 and "did you mean 'art17-data-centre-without-approval'" in err
    code, out, _ = run("rules", "test")
    assert code == 0 and " 0 failed" in out


def test_validate_and_schema() -> None:
    code, out, _ = run("validate", COMPLIANT)
    assert code == 0 and "valid" in out
    code, out, _ = run("schema", "submission")
    schema = json.loads(out)
    assert code == 0 and "projects" in json.dumps(schema)


def test_unknown_option_is_a_usage_error_exit_2() -> None:
    code, _, err = run("check", COMPLIANT, "--format", "pdf")
    assert code == 2 and "pdf" in err


def test_cli_py_behaves_like_the_installed_command() -> None:
    args = ["check", OWN_DC, "--format", "json"]
    a = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, cwd=ROOT)
    b = subprocess.run([sys.executable, "-m", "egov_rules", *args], capture_output=True, cwd=ROOT)
    exe = Path(sys.executable).with_name("egov-rules")
    assert a.returncode == b.returncode == 1
    assert a.stdout == b.stdout
    if exe.exists():
        c = subprocess.run([str(exe), *args], capture_output=True, cwd=ROOT)
        assert c.returncode == 1 and c.stdout == a.stdout


def test_directory_scan_skips_expected_files_and_hidden_files(tmp_path: Path) -> None:
    from egov_rules.cli import collect_paths

    for name in ("a.yaml", "a.expected.yaml", "b.json", ".egov-rules.yaml", "notes.txt"):
        (tmp_path / name).write_text("x", "utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yml").write_text("x", "utf-8")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in collect_paths([str(tmp_path)])]
    assert found == ["a.yaml", "b.json", "sub/c.yml"]
    code, out, _ = run("check", str(FIX), "--format", "json")
    files = [Path(s["file"]).name for s in json.loads(out)["submissions"]]
    assert files and not [f for f in files if ".expected." in f]
    assert code == 1


def test_every_lazy_command_is_listed_with_its_help_and_resolves_to_itself() -> None:
    """Commands loaded only when named (cli.group.LAZY_COMMANDS) are still every command --help lists, each
    with its own short help, and each name loads the command of that name."""
    from click.testing import CliRunner

    from egov_rules.cli.group import LAZY_COMMANDS

    out = CliRunner().invoke(app, ["--help"]).output
    listed = {line.split()[0]: line for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert set(LAZY_COMMANDS) <= set(listed) and {"check", "gate", "explain", "validate"} <= set(listed)
    ctx = app.make_context("egov-rules", ["check", "x"], resilient_parsing=True)
    for name in LAZY_COMMANDS:
        command = app.get_command(ctx, name)
        assert command is not None and command.name == name, name
        assert " ".join((command.help or "").split()[:2]) in listed[name], name

"""click's usage errors in Chinese under ``--lang zh`` (or a configuration's ``lang: zh`` for check and gate):
no Latin word left but what the user typed (options, values, paths) and the command typed; under English
click's own text unchanged; exit code 2 in both."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_rules.cli import app
from egov_rules.cli import group as cli_group
from egov_rules.cli.usage_zh import ARGUMENTS, choice_words

ROOT = Path(__file__).resolve().parents[1]
COMPLIANT = str(ROOT / "fixtures" / "01_county_compliant.yaml")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_']*")
TYPED_OPTION = re.compile(r"(?<![\w-])--?[a-z][a-z-]*")
CHOICE = re.compile(r"“[^”]*”（[^）]*）")  # a choice value as it is typed, with its Chinese words

# (command line, what the Chinese must say): one case for each kind of usage error click raises here
CASES: dict[str, tuple[list[str], str]] = {
    "unknown option, a suggestion": (["check", "--bogus", "x"], "没有选项“--bogus”。是否想用“--jobs”？"),
    "unknown option, none close": (["template", "--zzzzzz"], "没有选项“--zzzzzz”。"),
    "unknown command": (["chek"], "没有命令“chek”。是否想用以下之一：“check”、“schema”？"),
    "unknown sub-command": (["rules", "lst"], "没有命令“lst”。"),
    "missing argument": (["check"], "缺少参数“路径”。"),
    "missing rule id": (["rules", "show"], "缺少参数“规则编号”。"),
    "missing option": (["explain", COMPLIANT], "缺少选项“--rule”。"),
    "bad choice": (["check", "--format", "pdf", COMPLIANT], "选项“--format”的值无效：“pdf”不是可选的值；可选值："),
    "bad stage": (["gate", "--stage", "built", COMPLIANT], "“in_operation”（运行中）"),
    "bad integer": (["check", "--max-bytes", "lots", COMPLIANT], "选项“--max-bytes”的值无效：“lots”不是整数。"),
    "bad number": (["check", "--max-seconds", "soon", COMPLIANT], "“soon”不是数字。"),
    "out of range": (["check", "--width", "5", COMPLIANT], "5 超出范围（应在 40 至 1000 之间）。"),
    "below a minimum": (["check", "-j", "0", COMPLIANT], "选项“--jobs”或“-j”的值无效：0 超出范围（应不小于 1）。"),
    "a directory for a file": (["check", "--output", "{tmp}", COMPLIANT], "“{tmp}”是目录，此处应为文件。"),
    "a file for a directory": (["check", "--rules", COMPLIANT, COMPLIANT], f"“{COMPLIANT}”是文件，此处应为目录。"),
    "bad date": (["template", "--as-of", "2026-13-01"],
                 "“2026-13-01”不是有效的日期，应写作 2026-01-31 这样的年-月-日。"),
    "no value": (["check", COMPLIANT, "--output"], "选项“--output”需要一个值。"),
    "a flag with a value": (["check", "--only-rules=yes", COMPLIANT], "选项“--only-rules”不接受值。"),
    "extra argument": (["validate", COMPLIANT, "surplus"], "多余的参数：surplus。"),
    "extra arguments": (["rules", "show", "a", "b", "c"], "多余的参数：b c。"),
}


def _args(case: str, tmp: Path) -> list[str]:
    return [a.replace("{tmp}", str(tmp)) for a in CASES[case][0]]


def _with_lang(args: list[str], lang: str) -> list[str]:
    """``--lang`` after the command (before the error, so that click reads no further)."""
    depth = 2 if args[0] == "rules" and len(args) > 1 else 1
    return [*args[:depth], "--lang", lang, *args[depth:]]


def run(args: list[str], cwd: Path | None = None) -> click.testing.Result:
    if cwd is None:
        return CliRunner().invoke(app, args, prog_name="egov-rules")
    with CliRunner().isolated_filesystem(temp_dir=cwd):
        return CliRunner().invoke(app, args, prog_name="egov-rules")


def latin_left(text: str, typed: list[str]) -> list[str]:
    """Latin words left once what the user typed or is to type (options, values, commands) is taken out."""
    text = CHOICE.sub(" ", text.replace("egov-rules", " "))
    text = TYPED_OPTION.sub(" ", text)
    for value in sorted(typed, key=len, reverse=True):
        text = re.sub(r"(?<![\w-])" + re.escape(value) + r"(?![\w-])", " ", text)
    for name in COMMAND_NAMES:  # a command suggested for a misspelt one
        text = text.replace(f"“{name}”", " ")
    return WORD.findall(text)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_usage_error_is_said_in_chinese(case: str, tmp_path: Path) -> None:
    args = _with_lang(_args(case, tmp_path), "zh")
    result = run(args)
    assert result.exit_code == 2, result.output
    expected = CASES[case][1].replace("{tmp}", str(tmp_path))
    assert expected in result.stderr and result.stderr.splitlines()[-1].startswith("错误：")
    assert latin_left(result.stderr, args) == [], result.stderr
    assert "Error" not in result.stderr and "Usage" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_english_is_clicks_own_and_unchanged(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under --lang en (and with no --lang) the text is exactly what click says without the Chinese hook."""
    args = _args(case, tmp_path)
    said = {tuple(a): run(a) for a in (args, _with_lang(args, "en"))}
    monkeypatch.setattr(cli_group, "_in_language", lambda exc, ctx: exc)
    for a, result in said.items():
        plain = run(list(a))
        assert result.exit_code == plain.exit_code == 2
        assert result.stderr == plain.stderr and "Error: " in result.stderr
        assert not re.search("[\u4e00-\u9fff]", result.stderr) and latin_left(result.stderr, list(a))


def test_the_english_words_are_clicks() -> None:
    result = run(["check", "--lang", "en", "--format", "pdf", COMPLIANT])
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: egov-rules check [OPTIONS] PATHS...\nTry 'egov-rules check --help'")
    assert "Error: Invalid value for '--format': 'pdf' is not one of 'table', 'json'," in result.stderr


def test_the_usage_line_and_the_help_hint_are_chinese() -> None:
    result = run(["check", "--lang", "zh", "--bogus"])
    assert result.stderr.splitlines()[:3] == ["用法：egov-rules check [选项] 路径…",
                                              "可运行“egov-rules check --help”查看帮助。", ""]
    result = run(["rules", "--lang", "zh"])  # the group has no --lang: still the language the line asks for
    assert result.exit_code == 2 and "用法：egov-rules rules [选项] 命令 [参数]…" in result.stderr


def test_the_last_lang_typed_wins_as_click_lets_it() -> None:
    assert "错误：" in run(["check", "--lang", "en", "--lang=zh", "--bogus"]).stderr
    assert "Error: " in run(["check", "--lang=zh", "--lang", "en", "--bogus"]).stderr
    assert "Error: " in run(["check", "--lang", "fr", "--bogus"]).stderr  # itself a usage error: English
    assert "Error: " in run(["check", "--bogus", "--", "--lang", "zh"]).stderr  # after --: a path, not an option


def test_a_configuration_in_chinese_speaks_for_check_and_gate(tmp_path: Path) -> None:
    (tmp_path / ".egov-rules.yaml").write_text("lang: zh\n", "utf-8")
    for command in ("check", "gate"):
        result = run([command, "--bogus"], cwd=tmp_path)
        assert result.exit_code == 2 and "错误：没有选项“--bogus”" in result.stderr
        assert "Error: " in run([command, "--no-config", "--bogus"], cwd=tmp_path).stderr
        assert "Error: " in run([command, "--lang", "en", "--bogus"], cwd=tmp_path).stderr
    assert "Error: " in run(["validate"], cwd=tmp_path).stderr  # validate does not read a configuration
    other = tmp_path / "other.yaml"
    other.write_text("lang: zh\n", "utf-8")
    assert "错误：" in run(["check", "--config", str(other), "--bogus"]).stderr


def test_a_broken_configuration_leaves_the_usage_error_in_english(tmp_path: Path) -> None:
    (tmp_path / ".egov-rules.yaml").write_text("lang: zh\nbogus: [\n", "utf-8")
    result = run(["check", "--bogus"], cwd=tmp_path)
    assert result.exit_code == 2 and "Error: No such option '--bogus'" in result.stderr


def _commands() -> list[tuple[str, click.Command]]:
    """Every command, with its path (``rules show``)."""
    ctx = click.Context(app)
    found = []

    def walk(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{path} {name}".strip())  # type: ignore[arg-type]
        else:
            found.append((path, command))

    walk(app, "")
    return found


def test_every_argument_and_choice_of_every_command_has_chinese_words() -> None:
    commands = _commands()
    assert {"check", "template", "users add", "rules show"} <= {path for path, _ in commands}
    for path, command in commands:
        for param in command.params:
            if isinstance(param, click.Argument):
                assert param.name in ARGUMENTS, (path, param.name)
            if isinstance(param.type, click.Choice):
                for value in param.type.choices:
                    words = choice_words(param.name, str(value))
                    assert CHOICE.fullmatch(words) and not WORD.search(words.split("（")[1]), (path, words)


COMMAND_NAMES = {name for path, _ in _commands() for name in path.split()}


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
       .filter(lambda v: v not in ("table", "json", "sarif", "junit", "github", "markdown", "html")
               and not v.startswith("-")))
def test_any_bad_format_value_is_quoted_as_typed_in_chinese(value: str) -> None:
    args = ["check", "--lang", "zh", "--format", value, COMPLIANT]
    result = run(args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 4 and "不是可选的值；可选值：“table”（表格）" in result.stderr
    assert latin_left(result.stderr, args) == [], result.stderr

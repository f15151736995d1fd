"""Options a new user gets slightly wrong: a misspelt or empty ``--rules`` directory (which used to check
with fewer rules, or none, and pass), names that differ from a valid one only in case (a suggestion is
expected), ``--policy`` values in other scripts' digits, and a suggestion that repeats the name given."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rule_fixtures import write_rule

from egov_rules.cli import app
from egov_rules.errors import closest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = str(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml")
RULE = "art17-data-centre-without-approval"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


COMMANDS = {
    "check": ["check", FIXTURE, "--no-config"],
    "check --only-rules": ["check", FIXTURE, "--no-config", "--only-rules"],
    "gate": ["gate", FIXTURE, "--no-config"],
    "explain": ["explain", FIXTURE, "--rule", RULE],
    "rules list": ["rules", "list"],
    "rules test": ["rules", "test", "--only-rules"],
    "rules lint": ["rules", "lint"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_rules_directory_is_exit_2_not_a_silent_pass(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "my-rulez"
    code, out, err = run(*COMMANDS[command], "--rules", str(missing))
    assert code == 2, out + err
    assert err.startswith(f"{missing}: invalid rule: rules directory not found; expected a directory of rule "
                          "files"), err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_rules_directory_without_rule_files_is_exit_2(tmp_path: Path, command: str) -> None:
    empty = tmp_path / "rules"
    empty.mkdir()
    (empty / "README.md").write_text("my rules go here\n", "utf-8")
    (empty / "_definitions.yaml").write_text("sets: {}\n", "utf-8")  # '_' files are not rules
    code, out, err = run(*COMMANDS[command], "--rules", str(empty))
    assert code == 2, out + err
    assert err.startswith(f"{empty}: invalid rule: the rules directory holds no rule file; expected"), err


def test_the_rules_directory_errors_in_chinese(tmp_path: Path) -> None:
    code, _, err = run("check", FIXTURE, "--no-config", "--lang", "zh", "--rules", str(tmp_path / "nope"))
    assert code == 2
    assert err.strip() == (f"{tmp_path / 'nope'}：规则无效：规则目录不存在；应为存放规则文件（*.yaml 或 *.yml，"
                           "不以“_”开头）的目录")


def test_a_rules_directory_with_a_rule_in_a_subfolder_still_loads(tmp_path: Path) -> None:
    rules = write_rule(tmp_path, """\
        for_each:
          p: projects
        require:
          p.stage: {ne: proposal}
    """)
    (rules / "sub").mkdir()
    (rules / "art17-test.yaml").rename(rules / "sub" / "art17-test.yaml")
    code, out, err = run("check", FIXTURE, "--no-config", "--only-rules", "--rules", str(rules), "--format", "json")
    assert code == 1, err
    assert '"rule": "art17-test-rule"' in out


@pytest.mark.parametrize(("given", "candidates", "expected"), [
    ("Id", ["id", "name", "notes"], "id"),
    ("STAGE", ["stage", "unit"], "stage"),
    ("ART17-DATA-CENTRE-WITHOUT-APPROVAL", [RULE, "art18-exchange"], RULE),
    ("stgae", ["stage", "unit"], "stage"),  # as before: a transposition
    ("art31_answer_days", ["art31_answer_days"], None),  # never the name itself
    ("zzz", ["stage", "unit"], None),
])
def test_closest_ignores_case_and_never_repeats_the_name(given: str, candidates: list[str],
                                                         expected: str | None) -> None:
    assert closest(given, candidates) == expected


def test_a_field_name_in_the_wrong_case_gets_a_suggestion(tmp_path: Path) -> None:
    text = Path(FIXTURE).read_text("utf-8").replace("  id: ex02", "  Id: ex02", 1)
    path = tmp_path / "x.yaml"
    path.write_text(text, "utf-8")
    code, _, err = run("validate", str(path))
    assert code == 2
    assert "field '/submission/Id': unknown field 'Id'; did you mean 'id'?" in err, err


def test_a_rule_id_in_capitals_gets_a_suggestion() -> None:
    code, _, err = run("rules", "show", RULE.upper())
    assert code == 2
    assert err.strip() == f"<input>: usage: no rule '{RULE.upper()}'; did you mean '{RULE}'?"


@pytest.mark.parametrize("value", ["１５", "٣", "1_000", "+-15"])
def test_policy_values_take_ascii_digits_only(value: str) -> None:
    code, _, err = run("check", FIXTURE, "--no-config", "--policy", f"art31_answer_days={value}")
    assert code == 2
    assert f"takes a whole number, not '{value}'" in err, err


def test_a_policy_value_out_of_range_does_not_suggest_its_own_name(tmp_path: Path) -> None:
    code, _, err = run("check", FIXTURE, "--no-config", "--policy", "art31_answer_days=0")
    assert code == 2
    assert "must be between 1 and 3650, not 0" in err and "did you mean" not in err, err
    config = tmp_path / "c.yaml"
    config.write_text("policy:\n  art31_answer_days: -5\n", "utf-8")
    code, _, err = run("check", FIXTURE, "--config", str(config))
    assert code == 2
    assert err.startswith(f"{config}:2:22: invalid configuration: field '/policy/art31_answer_days'"), err
    assert "did you mean" not in err, err
    code, _, err = run("check", FIXTURE, "--no-config", "--policy", "art31_answer_day=9")
    assert code == 2 and "did you mean 'art31_answer_days'?" in err, err  # a misspelt name still gets one


@pytest.mark.parametrize(("content", "reason_en", "reason_zh"), [
    ("", "empty document", "文档为空"),
    ("- {rule: x, entity: y}\n", "the top level must be a mapping; found a list", "顶层应为映射，实际为列表"),
])
def test_a_waiver_file_that_is_empty_or_a_list_is_told_what_a_waiver_file_holds(
        tmp_path: Path, content: str, reason_en: str, reason_zh: str) -> None:
    """Not "expected a mapping of entity lists": that is what a submission holds."""
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(content, "utf-8")
    code, _, err = run("check", FIXTURE, "--no-config", "--waivers", str(waivers))
    assert code == 2
    assert err.strip() == (f"{waivers}:1:1: invalid configuration: not a waiver file: {reason_en}; expected "
                           "waivers: [ {rule, entity, ...}, ... ]")
    code, _, err = run("check", FIXTURE, "--no-config", "--lang", "zh", "--waivers", str(waivers))
    assert code == 2
    assert err.strip() == (f"{waivers}:1:1：配置无效：不是豁免文件：{reason_zh}；应为“waivers:”之下逐项列出豁免事项"
                           "（rule、entity 等字段）")


def test_explain_for_an_entity_the_submission_does_not_have_is_exit_2() -> None:
    """A misspelt --entity used to say "the rule had nothing to check" (exit 0), as if the rule did not apply."""
    code, out, err = run("explain", FIXTURE, "--rule", RULE, "--entity", "prj.ex2")
    assert code == 2 and out == ""
    assert err.strip() == (f"{FIXTURE}: usage: no entity 'prj.ex2' in the submission; expected the id of one of "
                           "its entities (--entity); did you mean 'prj.ex02'?")
    code, _, err = run("explain", FIXTURE, "--rule", RULE, "--entity", "prj.ex2", "--lang", "zh")
    assert code == 2
    assert err.strip() == (f"{FIXTURE}：用法错误：报送材料中没有编号为“prj.ex2”的条目；"
                           "应为其中某一条目的编号（--entity）；是否应为“prj.ex02”？")
    code, out, _ = run("explain", FIXTURE, "--rule", RULE, "--entity", "prj.ex02")
    assert code == 0 and "4 binding(s): 1 fired" in out


@pytest.mark.parametrize(("option", "value", "shown", "bounds"), [
    ("--max-bytes", "-1", "-1", "x>=1"),
    ("--max-bytes", "0", "0", "x>=1"),
    ("--max-depth", "0", "0", "x>=1"),
    ("--max-nodes", "-5", "-5", "x>=1"),
    ("--max-entities", "0", "0", "x>=1"),
    ("--max-aliases", "-1", "-1", "x>=0"),
    ("--max-seconds", "0", "0.0", "x>0"),
    ("--max-seconds", "-2", "-2.0", "x>0"),
    ("--max-seconds", "nan", "nan", "x>0"),  # nan compared false with every bound: no time limit at all
    ("--max-seconds", "inf", "inf", "x>0"),
])
def test_a_limit_out_of_its_range_is_a_usage_error(option: str, value: str, shown: str, bounds: str) -> None:
    """As the configuration file's limits: no "file size 12268 bytes exceeds -1", no limit silently off."""
    code, out, err = run("check", FIXTURE, "--no-config", option, value)
    assert code == 2, out
    assert f"Invalid value for '{option}': {shown} is not in the range {bounds}." in err, err


@pytest.mark.parametrize("args", [
    ["--max-bytes", "99999999999999999999999"],  # read(n) overflowed an index: exit 70
    ["--max-bytes", "1000000000000000"],  # read(n) allocated n bytes up front: MemoryError, exit 70
    ["--max-seconds", "1e300"],  # the interval timer's time_t overflowed: exit 70
    ["--max-depth", "99999999999999999999999", "--max-nodes", "99999999999999999999999",
     "--max-entities", "99999999999999999999999", "--max-aliases", "99999999999999999999999"],
])
def test_a_huge_limit_is_no_limit_not_an_internal_error(args: list[str]) -> None:
    code, out, err = run("check", FIXTURE, "--no-config", "--format", "json", *args)
    assert code == 1, err
    assert '"rule": "art17-data-centre-without-approval"' in out


def test_a_huge_limit_in_the_configuration_file_is_no_limit(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("limits:\n  max-bytes: 99999999999999999999999\n  max-seconds: 1e300\n", "utf-8")
    code, _, err = run("check", FIXTURE, "--config", str(config))
    assert code == 1, err


def test_stdin_under_a_huge_byte_limit_is_read(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "-", "--max-bytes", "99999999999999999999999"],
                                input=Path(FIXTURE).read_bytes())
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "<stdin>: valid"


@pytest.mark.parametrize("command", ["check", "gate"])
def test_stdin_given_twice_is_a_usage_error(command: str) -> None:
    """The second '-' read nothing and was reported as an empty document."""
    result = CliRunner().invoke(app, [command, "-", "-", "--no-config"], input=Path(FIXTURE).read_bytes())
    assert result.exit_code == 2
    assert result.stderr.strip() == ("<input>: usage: standard input (-) is given more than once; it can be read "
                                     "only once; expected - at most once among the paths")
    result = CliRunner().invoke(app, [command, "-", "--no-config", "--lang", "zh", "-"], input=b"")
    assert result.exit_code == 2
    assert result.stderr.strip() == "用法错误：标准输入（-）给出了不止一次，但只能读取一次；应为路径中最多出现一次“-”"


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf# settings to come\n", b"---\n", b"---\n...\n",
                                     b"", b"# nothing yet\n"])
def test_a_configuration_file_with_nothing_in_it_is_an_empty_configuration(tmp_path: Path, content: bytes) -> None:
    """A 0-byte or comment-only file was already fine; one saved with a BOM or a '---' was "empty document;
    expected a mapping of entity lists" (exit 2)."""
    config = tmp_path / ".egov-rules.yaml"
    config.write_bytes(content)
    code, _, err = run("check", FIXTURE, "--config", str(config))
    assert code == 1, err  # fixture 02 has violations: checked, not refused
    assert err == ""


def test_template_to_an_xlsx_file_writes_a_workbook(tmp_path: Path) -> None:
    """`template -o book.xlsx` wrote YAML text into book.xlsx, which check then called "not a zip archive"."""
    import zipfile

    book = tmp_path / "book.xlsx"
    result = CliRunner().invoke(app, ["template", "-o", str(book)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(book)
    result = CliRunner().invoke(app, ["template", "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 0 and (tmp_path / "s.yaml").read_text("utf-8").startswith("# Submission")


def test_template_yaml_into_an_xlsx_file_is_a_usage_error(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    result = CliRunner().invoke(app, ["template", "--format", "yaml", "-o", str(book)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"<input>: usage: --format yaml writes YAML text, not a workbook: {book}; "
                                     "expected -o FILE.yaml, or --format xlsx")
    result = CliRunner().invoke(app, ["template", "--format", "yaml", "--lang", "zh", "-o", str(book)])
    assert result.stderr.strip() == (f"用法错误：“--format yaml”写出的是文本，不是工作簿：{book}；"
                                     "应为以 .yaml 结尾的文件名（--output），或“--format xlsx”")
    assert not book.exists()

"""The template writer's refusals (``egov-rules template``), the report writer's (``--output``) and the command
line's own usage errors in Chinese under ``--lang zh``: no Latin word but what the user typed (options, paths,
values), field pointers and program names; under English the same words as before; exit code 2 in both."""

from __future__ import annotations

import errno
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from egov_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_']*")
# what may stay Latin in Chinese: options, paths and values as typed (quoted), pointers, rule ids and policy
# parameter names, file suffixes, programs, acronyms
KEEP = re.compile(r"(?<![A-Za-z0-9_-])--?[a-z][a-z-]*|art\d+(?:-[a-z0-9]+)+|(?:[\w.~-]*/[\w.~/-]*)|\.(?:xlsx|yaml)\b"
                  r"|“[^”]*”|egov-rules rules (?:list|params)|\b(?:YAML|JSON)\b|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def latin_left(text: str, typed: list[str]) -> list[str]:
    for value in sorted(typed, key=len, reverse=True):
        if not value.startswith("-"):  # options go whole, with KEEP (-o is also inside --output)
            text = text.replace(value, " ")
    return WORD.findall(KEEP.sub(" ", text))


def _control_character(tmp: Path) -> list[str]:
    data = yaml.safe_load(FIXTURE.read_text("utf-8"))
    data["projects"][0]["name"] = "bad\x07name"
    path = tmp / "ctl.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return ["template", "--format", "xlsx", "--from", str(path), "-o", str(tmp / "out.xlsx")]


def _unknown_field(tmp: Path) -> list[str]:
    data = yaml.safe_load(FIXTURE.read_text("utf-8"))
    data["projects"][0]["zzz"] = 1
    path = tmp / "unknown.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return ["template", "--format", "xlsx", "--from", str(path), "-o", str(tmp / "out.xlsx")]


def _a_list(tmp: Path) -> list[str]:
    path = tmp / "list.yaml"
    path.write_text("- 1\n- 2\n", "utf-8")
    return ["template", "--from", str(path)]


def _over_its_input(tmp: Path) -> list[str]:
    book = tmp / "book.xlsx"
    made = CliRunner().invoke(app, ["template", "--format", "xlsx", "--from", str(FIXTURE), "-o", str(book)])
    assert made.exit_code == 0, made.output
    return ["template", "--format", "xlsx", "--from", str(book), "-o", str(book)]


# case -> (the command line, what the English says, what the Chinese says)
CASES: dict[str, tuple[Callable[[Path], list[str]], str, str]] = {
    "--from and --case": (lambda t: ["template", "--from", str(FIXTURE), "--case", "unit"],
                          "<input>: usage: --from and --case both say what to fill the template with; give one; "
                          "expected --from FILE or --case project|unit",
                          "用法错误：--from 与 --case 都指定了模板的填写内容，只能给出其中一个；"
                          "应为--from 文件，或 --case “project”（项目）或“unit”（单位）"),
    "a workbook to stdout": (lambda t: ["template", "--format", "xlsx"],
                             "<input>: usage: an xlsx workbook is written to a file: give -o FILE.xlsx; expected "
                             "-o FILE.xlsx",
                             "用法错误：工作簿只能写入文件：请用 --output 指定 .xlsx 文件；"
                             "应为--output 加以 .xlsx 结尾的文件名"),
    "not .xlsx": (lambda t: ["template", "--format", "xlsx", "-o", str(t / "a.txt")],
                  "the workbook's file name should end in .xlsx: {tmp}/a.txt",
                  "工作簿的文件名应以 .xlsx 结尾：{tmp}/a.txt"),
    "no such directory": (lambda t: ["template", "--format", "xlsx", "-o", str(t / "no" / "a.xlsx")],
                          "{tmp}/no/a.xlsx: usage: the directory of the output file does not exist: {tmp}/no",
                          "{tmp}/no/a.xlsx：用法错误：输出文件所在的目录不存在：{tmp}/no"),
    "over its input": (_over_its_input,
                       "{tmp}/book.xlsx: usage: refusing to overwrite the input file '{tmp}/book.xlsx'",
                       "{tmp}/book.xlsx：用法错误：不会覆盖输入文件“{tmp}/book.xlsx”"),
    "a field the format lacks": (_unknown_field,
                                 "invalid input: field '/projects/0/zzz': '/projects/0/zzz' is not a field of the "
                                 "submission format, so the template cannot hold it (1 such); expected egov-rules "
                                 "validate to pass first",
                                 "输入无效：字段“/projects/0/zzz”：“/projects/0/zzz”不是报送格式中的字段，模板无法容纳"
                                 "（共 1 处）；应为先通过“egov-rules validate”检查"),
    "not a mapping": (_a_list, "{tmp}/list.yaml:1:1: invalid input: the top level must be a mapping of entity lists; "
                      "found a list; expected a mapping such as 'submission: {...}'",
                      "{tmp}/list.yaml:1:1：输入无效：顶层应为由各类条目清单组成的映射，实际为列表；"
                      "应为由报送信息和各类条目清单组成的映射"),
    "a control character": (_control_character,
                            "{tmp}/ctl.yaml:",
                            "：输入无效：字段“/projects/0/name”（项目名称）：该值无法写入工作簿单元格"),
    "no --from file": (lambda t: ["template", "--from", str(t / "none.yaml")],
                       "{tmp}/none.yaml: invalid input: file not found; expected a readable YAML or JSON file",
                       "{tmp}/none.yaml：输入无效：文件不存在；应为可读取的 YAML 或 JSON 文件"),
    "a report into no directory": (lambda t: ["check", str(FIXTURE), "-o", str(t / "no" / "r.json")],
                                   "{tmp}/no/r.json: cannot write output: the directory of the output file does not "
                                   "exist: {tmp}/no; expected an existing directory",
                                   "{tmp}/no/r.json：无法写入输出：输出文件所在的目录不存在：{tmp}/no；应为已存在的目录"),
    "a report over its input": (lambda t: ["check", str(FIXTURE), "-o", str(FIXTURE)],
                                f"refusing to overwrite the input file '{FIXTURE}' with the report",
                                f"用法错误：不会用报告覆盖输入文件“{FIXTURE}”"),
    "no files": (lambda t: ["check", str(t)], "<input>: usage: no submission files found in {tmp}",
                 "用法错误：在 {tmp} 中没有找到报送材料文件"),
    "no such rule": (lambda t: ["rules", "show", "art17-data-centre-without-aproval"],
                     "<input>: usage: no rule 'art17-data-centre-without-aproval'; did you mean "
                     "'art17-data-centre-without-approval'?",
                     "用法错误：没有规则“art17-data-centre-without-aproval”；"
                     "是否应为“art17-data-centre-without-approval”？"),
    "no rule to explain": (lambda t: ["explain", str(FIXTURE), "--rule", "art17-x"],
                           "<input>: usage: no rule 'art17-x'; expected the id of a rule (egov-rules rules list)",
                           "用法错误：没有规则“art17-x”；应为规则编号（egov-rules rules list 可列出全部规则）"),
    "no configuration file": (lambda t: ["check", "--config", str(t / "none.yaml"), str(FIXTURE)],
                              "{tmp}/none.yaml: invalid configuration: configuration file not found; expected a "
                              "readable YAML file",
                              "{tmp}/none.yaml：配置无效：找不到配置文件；应为可读取的 YAML 文件"),
    "an unknown configuration key": (lambda t: _config(t, "lang: zh\nbogus: 1\n"),
                                     "unknown key 'bogus'; expected one of rules, include, exclude,",
                                     "：配置无效：字段“/bogus”：未知的配置项“bogus”；应为以下之一：“rules”、“include”"),
    "a waivers file not there": (lambda t: _config(t, "waivers: nowhere.yaml\n"),
                                 "file not found: {tmp}/nowhere.yaml; expected an existing file (relative to the "
                                 "configuration file)",
                                 "找不到文件：{tmp}/nowhere.yaml；应为已存在的文件（相对于配置文件所在位置）"),
    "no such policy parameter": (lambda t: ["check", "--policy", "x=1", str(FIXTURE)],
                                 "--policy: invalid configuration: field 'x': no policy parameter 'x' (known: ",
                                 "--policy：配置无效：字段“x”：没有名为“x”的政策参数（已有："),
    "a policy value out of range": (lambda t: ["check", "--policy", "art31_answer_days=100000", str(FIXTURE)],
                                    "policy parameter 'art31_answer_days' must be between 1 and ",
                                    "政策参数“art31_answer_days”应在 1 至 "),
    "a policy that is not NAME=VALUE": (lambda t: ["check", "--policy", "bad", str(FIXTURE)],
                                        "--policy: invalid configuration: --policy 'bad' is not NAME=VALUE; expected "
                                        "NAME=VALUE, e.g. art31_answer_days=15",
                                        "--policy：配置无效：--policy “bad”不是“名称=值”的形式；"
                                        "应为“名称=值”，如“art31_answer_days=15”"),
}


def _config(tmp: Path, text: str) -> list[str]:
    path = tmp / "config.yaml"
    path.write_text(text, "utf-8")
    return ["check", "--config", str(path), str(FIXTURE)]


def _with_lang(args: list[str], lang: str) -> list[str]:
    depth = 2 if args[0] == "rules" else 1
    return [*args[:depth], "--lang", lang, *args[depth:]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_refusal_is_said_in_chinese_and_the_english_is_as_before(case: str, tmp_path: Path) -> None:
    make, english, chinese = CASES[case]
    args = make(tmp_path)
    said = {lang: CliRunner().invoke(app, _with_lang(args, lang)) for lang in ("en", "zh")}
    for result in said.values():
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
    tmp = str(tmp_path)
    assert english.replace("{tmp}", tmp) in said["en"].stderr, said["en"].stderr
    assert chinese.replace("{tmp}", tmp) in said["zh"].stderr, said["zh"].stderr
    assert latin_left(said["zh"].stderr, [*args, tmp]) == [], said["zh"].stderr
    assert latin_left(said["en"].stderr, [*args, tmp])  # the scan finds English where there is English


def test_a_write_the_system_refuses_is_a_clean_error_in_either_language(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only directory or a full disk: exit 2 naming the file (it was an internal error, exit 70)."""
    def refuse(*_args: object, **_kw: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    book = str(tmp_path / "b.xlsx")
    en = CliRunner().invoke(app, ["template", "--format", "xlsx", "-o", book])
    zh = CliRunner().invoke(app, ["template", "--lang", "zh", "--format", "xlsx", "-o", book])
    assert en.exit_code == zh.exit_code == 2
    assert en.stderr.startswith(f"{book}: cannot write output: cannot write the workbook: Permission denied; "
                                "nothing was written; expected a writable directory with free space")
    assert zh.stderr.startswith(f"{book}：无法写入输出：无法写入工作簿（无写入权限），未写入任何内容；"
                                "应为可写入且有剩余空间的目录")
    assert not list(tmp_path.iterdir())  # nothing written, no temporary file left


def test_what_was_written_is_said_in_the_readers_language(tmp_path: Path) -> None:
    book = str(tmp_path / "b.xlsx")
    assert CliRunner().invoke(app, ["template", "--format", "xlsx", "-o", book]).stderr == f"wrote {book}\n"
    assert CliRunner().invoke(app, ["template", "--lang", "zh", "--format", "xlsx", "-o", book]).stderr == \
        f"已写入 {book}\n"

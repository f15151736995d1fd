"""Workbook errors in Chinese: every broken or hostile workbook the suite builds, read with ``--lang zh``, is
told in Chinese (no English word outside the user's own quoted values, the sheet!cell position, option names
and file extensions), while its English rendering stays word for word what it was."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from test_workbook_hostile import FIXTURE, _raw_workbook, _row, _with_dimension, with_extra_part
from test_zh_scan import latin_words

from egov_rules.cli import app
from egov_rules.errors import EgovError, Local, Said, Wording
from egov_rules.input import workbook_words
from egov_rules.input.cells import CellProblem, choices, from_cell
from egov_rules.input.layout import spec_by_key
from egov_rules.input.load import Limits, load_document
from egov_rules.input.xlsx_reader import load_workbook_bytes
from egov_rules.input.xlsx_template import write_template

# Latin a Chinese error may keep: column letters, option names the reader must type, file extensions, the
# programs that save workbooks; and "“…”" quotes what the user typed (or the field name row 2 must say) exactly as given
KEEP = re.compile(r"第 [A-Z]{1,3} 列|--[a-z][a-z-]+|\.(?:xlsx|xlsm|yaml|json)\b|\b(?:Excel|WPS|LibreOffice)\b|“[^”]*”")
FRAME = re.compile(r"^.*?：(?:输入无效|超出限制)：", re.M)  # the file: 'sheet'!C7 position before the kind


def english_left(text: str) -> list[str]:
    """Latin words a Chinese rendering still holds once positions, quoted values and the allowed are gone."""
    return latin_words(KEEP.sub(" ", FRAME.sub(" ", text)), [])


def test_the_checker_finds_english() -> None:
    assert english_left("a.xlsx: units!B2：输入无效：unknown field name 'tpye' in row 2") == \
        ["field", "in", "name", "row", "tpye'", "unknown"]
    assert english_left("a.xlsx: units!B2：输入无效：字段名“tpye”不是本表的字段（可用 --max-bytes 调高）") == []


# ------------------------------------------------------------------------------------------ the workbooks
Case = Callable[[Path, Path], tuple[bytes, str, Limits]]


def _edit(good: Path, tmp: Path, change: Callable[[Workbook], None], name: str = "bad.xlsx") -> bytes:
    wb = load_workbook(good)
    change(wb)
    path = tmp / name
    wb.save(path)
    return path.read_bytes()


def _column(ws: object, field: str) -> str:
    return next(c.column_letter for c in ws[2] if c.value == field)  # type: ignore[index]


def _set(sheet: str, field: str, value: object, row: int = 3) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        ws = wb[sheet]
        ws[f"{_column(ws, field)}{row}"] = value
    return change


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _raw(tmp: Path, rows: bytes, dimension: str | None = None) -> bytes:
    path = tmp / "raw.xlsx"
    _raw_workbook(path, rows)
    if dimension:
        _with_dimension(path, dimension)
    return path.read_bytes()


def _extra(good: Path, tmp: Path, part: str, content: bytes) -> bytes:
    return with_extra_part(good, tmp / "extra.xlsx", part, content).read_bytes()


def _none_but_rows(wb: Workbook) -> None:
    _set("plans", "modifications", "none")(wb)
    ws = wb["modifications"]
    ws[f"{_column(ws, 'plan_id')}3"] = "plan.ly.egov"


def _chart_sheet(wb: Workbook) -> None:
    chart = BarChart()
    chart.add_data(Reference(wb["units"], min_col=1, min_row=3, max_row=4))
    wb.create_chartsheet("chart").add_chart(chart)


def _number_for_date(wb: Workbook) -> None:
    _set("submission", "as_of", 42)(wb)
    ws = wb["submission"]
    ws[f"{_column(ws, 'as_of')}3"].number_format = "General"  # the template's date format would make it a date


def _second_components_column(wb: Workbook) -> None:
    ws = wb["units"]
    ws.cell(row=2, column=ws.max_column + 1, value="name")


def _no_parent_column(wb: Workbook) -> None:
    ws = wb["components"]
    ws[f"{_column(ws, 'project_id')}2"] = None


def _two_sheets(wb: Workbook) -> None:
    wb.copy_worksheet(wb["units"]).title = "单位 units"


def _only_instructions(wb: Workbook) -> None:
    for ws in list(wb.worksheets):
        if ws.title != "instructions":
            del wb[ws.title]


DEFAULT = Limits()
_STAGE_WORDS = [str(w) for lang in ("en", "zh") for pair in choices("project", "stage", lang) for w in pair] + [
    str(code).replace("_", " ") for code, _ in choices("project", "stage", "en")]
CASES: dict[str, Case] = {
    # the zip (xlsx_guard)
    "not a zip": lambda g, t: (b"this is not a workbook\n", "fake.xlsx", DEFAULT),
    "broken zip": lambda g, t: (g.read_bytes()[:3000], "truncated.xlsx", DEFAULT),
    "too many parts": lambda g, t: (_zip({f"p{i}": b"" for i in range(10_001)}), "parts.xlsx", DEFAULT),
    "zip bomb": lambda g, t: (_extra(g, t, "xl/media/zeros.bin", b"\0" * 3_000_000), "bomb.xlsx",
                              Limits(max_bytes=250_000)),
    "shared strings": lambda g, t: (_extra(g, t, "xl/sharedStrings.xml", b"<sst>" + b"<si><t>x</t></si>" * 80_000),
                                    "strings.xlsx", Limits(max_bytes=300_000)),
    "big part": lambda g, t: (_extra(g, t, "xl/big.xml", b" " * 1_250_000), "part.xlsx", Limits(max_bytes=300_000)),
    "no workbook part": lambda g, t: (_zip({"[Content_Types].xml": b"<Types/>"}), "empty.xlsx", DEFAULT),
    "macros": lambda g, t: (_extra(g, t, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake"), "macro.xlsx", DEFAULT),
    "external links": lambda g, t: (_extra(g, t, "xl/externalLinks/externalLink1.xml", b"<externalLink/>"),
                                    "links.xlsx", DEFAULT),
    # the workbook (xlsx_reader)
    "file size": lambda g, t: (g.read_bytes(), "good.xlsx", Limits(max_bytes=1000)),
    "xlsm": lambda g, t: (g.read_bytes(), "book.xlsm", DEFAULT),
    "unreadable": lambda g, t: (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<oops"}),
                                "garbled.xlsx", DEFAULT),
    "chart sheet": lambda g, t: (_edit(g, t, _chart_sheet), "chart.xlsx", DEFAULT),
    "hidden sheet": lambda g, t: (_edit(g, t, lambda wb: setattr(wb["platforms"], "sheet_state", "hidden")),
                                  "hidden.xlsx", DEFAULT),
    "very hidden sheet": lambda g, t: (_edit(g, t, lambda wb: setattr(wb["platforms"], "sheet_state", "veryHidden")),
                                       "hidden.xlsx", DEFAULT),
    "unknown sheet": lambda g, t: (_edit(g, t, lambda wb: setattr(wb["platforms"], "title", "platfroms")),
                                   "renamed.xlsx", DEFAULT),
    "two sheets": lambda g, t: (_edit(g, t, _two_sheets), "twice.xlsx", DEFAULT),
    "merged": lambda g, t: (_edit(g, t, lambda wb: wb["units"].merge_cells("B4:C4")), "merged.xlsx", DEFAULT),
    "far column": lambda g, t: (_raw(t, _row(1, "id", "name") + _row(2, "id", "name")
                                     + _row(3, "unit.a", "x")[:-6] + b'<c r="XFD3"><v>1</v></c></row>', "A1:XFD3"),
                                "wide.xlsx", DEFAULT),
    "rows on a sheet": lambda g, t: (g.read_bytes(), "good.xlsx", Limits(max_entities=2)),
    "no sheets": lambda g, t: (_edit(g, t, _only_instructions), "bare.xlsx", DEFAULT),
    "no submission sheet": lambda g, t: (_edit(g, t, lambda wb: wb.remove(wb["submission"])), "headless.xlsx",
                                         DEFAULT),
    "time": lambda g, t: (_raw(t, b"".join(_row(r, "id", "name") if r < 3 else _row(r, f"unit.{r}", "x")
                                           for r in range(1, 300))), "slow.xlsx", Limits(max_seconds=0)),
    "cells": lambda g, t: (g.read_bytes(), "good.xlsx", Limits(max_nodes=10)),
    "hidden row": lambda g, t: (_edit(g, t, lambda wb: setattr(wb["units"].row_dimensions[4], "hidden", True)),
                                "hidden-row.xlsx", DEFAULT),
    "no field names": lambda g, t: (_raw(t, _row(1, "id", "name") + _row(3, "unit.a", "x")), "headless.xlsx",
                                    DEFAULT),
    "no submission row": lambda g, t: (_edit(g, t, lambda wb: wb["submission"].delete_rows(3)), "empty.xlsx",
                                       DEFAULT),
    "formula": lambda g, t: (_edit(g, t, _set("projects", "budget.construction_cny", "=1000000*2")),
                             "formula.xlsx", DEFAULT),
    "error value": lambda g, t: (_edit(g, t, _set("projects", "budget.construction_cny", "#DIV/0!")),
                                 "error.xlsx", DEFAULT),
    "unknown field": lambda g, t: (_edit(g, t, lambda wb: setattr(wb["units"]["B2"], "value", "tpye")),
                                   "typo.xlsx", DEFAULT),
    "two columns": lambda g, t: (_edit(g, t, _second_components_column), "twocols.xlsx", DEFAULT),
    "no parent column": lambda g, t: (_edit(g, t, _no_parent_column), "orphans.xlsx", DEFAULT),
    "value without a field name": lambda g, t: (_edit(g, t, lambda wb: setattr(wb["units"]["AZ3"], "value", "x")),
                                                "stray.xlsx", DEFAULT),
    "second submission": lambda g, t: (_edit(g, t, _set("submission", "id", "again", row=4)), "two.xlsx", DEFAULT),
    "no parent id": lambda g, t: (_edit(g, t, _set("components", "project_id", None)), "noparent.xlsx", DEFAULT),
    "unknown parent": lambda g, t: (_edit(g, t, _set("components", "project_id", "prj.nowhere")), "dangling.xlsx",
                                    DEFAULT),
    "not none": lambda g, t: (_edit(g, t, _set("plans", "modifications", "several")), "marker.xlsx", DEFAULT),
    "none but rows": lambda g, t: (_edit(g, t, _none_but_rows), "marker2.xlsx", DEFAULT),
    # cells (cells.py)
    "date in a text field": lambda g, t: (_edit(g, t, _set("units", "name", dt.datetime(2016, 9, 20))), "d.xlsx",
                                          DEFAULT),
    "date with a time": lambda g, t: (_edit(g, t, _set("submission", "as_of", dt.datetime(2016, 9, 20, 10, 30))),
                                      "d.xlsx", DEFAULT),
    "no such date": lambda g, t: (_edit(g, t, _set("submission", "as_of", "2016-13-01")), "d.xlsx", DEFAULT),
    "date as other text": lambda g, t: (_edit(g, t, _set("submission", "as_of", "2016年9月20日")), "d.xlsx", DEFAULT),
    "number for a date": lambda g, t: (_edit(g, t, _number_for_date), "d.xlsx", DEFAULT),
    "not yes or no": lambda g, t: (_edit(g, t, _set("projects", "grid_connected", "maybe")), "b.xlsx", DEFAULT),
    "not a choice": lambda g, t: (_edit(g, t, _set("projects", "stage", "almost done")), "e.xlsx", DEFAULT),
    "not a whole number": lambda g, t: (_edit(g, t, _set("information_systems", "mlps_level", "soon")), "i.xlsx",
                                        DEFAULT),
    "not a number": lambda g, t: (_edit(g, t, _set("projects", "budget.construction_cny", "lots")), "n.xlsx",
                                  DEFAULT),
    "yes/no in a text field": lambda g, t: (_edit(g, t, _set("units", "name", True)), "t.xlsx", DEFAULT),
}


@pytest.fixture(scope="module")
def good_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "good.xlsx"
    write_template(str(path), "en", load_document(FIXTURE).data)
    return path


def refused(case: str, good: Path, tmp: Path) -> EgovError:
    data, name, limits = CASES[case](good, tmp)
    with pytest.raises(EgovError) as caught:
        load_workbook_bytes(data, name, limits=limits)
    return caught.value


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_broken_workbook_is_told_in_chinese(case: str, good_book: Path, tmp_path: Path) -> None:
    err = refused(case, good_book, tmp_path)
    zh, en = err.render("zh"), err.render("en")
    assert english_left(zh) == [], (case, zh)
    assert re.search(r"[\u4e00-\u9fff]", FRAME.sub("", zh)), zh  # the message itself, not only the frame
    for e in getattr(err, "errors", [err]):  # the English is the error's own message, as the tests pin it
        assert e.message in en and (e.said is None or str(e.said) == e.message)


# the English wording, word for word as before (the hostile tests pin parts of it; this pins it whole)
ENGLISH = {
    "not a zip": "not an xlsx workbook (the file is not a zip archive); expected an .xlsx workbook saved by Excel, "
                 "WPS or LibreOffice, or a YAML/JSON file",
    "macros": "the workbook contains macros (xlsm); macros are never run and such workbooks are refused; expected "
              "an .xlsx workbook without macros: save it as .xlsx",
    "unknown sheet": "unknown sheet 'platfroms'; expected the sheets of the template (egov-rules template --format "
                     "xlsx); did you mean 'platforms'?",
    "no submission sheet": "the workbook has no 'submission' sheet (the submission's id, as_of date and kind); "
                           "expected the template's 'submission' sheet, with one row",
    "unknown parent": "no project with id 'prj.nowhere' on sheet 'projects'; expected the id of a row of sheet "
                      "projects",
    "not none": "'several' in a column that can only say 'none'; expected blank, or 'none' / '无' when there are no "
                "modifications (the items go on sheet modifications)",
    "date as other text": "a date typed as text in another form ('2016年9月20日'); expected a date cell, or text "
                          "yyyy-mm-dd",
    "not yes or no": "'maybe' is not yes or no; expected yes or no (是 or 否)",
    "not a choice": "'almost done' is not one of the choices; expected one of planning, proposal, approved, "
                    "under construction, completed, in operation",
    "zip bomb": "(part 'xl/media/zeros.bin' declares 3000000 bytes): refused as a possible zip bomb; expected at "
                "most 10 x --max-bytes unzipped; raise --max-bytes if the workbook is genuine",
    "date in a text field": "a date; expected text",
}


@pytest.mark.parametrize("case", sorted(ENGLISH))
def test_the_english_is_unchanged(case: str, good_book: Path, tmp_path: Path) -> None:
    assert ENGLISH[case] in refused(case, good_book, tmp_path).render("en")


# what each case must say in Chinese (a start of its message): the case reached the check it is named for
CHINESE = {
    "not a zip": "不是 .xlsx 工作簿（该文件不是压缩包）",
    "broken zip": "无法读取该 .xlsx 工作簿（压缩包已损坏）",
    "too many parts": "工作簿包含 10001 个部件",
    "zip bomb": "工作簿解压后将超过 2500000 字节",
    "shared strings": "工作簿的共享字符串表解压后将达",
    "big part": "工作簿的部件“xl/big.xml”解压后将达",
    "no workbook part": "不是 .xlsx 工作簿（压缩包中没有工作簿部件）",
    "macros": "工作簿含有宏",
    "external links": "工作簿含有指向其他工作簿的外部链接",
    "file size": "限制项 --max-bytes：文件大小超过 1000 字节",
    "xlsm": "不接受启用宏的工作簿",
    "unreadable": "无法读取该 .xlsx 工作簿（文件已损坏",
    "chart sheet": "图表工作表",
    "hidden sheet": "该工作表处于隐藏状态",
    "very hidden sheet": "该工作表处于深度隐藏状态",
    "unknown sheet": "未知工作表“platfroms”",
    "two sheets": "有两个工作表都对应“应用单位”",
    "merged": "合并单元格（B4:C4）",
    "far column": "第 XFD 列有内容",
    "rows on a sheet": "限制项 --max-entities：工作簿超过 2 行",
    "no sheets": "工作簿中没有报送材料的任何工作表",
    "no submission sheet": "工作簿缺少“报送材料”工作表",
    "time": "限制项 --max-seconds：读取工作簿超过 0 秒",
    "cells": "限制项 --max-nodes：工作簿中已填单元格超过 10 个",
    "hidden row": "隐藏的行或列中有值",
    "no field names": "缺少字段名（第 2 行）",
    "no submission row": "报送材料工作表没有数据行",
    "formula": "单元格为公式",
    "error value": "单元格为错误值（“#DIV/0!”）",
    "unknown field": "第 2 行的字段名“tpye”",
    "two columns": "字段“name”占了两列（第 M 列和第 O 列）",
    "no parent column": "缺少“project_id”列（本行所属项目的编号）",
    "value without a field name": "该列没有字段名，却填了值",
    "second submission": "出现第二个报送材料行",
    "no parent id": "未填写“project_id”：本行属于哪个项目？",
    "unknown parent": "字段“project_id”（项目编号）：",
    "not none": "“several”填在只能写“无”的列中",
    "none but rows": "写了“无”，但“修改记录”工作表中有对应的行",
    "date in a text field": "（单位名称）：填入的是日期；应为文本",
    "date with a time": "填入的日期带有时刻",
    "no such date": "“2016-13-01”不是有效的日期",
    "date as other text": "日期以其他格式录入为文本（“2016年9月20日”）",
    "number for a date": "填入的是数字（42）",
    "not yes or no": "“maybe”不是“是”或“否”",
    "not a choice": "“almost done”不在可选项中",
    "not a whole number": "“soon”不是整数",
    "not a number": "“lots”不是数字",
    "yes/no in a text field": "“True”是“是/否”值",
}


def test_each_case_reaches_its_own_check(good_book: Path, tmp_path: Path) -> None:
    assert set(CHINESE) == set(CASES)
    missed = {}
    for case, words in CHINESE.items():
        text = refused(case, good_book, tmp_path).render("zh")
        if words not in text:
            missed[case] = text
    assert missed == {}


def test_chinese_names_sheets_entities_and_choices(good_book: Path, tmp_path: Path) -> None:
    assert "“项目”工作表中没有编号为“prj.nowhere”的项目" in refused("unknown parent", good_book, tmp_path).render("zh")
    choice = refused("not a choice", good_book, tmp_path).render("zh")
    assert "“almost done”不在可选项中；应为以下之一：规划、" in choice and "字段“/projects/0/stage”（" in choice
    assert "是否应为“platforms”？" in refused("unknown sheet", good_book, tmp_path).render("zh")
    assert "（可用 --max-entities 调高）" not in refused("rows on a sheet", good_book, tmp_path).render("zh")
    assert "调高 --max-entities" in refused("rows on a sheet", good_book, tmp_path).render("zh")


def test_every_wording_has_chinese_for_every_parameter() -> None:
    """Each entry, said with sample parameters: Chinese without English words, English as its template."""
    sample: dict[str, object] = {name: 7 for name in ("count", "budget", "size", "limit", "row", "times")}
    sample.update({"first": "B", "second": "C", "column": "D", "detail": "Boom: x"})
    for name, wording in vars(workbook_words).items():
        if not isinstance(wording, Wording):
            continue
        params = {k: sample.get(k, Local("english words", "中文")) for k in
                  re.findall(r"\{(\w+)\}", wording.en + wording.zh)}
        said = wording(**params)
        assert isinstance(said, Said)
        assert english_left("x：输入无效：" + said.text("zh")) == [], name
        assert str(said) == wording.en.format(**{k: v.en if isinstance(v, Local) else v for k, v in params.items()})


def test_limits_the_yaml_loader_shares_are_chinese(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("units:\n" + "".join(f"  - {{id: u{i}, name: n}}\n" for i in range(50)), "utf-8")
    for option, value in (("--max-bytes", "100"), ("--max-entities", "3"), ("--max-nodes", "20")):
        result = CliRunner().invoke(app, ["check", "--lang", "zh", option, value, str(big)])
        assert result.exit_code == 2, result.output
        assert english_left(result.stderr) == [] and f"可用 {option} 调高" in result.stderr, result.stderr


def test_the_cli_says_it_in_chinese(good_book: Path, tmp_path: Path) -> None:
    data, _, _ = CASES["formula"](good_book, tmp_path)
    path = tmp_path / "formula.xlsx"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["check", "--lang", "zh", str(path)])
    assert result.exit_code == 2
    assert "：输入无效：单元格为公式（“=1000000*2”）：公式一律不计算；应为值本身" in result.stderr
    assert english_left(result.stderr) == [], result.stderr


def test_a_dangling_reference_in_a_workbook_is_chinese_too(good_book: Path, tmp_path: Path) -> None:
    """Checked past the reader: the cross-reference check's messages (shared with YAML) have patterns."""
    path = tmp_path / "dangling.xlsx"
    path.write_bytes(_edit(good_book, tmp_path, _set("projects", "unit", "unit.nowhere")))
    result = CliRunner().invoke(app, ["check", "--lang", "zh", str(path)])
    assert result.exit_code == 2
    assert "（建设单位）：“unit.nowhere”不是本材料中任何条目的编号" in result.stderr, result.stderr
    assert english_left(result.stderr) == [], result.stderr


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
       .filter(lambda v: v.strip() and v.strip().lower() not in {s.lower() for s in _STAGE_WORDS}))
@settings(max_examples=60, deadline=None)
def test_a_typed_value_comes_out_as_typed_in_both_languages(typed: str) -> None:
    column = spec_by_key()["projects"].column("stage")
    assert column is not None
    with pytest.raises(CellProblem) as caught:
        from_cell(column, "project", typed)
    problem = caught.value
    assert problem.message == f"'{typed.strip()}' is not one of the choices"  # the English as it always was
    assert problem.said.text("zh") == f"“{typed.strip()}”不在可选项中"
    assert english_left("x：输入无效：" + problem.expected_said.text("zh")) == []

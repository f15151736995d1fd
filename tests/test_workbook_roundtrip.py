"""YAML -> xlsx (template --from) -> check gives the same JSON findings as the YAML, except locations.

Over every fixture (fixtures 01-03 are the spec's shared examples, byte for byte), in both languages of the
workbook's labels, plus locations: a workbook's findings name sheet and cell, and keep the YAML's pointer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from egov_rules import Checker
from egov_rules.check import Report
from egov_rules.input.load import load_document
from egov_rules.input.xlsx_reader import WorkbookDocument
from egov_rules.input.xlsx_template import write_template
from egov_rules.reports import RenderOptions, render

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted(p for p in (ROOT / "fixtures").glob("*.yaml") if ".expected." not in p.name)
LOCATION_KEYS = {"line", "column", "file", "sheet", "row", "cell"}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _json(checker: Checker, path: Path, lang: str) -> dict[str, Any]:
    result = checker.check_path(path)
    assert result.error is None, result.error.render()
    data: dict[str, Any] = json.loads(render(Report([result], checker.rulebook), "json", RenderOptions(lang=lang)))
    return data


# where a text names a place: "(line 8)", "（第8行）", "('平台 platforms'!M8)", "（platforms!M8）"
PLACE_IN_TEXT = re.compile(r"\((?:line \d+|[^()]*![A-Z]+\d+)\)|（(?:第\d+行|[^（）]*![A-Z]+\d+)）")


def _without_locations(node: Any) -> Any:
    """Everything but where: file, line, column, sheet, row, cell, and the place a message names (line or
    cell); the pointer stays: it must be the same."""
    if isinstance(node, dict):
        return {k: _without_locations(v) for k, v in node.items() if k not in LOCATION_KEYS}
    if isinstance(node, list):
        return [_without_locations(v) for v in node]
    if isinstance(node, str):
        return PLACE_IN_TEXT.sub("(@)", node)
    return node


def test_the_shared_examples_are_fixtures() -> None:
    names = {p.name for p in FIXTURES}
    assert {"01_county_compliant.yaml", "02_municipal_own_datacentre.yaml",
            "03_collection_outside_catalogue.yaml"} <= names


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_round_trip_gives_the_same_findings(fixture: Path, lang: str, tmp_path: Path, checker: Checker) -> None:
    book = tmp_path / "book.xlsx"
    write_template(str(book), lang, load_document(fixture).data)
    from_yaml = _json(checker, fixture, lang)
    from_book = _json(checker, book, lang)
    a = json.dumps(_without_locations(from_yaml), ensure_ascii=False, sort_keys=True)
    b = json.dumps(_without_locations(from_book), ensure_ascii=False, sort_keys=True)
    assert a == b
    # and the data itself is what the YAML loads to, as validated
    from egov_rules.input.validate import validate_document

    yaml_data = validate_document(load_document(fixture)).model_dump(mode="json", warnings=False)
    book_data = validate_document(load_document(book)).model_dump(mode="json", warnings=False)
    assert same_facts(book_data) == same_facts(yaml_data)


def same_facts(node: Any) -> Any:
    """Blank cells cannot tell a left-out optional object from one whose fields are all unknown (a plan's
    filing: null means none either way, spec/submission.md): both count as null here."""
    if isinstance(node, dict):
        out = {k: same_facts(v) for k, v in node.items()}
        return None if out and all(v is None for v in out.values()) else out
    if isinstance(node, list):
        return [same_facts(v) for v in node]
    return node


def test_findings_name_sheet_and_cell(tmp_path: Path, checker: Checker) -> None:
    book = tmp_path / "fx02.xlsx"
    write_template(str(book), "en", load_document(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").data)
    doc = load_document(book)
    assert isinstance(doc, WorkbookDocument)
    data = _json(checker, book, "en")
    by_rule = {f["rule"]: f for f in data["submissions"][0]["findings"]}
    loc = by_rule["art7-project-outside-overall-framework"]["location"]
    # the column of conforms_overall_framework on the projects sheet, row 3 (the first project)
    from openpyxl import load_workbook

    ws = load_workbook(book)[loc["sheet"]]
    column = next(c.column for c in ws[2] if c.value == "conforms_overall_framework")
    assert loc["sheet"] == "projects" and loc["row"] == 3 and loc["column"] == column
    assert loc["cell"] == f"{ws.cell(row=3, column=column).column_letter}3"
    assert loc["pointer"] == "/projects/0/conforms_overall_framework"
    # a list item on a child sheet: the component row
    comp = by_rule["art17-data-centre-without-approval"]["location"]
    assert comp["pointer"] == "/projects/0/components/0"
    assert comp["sheet"] == "components" and comp["row"] == 3
    # missing facts too
    missing = by_rule["art17-application-not-cloud-backup-compliant"]["missing_facts"][0]
    assert missing["pointer"] == "/platforms/5/cloud_backup_compliant"
    assert missing["sheet"] == "platforms" and missing["row"] == 8


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "github", "junit"])
def test_every_human_format_shows_the_cell(fmt: str, tmp_path: Path, checker: Checker) -> None:
    book = tmp_path / "fx02.xlsx"
    write_template(str(book), "en", load_document(ROOT / "fixtures" / "02_municipal_own_datacentre.yaml").data)
    result = checker.check_path(book)
    text = render(Report([result], checker.rulebook), fmt, RenderOptions(lang="en"))
    text = text.replace("\\!", "!")  # markdown escapes "!" (it renders as "!")
    assert "projects!" in text and "components!C3" not in text  # components' anchor cell is column A
    assert "components!A3" in text or (fmt in ("junit",) and "projects!" in text)


def test_zh_sheet_titles_are_quoted_in_cell_references(tmp_path: Path) -> None:
    from egov_rules.input.layout import cell_ref

    assert cell_ref("项目 projects", 7, 3) == "'项目 projects'!C7"
    assert cell_ref("projects", 7, 28) == "projects!AB7"
    assert cell_ref("it's", 1, 1) == "'it''s'!A1"


def test_a_workbook_saved_by_libreoffice_reads_the_same(checker: Checker) -> None:
    saved = ROOT / "tests" / "data" / "workbooks" / "07_saved_by_libreoffice.xlsx"
    fixture = ROOT / "fixtures" / "07_planning_unknown_facts.yaml"
    a = _without_locations(_json(checker, fixture, "zh"))
    b = _without_locations(_json(checker, saved, "zh"))
    assert json.dumps(a, ensure_ascii=False, sort_keys=True) == json.dumps(b, ensure_ascii=False, sort_keys=True)


def test_list_cells_split_on_lines_and_commas_but_keep_whole_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    from egov_rules.input import cells
    from egov_rules.input.layout import spec_by_key

    column = spec_by_key()["open_directory"].column("contains")
    assert column is not None
    assert cells.from_cell(column, "open_directory_entry", "trade_secret, state_secret") == [
        "trade_secret", "state_secret"]
    assert cells.from_cell(column, "open_directory_entry", "none") == []
    # a label with a comma in it (as a label table may have) is one choice when it stands on its own line
    cells._lookup.cache_clear()
    monkeypatch.setattr(cells, "choices", lambda e, p, lang: (("personal_privacy", "隐私、个人信息"),
                                                               ("trade_secret", "商业秘密")))
    try:
        assert cells.from_cell(column, "open_directory_entry", "隐私、个人信息\n商业秘密") == [
            "personal_privacy", "trade_secret"]
    finally:
        cells._lookup.cache_clear()
    free_text = spec_by_key()["projects"].column("declared_standards")
    assert free_text is not None
    assert cells.from_cell(free_text, "project", "GB/T 1, part 2\nWS/T 448") == ["GB/T 1, part 2", "WS/T 448"]

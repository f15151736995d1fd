"""Hostile and broken workbooks through the real command line: exit 2, a clear message naming the file (and
the sheet and cell where there is one), never a traceback or a hang; nothing is evaluated or run."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from egov_rules.input.load import load_document
from egov_rules.input.xlsx_template import write_template

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "01_county_compliant.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EGOV_RULES_CACHE": "0"}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True,
                          env=env, timeout=300)


def refused(path: Path, *words: str, extra: tuple[str, ...] = ()) -> str:
    proc = run("check", "--format", "table", *extra, str(path))
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    err = proc.stderr + proc.stdout
    assert "Traceback" not in err and "internal error" not in err
    assert str(path) in err
    for w in words:
        assert w in err, (w, err)
    return err


@pytest.fixture(scope="module")
def good_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "good.xlsx"
    write_template(str(path), "en", load_document(FIXTURE).data)
    return path


def with_extra_part(good: Path, target: Path, part: str, content: bytes) -> Path:
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr(part, content)
    return target


def test_the_good_book_checks(good_book: Path) -> None:
    proc = run("check", "--format", "json", str(good_book))
    assert proc.returncode == 0, proc.stderr


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a workbook\n")
    refused(path, "not an xlsx workbook")


def test_broken_zip(tmp_path: Path, good_book: Path) -> None:
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(good_book.read_bytes()[:3000])
    refused(path, "xlsx workbook")


def test_zip_bomb_is_refused_from_the_directory(tmp_path: Path, good_book: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good_book) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        with dst.open("xl/worksheets/sheet99.xml", "w") as fh:  # 210 MiB of zeros: a few hundred KB zipped
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                fh.write(chunk)
    assert path.stat().st_size < 2_000_000
    refused(path, "zip bomb", "--max-bytes")


def test_zip_bomb_under_a_lower_limit(tmp_path: Path, good_book: Path) -> None:
    path = with_extra_part(good_book, tmp_path / "bomb2.xlsx", "xl/media/zeros.bin", b"\0" * 3_000_000)
    refused(path, "zip bomb", extra=("--max-bytes", "250000"))


def _raw_workbook(path: Path, sheet_xml_rows: bytes, title: str = "units") -> None:
    """A minimal xlsx written by hand (inline strings), so a huge sheet costs little to make."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main"><sheetData>')
            fh.write(sheet_xml_rows)
            fh.write(b"</sheetData></worksheet>")


def _row(r: int, *values: str) -> bytes:
    cells = "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'.encode()


def test_100000_rows_hit_the_entity_limit(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    rows = io.BytesIO()
    rows.write(_row(1, "id", "name") + _row(2, "id", "name"))
    for r in range(3, 100_004):  # 100,001 data rows
        rows.write(_row(r, f"unit.{r}", "x"))
    _raw_workbook(path, rows.getvalue())
    err = refused(path, "--max-entities", extra=("--max-entities", "100000", "--max-seconds", "3000"))
    assert "more than 100000 rows" in err


def test_formulas_are_refused_not_evaluated(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    ws = wb["projects"]
    column = next(c.column_letter for c in ws[2] if c.value == "budget.construction_cny")
    ws[f"{column}3"] = "=1000000*2"
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    refused(path, "formula", "=1000000*2", f"projects!{column}3", "never evaluated")


def test_macro_enabled_workbook(tmp_path: Path, good_book: Path) -> None:
    path = with_extra_part(good_book, tmp_path / "macro.xlsx", "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake-vba")
    refused(path, "macros")
    xlsm = tmp_path / "book.xlsm"
    xlsm.write_bytes(good_book.read_bytes())
    refused(xlsm, "macro")


def test_external_links(tmp_path: Path, good_book: Path) -> None:
    link = (b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships"/></externalLink>')
    path = with_extra_part(good_book, tmp_path / "links.xlsx", "xl/externalLinks/externalLink1.xml", link)
    refused(path, "external links")


def test_hidden_sheet(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    wb["platforms"].sheet_state = "hidden"
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    refused(path, "hidden", "platforms")


def test_merged_cells(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    wb["units"].merge_cells("B4:C4")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    refused(path, "merged cells", "B4:C4", "units!B4")


def test_date_typed_as_text(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    ws = wb["submission"]
    column = next(c.column_letter for c in ws[2] if c.value == "as_of")
    ws[f"{column}3"] = "2016年9月20日"
    path = tmp_path / "textdate.xlsx"
    wb.save(path)
    refused(path, f"submission!{column}3", "date", "yyyy-mm-dd", "/submission/as_of")


def test_wrong_sheet_name(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    wb["platforms"].title = "platfroms"
    path = tmp_path / "renamed.xlsx"
    wb.save(path)
    refused(path, "unknown sheet 'platfroms'", "did you mean 'platforms'")


def test_wrong_field_name_and_bad_choice_in_one_round(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    ws = wb["projects"]
    stage = next(c.column_letter for c in ws[2] if c.value == "stage")
    ws[f"{stage}3"] = "almost done"
    unit_ws = wb["units"]
    unit_ws["B2"] = "tpye"
    path = tmp_path / "typos.xlsx"
    wb.save(path)
    err = refused(path, f"projects!{stage}3", "not one of the choices", "proposal", "units!B2", "did you mean 'type'")
    assert err.count("invalid input") >= 2


def test_validation_errors_name_the_cell(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    ws = wb["projects"]
    unit = next(c.column_letter for c in ws[2] if c.value == "unit")
    ws[f"{unit}3"] = "unit.nowhere"
    path = tmp_path / "dangling.xlsx"
    wb.save(path)
    refused(path, f"projects!{unit}3", "unit.nowhere", "/projects/0/unit")
    proc = run("validate", str(path))
    assert proc.returncode == 2 and f"projects!{unit}3" in proc.stderr and "Traceback" not in proc.stderr


def _with_dimension(path: Path, ref: str) -> None:
    """Make the sheet claim a size it does not have (openpyxl would pad every row out to it)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<sheetData>", f'<dimension ref="{ref}"/><sheetData>'.encode(), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_far_row_and_a_lying_dimension_do_not_stall(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    far = b'<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>far</t></is></c></row>'
    _raw_workbook(path, _row(1, "id", "name") + _row(2, "id", "name") + _row(3, "unit.a", "x") + far)
    _with_dimension(path, "A1:XFD1048576")
    refused(path, "1048576", "--max-entities", extra=("--max-seconds", "3000"))


def test_a_cell_far_to_the_right_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    rows = b"".join(_row(r, "id", "name") if r < 3 else
                    _row(r, f"unit.{r}", "x")[:-6] + f'<c r="XFD{r}"><v>1</v></c></row>'.encode()
                    for r in range(1, 2000))
    _raw_workbook(path, rows)
    _with_dimension(path, "A1:XFD2000")
    refused(path, "column XFD", "units!XFD3")


def test_a_huge_shared_strings_table_is_refused_before_parsing(tmp_path: Path, good_book: Path) -> None:
    strings = b"<sst>" + (b"<si><t>" + b"x" * 60 + b"</t></si>") * 20_000 + b"</sst>"  # 1.5 MB
    path = with_extra_part(good_book, tmp_path / "strings.xlsx", "xl/sharedStrings.xml", strings)
    refused(path, "shared strings", "--max-bytes", extra=("--max-bytes", "300000"))


def test_values_in_hidden_rows_or_columns(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    wb["units"].row_dimensions[4].hidden = True
    path = tmp_path / "hidden-row.xlsx"
    wb.save(path)
    refused(path, "hidden row or column", "units!A4")
    wb = load_workbook(good_book)
    ws = wb["platforms"]
    letter = next(c.column_letter for c in ws[2] if c.value == "status")
    ws.column_dimensions[letter].hidden = True
    path = tmp_path / "hidden-column.xlsx"
    wb.save(path)
    refused(path, "hidden row or column", f"platforms!{letter}3")


def test_hidden_empty_columns_are_fine(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    ws = wb["units"]
    ws.column_dimensions["Z"].hidden = True  # past the last field: nothing in it
    path = tmp_path / "tidy.xlsx"
    wb.save(path)
    assert run("check", "--format", "json", str(path)).returncode == 0


def test_a_workbook_without_its_submission_sheet(tmp_path: Path, good_book: Path) -> None:
    wb = load_workbook(good_book)
    del wb["submission"]
    path = tmp_path / "headless.xlsx"
    wb.save(path)
    refused(path, "no 'submission' sheet")


def test_a_duplicate_id_names_the_cell_of_its_first_use(tmp_path: Path, good_book: Path) -> None:
    """In a workbook the first use is a cell, not a line and column of a file nobody sees."""
    wb = load_workbook(good_book)
    ws = wb["units"]
    first = ws["A3"].value
    ws["A4"] = first
    path = tmp_path / "dup.xlsx"
    wb.save(path)
    proc = run("validate", str(path))
    assert proc.returncode == 2, proc.stderr
    assert (f"units!A4: invalid input: field '/units/1/id': duplicate id '{first}': already used at "
            f"/units/0/id (cell units!A3)") in proc.stderr, proc.stderr
    assert "line 3" not in proc.stderr
    proc = run("validate", "--lang", "zh", str(path))
    assert f"编号“{first}”重复，已用于 /units/0/id（单元格 units!A3）" in proc.stderr, proc.stderr


def test_a_duplicate_id_in_a_chinese_workbook_is_said_in_chinese(tmp_path: Path) -> None:
    """The sheet names of a Chinese workbook are quoted ('应用单位 units'!A3): the id still ends at its quote."""
    path = tmp_path / "zh.xlsx"
    write_template(str(path), "zh", load_document(FIXTURE).data)
    wb = load_workbook(path)
    sheet = next(name for name in wb.sheetnames if name.endswith(" units"))
    first = wb[sheet]["A3"].value
    wb[sheet]["A4"] = first
    wb.save(path)
    proc = run("validate", "--lang", "zh", str(path))
    assert proc.returncode == 2, proc.stderr
    assert f"编号“{first}”重复，已用于 /units/0/id（单元格 '{sheet}'!A3）" in proc.stderr, proc.stderr

"""``egov-rules template``: commented YAML starting submissions that validate, for each case and language;
the workbook's options; ``--from`` in both directions; and xlsx accepted by validate, gate and explain."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "02_municipal_own_datacentre.yaml"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=cwd)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case", ["project", "unit"])
def test_yaml_starting_submission_validates_and_checks(case: str, lang: str, tmp_path: Path) -> None:
    out = tmp_path / f"{case}.yaml"
    proc = run("template", "--case", case, "--lang", lang, "--as-of", "2025-03-01", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text("utf-8")
    data = yaml.safe_load(text)
    assert data["submission"]["kind"] == {"project": "project_proposal", "unit": "unit_review"}[case]
    assert str(data["submission"]["as_of"]) == "2025-03-01"
    comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line and ":" in line.split("#")[0]]
    assert len(comments) > 40  # a comment on each field
    if lang == "zh":
        assert "可选值：" in text and "请替换" in text
        assert not re.search(r"one of|replace", text)
    else:
        assert "one of: " in text
    assert run("validate", str(out)).returncode == 0
    checked = run("check", "--format", "json", str(out))
    assert checked.returncode in (0, 1), checked.stderr  # checkable: findings are fine, input errors are not
    report = json.loads(checked.stdout)
    sub = report["submissions"][0]
    assert "error" not in sub or sub["error"] is None
    if case == "project":
        assert sub["decision"]["projects"][0]["project"] == "prj.county.0001"


def test_yaml_to_stdout_defaults_to_a_project_proposal() -> None:
    proc = run("template")
    assert proc.returncode == 0
    assert yaml.safe_load(proc.stdout)["submission"]["kind"] == "project_proposal"


def test_xlsx_from_yaml_and_back_to_yaml(tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    assert run("template", "--format", "xlsx", "--from", str(FIXTURE), "-o", str(book)).returncode == 0
    back = tmp_path / "back.yaml"
    proc = run("template", "--format", "yaml", "--from", str(book), "-o", str(back))
    assert proc.returncode == 0, proc.stderr
    a = json.loads(run("check", "--format", "json", str(FIXTURE)).stdout)["submissions"][0]["findings"]
    b = json.loads(run("check", "--format", "json", str(back)).stdout)["submissions"][0]["findings"]
    from test_workbook_roundtrip import _without_locations

    assert [(f["rule"], f["location"]["pointer"], _without_locations(f["message"])) for f in a] == \
           [(f["rule"], f["location"]["pointer"], _without_locations(f["message"])) for f in b]


def test_empty_xlsx_template_has_instructions_dropdowns_notes_and_dates(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from egov_rules.input.layout import sheet_specs

    book = tmp_path / "t.xlsx"
    assert run("template", "--format", "xlsx", "--lang", "zh", "-o", str(book)).returncode == 0
    wb = load_workbook(book)
    assert wb.sheetnames[0].split()[-1] == "instructions" and wb.sheetnames[-1].split()[-1] == "lists"
    assert "请勿修改第1、2行" in "".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row)
    keys = {ws.title.split()[-1]: ws for ws in wb.worksheets}
    for spec in sheet_specs():
        ws = keys[spec.key]
        fields = [c.value for c in ws[2] if c.value]
        assert set(fields) >= {c.key for c in spec.columns}
        for cell in ws[1]:
            if cell.value:
                assert cell.comment is not None and cell.comment.text
        enum_columns = [c for c in spec.columns if c.ftype.kind in ("enum", "bool", "ref")]
        for column in enum_columns:
            letter = next(c.column_letter for c in ws[2] if c.value == column.key)
            assert any(f"{letter}3" in dv.sqref for dv in ws.data_validations.dataValidation), (spec.key, column.key)
        for column in (c for c in spec.columns if c.ftype.kind == "date"):
            letter = next(c.column_letter for c in ws[2] if c.value == column.key)
            assert ws[f"{letter}3"].number_format == "yyyy-mm-dd"
    projects = keys["projects"]
    head = next(c for c in projects[1] if projects.cell(row=2, column=c.column).value == "hosting.data_centre")
    assert "platforms" in head.comment.text  # the note says which sheet the id comes from


def test_template_refuses_what_it_cannot_hold(tmp_path: Path) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text(FIXTURE.read_text("utf-8").replace("    stage: proposal", "    stage: proposal\n    colour: red"),
                   "utf-8")
    proc = run("template", "--format", "xlsx", "--from", str(odd), "-o", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 2 and "/projects/0/colour" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.xlsx").exists()
    assert run("template", "--format", "xlsx").returncode == 2  # a workbook needs -o
    both = run("template", "--case", "unit", "--from", str(FIXTURE))
    assert both.returncode == 2 and "--from" in both.stderr


def test_validate_gate_and_explain_accept_a_workbook(tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    assert run("template", "--format", "xlsx", "--from", str(FIXTURE), "-o", str(book)).returncode == 0
    valid = run("validate", str(book))
    assert valid.returncode == 0 and "valid" in valid.stdout
    gate = run("gate", "--format", "json", str(book))
    assert gate.returncode == 1, gate.stderr  # blocked, as the YAML is
    explained = run("explain", str(book), "--rule", "art17-data-centre-without-approval", "--format", "table")
    assert explained.returncode == 0, explained.stderr
    assert "plat.qz.wjw_dc" in explained.stdout
    assert "components!A3" in explained.stdout and "projects!A3" in explained.stdout  # cells, not line numbers


def test_a_directory_scan_picks_up_workbooks(tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    assert run("template", "--format", "xlsx", "--from", str(FIXTURE), "-o", str(book)).returncode == 0
    (tmp_path / "a.yaml").write_text(FIXTURE.read_text("utf-8"), "utf-8")
    proc = run("check", "--format", "json", str(tmp_path))
    files = [s["file"] for s in json.loads(proc.stdout)["submissions"]]
    assert [Path(f).name for f in files] == ["a.yaml", "b.xlsx"]


def test_header_notes_name_the_articles_that_read_the_field() -> None:
    from egov_rules.input.field_articles import articles_by_field, articles_text

    table = articles_by_field()
    # read by rules' conditions, through references and list items as well
    assert (17, 1) in table[("project", "components[].mode")]
    assert (17, 1) in table[("approval", "kind")]
    assert (39, None) in table[("unit", "separate_grid_team")]
    assert (46, None) in table[("project", "impact.major_waste")]
    assert articles_text("project", "conforms_overall_framework", "en") == "Read by: Art 7"
    assert articles_text("project", "conforms_overall_framework", "zh") == "适用条款：第七条"
    assert articles_text("project", "notes", "en") == ""  # free text no rule reads


def test_the_service_path_reads_a_workbook_from_bytes(tmp_path: Path) -> None:
    """The HTTP service loads uploads with load_bytes (fmt from the content type, often "yaml" or None):
    a workbook is recognised by its zip signature whatever the name or the format hint says."""
    from egov_rules.input.load import load_bytes
    from egov_rules.input.xlsx_reader import WorkbookDocument

    book = tmp_path / "b.xlsx"
    assert run("template", "--format", "xlsx", "--from", str(FIXTURE), "-o", str(book)).returncode == 0
    data = book.read_bytes()
    for source, fmt in (("upload", None), ("submission.yaml", "yaml"), ("b.xlsx", None)):
        doc = load_bytes(data, source, fmt=fmt)
        assert isinstance(doc, WorkbookDocument) and doc.data["submission"]["id"] == "ex02"


def test_xlsx_from_json(tmp_path: Path) -> None:
    from egov_rules.input.load import load_document

    as_json = tmp_path / "sub.json"
    as_json.write_text(json.dumps(load_document(FIXTURE).data, ensure_ascii=False), "utf-8")
    book = tmp_path / "from-json.xlsx"
    assert run("template", "--format", "xlsx", "--lang", "zh", "--from", str(as_json), "-o", str(book)).returncode == 0
    a = json.loads(run("check", "--format", "json", str(as_json)).stdout)["submissions"][0]["findings"]
    b = json.loads(run("check", "--format", "json", str(book)).stdout)["submissions"][0]["findings"]
    assert [(f["rule"], f["fingerprint"]) for f in a] == [(f["rule"], f["fingerprint"]) for f in b]


def test_a_chinese_workbook_names_its_choices_in_chinese(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "zh.xlsx"
    assert run("template", "--format", "xlsx", "--lang", "zh", "--from", str(FIXTURE), "-o", str(book)).returncode == 0
    wb = load_workbook(book)
    ws = next(w for w in wb.worksheets if w.title.split()[-1] == "projects")
    stage = next(c.column_letter for c in ws[2] if c.value == "stage")
    ws[f"{stage}3"] = "差不多"
    wb.save(book)
    proc = run("check", "--format", "table", str(book))
    assert proc.returncode == 2
    assert f"'{ws.title}'!{stage}3" in proc.stderr and "规划、立项申报" in proc.stderr

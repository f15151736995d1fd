"""A workbook made by ``egov-rules template`` and filled in cell by cell as a person would: ids typed,
choices picked from each cell's drop-down (the test reads the list the drop-down offers and picks the label a
person would read), dates typed as dates, several ids in one cell one per line.  Checked through the CLI, it
gives the findings of the same facts written as YAML, located on the cells that were filled."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from egov_rules.text.labels import enum_label

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, env=env,
                          timeout=300)


class Person:
    """Fills a template the way a project officer does: finds the column by its header, types or picks."""

    def __init__(self, wb: Workbook, lang: str) -> None:
        self.wb = wb
        self.lang = lang
        self.picked = 0

    def sheet(self, key: str) -> Worksheet:
        for ws in self.wb.worksheets:
            if ws.title.split()[-1] == key:
                return ws
        raise AssertionError(f"no sheet for {key}: {self.wb.sheetnames}")

    def column(self, ws: Worksheet, field: str) -> int:
        for cell in ws[2]:
            if cell.value == field:
                return int(cell.column)
        raise AssertionError(f"no column {field} on {ws.title}")

    def options(self, ws: Worksheet, coordinate: str) -> list[str]:
        """What the cell's drop-down offers: the values of the range its list validation names; for ids from
        several sheets (``OFFSET`` over a gathering column of the choices sheet), the ids of the ranges that
        column's formulas count, one range after the other (what LibreOffice computes from them)."""
        for dv in ws.data_validations.dataValidation:
            if dv.type == "list" and coordinate in dv.sqref:
                gathered = re.fullmatch(r"OFFSET\((.+)!\$([A-Z]+)\$2,0,0,MAX\(1,(.+)\),1\)", dv.formula1)
                if gathered is None:
                    return self.values(dv.formula1)
                column = self.sheet_of(gathered.group(1))[gathered.group(2)]
                ranges = re.findall(r"COUNTA\(([^)]+)\)", str(column[1].value))
                assert all(str(c.value) == str(column[1].value) for c in column[1:]), "one formula, every row"
                assert gathered.group(3) == "+".join(f"COUNTA({r})" for r in dict.fromkeys(ranges))
                return [v for r in dict.fromkeys(ranges) for v in self.values(r)]
        return []

    def sheet_of(self, quoted: str) -> Worksheet:
        return self.wb[quoted.strip("'").replace("''", "'")]

    def values(self, cell_range: str) -> list[str]:
        sheet_part, _, cells = cell_range.rpartition("!")
        first, last = cells.replace("$", "").split(":")
        values = [c.value for row in self.sheet_of(sheet_part)[first:last] for c in row]
        return [str(v) for v in values if v is not None]

    def type(self, key: str, row: int, field: str, value: Any) -> None:
        ws = self.sheet(key)
        ws.cell(row=row, column=self.column(ws, field), value=value)

    def pick(self, key: str, row: int, field: str, wanted: str) -> None:
        """Pick from the drop-down: the label of ``wanted`` (an enum code, yes/no, or an id) as shown."""
        ws = self.sheet(key)
        cell = ws.cell(row=row, column=self.column(ws, field))
        offered = self.options(ws, cell.coordinate)
        assert offered, f"{ws.title}!{cell.coordinate} ({field}) has no drop-down"
        # an id typed earlier on the sheet the reference points to, or the label of a choice
        choice = wanted if wanted in offered else self.label(key, field, wanted)
        assert choice in offered, (field, choice, offered)
        cell.value = choice
        self.picked += 1

    def label(self, key: str, field: str, wanted: str) -> str:
        if wanted in ("yes", "no"):
            return {"yes": "是", "no": "否"}[wanted] if self.lang == "zh" else wanted
        entity = {"units": "unit", "authorities": "authority", "plans": "plan", "platforms": "platform",
                  "projects": "project", "components": "project", "submission": "submission"}[key]
        path = f"components[].{field}" if key == "components" else field
        return enum_label(entity, path, wanted, self.lang)


def fill(person: Person) -> None:
    """A municipal commission's proposal that builds its own data centre without an approval (cf. fixture 02)."""
    p = person
    p.type("submission", 3, "id", "hand-01")
    p.type("submission", 3, "as_of", dt.date(2016, 11, 8))
    p.pick("submission", 3, "kind", "project_proposal")
    authorities = [("auth.fj.egov", "egov_dept", "provincial", None),
                   ("auth.qz.gov", "city_gov", "municipal", "Quanzhou"),
                   ("auth.qz.egov", "egov_dept", "municipal", "Quanzhou")]
    for row, (aid, kind, level, city) in enumerate(authorities, start=3):
        p.type("authorities", row, "id", aid)
        p.pick("authorities", row, "kind", kind)
        p.pick("authorities", row, "level", level)
        p.type("authorities", row, "region.province", "Fujian")
        if city:
            p.type("authorities", row, "region.city", city)
    p.type("units", 3, "id", "unit.qz.wjw")
    p.type("units", 3, "name", "泉州市卫生和计划生育委员会")
    p.pick("units", 3, "type", "state_organ")
    p.pick("units", 3, "level", "municipal")
    p.type("units", 3, "region.province", "Fujian")
    p.type("units", 3, "region.city", "Quanzhou")
    p.type("plans", 3, "id", "plan.qz.egov")
    p.pick("plans", 3, "kind", "city_development_plan")
    p.pick("plans", 3, "owner", "auth.qz.egov")  # two kinds of owner: the drop-down offers the ids of both
    p.type("plans", 3, "approved_by", "auth.qz.gov")
    p.type("plans", 3, "approved_date", dt.date(2016, 1, 22))
    p.type("plans", 3, "filing.filed_with", "auth.fj.egov")
    p.type("plans", 3, "filing.filed_date", dt.date(2016, 1, 10))
    p.type("plans", 3, "published_date", dt.date(2016, 2, 1))
    p.pick("plans", 3, "expert_review", "yes")
    p.pick("plans", 3, "public_comment", "done")
    p.type("plans", 3, "includes_projects", "prj.hand")
    platforms = [("plat.fj.egovnet", "egov_network", True, "auth.fj.egov", "provincial", "in_service"),
                 ("plat.qz.dc", "data_centre", True, "auth.qz.egov", "municipal", "in_service"),
                 ("plat.fj.backup", "backup_centre", True, "auth.fj.egov", "provincial", "in_service"),
                 ("plat.qz.own_dc", "data_centre", False, "unit.qz.wjw", "municipal", "planned")]
    for row, (pid, kind, unified, owner, level, status) in enumerate(platforms, start=3):
        p.type("platforms", row, "id", pid)
        p.pick("platforms", row, "kind", kind)
        p.pick("platforms", row, "unified", "yes" if unified else "no")
        p.pick("platforms", row, "owner", owner)  # an authority or a unit
        p.pick("platforms", row, "level", level)
        p.type("platforms", row, "region.province", "Fujian")
        if level == "municipal":
            p.type("platforms", row, "region.city", "Quanzhou")
        p.pick("platforms", row, "status", status)
        p.pick("platforms", row, "cloud_backup_compliant", "yes")
    p.type("projects", 3, "id", "prj.hand")
    p.type("projects", 3, "name", "全民健康信息平台")
    p.pick("projects", 3, "unit", "unit.qz.wjw")
    p.pick("projects", 3, "stage", "proposal")
    p.pick("projects", 3, "delivery_model", "self_build")
    p.type("projects", 3, "budget.construction_cny", 28600000)
    p.type("projects", 3, "budget.om_cny_per_year", 2100000)
    p.type("projects", 3, "plan_refs", "plan.qz.egov")
    p.pick("projects", 3, "central_deployed", "no")
    p.pick("projects", 3, "conforms_overall_framework", "yes")
    p.type("projects", 3, "declared_standards", "WS/T 448 区域卫生信息平台技术规范\nGB/T 22239, 等级保护")
    p.pick("projects", 3, "network", "plat.fj.egovnet")
    p.pick("projects", 3, "hosting.data_centre", "plat.qz.own_dc")
    p.pick("projects", 3, "hosting.backup_centre", "plat.fj.backup")
    p.pick("projects", 3, "inter_unit_sharing", "no")
    p.pick("projects", 3, "central_vertical.uses", "no")
    for field in ("grid_connected", "security_system_per_plan", "correction_deletion_channel",
                  "emergency_plan.tsu_cooperation", "backup_recovery_drill"):
        p.pick("projects", 3, field, "yes")
    p.pick("projects", 3, "severity", "normal")
    p.pick("components", 3, "project_id", "prj.hand")
    p.pick("components", 3, "kind", "data_centre")
    p.pick("components", 3, "mode", "build_own")
    p.pick("components", 3, "platform", "plat.qz.own_dc")


EQUIVALENT_YAML = """
submission: {id: hand-01, as_of: 2016-11-08, kind: project_proposal}
authorities:
  - {id: auth.fj.egov, kind: egov_dept, level: provincial, region: {province: Fujian}}
  - {id: auth.qz.gov, kind: city_gov, level: municipal, region: {province: Fujian, city: Quanzhou}}
  - {id: auth.qz.egov, kind: egov_dept, level: municipal, region: {province: Fujian, city: Quanzhou}}
units:
  - {id: unit.qz.wjw, name: 泉州市卫生和计划生育委员会, type: state_organ, level: municipal,
     region: {province: Fujian, city: Quanzhou}}
plans:
  - {id: plan.qz.egov, kind: city_development_plan, owner: auth.qz.egov, approved_by: auth.qz.gov,
     approved_date: 2016-01-22, filing: {filed_with: auth.fj.egov, filed_date: 2016-01-10}, published_date: 2016-02-01,
     expert_review: true, public_comment: done, includes_projects: [prj.hand]}
platforms:
  - {id: plat.fj.egovnet, kind: egov_network, unified: true, owner: auth.fj.egov, level: provincial,
     region: {province: Fujian}, status: in_service, cloud_backup_compliant: true}
  - {id: plat.qz.dc, kind: data_centre, unified: true, owner: auth.qz.egov, level: municipal,
     region: {province: Fujian, city: Quanzhou}, status: in_service, cloud_backup_compliant: true}
  - {id: plat.fj.backup, kind: backup_centre, unified: true, owner: auth.fj.egov, level: provincial,
     region: {province: Fujian}, status: in_service, cloud_backup_compliant: true}
  - {id: plat.qz.own_dc, kind: data_centre, unified: false, owner: unit.qz.wjw, level: municipal,
     region: {province: Fujian, city: Quanzhou}, status: planned, cloud_backup_compliant: true}
projects:
  - id: prj.hand
    name: 全民健康信息平台
    unit: unit.qz.wjw
    stage: proposal
    implementation_start: null
    delivery_model: self_build
    contract: null
    budget: {construction_cny: 28600000, om_cny_per_year: 2100000}
    plan_refs: [plan.qz.egov]
    programme_ref: null
    central_deployed: false
    conforms_overall_framework: true
    declared_standards: ["WS/T 448 区域卫生信息平台技术规范", "GB/T 22239, 等级保护"]
    standards_deviations: []
    network: plat.fj.egovnet
    hosting: {data_centre: plat.qz.own_dc, backup_centre: plat.fj.backup}
    components: [{kind: data_centre, mode: build_own, platform: plat.qz.own_dc}]
    inter_unit_sharing: false
    sharing_via: null
    business_software: []
    central_vertical: {uses: false}
    grid_connected: true
    security_system_per_plan: true
    correction_deletion_channel: true
    emergency_plan: {tsu_cooperation: true}
    backup_recovery_drill: true
    information_systems: []
    collection_items: []
    services: []
    impact: {}
    severity: normal
"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_hand_filled_template_checks_like_its_yaml(lang: str, tmp_path: Path) -> None:
    blank = tmp_path / "blank.xlsx"
    proc = run("template", "--format", "xlsx", "--lang", lang, "-o", str(blank))
    assert proc.returncode == 0, proc.stderr
    wb = load_workbook(blank)
    person = Person(wb, lang)
    fill(person)
    assert person.picked >= 40  # most of it was picked from drop-downs
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    as_yaml = tmp_path / "same.yaml"
    as_yaml.write_text(EQUIVALENT_YAML, "utf-8")
    assert yaml.safe_load(EQUIVALENT_YAML)["projects"][0]["declared_standards"][1] == "GB/T 22239, 等级保护"

    book = run("check", "--format", "json", "--lang", lang, str(filled))
    assert book.returncode == 1, book.stderr  # a violation
    same = run("check", "--format", "json", "--lang", lang, str(as_yaml))
    book_json, yaml_json = json.loads(book.stdout), json.loads(same.stdout)
    got = [(f["rule"], f["severity"], f["location"]["pointer"]) for f in book_json["submissions"][0]["findings"]]
    want = [(f["rule"], f["severity"], f["location"]["pointer"]) for f in yaml_json["submissions"][0]["findings"]]
    assert got == want
    assert ("art17-data-centre-without-approval", "violation", "/projects/0/components/0") in got
    decision = book_json["submissions"][0]["decision"]["projects"][0]
    assert decision["outcome"] == "refuse_approval"
    # located on the row the person filled, on the components sheet
    finding = next(f for f in book_json["submissions"][0]["findings"]
                   if f["rule"] == "art17-data-centre-without-approval")
    assert finding["location"]["sheet"].split()[-1] == "components"
    assert finding["location"]["row"] == 3


def test_the_person_cannot_pick_what_the_list_does_not_offer(tmp_path: Path) -> None:
    blank = tmp_path / "blank.xlsx"
    assert run("template", "--format", "xlsx", "--lang", "zh", "-o", str(blank)).returncode == 0
    person = Person(load_workbook(blank), "zh")
    with pytest.raises(AssertionError):
        person.pick("projects", 3, "unit", "unit.not.typed.anywhere")  # ids come from the units sheet
    ws = person.sheet("projects")
    stage = ws.cell(row=3, column=person.column(ws, "stage")).coordinate
    offered = person.options(ws, stage)
    assert offered == [enum_label("project", "stage", s, "zh") for s in
                       ("planning", "proposal", "approved", "under_construction", "completed", "in_operation")]

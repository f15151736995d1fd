"""A commented starting submission in YAML: a county unit's project proposal, or a unit review; en or zh.

The data is a small, valid submission for the case (placeholders to replace, unknown facts left null so the
checker asks for them); every field line carries a comment with its label, whether it is required and the
values an enum takes, from the one label table (``labels.py``).  ``render_yaml(data, lang)`` also writes
any other submission's data the same way (``template --format yaml --from book.xlsx``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from ..text.labels import collection_label, enum_values
from .factschema import FieldType, fact_schema
from .layout import column_label, sheet_specs

CASES = ("project", "unit")
MAX_CHOICES = 10

HEADER = {
    "en": [
        "Submission for egov-rules (Fujian Decree No. 156). Replace the placeholders with your facts;",
        "leave a fact null when it is not known: the checker then says it needs it.",
        "Check it with:  egov-rules check {file}",
    ],
    "zh": [
        "egov-rules 填报文件（《福建省电子政务建设和应用管理办法》）。请将示例值替换为实际情况；",
        "不清楚的事实保留 null，检查时会提示需要补充。",
        "检查方法：egov-rules check {file}",
    ],
}
WORDS = {"required": ("required", "必填"), "choices": ("one of", "可选值"), "see": ("see", "详见")}


def _w(key: str, lang: str) -> str:
    en, zh = WORDS[key]
    return zh if lang == "zh" else en


def _region(county: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"province": "Fujian", "city": "Longyan"}
    if county:
        out["county"] = "Changting"
    return out


def starting_data(case: str, lang: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """The starting submission of a case (``project``: a county unit's project proposal; ``unit``: a unit
    review), names in ``lang``."""
    if case not in CASES:
        raise ValueError(f"case must be one of {CASES}, not {case!r}")
    zh = lang == "zh"
    day = (as_of or dt.date.today()).isoformat()
    unit_name = "某县某局（请替换）" if zh else "County bureau (replace)"
    authorities = [
        {"id": "auth.fj.egov", "kind": "egov_dept", "level": "provincial", "region": {"province": "Fujian"},
         "name": "省数字福建建设领导小组办公室" if zh else "Provincial e-government department"},
        {"id": "auth.city.egov", "kind": "egov_dept", "level": "municipal", "region": _region(False),
         "name": "市数字办" if zh else "City e-government department"},
        {"id": "auth.county.egov", "kind": "egov_dept", "level": "county", "region": _region(),
         "name": "县数字办" if zh else "County e-government department"},
    ]
    unit = {"id": "unit.county.bureau", "name": unit_name, "type": "state_organ", "level": "county",
            "region": _region(), "urban_rural_mgmt_role": False, "separate_grid_team": False,
            "power_list_published": None, "public_service_list_published": None}
    unified = [
        {"id": "plat.fj.egovnet", "kind": "egov_network", "unified": True, "owner": "auth.fj.egov",
         "level": "provincial", "region": {"province": "Fujian"}, "status": "in_service"},
        {"id": "plat.city.dc", "kind": "data_centre", "unified": True, "owner": "auth.city.egov",
         "level": "municipal", "region": _region(False), "status": "in_service", "cloud_backup_compliant": True},
        {"id": "plat.fj.backup", "kind": "backup_centre", "unified": True, "owner": "auth.fj.egov",
         "level": "provincial", "region": {"province": "Fujian"}, "status": "in_service"},
        {"id": "plat.fj.exchange", "kind": "directory_exchange_system", "unified": True, "owner": "auth.fj.egov",
         "level": "provincial", "region": {"province": "Fujian"}, "status": "in_service"},
    ]
    if case == "unit":
        return {
            "submission": {"id": "review-0001", "as_of": day, "kind": "unit_review",
                           "units_under_review": [unit["id"]],
                           "name": "年度电子政务应用考评" if zh else "Annual e-government review"},
            "authorities": authorities,
            "units": [unit],
            "platforms": [*unified, {
                "id": "plat.county.bureau.web", "kind": "portal_website", "unified": False, "owner": unit["id"],
                "level": "county", "region": _region(), "status": "in_service", "integration_status": None,
                "name": "本单位门户网站" if zh else "The bureau's own website"}],
            "info_resources": [{
                "id": "res.county.bureau.1", "owner_unit": unit["id"],
                "title": "本单位政务信息资源（请替换）" if zh else "A government information resource (replace)",
                "elements": ["org.uscc"], "available": True, "sharing_type": "conditional",
                "sharing_conditions": "依职能共享" if zh else "duty-based", "published_on_exchange": True,
                "published_on_platform": True, "sensitive": False, "open_type": "not_open"}],
        }
    project_id = "prj.county.0001"
    return {
        "submission": {"id": "proposal-0001", "as_of": day, "kind": "project_proposal",
                       "name": "项目立项申报（请替换）" if zh else "Project proposal (replace)"},
        "authorities": [*authorities, {
            "id": "auth.county.ndrc", "kind": "approval_dept", "level": "county", "region": _region(),
            "name": "县发展和改革局" if zh else "County approval department"}],
        "units": [unit],
        "technical_service_units": [{"id": "tsu.vendor", "basis": "agreement", "contract": "ctr.0001",
                                     "name": "某软件公司（请替换）" if zh else "Software vendor (replace)"}],
        "plans": [{"id": "plan.city.egov", "kind": "city_development_plan", "owner": "auth.city.egov",
                   "approved_by": None, "approved_date": None, "published_date": None,
                   "filing": {"filed_with": "auth.fj.egov", "filed_date": None, "record_no": None},
                   "includes_projects": [project_id],
                   "name": "市电子政务发展规划" if zh else "City e-government development plan"}],
        "approvals": [{"id": "ap.0001.initiation", "kind": "project_initiation", "subject": project_id,
                       "issuer": "auth.county.ndrc", "decision": "pending", "date": None}],
        "platforms": [*unified, {
            "id": "plat.county.bureau.app", "kind": "business_application", "unified": False,
            "owner": unit["id"], "level": "county", "region": _region(), "status": "planned",
            "cloud_backup_compliant": None,
            "name": "业务应用系统（请替换）" if zh else "Business application (replace)"}],
        "projects": [{
            "id": project_id,
            "name": "某业务信息系统建设项目（请替换）" if zh else "Information system project (replace)",
            "unit": unit["id"], "stage": "proposal", "implementation_start": None, "delivery_model": "self_build",
            "contract": "ctr.0001", "budget": {"construction_cny": 1000000, "om_cny_per_year": 100000},
            "plan_refs": ["plan.city.egov"], "programme_ref": None, "central_deployed": False,
            "conforms_overall_framework": None, "declared_standards": [], "standards_deviations": [],
            "network": "plat.fj.egovnet",
            "hosting": {"data_centre": "plat.city.dc", "backup_centre": "plat.fj.backup"},
            "components": [
                {"kind": "business_application", "mode": "build_own", "platform": "plat.county.bureau.app"},
                {"kind": "data_centre", "mode": "use_unified", "platform": "plat.city.dc"},
                {"kind": "directory_exchange_system", "mode": "use_unified", "platform": "plat.fj.exchange"}],
            "inter_unit_sharing": True, "sharing_via": "plat.fj.exchange", "business_software": [],
            "central_vertical": {"uses": False}, "grid_connected": None, "security_system_per_plan": None,
            "correction_deletion_channel": None, "emergency_plan": {"tsu_cooperation": None},
            "backup_recovery_drill": None, "information_systems": [], "collection_items": [], "services": [],
            "impact": {}, "severity": "normal"}],
        "contracts": [{"id": "ctr.0001", "unit": unit["id"], "tsu": "tsu.vendor", "type": "construction",
                       "data_ownership": "state", "sla_defined": True, "emergency_backup_cooperation": True}],
    }


# ---------------------------------------------------------------------------------------------- rendering


def render_yaml(data: dict[str, Any], lang: str = "en", file_hint: str = "submission.yaml") -> str:
    """The submission as block YAML with a comment on each field (label, required, choices)."""
    lines = [f"# {line.format(file=file_hint)}" for line in HEADER[lang]]
    schema = fact_schema()
    for spec in sheet_specs():
        if spec.parent is not None or spec.collection not in data:
            continue
        value = data[spec.collection]
        lines.append("")
        lines.append(f"# {collection_label(spec.collection, lang)}")
        entity_type = schema.entities[spec.entity]
        if isinstance(value, dict):
            lines.append(f"{spec.collection}:")
            _mapping(lines, value, entity_type, spec.entity, "", 2, None, lang)
        elif isinstance(value, list) and value:
            lines.append(f"{spec.collection}:")
            for item in value:
                _mapping(lines, item, entity_type, spec.entity, "", 4, "  - ", lang)
        else:
            lines.append(f"{spec.collection}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def _mapping(lines: list[str], obj: Any, ftype: FieldType | None, entity: str, prefix: str, indent: int,
             first: str | None, lang: str) -> None:
    if not isinstance(obj, dict) or not obj:
        lines.append((first or " " * indent) + _scalar(obj))
        return
    for n, (key, value) in enumerate(obj.items()):
        lead = first if (first is not None and n == 0) else " " * indent
        sub = ftype.fields.get(key) if ftype is not None else None
        path = f"{prefix}{key}"
        comment = _comment(entity, path, sub, lang)
        if isinstance(value, dict) and value:
            lines.append(f"{lead}{_key(key)}:{comment}")
            _mapping(lines, value, sub, entity, path + ".", indent + 2, None, lang)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{lead}{_key(key)}:{comment}")
            item_type = sub.item if sub is not None else None
            for item in value:
                _mapping(lines, item, item_type, entity, path + "[].", indent + 4, " " * (indent + 2) + "- ", lang)
        else:
            lines.append(f"{lead}{_key(key)}: {_scalar(value)}{comment}")


def _comment(entity: str, path: str, ftype: FieldType | None, lang: str) -> str:
    parts = [column_label(entity, path, lang)]
    if ftype is not None:
        item = ftype.item if ftype.kind == "list" and ftype.item is not None else ftype
        if item.kind == "enum":
            pairs = enum_values(entity, path + "[]" if ftype.kind == "list" else path, lang)
            # YAML takes the code; in Chinese each code is followed by its label
            values = [f"{v}（{label}）" if lang == "zh" else str(v) for v, label in pairs]
            shown = " | ".join(values[:MAX_CHOICES]) + (" | …" if len(values) > MAX_CHOICES else "")
            parts.append(f"{_w('choices', lang)}{'：' if lang == 'zh' else ': '}{shown}")
    sep = "；" if lang == "zh" else "; "
    return "  # " + sep.join(parts)


def _key(key: str) -> str:
    return key if key.replace("_", "").isalnum() else _scalar(key)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000)
    text = text.strip()
    return text[: -len("...")].strip() if text.endswith("...") else text

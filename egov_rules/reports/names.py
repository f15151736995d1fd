"""Entities as a reader names them: ``永春县城市管理局（unit.yc.cgj）``, with the entity type in words, and the
heading of a submission (who submits, which projects, as of when).  Shared by every human format."""

from __future__ import annotations

from ..check import SubmissionResult
from ..decisions.findings import named
from ..text.labels import entity_label, enum_label
from .sanitize import clean

__all__ = ["entity_ref", "heading_lines", "named", "project_names", "unit_names"]


def entity_ref(sub: SubmissionResult, entity_type: str, entity_id: str, lang: str) -> str:
    """``project 泉州市全民健康信息平台 (prj.ex02)`` / ``项目泉州市全民健康信息平台（prj.ex02）``."""
    kind = entity_label(entity_type, lang) if entity_type not in ("-", "entity") else ""
    who = named(entity_id, sub.names.get(entity_id), lang)
    if not kind:
        return who
    if lang == "zh":  # no space between Chinese words; one before an id that starts in Latin letters
        return f"{kind}{who}" if not who[:1].isascii() else f"{kind} {who}"
    return f"{kind} {who}"


def unit_names(sub: SubmissionResult, lang: str) -> list[str]:
    return [named(u, sub.names.get(u), lang) for u in sub.info.get("units", [])]


def project_names(sub: SubmissionResult, lang: str) -> list[str]:
    return [named(p, sub.names.get(p), lang) for p in sub.info.get("projects", [])]


def heading_lines(sub: SubmissionResult, lang: str) -> list[str]:
    """The file and submission, then who is under review, the projects, the kind and the as-of date."""
    zh = lang == "zh"
    title = clean(sub.file, newlines=False)  # a file name is one line: a newline in it must not fake one
    if sub.id:
        name = sub.info.get("name")
        ident = named(sub.id, name, lang)
        title += f"（报送材料 {ident}）" if zh else f"  (submission {ident})"
    lines = [title]
    units = unit_names(sub, lang)
    if units:
        lines.append(("受审查单位：" + "、".join(units)) if zh else ("Unit under review: " + "; ".join(units)))
    projects = project_names(sub, lang)
    if projects:
        lines.append(("项目：" + "、".join(projects)) if zh else ("Project: " + "; ".join(projects)))
    facts = []
    if sub.info.get("kind"):
        facts.append(enum_label("submission", "kind", sub.info["kind"], lang))
    if sub.info.get("as_of"):
        facts.append(f"基准日期 {sub.info['as_of']}" if zh else f"as of {sub.info['as_of']}")
    if facts:
        lines.append(("，" if zh else ", ").join(facts))
    return lines

"""Waivers (``--waivers FILE``): a documented, approved exception for one rule on one entity.

    waivers:
      - rule: art17-data-centre-without-approval
        entity: prj.ex02                 # the finding's subject id
        justification: imaging storage volume; approved pending the city cloud's expansion
        approved_by: 泉州市数字办
        approval_ref: 泉数字办〔2016〕12号
        expires: 2017-06-30
        submission: ex02                 # optional: only this submission id

A waived finding is still reported, marked with the waiver, but it neither counts toward the exit code nor
blocks an Art 44 decision.  A waiver matches exactly one rule and one subject id: it never hides another
entity's or another rule's findings.  Expiry is judged against the submission's ``as_of`` date, not today,
so that the same input always gives the same report; an expired waiver waives nothing and is reported as a
notice, as is a waiver that matches no finding.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError, EgovError, InputErrors, Local, Said, Wording, closest, safe_text
from ..input.facts import FactBase
from ..input.load import Document, Limits, load_document, pointer_join
from ..input.registry import is_registry_rule
from .findings import Finding

FIELDS = ("rule", "entity", "justification", "approved_by", "approval_ref", "expires", "submission")
REQUIRED = FIELDS[:-1]
FIELD_LABELS = {"rule": "规则编号", "entity": "对象编号", "justification": "理由", "approved_by": "批准单位",
                "approval_ref": "批准文号", "expires": "有效期至", "submission": "报送材料编号"}
# what a bad waiver file is told, in both languages
NOT_A_WAIVER_FILE = Wording("not a waiver file: {reason}", "不是豁免文件：{reason}")
E_ONE_KEY = Wording("a mapping with one key, waivers", "只有一个键“waivers”的映射")
NOT_A_LIST = Wording("a waiver file is a list of waivers", "豁免文件应为豁免事项的列表")
E_LIST = Wording("waivers: [ {{rule, entity, ...}}, ... ]", "“waivers:”之下逐项列出豁免事项（rule、entity 等字段）")
NOT_A_MAPPING = Wording("a waiver must be a mapping", "每项豁免应为映射")
E_FIELDS = Wording("rule, entity, justification, approved_by, approval_ref, expires",
                   "含以下字段的映射：{fields}")
E_ONE_OF = Wording("one of {fields}", "以下字段之一：{fields}")
NOT_TEXT = Wording("'{name}' must be non-empty text", "“{name}”（{label}）应为非空文本")
E_TEXT = Wording("non-empty text", "非空文本")
E_DATE = Wording("a date written YYYY-MM-DD", "日期（YYYY-MM-DD）")
NOT_A_DATE = Wording("'{value}' is not a date", "“{value}”不是有效的日期")
E_REAL_DATE = Wording("a real calendar date written YYYY-MM-DD", "真实存在的日期（YYYY-MM-DD）")
SECOND = Wording("a second waiver for {rule} on {entity} (the first is at line {line})",
                 "规则“{rule}”对对象“{entity}”已有一项豁免（第 {line} 行），此为第二项")
E_ONCE = Wording("one waiver per rule and entity", "每条规则对每个对象只设一项豁免")


def _fields(names: tuple[str, ...]) -> Local:
    """Field names as typed, English-joined; in Chinese each with its label (``rule（规则编号）``)."""
    return Local(", ".join(names), "、".join(f"{n}（{FIELD_LABELS[n]}）" for n in names))
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Waiver:
    """One approved waiver of a rule for an entity, with who approved it and until when."""
    rule: str
    entity: str
    justification: str
    approved_by: str
    approval_ref: str
    expires: dt.date
    submission: str | None
    file: str
    line: int
    column: int

    def info(self) -> dict[str, Any]:
        """What a waived finding carries (``Finding.waived``): plain JSON data."""
        return {
            "rule": self.rule, "entity": self.entity, "justification": self.justification,
            "approved_by": self.approved_by, "approval_ref": self.approval_ref,
            "expires": self.expires.isoformat(), "file": self.file, "line": self.line,
        }

    def matches(self, f: Finding) -> bool:
        return f.rule == self.rule and f.subject_id == self.entity


@dataclass
class Waivers:
    """A waiver file's waivers."""
    file: str
    items: list[Waiver]

    def apply(self, findings: Iterable[Finding], facts: FactBase) -> list[dict[str, Any]]:
        """Mark the findings each valid waiver covers; return notices for expired and unused waivers."""
        by_key: dict[tuple[str, str], list[Finding]] = {}  # one pass, not one per waiver (Waiver.matches)
        for f in findings:
            by_key.setdefault((f.rule, f.subject_id), []).append(f)
        as_of: dt.date = facts.submission["as_of"]
        sid = facts.submission.get("id")
        notices: list[dict[str, Any]] = []
        for w in self.items:
            if w.submission is not None and w.submission != sid:
                continue
            hits = by_key.get((w.rule, w.entity), [])
            where = f"{w.file}:{w.line}:{w.column}"
            if w.expires < as_of:
                notices.append(_notice(
                    "waiver_expired", "warning", w,
                    f"waiver {w.approval_ref} ({where}) for {w.rule} on {w.entity} expired on "
                    f"{w.expires.isoformat()}, before the submission's date {as_of.isoformat()}; it waives "
                    f"nothing ({len(hits)} finding{'s' if len(hits) != 1 else ''} still count)",
                    f"豁免 {w.approval_ref}（{where}，规则 {w.rule}，对象 {w.entity}）已于 {w.expires.isoformat()} "
                    f"到期，早于申报材料日期 {as_of.isoformat()}，不再豁免（{len(hits)} 项问题仍计入）",
                ))
                continue
            if not hits:
                notices.append(_notice(
                    "waiver_unused", "info", w,
                    f"waiver {w.approval_ref} ({where}) for {w.rule} on {w.entity} matches no finding",
                    f"豁免 {w.approval_ref}（{where}，规则 {w.rule}，对象 {w.entity}）未对应任何问题",
                ))
                continue
            for f in hits:
                if f.waived is None:  # the first matching waiver is the one reported
                    f.waived = w.info()
        return notices


def _notice(kind: str, level: str, w: Waiver, en: str, zh: str) -> dict[str, Any]:
    return {"kind": kind, "level": level, "message": {"en": en, "zh": zh}, "file": w.file, "line": w.line,
            "column": w.column, "rule": w.rule, "entity": w.entity}


# ------------------------------------------------------------------------------------------- loading
def load_waivers(path: str | os.PathLike[str], known_rules: Iterable[str], limits: Limits | None = None) -> Waivers:
    """Read and check a waiver file; every problem is reported at file:line:column (exit 2)."""
    try:
        doc = load_document(path, limits=limits or Limits())  # a mapping at the top (the loader insists)
    except EgovError as exc:
        if exc.message != "empty document" and not exc.message.startswith("the top level must be a mapping"):
            raise
        # the loader speaks of submissions ("a mapping of entity lists"): say what a waiver file holds
        message = exc.message.replace(" of entity lists", "")
        reason = Local(message, _zh(message))
        raise ConfigError(NOT_A_WAIVER_FILE(reason=reason), file=exc.file, line=exc.line, column=exc.column,
                          expected=E_LIST()) from None
    data = doc.data
    extra = [k for k in data if k != "waivers"] if isinstance(data, dict) else []
    if extra:
        raise _error(doc, pointer_join("", str(extra[0])), f"unknown key '{safe_text(extra[0])}'",
                     E_ONE_KEY(), closest(str(extra[0]), ["waivers"]), key=True)
    base = "/waivers"
    data = data.get("waivers") if isinstance(data, dict) else data
    if not isinstance(data, list):
        raise _error(doc, base, NOT_A_LIST(), E_LIST())
    rules = set(known_rules)
    errors: list[EgovError] = []
    items: list[Waiver] = []
    seen: dict[tuple[str, str, str | None], int] = {}  # -> the line of the first
    for i, entry in enumerate(data):
        at = f"{base}/{i}"
        try:
            w = _waiver(doc, at, entry, rules)
        except ConfigError as exc:
            errors.append(exc)
            continue
        key = (w.rule, w.entity, w.submission)
        if key in seen:
            errors.append(_error(doc, at, SECOND(rule=w.rule, entity=w.entity, line=seen[key]), E_ONCE()))
            continue
        seen[key] = w.line
        items.append(w)
    if errors:
        raise InputErrors(errors)
    return Waivers(doc.source, items)


def _waiver(doc: Document, at: str, entry: Any, rules: set[str]) -> Waiver:
    if not isinstance(entry, dict):
        raise _error(doc, at, NOT_A_MAPPING(), E_FIELDS(fields=_fields(REQUIRED)))
    for name in entry:
        if name not in FIELDS:
            raise _error(doc, pointer_join(at, str(name)), f"unknown field '{safe_text(name)}'",
                         E_ONE_OF(fields=_fields(FIELDS)), closest(str(name), FIELDS), key=True)
    for name in REQUIRED:
        if name not in entry:
            raise _error(doc, at, f"missing required field '{name}'", "the field to be given")
    for name in FIELDS:
        value = entry.get(name)
        if name == "submission" and value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise _error(doc, pointer_join(at, name), NOT_TEXT(name=name, label=FIELD_LABELS[name]),
                         E_DATE() if name == "expires" else E_TEXT())
    rule = entry["rule"]
    if rule not in rules and not is_registry_rule(rule):
        raise _error(doc, pointer_join(at, "rule"), f"no rule '{safe_text(rule)}' in the rulebook",
                     "the id of a rule (egov-rules rules list)", closest(rule, rules))
    expires = entry["expires"]
    try:
        if not _DATE.fullmatch(expires):
            raise ValueError
        date = dt.date.fromisoformat(expires)
    except ValueError:
        raise _error(doc, pointer_join(at, "expires"), NOT_A_DATE(value=safe_text(expires)), E_REAL_DATE()) from None
    line, column = doc.locate(at)
    return Waiver(rule, entry["entity"], entry["justification"], entry["approved_by"], entry["approval_ref"],
                  date, entry.get("submission"), doc.source, line, column)


def _error(doc: Document, pointer: str, message: str | Said, expected: str | Said, suggestion: str | None = None, *,
           key: bool = False) -> ConfigError:
    line, column = doc.locate_key(pointer) if key else doc.locate(pointer)
    return ConfigError(message, file=doc.source, line=line, column=column, field=pointer or "/",
                       expected=expected, suggestion=suggestion)


def _zh(message: str) -> str:
    from ..text.errors_zh import message_zh

    return message_zh(message)

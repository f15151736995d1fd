"""SARIF 2.1.0 (OASIS) for code-scanning services such as GitHub's.

One run for the whole batch.  ``tool.driver.rules`` lists every rule of the rulebook that was run (not
only those that fired) so a scanner can show rule help for a clean file too.  Input errors are tool
execution notifications, never results: a file that could not be checked has no findings to dismiss.

The Art 44 decision of each project is a result of the pseudo-rule ``art44-decision`` at the project (docs/ci.md):
a blocking outcome is ``kind: fail`` / ``level: error``, ``needs_review`` is ``kind: review`` / ``warning``,
``allow`` is ``kind: pass``, and a unit review (no project) is ``kind: notApplicable``; each carries
``properties.decision`` (project, stage, outcome), and ``run.properties.decisions`` lists them all.  Context
findings (review_scope.py) keep their level and carry ``properties.context: true`` and the tag ``context``.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..check import Report, SubmissionResult
from ..decisions.findings import Finding
from ..decisions.sanctions import consequence_text
from ..rules.articles import article_info
from ..rules.rulebook import Rule
from ..text.i18n import citation
from . import RenderOptions
from .model import NO_DECISION, NO_DECISION_TEXT, decision_headline
from .sanitize import json_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"violation": "error", "warning": "warning", "insufficient": "note"}
# GitHub reads problem.severity for non-security alerts: error, warning or recommendation
PROBLEM_SEVERITY = {"violation": "error", "warning": "warning", "insufficient": "recommendation"}
FINGERPRINT_KEY = "egovFingerprint/v1"
DECREE_EN = "Fujian Provincial People's Government Decree No. 156"
DECREE_ZH = "福建省电子政务建设和应用管理办法（福建省人民政府令第156号）"


def relative_path(file: str, cwd: str | None = None) -> str:
    """``file`` relative to the working directory with forward slashes; pseudo-files (``<stdin>``) as is."""
    if file.startswith("<"):
        return file
    base = cwd or os.getcwd()
    path = file if os.path.isabs(file) else os.path.join(base, file)
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows: no relative form exists
        return PurePath(path).as_posix()
    return PurePath(rel).as_posix()


def artifact_uri(file: str) -> str:
    """A relative URI reference: forward slashes, percent-encoded (spaces, CJK file names)."""
    return quote(relative_path(file), safe="/")


def _rule_name(rule_id: str) -> str:
    # SARIF names are identifier-like: art17-data-centre-without-approval -> Art17DataCentreWithoutApproval
    return "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def _help(article: int, paragraph: int | None, item: str | None, title: dict[str, str],
          remediation: dict[str, str] | None) -> tuple[str, str]:
    """Plain-text and Markdown help: the citation in English and Chinese, the title, the article text."""
    cite_en, cite_zh = citation(article, paragraph, None, "en"), citation(article, paragraph, None, "zh")
    check = f", check ({item})" if item else ""  # the check within the article (articles.md), not a legal item
    info = article_info(article) or {}
    text_en = " ".join((info.get("text_en") or "").split())
    summary_zh = (info.get("summary_zh") or "").strip()
    text = [f"{cite_en}{check} / {cite_zh}, {DECREE_EN} / {DECREE_ZH}", f"{title['en']} / {title['zh']}"]
    md = [f"**{cite_en}{check}** · **{cite_zh}** — {DECREE_EN} ({DECREE_ZH})", "",
          f"{title['en']}  ", title["zh"]]
    if remediation:
        text += [f"Remediation: {remediation['en']}", f"整改：{remediation['zh']}"]
        md += ["", f"**Remediation:** {remediation['en']}  ", f"**整改：** {remediation['zh']}"]
    if summary_zh:
        text.append(f"{citation(article, None, None, 'zh')}要点：{summary_zh}")
        md += ["", f"**{citation(article, None, None, 'zh')}要点：** {summary_zh}"]
    if text_en:
        # the only English text is a rough machine translation: quote it as such, never as authoritative
        text.append(f"Article {article} (rough machine translation, not authoritative): {text_en}")
        md += ["", f"Article {article}, rough machine translation (not authoritative):", "", f"> {text_en}"]
    return "\n".join(text), "\n".join(md)


def _descriptor(rule_id: str, article: int, paragraph: int | None, item: str | None, title: dict[str, str],
                remediation: dict[str, str] | None, severity: str, art44: str, art46: list[int]) -> dict[str, Any]:
    info = article_info(article) or {}
    help_text, help_md = _help(article, paragraph, item, title, remediation)
    summary = (info.get("summary_en") or "").strip()
    full = f"{title['en']} ({citation(article, paragraph, None, 'en')}, {DECREE_EN})."
    if summary:
        full += f" Article {article}: {summary}"
    tags = ["egov-rules", "compliance", f"art{article}", severity]
    if art44 != "none":
        tags.append(f"art44-{art44}")
    return {
        "id": rule_id,
        "name": _rule_name(rule_id),
        "shortDescription": {"text": title["en"]},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "article": article,
            "paragraph": paragraph,
            "item": item,
            "citation": citation(article, paragraph, None, "en"),
            "citation_zh": citation(article, paragraph, None, "zh"),
            "severity": severity,
            "art44": art44,
            "art46": art46,
            "tags": tags,
            "problem.severity": PROBLEM_SEVERITY[severity],
        },
    }


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    s = rule.spec
    return _descriptor(rule.id, s.article, s.paragraph, s.item, {"en": s.title.en, "zh": s.title.zh},
                       {"en": s.remediation.en, "zh": s.remediation.zh}, s.severity, s.sanctions.art44,
                       [a.item for a in s.sanctions.art46])


def finding_descriptor(f: Finding) -> dict[str, Any]:
    """For a finding whose rule is not in the rulebook (a registry mismatch): described by the finding."""
    return _descriptor(f.rule, f.article, f.paragraph, f.item, f.title, None, f.severity, f.art44_class,
                       [item for item, _ in f.art46])


def _physical(file: str, line: int, column: int) -> dict[str, Any] | None:
    if file.startswith("<"):  # stdin has no artifact a scanner could open
        return None
    loc: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(file)}}
    if line > 0:
        loc["region"] = {"startLine": line, "startColumn": max(column, 1)}
    return loc


def result(f: Finding, index: int, lang: str, baselined: bool) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": f.logical_location, "name": f.subject_id, "kind": "object"}],
    }
    physical = _physical(f.file, 0 if f.cell else f.line, f.column)  # a workbook has no text region
    if physical is not None:
        location = {"physicalLocation": physical, **location}
    if f.cell:
        location["properties"] = {"cell": f.cell}
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f"{f.message[lang]}（{citation(f.article, f.paragraph, None, lang)}）" if lang == "zh"
                    else f"{f.message[lang]} ({citation(f.article, f.paragraph, None, lang)})"},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "severity": f.severity,
            "article": f.article,
            "paragraph": f.paragraph,
            "subject": {"type": f.subject_type, "id": f.subject_id},
            "pointer": f.pointer,
            "art44": f.art44_class,
            "art46": [{"item": item, "status": status} for item, status in f.art46],
            "remediation": f.remediation[lang],
        },
    }
    if baselined:  # only new findings survive a baseline
        out["baselineState"] = "new"
    if f.missing:
        out["properties"]["missing_facts"] = [m.path for m in f.missing]
    if f.context:
        out["properties"]["context"] = True
        out["properties"]["tags"] = ["context"]
    if f.waived:
        out["suppressions"] = [suppression(f.waived)]
    return out


def suppression(waiver: dict[str, Any]) -> dict[str, Any]:
    """A waiver is an external, accepted suppression; its approval goes into the justification."""
    out: dict[str, Any] = {"kind": "external", "status": "accepted"}
    reason = str(waiver.get("justification") or waiver.get("reason") or "")
    approval = ", ".join(f"{k.replace('_', ' ')} {waiver[k]}" for k in ("approved_by", "approval_ref", "expires")
                         if waiver.get(k))
    if reason or approval:
        out["justification"] = reason + (f" ({approval})" if approval else "")
    physical = _physical(str(waiver["file"]), int(waiver.get("line") or 0), 1) if waiver.get("file") else None
    if physical is not None:  # where the waiver is written
        out["location"] = {"physicalLocation": physical}
    out["properties"] = {k: v for k, v in sorted(waiver.items()) if isinstance(v, str | int)}
    return out


def notices(sub: SubmissionResult, lang: str) -> list[dict[str, Any]]:
    """Report-level remarks that are not findings (an expired or unused waiver)."""
    out = []
    for n in sub.notices:
        note: dict[str, Any] = {"level": "warning" if n.get("level") == "warning" else "note",
                                "message": {"text": n["message"][lang]}, "descriptor": {"id": n["kind"]}}
        physical = _physical(str(n.get("file") or sub.file), int(n.get("line") or 0), int(n.get("column") or 0))
        if physical is not None:
            note["locations"] = [{"physicalLocation": physical}]
        out.append(note)
    return out


def notifications(sub: SubmissionResult, lang: str = "en") -> list[dict[str, Any]]:
    """One error notification per problem of a submission that could not be checked."""
    if sub.error is None:
        return []
    out = []
    for e in getattr(sub.error, "errors", [sub.error]):
        text = e.message
        if e.field:
            text = f"field '{e.field}': {text}"
        if e.expected:
            text += f"; expected {e.expected}"
        if e.suggestion:
            text += f"; did you mean '{e.suggestion}'?"
        if lang == "zh":  # the same parts, as the Chinese error line says them
            text = e.detail("zh")
        note: dict[str, Any] = {"level": "error", "message": {"text": text},
                                "descriptor": {"id": e.kind.replace(" ", "-")}}
        physical = _physical(e.file or sub.file, e.line, e.column)
        if physical is not None:
            note["locations"] = [{"physicalLocation": physical}]
        out.append(note)
    return out


DECISION_RULE = "art44-decision"


def decision_descriptor() -> dict[str, Any]:
    title = {"en": "Art 44 decision for the project at its stage", "zh": "项目所处阶段的第四十四条处理决定"}
    remediation = {"en": "Remedy the blocking findings, or have a reviewer judge the findings marked for review.",
                   "zh": "纠正导致不予通过的问题，或由审核人员对待审核问题作出判断。"}
    return _descriptor(DECISION_RULE, 44, None, None, title, remediation, "violation", "none", [])


def decision_results(sub: SubmissionResult, index: int, lang: str) -> list[dict[str, Any]]:
    if sub.error is not None:
        return []
    if not sub.decisions:  # a unit review: nothing to decide, said so
        return [{"ruleId": DECISION_RULE, "ruleIndex": index, "kind": "notApplicable", "level": "none",
                 "message": {"text": NO_DECISION_TEXT[lang]},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(sub.file)}}}]
                 if not sub.file.startswith("<") else [],
                 "properties": {"decision": {"project": None, "stage": None, "outcome": NO_DECISION}}}]
    out = []
    for d in sub.decisions:
        kind, level = ("fail", "error") if d.blocks else ("review", "warning") if d.outcome == "needs_review" \
            else ("pass", "none")
        line, column = sub.project_positions.get(str(d.project), (0, 0))
        physical = _physical(sub.file, line, column)
        text = decision_headline(d, lang)
        consequences = [consequence_text(c, lang) for c in d.consequences]
        out.append({
            "ruleId": DECISION_RULE, "ruleIndex": index, "kind": kind, "level": level,
            "message": {"text": "; ".join([text, *consequences])},
            "locations": [{"physicalLocation": physical}] if physical else [],
            "partialFingerprints": {FINGERPRINT_KEY: f"{DECISION_RULE}:{d.project}"},
            "properties": {"decision": {"project": d.project, "stage": d.stage, "outcome": d.outcome,
                                        "blocking_findings": d.blocking, "review_findings": d.review}},
        })
    return out


def sarif_dict(report: Report, options: RenderOptions) -> dict[str, Any]:
    descriptors = [rule_descriptor(r) for r in report.rulebook.rules]
    index = {r.id: i for i, r in enumerate(report.rulebook.rules)}
    extra = {f.rule: f for sub in report.submissions for f in sub.findings if f.rule not in index}
    for rule_id in sorted(extra):  # registry mismatches: rule-like ids outside the rulebook
        index[rule_id] = len(descriptors)
        descriptors.append(finding_descriptor(extra[rule_id]))
    index[DECISION_RULE] = len(descriptors)
    descriptors.append(decision_descriptor())
    baselined = report.baseline is not None
    results = [result(f, index[f.rule], options.lang, baselined)
               for sub in report.submissions for f in sub.findings]
    results += [r for sub in report.submissions for r in decision_results(sub, index[DECISION_RULE], options.lang)]
    errors = [n for sub in report.submissions for n in notifications(sub, options.lang)]
    notes = errors + [n for sub in report.submissions for n in notices(sub, options.lang)]
    tool = report.tool()
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "egov-rules",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": descriptors,
            "properties": {"rulebook": tool["rulebook"], "engine": report.engine},
        }},
        "invocations": [{"executionSuccessful": not errors, "toolExecutionNotifications": notes}],
        "columnKind": "unicodeCodePoints",  # our columns count characters, not UTF-16 units
        "results": results,
        "properties": {"submissions": len(report.submissions), "lang": options.lang,
                       "decisions": [{"file": relative_path(sub.file), **r["properties"]["decision"]}
                                     for sub in report.submissions
                                     for r in decision_results(sub, 0, options.lang)]},
    }
    if baselined:
        run["properties"]["baseline"] = {
            "file": report.baseline, "baselined": sum(s.baselined or 0 for s in report.submissions)}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, options: RenderOptions) -> str:
    return json_text(json.dumps(sarif_dict(report, options), ensure_ascii=False, indent=2)) + "\n"  # C1, bidi: \\u

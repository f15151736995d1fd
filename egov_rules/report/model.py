"""The report as plain data: the JSON contract of spec/report.md, shared by every format."""

from __future__ import annotations

from typing import Any

from ..check import Report, SubmissionResult
from ..findings import Finding
from ..i18n import art46_citation, citation
from ..sanctions import OUTCOME_TEXT, Decision, consequence_text


def finding_dict(f: Finding, lang: str) -> dict[str, Any]:
    review = f.art44_class == "B-review" or f.severity != "violation"
    out: dict[str, Any] = {
        "rule": f.rule,
        "article": f.article,
        "paragraph": f.paragraph,
        "item": f.item,
        "citation": citation(f.article, f.paragraph, None, lang),
        "severity": f.severity,
        "title": f.title[lang],
        "message": f.message[lang],
        "subject": {"type": f.subject_type, "id": f.subject_id},
        "location": {"file": f.file, "line": f.line, "column": f.column, "pointer": f.pointer,
                     "logical": f.logical_location},
        "remediation": f.remediation[lang],
        "sanctions": {
            "art44": {
                "class": f.art44_class,
                "project": f.project,
                "stage": f.stage,
                "consequences": [consequence_text(c, lang, review) for c in f.consequences()],
            },
            "art46": [{"item": item, "status": status, "citation": art46_citation(item, lang)}
                      for item, status in f.art46],
        },
        "fingerprint": f.fingerprint,
    }
    if f.missing:
        out["missing_facts"] = [{"pointer": m.pointer, "path": m.path, "line": m.line, "column": m.column}
                                for m in f.missing]
    if f.downgrade_reason:
        out["downgraded"] = {"from": "violation", "reason": f.downgrade_reason[lang]}
    if f.interpretation:
        it = f.interpretation
        out["interpretation"] = {"note": it["note"], "confidence": it["confidence"], "text": it["text"][lang]}
    if f.waived:
        out["waived"] = f.waived
    return out


def decision_dict(d: Decision, lang: str) -> dict[str, Any]:
    en, zh = OUTCOME_TEXT.get(d.outcome, (d.outcome, d.outcome))
    review = d.outcome == "needs_review"
    return {
        "project": d.project,
        "stage": d.stage,
        "outcome": d.outcome,
        "outcome_text": zh if lang == "zh" else en,
        "consequences": [consequence_text(c, lang) for c in d.consequences],
        "blocking_findings": d.blocking,
        "review_findings": d.review,
        "needs_review": review or bool(d.review),
    }


def submission_dict(s: SubmissionResult, lang: str) -> dict[str, Any]:
    if s.error is not None:
        errors = getattr(s.error, "errors", [s.error])
        return {"file": s.file, "id": None, "error": {"exit_code": 2, "problems": [e.to_dict() for e in errors]},
                "findings": [], "summary": None, "decision": None, "decisions": []}
    decisions = [decision_dict(d, lang) for d in s.decisions]
    out = {
        "file": s.file,
        "id": s.id,
        "findings": [finding_dict(f, lang) for f in s.findings],
        "summary": s.summary(),
        "decision": decisions[0] if len(decisions) == 1 else _aggregate(decisions),
        "decisions": decisions,
    }
    if s.engine_notes:
        out["engine_notes"] = s.engine_notes
    return out


def _aggregate(decisions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """With several projects the headline decision is the most restrictive one."""
    if not decisions:
        return None
    rank = {"allow": 0, "needs_review": 1}
    return max(decisions, key=lambda d: rank.get(d["outcome"], 2))


def report_dict(report: Report, lang: str) -> dict[str, Any]:
    out = {
        "tool": report.tool(),
        "lang": lang,
        "stage": report.stage,
        "submissions": [submission_dict(s, lang) for s in report.submissions],
    }
    if report.baseline is not None:  # only with --baseline, so reports without one keep their bytes
        out["baseline"] = {"file": report.baseline,
                           "baselined": sum(s.baselined or 0 for s in report.submissions)}
    return out

"""The report as plain data: the JSON contract of spec/report.md, shared by every format."""

from __future__ import annotations

from typing import Any

from ..check import Report, SubmissionResult
from ..decisions.findings import Finding
from ..decisions.sanctions import OUTCOME_TEXT, Decision, consequence_text, decision_note, review_reason
from ..text.i18n import art46_citation, citation


def finding_dict(f: Finding, lang: str, stage: str | None = None) -> dict[str, Any]:
    """``stage``: the stage a gate decides for (``--stage``); default the project's own."""
    review = f.art44_class in ("A-review", "B-review") or f.severity != "violation"
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
        "location": _location(f),
        "remediation": f.remediation[lang],
        "sanctions": {
            "art44": {
                "class": f.art44_class,
                "project": f.project,
                "stage": stage or f.stage,
                "consequences": [consequence_text(c, lang, review) for c in f.consequences(stage)],
            },
            "art46": [{"item": item, "status": status, "citation": art46_citation(item, lang)}
                      for item, status in f.art46],
        },
        "fingerprint": f.fingerprint,
    }
    if f.also_cites:
        out["also_cites"] = [{"article": a, "citation": citation(a, None, None, lang)} for a in f.also_cites]
    if f.missing:
        out["missing_facts"] = [{"pointer": m.pointer, "path": m.path, "line": m.line, "column": m.column,
                                 **_cell(m.cell, m.line, m.column)} for m in f.missing]
    if f.downgrade_reason:
        out["downgraded"] = {"from": "violation", "reason": f.downgrade_reason[lang]}
    if f.interpretation:
        it = f.interpretation
        out["interpretation"] = {"note": it["note"], "confidence": it["confidence"], "text": it["text"][lang]}
    if f.waived:
        out["waived"] = f.waived
    return out


def _location(f: Finding) -> dict[str, Any]:
    if f.cell is None:
        return {"file": f.file, "line": f.line, "column": f.column, "pointer": f.pointer, "logical": f.logical_location}
    # a workbook: sheet, row and column (``line`` kept equal to the row for tools that read only it)
    return {"file": f.file, **_cell(f.cell, f.line, f.column), "line": f.line, "column": f.column,
            "pointer": f.pointer, "logical": f.logical_location}


def _cell(cell: str | None, row: int, column: int) -> dict[str, Any]:
    """``{"sheet", "row", "cell"}`` of a workbook position (``'项目 projects'!C7``); {} for YAML."""
    if cell is None:
        return {}
    sheet, _, ref = cell.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return {"sheet": sheet, "row": row, "cell": ref}


def decision_dict(d: Decision, lang: str, findings: list[Finding] | None = None, *,
                  by_fingerprint: dict[str, Finding] | None = None) -> dict[str, Any]:
    """``by_fingerprint``: the findings by fingerprint, made once for all of a submission's decisions."""
    en, zh = OUTCOME_TEXT.get(d.outcome, (d.outcome, d.outcome))
    review = d.outcome == "needs_review"
    conditional = [consequence_text(c, lang, review=True) for c in d.conditional]
    by_fp = by_fingerprint if by_fingerprint is not None else {f.fingerprint: f for f in findings or []}
    reviews = []
    for fp in d.review:  # which findings and facts leave the decision to a reviewer, and why
        f = by_fp.get(fp)
        entry: dict[str, Any] = {"fingerprint": fp, "reason": d.reasons.get(fp)}
        if f is not None:
            entry.update(rule=f.rule, citation=citation(f.article, f.paragraph, None, lang), severity=f.severity,
                         art44_class=f.art44_class, subject={"type": f.subject_type, "id": f.subject_id},
                         line=f.line, why=review_reason(d.reasons.get(fp, "unconfirmed"), _cls(f), lang),
                         missing_facts=[{"path": m.path, "pointer": m.pointer, "line": m.line} for m in f.missing])
        reviews.append(entry)
    return {
        "project": d.project,
        "stage": d.stage,
        "outcome": d.outcome,
        "outcome_text": zh if lang == "zh" else en,
        # a decision that needs review lists what would follow if the reviewer confirms, marked "(review)"
        "consequences": [consequence_text(c, lang) for c in d.consequences] + (conditional if review else []),
        "conditional_consequences": conditional,
        "blocking_findings": d.blocking,
        "review_findings": d.review,
        "review": reviews,
        "notes": [decision_note(n, lang) for n in d.notes],
        "needs_review": review or bool(d.review),
    }


def _cls(f: Finding) -> str:
    return "A" if f.art44_class in ("A", "A-review") else "B"


def submission_dict(s: SubmissionResult, lang: str, stage: str | None = None) -> dict[str, Any]:
    if s.error is not None:
        errors = getattr(s.error, "errors", [s.error])
        return {"file": s.file, "id": None, "error": {"exit_code": 2, "problems": [e.to_dict() for e in errors]},
                "findings": [], "context": [], "summary": None, "decision": None}
    out: dict[str, Any] = {
        "file": s.file,
        "id": s.id,
        "findings": [finding_dict(f, lang, stage) for f in s.reviewed],
        # findings about entities the submission does not review (review_scope.py): apart, severity kept
        "context": [finding_dict(f, lang, stage) for f in s.context],
        "summary": s.summary(),
        "decision": submission_decision(s, lang),
    }
    if s.engine_notes:
        out["engine_notes"] = s.engine_notes
    if s.notices:  # e.g. an expired waiver: reported, never an error
        out["notices"] = [notice_dict(n, lang) for n in s.notices]
    return out


def notice_dict(n: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**{k: v for k, v in n.items() if k != "message"}, "message": n["message"][lang]}


def decision_headline(d: Decision, lang: str) -> str:
    """One line for a project's decision in the machine formats' texts: ``prj.x (proposal): not approved...``."""
    from ..text.i18n import stage_label

    en, zh = OUTCOME_TEXT.get(d.outcome, (d.outcome, d.outcome))
    if lang == "zh":
        return f"{d.project}（{stage_label(d.stage, 'zh') if d.stage else '阶段未填写'}）：{zh}"
    return f"{d.project} ({stage_label(d.stage, 'en') if d.stage else 'stage not given'}): {en}"


NO_DECISION = "no_decision"
NO_DECISION_TEXT = {"en": "no Art 44 decision (unit review)", "zh": "不作第四十四条处理决定（单位履职审查，无项目）"}


def submission_decision(s: SubmissionResult, lang: str) -> dict[str, Any] | None:
    """The one ``decision`` field of spec/report.md (docs/report-contract.md): the headline decision (the most
    restrictive of the projects') with every project's own decision in ``projects``; a unit review, with no
    project to decide on, has outcome ``no_decision``.  None only when the submission could not be checked."""
    if s.error is not None:
        return None
    by_fingerprint = {f.fingerprint: f for f in s.findings}  # once, not once per project
    projects = [decision_dict(d, lang, by_fingerprint=by_fingerprint) for d in s.decisions]
    if not projects:
        return {"project": None, "stage": None, "outcome": NO_DECISION, "outcome_text": NO_DECISION_TEXT[lang],
                "consequences": [], "needs_review": False, "projects": []}
    rank = {"allow": 0, "needs_review": 1}
    return {**max(projects, key=lambda d: rank.get(d["outcome"], 2)), "projects": projects}


def report_dict(report: Report, lang: str) -> dict[str, Any]:
    out = {
        "tool": report.tool(),
        "lang": lang,
        "stage": report.stage,
        "submissions": [submission_dict(s, lang, report.stage) for s in report.submissions],
    }
    if report.baseline is not None:  # only with --baseline, so reports without one keep their bytes
        out["baseline"] = {"file": report.baseline,
                           "baselined": sum(s.baselined or 0 for s in report.submissions)}
    return out

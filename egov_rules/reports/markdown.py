"""Markdown report, and the view of a report that every document format (Markdown, HTML) renders.

``view()`` turns a ``Report`` into plain data in one language: the Art 44 decisions first, a summary by
chapter and article, then each finding with its citation, the article's text, the entity and its line,
the remediation, the facts to supply, interpretation notes and any waiver.  Templates only lay it out.

Submissions are hostile: every text from them reaches Markdown through ``md_escape`` (Jinja's
``finalize``), so a message cannot open a link, an HTML tag or a table cell.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from ..check import Report, SubmissionResult
from ..decisions.findings import Finding, where
from ..decisions.sanctions import OUTCOME_TEXT, consequence_text, decision_note, review_reason
from ..errors import safe_text
from ..rules.articles import article_info, catalogue
from ..text.i18n import SEVERITY, STATUS46, art46_citation, art46_item_text, citation, count_text, stage_label, t
from ..text.labels import enum_label
from ..text.zh import zh_punct
from . import RenderOptions
from .names import entity_ref, named, project_names, unit_names
from .sanitize import clean_report
from .table import art46_items, decision_line, ordered

# where the official Chinese text can be read (data/articles.yaml, source.references)
SOURCE_URL = "https://www.zongyoufa.com/portal.php?aid=36866"

LABELS: dict[str, tuple[str, str]] = {
    "title_check": ("E-government compliance report", "电子政务合规检查报告"),
    "title_gate": ("Art 44 decision", "第四十四条处理意见"),
    "measures": ("Fujian Provincial Administrative Measures on E-Government Construction and Application "
                 "(Decree No. 156)", "《福建省电子政务建设和应用管理办法》（福建省人民政府令第156号）"),
    "tool": ("egov-rules", "egov-rules"), "rulebook": ("rulebook", "规则库"),
    "submission": ("Submission", "申报材料"), "file": ("file", "文件"),
    "decisions": ("Art 44 decision", "第四十四条处理意见"), "project": ("project", "项目"),
    "stage": ("stage", "阶段"), "outcome": ("outcome", "结论"),
    "consequences": ("Consequences", "处理措施"),
    "conditional": ("If the reviewer confirms", "如经审核确认"),
    "deciding": ("Findings that decide it", "作出决定所依据的问题"),
    "review": ("Needs a reviewer's judgement", "需审核人员判断"), "why": ("why", "原因"),
    "notes": ("Notes", "说明"), "blocks": ("blocks the stage", "不予通过"),
    "allows": ("allows the stage", "准予通过"), "needs_review": ("needs review", "需审核"),
    "summary": ("Summary", "汇总"), "chart": ("Findings by chapter and article", "按章、条统计的问题"),
    "findings": ("Findings", "问题清单"), "no_findings": ("No findings.", "未发现问题。"),
    "context": ("Context: findings about entities this submission does not review (not counted toward the exit code)",
                "背景问题：涉及本次未受审查对象的问题（不计入退出码）"),
    "no_decision": ("No Art 44 decision (unit review)", "不作第四十四条处理决定（单位履职审查，无项目）"),
    "article": ("Article", "条款"), "count": ("findings", "问题数"),
    "severity": ("Severity", "级别"), "rule": ("Rule", "规则"), "subject": ("Entity", "对象"),
    "location": ("Location", "位置"), "line": ("line", "行"), "column": ("column", "列"),
    "message": ("Finding", "问题"), "remediation": ("Remediation", "整改建议"),
    "missing": ("Facts to supply", "需补充的事实"),
    "art44": ("Art 44", "第四十四条"), "art44_class": ("class", "类别"), "art46": ("Art 46", "第四十六条"),
    "article_summary": ("Summary of the article (not the official text)", "条文要点（非原文）"),
    "official_text": ("official text", "官方原文"),
    "overview": ("Overview", "总览"), "findings_one": ("Finding", "问题"),
    "unit_under_review": ("Unit under review", "受审查单位"), "as_of": ("as of", "基准日期"),
    "kind": ("kind", "材料类型"), "decision_col": ("Art 44 decision", "第四十四条处理意见"),
    "page": ("page", "第"), "of": ("of", "页，共"),
    "interpretation": ("Interpretation", "解释说明"), "confidence": ("confidence", "可信度"),
    "unrated": ("not rated", "未评级"), "downgraded": ("Downgraded to a warning", "降为疑似违规（待确认）"),
    "waived": ("Waived", "已豁免"), "waived_by": ("approved by", "批准人"), "waiver_ref": ("approval", "批准文号"),
    "expires": ("expires", "有效期至"), "justification": ("justification", "理由"),
    "notices": ("Notices", "提示"), "error": ("Could not check this submission", "无法检查该申报材料"),
    "passed": ("passed", "通过"), "not_applicable": ("not applicable", "不适用"),
    "interpretation_notes": ("Interpretation notes", "解释说明（译注）"),
    "none": ("none", "无"), "chapter": ("Chapter", "章"), "total": ("total", "合计"),
    "legend_waived": ("waived", "已豁免"), "see_finding": ("see finding", "见问题"),
}
# Chinese renderings of the translation notes (articles.md §0.2); the catalogue holds English only.
NOTES_ZH = {
    "N1": "译文作“可以新建专门服务渠道”，但下文要求既有渠道并入统一渠道，"
          "且渠道规划由电子政务管理部门负责，中文原文应为“不得新建”。按禁止性规定处理，可信度中等，"
          "规则作为阻断性规则前须核对原文。",
    "N2": "“感知资源”（视频、物联网等）。应用单位整合本系统感知资源，"
          "新增的报同级电子政务管理部门统筹规划。",
    "N3": "（A）未备案的设区市规划和省直单位建设方案不得组织实施；"
          "（B）不符合统筹建设要求或不支持信息共享的项目按阶段处理：不予审批、不安排建设资金；"
          "在建的暂停拨付资金并暂停建设，情节严重的终止；建成的不予验收并暂停拨付运维经费。"
          "单纯的安全问题（第四十条）不触发第四十四条。两项标准之间的“和”理解为“或”。可信度中高。",
    "N4": "除国家秘密、商业秘密和个人隐私外，政务信息资源以共享为原则；"
          "不宜公开的敏感业务数据，应用单位列明履职所需的共享需求并说明可提供的内容（有条件共享）。",
    "N5": "第七条定义为国家机关、事业单位、社会团体和法律法规授权的具有公共管理职能的组织。"
          "第二十条的同意义务仅适用于国家机关以外的采集者；第二十条第三款的更正、删除权适用于所有采集者。",
}
ART44_CLASS = {"A": ("A (not implemented)", "A类（不得组织实施）"), "B": ("B (by stage)", "B类（按阶段处理）"),
               "A-review": ("A-review (a reviewer decides)", "A类待审核（由审核人员认定）"),
               "B-review": ("B-review (a reviewer decides)", "B类待审核（由审核人员认定）"), "none": ("none", "无")}
NOTE_TITLES_ZH = {"N1": "第二十五条第三款", "N2": "第十七条第二、三款", "N3": "第四十四条的结构",
                  "N4": "第二十七条第一款", "N5": "“应用单位”的范围"}
CONFIDENCE_ZH = {"high": "高", "medium-high": "中高", "medium": "中", "medium-low": "中低", "low": "低"}
NOTICE_LEVELS = {"info": ("info", "提示"), "warning": ("warning", "注意")}
CHAPTER_NUMERALS = ("", "I", "II", "III", "IV", "V")


class Raw(str):
    """Text the template may print as it is (already escaped or written by us)."""


_MD_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_",
               "[": "\\[", "]": "\\]", "|": "\\|", "#": "\\#", "!": "\\!"}


def md_escape(value: Any) -> Any:
    """Markdown-inert text: no emphasis, links, code, HTML or table cells; line breaks become spaces."""
    if isinstance(value, Raw) or not isinstance(value, str):
        return value
    text = safe_text(" ".join(value.split()), 100_000)
    return "".join(_MD_ESCAPES.get(ch, ch) for ch in text)


@cache
def environment(kind: str) -> jinja2.Environment:
    """Templates shipped in the wheel (egov_rules/templates); HTML autoescaped, Markdown escaped by finalize."""
    loader = jinja2.PackageLoader("egov_rules", "templates")
    if kind == "html":
        return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return jinja2.Environment(loader=loader, autoescape=False, finalize=md_escape, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(report: Report, options: RenderOptions) -> str:
    zh = options.lang == "zh"

    def paren(text: str) -> Raw:
        inner = md_escape(text)
        return Raw(f"（{inner}）" if zh else f"({inner})")

    def at_line(n: int) -> str:
        return f"第{n}行" if zh else f"line {n}"

    text = environment("markdown").get_template("report.md.j2").render(
        view(report, options), bar=_bar, link=_link, paren=paren, at_line=at_line, sep="，" if zh else ", ",
        c=Raw("：" if zh else ": "), cm=Raw("，" if zh else ", "), stop=Raw("。" if zh else ". "),
        sp=Raw("" if zh else " "), lp=Raw("（" if zh else "("), rp=Raw("）" if zh else ")"),
        notice_level=lambda level: NOTICE_LEVELS.get(level, (level, level))[1 if zh else 0])
    if zh:  # the template's fixed punctuation after Chinese words, full width
        text = zh_punct(text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _link(text: str, url: str) -> Raw:
    return Raw(f"[{md_escape(text)}](<{url}>)")


def _bar(count: int, peak: int, width: int = 20) -> Raw:
    return Raw("█" * max(1, round(width * count / peak)) if count and peak else "")


# ------------------------------------------------------------------------------------------------ view
def view(report: Report, options: RenderOptions) -> dict[str, Any]:
    report = clean_report(report)  # markdown and html: no control or bidi character of an input
    lang = options.lang
    labels = {k: t(v, lang) for k, v in LABELS.items()}
    subs = [_submission(s, report.stage, lang, labels) for s in report.submissions]
    gate = options.command == "gate"
    return {
        "lang": lang,
        "gate": gate,
        "title": labels["title_gate" if gate else "title_check"],
        "L": labels,
        "labels_severity": {k: t(v, lang) for k, v in SEVERITY.items()},
        "measures": labels["measures"],
        "tool": report.tool(),
        "stage": stage_label(report.stage, lang) if report.stage else None,
        "submissions": subs,
        "overview": _overview(report, subs, lang) if len(subs) > 1 else None,
        "as_of": max((s.info.get("as_of") or "" for s in report.submissions), default="") or None,
        "source_url": SOURCE_URL,
    }


def _overview(report: Report, subs: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """One row per submission and project: the batch's first table."""
    rows = []
    for i, (s, v) in enumerate(zip(report.submissions, subs, strict=True), 1):
        v["anchor"] = f"s{i}"
        base = {"anchor": v["anchor"], "file": s.file, "submission": v["title"], "units": v["units"]}
        if s.error is not None:
            rows.append({**base, "project": "—", "stage": "—", "decision": v["error_label"], "state": "error"})
            continue
        if not v["decisions"]:
            rows.append({**base, "project": "—", "stage": "—", "decision": t(LABELS["no_decision"], lang),
                         "state": "none"})
        for d in v["decisions"]:
            rows.append({**base, "project": d["project_label"], "stage": d["stage_label"],
                         "decision": d["outcome_text"], "state": d["state"]})
    return rows


MAX_ERROR_LINES = 60  # an input error lists up to 50 problems (validate's round), plus their context


def _submission(s: SubmissionResult, stage: str | None, lang: str, labels: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"file": s.file, "id": s.id, "error": None, "decisions": [], "findings": [],
                           "chart": None, "notes": [], "notices": [], "summary": None,
                           "title": named(s.id, s.info.get("name"), lang) if s.id else s.file,
                           "units": "、".join(unit_names(s, lang)) if lang == "zh" else "; ".join(unit_names(s, lang)),
                           "projects": ("、" if lang == "zh" else "; ").join(project_names(s, lang)),
                           "kind": enum_label("submission", "kind", s.info["kind"], lang) if s.info.get("kind") else "",
                           "as_of": s.info.get("as_of") or "", "error_label": labels["error"]}
    if s.error is not None:
        # one line per problem (an InputErrors renders one per line): each line made safe on its own, so its
        # line break stays a line break instead of a shown "\n"
        out["error"] = [safe_text(line, 4000) for line in s.error.render(lang).splitlines()[:MAX_ERROR_LINES]]
        return out
    # the reviewed findings, then the context ones (review_scope.py) under their own heading
    listed = ordered(s.reviewed) + ordered(s.context)
    findings = [_finding(i, f, stage, lang, labels, s) for i, f in enumerate(listed, 1)]
    first: dict[int, int] = {}
    for f, v in zip(listed, findings, strict=True):  # an article's text is shown once, with its first finding
        v["text_at"] = first.setdefault(v["article"], v["n"])
        v["context"] = f.context
    by_fp = {f.fingerprint: v for f, v in zip(listed, findings, strict=True)}
    out["findings"] = findings
    out["has_reviewed"] = bool(s.reviewed)
    raw = {f.fingerprint: f for f in s.findings}  # once, not once per project
    out["decisions"] = [_decision(d, by_fp, raw, lang, s) for d in s.decisions]
    out["art46"] = [art46_item_text(i, st, lang) for i, st in art46_items(s.reviewed)]
    out["summary_line"] = _summary_line(s, lang)
    out["summary"] = s.summary()
    out["chart"] = _chart(s.reviewed, lang)  # as the summary: context findings are listed, not counted
    out["notes"] = _notes(s.findings, lang)
    out["notices"] = [{"level": n["level"], "text": n["message"][lang]} for n in s.notices]
    return out


def _summary_line(s: SubmissionResult, lang: str) -> str:
    counts = s.summary()
    parts = [count_text(counts[k], k, lang) for k in ("violation", "warning", "insufficient")]
    return ("，" if lang == "zh" else ", ").join(parts)


def _finding(n: int, f: Finding, stage: str | None, lang: str, labels: dict[str, str],
             s: SubmissionResult) -> dict[str, Any]:
    info = article_info(f.article) or {}
    review = f.art44_class in ("A-review", "B-review") or f.severity != "violation"
    interp = None
    if f.interpretation:
        it = f.interpretation
        interp = {"note": it["note"], "confidence": _confidence(it["confidence"], lang), "text": it["text"][lang]}
    notes = sorted({*(info.get("notes") or []), *([interp["note"]] if interp else [])})
    return {
        "n": n,
        "anchor": f"f{n}",
        "severity": f.severity,
        "severity_label": t(SEVERITY[f.severity], lang),
        "citation": citation(f.article, f.paragraph, None, lang),
        "article": f.article,
        "rule": f.rule,
        "title": f.title[lang],
        "message": f.message[lang],
        "remediation": f.remediation[lang],
        "subject": entity_ref(s, f.subject_type, f.subject_id, lang),
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "cell": f.cell,
        "where": where(t(LABELS["line"], lang), f.line, f.cell),  # 'sheet'!C7 in a workbook
        "file_where": f"{f.file}: {f.cell}" if f.cell else f"{f.file}:{f.line}:{f.column}",
        "pointer": f.pointer,
        "art44_class": f.art44_class,
        "art44_class_label": t(ART44_CLASS.get(f.art44_class, (f.art44_class, f.art44_class)), lang),
        "article_citation": citation(f.article, None, None, lang),
        "art44": [consequence_text(c, lang, review) for c in f.consequences(stage)],
        "art46": [{"citation": art46_citation(item, lang), "status": status, "status_label": t(STATUS46[status], lang)}
                  for item, status in f.art46],
        "missing": [{"path": m.label(), "line": m.line, "column": m.column, "pointer": m.pointer,
                     "where": where(t(LABELS["line"], lang), m.line, m.cell)} for m in f.missing],
        "downgraded": f.downgrade_reason[lang] if f.downgrade_reason else None,
        "interpretation": interp,
        "notes": notes,
        "article_summary": " ".join(str(info.get(f"summary_{lang}") or info.get("summary_en") or "").split()),
        "waived": f.waived,
    }


def _decision(d: Any, by_fp: dict[str, dict[str, Any]], raw: dict[str, Finding], lang: str,
              s: SubmissionResult) -> dict[str, Any]:
    review = []
    for fp in d.review:
        f = raw.get(fp)
        if f is None:
            continue
        cls = "A" if f.art44_class in ("A", "A-review") else "B"
        review.append({"finding": by_fp[fp], "why": review_reason(d.reasons.get(fp, "unconfirmed"), cls, lang)})
    state = "blocks" if d.blocks else ("needs_review" if d.outcome == "needs_review" else "allows")
    return {
        "project": d.project,
        "project_label": named(d.project, s.names.get(d.project), lang) if d.project else "—",
        "line": decision_line(d, s, lang),
        "stage": d.stage,
        "stage_label": stage_label(d.stage, lang) if d.stage else "—",
        "outcome": d.outcome,
        "outcome_text": t(OUTCOME_TEXT.get(d.outcome, (d.outcome, d.outcome)), lang),
        "state": state,
        "consequences": [consequence_text(c, lang) for c in d.consequences],
        "conditional": [consequence_text(c, lang, review=True) for c in d.conditional],
        "blocking": [by_fp[fp] for fp in d.blocking if fp in by_fp],
        "review": review,
        "notes": [decision_note(n, lang) for n in d.notes],
    }


def _chapter_of(article: int) -> dict[str, Any]:
    for ch in catalogue().get("chapters", []):
        first, last = ch["articles"]
        if first <= article <= last:
            return ch
    return {"number": 0, "title_en": "?", "title_zh": "?"}


def chapter_label(ch: dict[str, Any], lang: str) -> str:
    n = int(ch["number"])
    if lang == "zh":
        from ..text.i18n import cn_number

        return f"第{cn_number(n)}章 {ch['title_zh']}" if n else "?"
    return f"Chapter {CHAPTER_NUMERALS[n] if n < len(CHAPTER_NUMERALS) else n} {ch['title_en']}"


def _chart(findings: list[Finding], lang: str) -> dict[str, Any]:
    """Counts by chapter and article, by severity (waived apart): rows for a bar chart or a table."""
    counts: dict[int, dict[str, int]] = {}
    for f in findings:
        row = counts.setdefault(f.article, {"violation": 0, "warning": 0, "insufficient": 0, "waived": 0})
        row["waived" if f.waived else f.severity] += 1
    chapters: list[dict[str, Any]] = []
    for article in sorted(counts):
        ch = _chapter_of(article)
        if not chapters or chapters[-1]["number"] != ch["number"]:
            chapters.append({"number": ch["number"], "label": chapter_label(ch, lang), "rows": [], "total": 0})
        row = counts[article]
        total = sum(row.values())
        chapters[-1]["rows"].append({"article": article, "label": citation(article, None, None, lang),
                                     "counts": row, "total": total})
        chapters[-1]["total"] += total
    peak = max((r["total"] for ch in chapters for r in ch["rows"]), default=0)
    return {"chapters": chapters, "max": peak}


def _notes(findings: list[Finding], lang: str) -> list[dict[str, Any]]:
    """The translation notes (N1-N8) the findings rest on, with their confidence."""
    wanted: dict[str, str | None] = {}
    for f in findings:
        info = article_info(f.article) or {}
        for note in info.get("notes") or []:
            wanted.setdefault(note, None)
        if f.interpretation:
            wanted[f.interpretation["note"]] = f.interpretation["confidence"]
    out = []
    known = {n["id"]: n for n in catalogue().get("notes", [])}
    for note in sorted(wanted):
        entry = known.get(note, {})
        confidence = wanted[note] or entry.get("confidence")
        if lang == "zh":
            title = entry.get("title_zh") or NOTE_TITLES_ZH.get(note, "")
            text = " ".join(str(entry.get("text_zh") or NOTES_ZH.get(note, "")).split()).replace(" ", "")
        else:
            title, text = entry.get("title", ""), " ".join(str(entry.get("text_en", "")).split())
        out.append({"id": note, "title": title, "confidence": _confidence(confidence, lang), "text": text})
    return out


def _confidence(level: str | None, lang: str) -> str | None:
    return CONFIDENCE_ZH.get(level, level) if lang == "zh" and level else level

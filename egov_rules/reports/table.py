"""The terminal report: one block per finding, worst first, then the summary, the Art 44 decision and Art 46.

Laid out as blocks rather than grid columns so that a rule id is never broken and the text reads at any
width (``--width``, else the terminal's).  Colour only on a terminal; the words never depend on it.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from ..check import Report, SubmissionResult
from ..decisions.findings import Finding
from ..decisions.sanctions import OUTCOME_TEXT, consequence_text, decision_note, review_reason
from ..errors import safe_text
from ..text.i18n import SEVERITY, art46_item_text, citation, count_text, stage_label, t
from . import RenderOptions
from .names import entity_ref, heading_lines, named
from .sanitize import clean_report

STYLE = {"violation": "bold red", "warning": "yellow", "insufficient": "cyan"}
RANK = {"violation": 0, "warning": 1, "insufficient": 2}
HEAD = {
    "line": ("line", "第{n}行"), "none": ("No findings.", "未发现问题。"), "fix": ("Fix", "整改建议"),
    "summary": ("Summary", "汇总"), "passed": ("rules passed", "通过规则 {n} 条"),
    "na": ("not applicable", "不适用 {n} 条"), "waived": ("waived", "已豁免 {n} 项"),
    "waived_one": ("waived", "已豁免"), "art44_class": ("Art 44 class", "第四十四条类别"),
    "decision": ("Art 44 decision for", "第四十四条处理意见："), "stage": ("stage", "阶段"),
    "review": ("Needs the reviewer", "需审核人员判断"), "deciding": ("Decided by", "决定依据"),
    "baselined": ("{n} known findings left out by the baseline", "基线中已知问题 {n} 项未列出"),
    "art46": ("Art 46 (discipline of the persons responsible)", "第四十六条（责任人员处分）"),
    "others": ("Other findings (no Art 44 consequence)", "其他问题（不影响第四十四条处理意见）"),
    "why": ("why", "原因"), "notes": ("Note", "说明"),
    "context": ("Context: findings about entities this submission does not review (not counted toward the exit code)",
                "背景问题：涉及本次未受审查对象的问题（不计入退出码）"),
    "no_decision": ("Art 44 decision: no Art 44 decision (unit review)",
                    "第四十四条处理意见：不作第四十四条处理决定（单位履职审查，无项目）"),
    "conditional": ("If the reviewer confirms", "如经审核确认"), "consequences": ("Consequences", "处理措施"),
}
CLASS_WORDS = {"A": ("A: shall not be implemented", "A类：不得组织实施"),
               "B": ("B: consequence by stage", "B类：按阶段处理"),
               "B-review": ("B, for a reviewer to confirm", "B类，待审核确认"),
               "A-review": ("A, for a reviewer to confirm", "A类，待审核确认"), "none": ("none", "无")}


def _h(key: str, lang: str, n: int | None = None) -> str:
    text = t(HEAD[key], lang)
    return text.replace("{n}", str(n)) if n is not None else text


def _line(n: int, lang: str) -> str:
    return f"第{n}行" if lang == "zh" else f"line {n}"


def _console(options: RenderOptions) -> Console:
    return Console(file=io.StringIO(), force_terminal=options.color, no_color=not options.color,
                   color_system="standard" if options.color else None, width=max(40, options.width or 100),
                   highlight=False, emoji=False, soft_wrap=False)


def ordered(findings: list[Finding]) -> list[Finding]:
    """Violations, then warnings, then open questions; within each, by article."""
    return sorted(findings, key=lambda f: (RANK[f.severity], f.article, f.paragraph or 0, f.rule, f.line))


def render(report: Report, options: RenderOptions) -> str:
    report = clean_report(report)  # no control or bidi character of an input reaches the terminal
    if options.command == "gate":
        return render_gate(report, options)
    lang = options.lang
    console = _console(options)
    for sub in report.submissions:
        _heading(console, sub, lang)
        if sub.error is not None:  # the full list goes to stderr; here the first problem and a count
            problems = getattr(sub.error, "errors", [sub.error])
            extra = len(problems) - 1
            more = "" if not extra else (f"（另有 {extra} 处）" if lang == "zh" else f" (+{extra} more)")
            console.print(Text(safe_text(_render_error(problems[0], lang), 500) + more, style="red"))
            console.print()
            continue
        if not sub.reviewed:
            console.print(_h("none", lang))
        for f in ordered(sub.reviewed):
            finding_block(console, f, sub, lang)
        _context_block(console, sub, lang)
        _summary(console, sub, lang)
        for d in sub.decisions:
            decision_block(console, d, sub, lang)
        if not sub.decisions:
            console.print(Text(_h("no_decision", lang), style="bold"))
        art46_block(console, sub, lang)
        for notice in sub.notices:  # expired or unused waivers: reported, never an error
            _notice(console, notice, lang)
        for note in sub.engine_notes:
            console.print(Text(note, style="dim"))
        console.print()
    return _text(console)


def _context_block(console: Console, sub: SubmissionResult, lang: str) -> None:
    """Findings about entities the submission does not review (review_scope.py): apart, severity kept."""
    if sub.context:
        console.print(Text(_h("context", lang), style="dim"))
        for f in ordered(sub.context):
            finding_block(console, f, sub, lang, indent=2)


def _render_error(error: Any, lang: str) -> str:
    try:
        return str(error.render(lang=lang))
    except TypeError:  # an error type without a language
        return str(error.render())


def _text(console: Console) -> str:
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in out.splitlines())


def _heading(console: Console, sub: SubmissionResult, lang: str) -> None:
    lines = heading_lines(sub, lang)
    console.print(Text(lines[0], style="bold"))
    for extra in lines[1:]:
        console.print(Text(extra))
    console.print()


def finding_block(console: Console, f: Finding, sub: SubmissionResult, lang: str, why: str | None = None,
                  indent: int = 0) -> None:
    sev = t(SEVERITY[f.severity], lang)
    if f.waived:
        sev += "（已豁免）" if lang == "zh" else " (waived)"
    head = Text(sev, style=STYLE[f.severity])
    head.append("  " + citation(f.article, f.paragraph, None, lang), style="bold")
    head.append("  " + f.rule, style="dim")
    console.print(Padding(head, (0, 0, 0, indent)))
    where = f"{entity_ref(sub, f.subject_type, f.subject_id, lang)}"
    if f.line:  # a workbook's cell ('项目 projects'!N3), else the line
        where += ("，" if lang == "zh" else ", ") + (f.cell or _line(f.line, lang))
    body = Text(where)
    body.append("\n" + f.title[lang], style="bold")
    body.append("\n" + f.message[lang])
    sep = "：" if lang == "zh" else ": "
    body.append(f"\n{_h('fix', lang)}{sep}{f.remediation[lang]}", style="dim")
    if f.waived:
        w = f.waived
        body.append(f"\n{_h('waived_one', lang)}{sep}{w['justification']} ({w['approved_by']}, "
                    f"{w['approval_ref']}, {w['expires']})", style="dim")
    cls = t(CLASS_WORDS.get(f.art44_class, (f.art44_class, f.art44_class)), lang)
    body.append(f"\n{_h('art44_class', lang)}{sep}{cls}", style="dim")
    if why:
        body.append(f"\n{_h('why', lang)}{sep}{why}", style="yellow")
    console.print(Padding(body, (0, 0, 0, indent + 2)))
    console.print()


def _summary(console: Console, sub: SubmissionResult, lang: str) -> None:
    s = sub.summary()
    counts = [count_text(s[k], k, lang) for k in ("violation", "warning", "insufficient")]
    if lang == "zh":
        rest = [_h("passed", lang, s["passed"]), _h("na", lang, s["not_applicable"])]
        if s["waived"]:
            rest.append(_h("waived", lang, s["waived"]))
        console.print(f"{_h('summary', lang)}：{'，'.join(counts)}；{'，'.join(rest)}。")
        return
    rest = [f"{s['passed']} {_h('passed', lang)}", f"{s['not_applicable']} {_h('na', lang)}"]
    if s["waived"]:
        rest.append(f"{s['waived']} {_h('waived', lang)}")
    console.print(f"{_h('summary', lang)}: {', '.join(counts)}; {', '.join(rest)}.")


def decision_line(d: Any, sub: SubmissionResult, lang: str) -> str:
    """``Art 44 decision for project X (prj.1) at the proposal stage: not approved, no construction funds``."""
    outcome = t(OUTCOME_TEXT.get(d.outcome, (d.outcome, d.outcome)), lang)
    project = named(d.project, sub.names.get(d.project), lang)
    stage = stage_label(d.stage, lang) if d.stage else "-"
    if lang == "zh":
        text = f"{_h('decision', lang)}项目{project}（{stage}阶段）：{outcome}"
    else:
        text = f"{_h('decision', lang)} project {project} at the {stage} stage: {outcome}"
    if sub.baselined:
        text += (f"（{_h('baselined', lang, sub.baselined)}）" if lang == "zh"
                 else f" ({_h('baselined', lang, sub.baselined)})")
    return text


def decision_block(console: Console, d: Any, sub: SubmissionResult, lang: str) -> None:
    style = "bold red" if d.blocks else ("bold yellow" if d.outcome == "needs_review" else "bold green")
    console.print(Text(decision_line(d, sub, lang), style=style))
    for c in d.consequences:
        console.print(f"  - {consequence_text(c, lang)}")
    for c in d.conditional:  # what follows if a reviewer confirms the B-review / unknown findings
        console.print(f"  - {consequence_text(c, lang, review=True)}")
    if d.review:
        by_fp = {f.fingerprint: f for f in sub.findings}
        console.print(Text(f"  {_h('review', lang)}{'：' if lang == 'zh' else ':'}", style="yellow"))
        for fp in d.review:
            f = by_fp.get(fp)
            if f is not None:
                cls = "A" if f.art44_class in ("A", "A-review") else "B"
                why = review_reason(d.reasons.get(fp, "unconfirmed"), cls, lang)
                console.print(Padding(Text(_short(f, sub, lang) + ("——" if lang == "zh" else " — ") + why),
                                      (0, 0, 0, 4)))
    for n in d.notes:
        console.print(Text(f"  {_h('notes', lang)}{'：' if lang == 'zh' else ': '}{decision_note(n, lang)}",
                           style="dim"))


def _short(f: Finding, sub: SubmissionResult, lang: str) -> str:
    return (f"{citation(f.article, f.paragraph, None, lang)} {f.rule}: {f.title[lang]} "
            f"({entity_ref(sub, f.subject_type, f.subject_id, lang)})" if lang == "en" else
            f"{citation(f.article, f.paragraph, None, lang)} {f.rule}：{f.title[lang]}"
            f"（{entity_ref(sub, f.subject_type, f.subject_id, lang)}）")


def art46_items(findings: list[Finding]) -> list[tuple[int, str]]:
    """Each Art 46 item once: ``applicable`` if any finding makes it apply, else ``potential``."""
    best: dict[int, str] = {}
    for f in findings:
        if f.waived:
            continue
        for item, status in f.art46:
            if best.get(item) != "applicable":
                best[item] = status
    return sorted(best.items())


def art46_block(console: Console, sub: SubmissionResult, lang: str) -> None:
    items = art46_items(sub.reviewed)  # context findings are not the reviewed unit's
    if not items:
        return
    console.print(f"{_h('art46', lang)}{'：' if lang == 'zh' else ':'}")
    for item, status in items:
        console.print(Padding(Text(f"- {art46_item_text(item, status, lang)}"), (0, 0, 0, 2)))


# ------------------------------------------------------------------------------------------- gate
def render_gate(report: Report, options: RenderOptions) -> str:
    """The Art 44 decision first, then the findings that decide it, then those a reviewer must judge."""
    lang = options.lang
    console = _console(options)
    colon = "：" if lang == "zh" else ":"
    for sub in report.submissions:
        _heading(console, sub, lang)
        if sub.error is not None:
            console.print(Text(safe_text(_render_error(sub.error, lang), 4000), style="red"))
            console.print()
            continue
        by_fp = {f.fingerprint: f for f in sub.findings}
        if not sub.decisions:  # a unit review: nothing to decide, its findings below
            console.print(Text(_h("no_decision", lang), style="bold green"))
        for d in sub.decisions:
            style = "bold red" if d.blocks else ("bold yellow" if d.outcome == "needs_review" else "bold green")
            console.print(Text(decision_line(d, sub, lang), style=style))
            for title, codes, review in ((_h("consequences", lang), d.consequences, False),
                                         (_h("conditional", lang), d.conditional, True)):
                if codes:
                    console.print(f"  {title}{colon}")
                    for c in codes:
                        console.print(f"    - {consequence_text(c, lang, review)}")
            if d.blocking:
                console.print(f"  {_h('deciding', lang)}{colon}")
                for fp in d.blocking:
                    finding_block(console, by_fp[fp], sub, lang, None, indent=4)
            if d.review:
                console.print(Text(f"  {_h('review', lang)}{colon}", style="yellow"))
                for fp in d.review:
                    f = by_fp[fp]
                    cls = "A" if f.art44_class in ("A", "A-review") else "B"
                    finding_block(console, f, sub, lang, review_reason(d.reasons.get(fp, "unconfirmed"), cls, lang),
                                  indent=4)
            for n in d.notes:
                console.print(Text(f"  {_h('notes', lang)}{colon}{decision_note(n, lang)}", style="dim"))
        deciding = {fp for d in sub.decisions for fp in d.blocking + d.review}
        others = [f for f in ordered(sub.reviewed) if f.fingerprint not in deciding and not f.waived]
        if others:
            console.print(f"{_h('others', lang)}{colon}")
            for f in others:
                console.print(Padding(Text(_short(f, sub, lang)), (0, 0, 0, 2)))
        if sub.context:
            console.print(Text(_h("context", lang), style="dim"))
            for f in ordered(sub.context):
                console.print(Padding(Text(_short(f, sub, lang)), (0, 0, 0, 2)))
        waived = [f for f in sub.findings if f.waived]
        if waived:
            console.print(Text(f"{_h('waived_one', lang)}{colon}" + ", ".join(f"{f.rule} ({f.subject_id})"
                                                                           for f in waived), style="dim"))
        art46_block(console, sub, lang)
        for notice in sub.notices:
            _notice(console, notice, lang)
        console.print()
    return _text(console)


def _notice(console: Console, notice: dict[str, Any], lang: str) -> None:
    style = "yellow" if notice["level"] == "warning" else "dim"
    console.print(Text(safe_text(notice["message"][lang], 1000), style=style))

"""Human-readable table (rich): the default on a terminal."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..check import Report
from ..errors import safe_text
from ..findings import where
from ..i18n import SEVERITY, STATUS46, art46_citation, citation, enum_label, t
from ..sanctions import OUTCOME_TEXT, consequence_text
from . import RenderOptions

STYLE = {"violation": "bold red", "warning": "yellow", "insufficient": "cyan"}
HEAD = {
    "severity": ("Severity", "级别"), "article": ("Article", "条款"), "rule": ("Rule", "规则"),
    "subject": ("Subject", "对象"), "line": ("Line", "行"), "finding": ("Finding", "问题"),
    "summary": ("Summary", "汇总"), "decision": ("Art 44 decision", "第四十四条处理意见"),
    "none": ("No findings.", "未发现问题。"), "fix": ("Fix", "整改"), "missing": ("Supply", "需补充"),
    "passed": ("passed", "通过"), "na": ("not applicable", "不适用"), "waived": ("waived", "已豁免"),
}


def render(report: Report, options: RenderOptions) -> str:
    if options.command == "gate":
        return render_gate(report, options)
    lang = options.lang
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=options.color, no_color=not options.color,
                      width=options.width or 120, highlight=False, emoji=False)
    for sub in report.submissions:
        console.print(Text(f"{sub.file}" + (f"  ({sub.id})" if sub.id else ""), style="bold"))
        if sub.error is not None:  # the full list goes to stderr; here the first problem and a count
            problems = getattr(sub.error, "errors", [sub.error])
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            console.print(Text(safe_text(problems[0].render(), 500) + more, style="red"))
            console.print()
            continue
        if sub.findings:
            table = Table(show_lines=True, expand=True)
            table.add_column(t(HEAD["severity"], lang), no_wrap=True)
            table.add_column(t(HEAD["article"], lang) + " / " + t(HEAD["rule"], lang), overflow="fold", ratio=2)
            table.add_column(t(HEAD["subject"], lang), overflow="fold", ratio=2)
            table.add_column(t(HEAD["finding"], lang), overflow="fold", ratio=6)
            for f in sub.findings:
                sev = t(SEVERITY[f.severity], lang) + (" (" + t(HEAD["waived"], lang) + ")" if f.waived else "")
                body = Text(f.title[lang], style="bold")
                body.append("\n" + f.message[lang], style="")
                body.append(f"\n{t(HEAD['fix'], lang)}: {f.remediation[lang]}", style="dim")
                if f.waived:
                    w = f.waived
                    body.append(f"\n{t(HEAD['waived'], lang)}: {w['justification']} ({w['approved_by']}, "
                                f"{w['approval_ref']}, {w['expires']})", style="dim")
                if f.missing:
                    body.append(f"\n{t(HEAD['missing'], lang)}: " + ", ".join(
                        f"{m.path} ({where(t(HEAD['line'], lang), m.line, m.cell)})" for m in f.missing), style="cyan")
                table.add_row(
                    Text(sev, style=STYLE[f.severity]),
                    Text(citation(f.article, f.paragraph, None, lang), style="bold").append("\n" + f.rule, style="dim"),
                    f"{f.subject_type} {f.subject_id}\n{where(t(HEAD['line'], lang), f.line, f.cell)}" if f.line else
                    f"{f.subject_type} {f.subject_id}",
                    body,
                )
            console.print(table)
        else:
            console.print(t(HEAD["none"], lang))
        s = sub.summary()
        sev_counts = ", ".join(f"{s[k]} {t(SEVERITY[k], lang)}" for k in ("violation", "warning", "insufficient"))
        console.print(f"{t(HEAD['summary'], lang)}: {sev_counts}; {s['passed']} {t(HEAD['passed'], lang)}, "
                      f"{s['not_applicable']} {t(HEAD['na'], lang)}, {s['waived']} {t(HEAD['waived'], lang)}")
        for d in sub.decisions:
            outcome = t(OUTCOME_TEXT.get(d.outcome, (d.outcome, d.outcome)), lang)
            style = "red" if d.blocks else ("yellow" if d.outcome == "needs_review" else "green")
            stage = enum_label(d.stage, lang) if d.stage else "-"
            code = "" if lang == "zh" else f"{d.outcome} - "  # the code is for machines; zh readers get words
            console.print(Text(f"{t(HEAD['decision'], lang)} [{d.project}, {stage}]: {code}{outcome}", style=style))
            for c in d.consequences:
                console.print(f"  - {consequence_text(c, lang)}")
            for c in d.conditional:  # what follows if a reviewer confirms the B-review / unknown findings
                console.print(f"  - {consequence_text(c, lang, review=True)}")
        for notice in sub.notices:  # expired or unused waivers: reported, never an error
            _notice(console, notice, lang)
        items = sorted({(i, st) for f in sub.findings if not f.waived for i, st in f.art46})
        if items:
            console.print(", ".join(f"{art46_citation(i, lang)}: {t(STATUS46[st], lang)}" for i, st in items))
        for note in sub.engine_notes:
            console.print(Text(note, style="dim"))
        console.print()
    return buf.getvalue()


# ------------------------------------------------------------------------------------------- gate
def render_gate(report: Report, options: RenderOptions) -> str:
    """The Art 44 decision first, then the findings that decide it, then those a reviewer must judge."""
    from ..sanctions import decision_note, review_reason
    from .markdown import LABELS

    lang = options.lang

    def L(key: str) -> str:
        return t(LABELS[key], lang)

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=options.color, no_color=not options.color,
                      width=options.width or 120, highlight=False, emoji=False)
    for sub in report.submissions:
        console.print(Text(f"{sub.file}" + (f"  ({sub.id})" if sub.id else ""), style="bold"))
        if sub.error is not None:
            console.print(Text(safe_text(sub.error.render(), 4000), style="red"))
            console.print()
            continue
        by_fp = {f.fingerprint: f for f in sub.findings}
        for d in sub.decisions:
            state = "blocks" if d.blocks else ("needs_review" if d.outcome == "needs_review" else "allows")
            style = {"blocks": "bold red", "needs_review": "bold yellow", "allows": "bold green"}[state]
            stage = enum_label(d.stage, lang) if d.stage else "-"
            console.print(Text(f"{L('decisions')}: {L('project')} {d.project}, {L('stage')} {stage}"))
            outcome = t(OUTCOME_TEXT.get(d.outcome, (d.outcome, d.outcome)), lang)
            console.print(Text(f"  {L(state).upper()}: {outcome}", style=style))
            for title, codes, review in ((L("consequences"), d.consequences, False),
                                         (L("conditional"), d.conditional, True)):
                if codes:
                    console.print(f"  {title}:")
                    for c in codes:
                        console.print(f"    - {consequence_text(c, lang, review)}")
            if d.blocking:
                console.print(f"  {L('deciding')}:")
                for fp in d.blocking:
                    _gate_finding(console, by_fp[fp], lang, None)
            if d.review:
                console.print(Text(f"  {L('review')}:", style="yellow"))
                for fp in d.review:
                    f = by_fp[fp]
                    cls = "A" if f.art44_class == "A" else "B"
                    _gate_finding(console, f, lang, review_reason(d.reasons.get(fp, "unconfirmed"), cls, lang))
            for n in d.notes:
                console.print(Text(f"  {L('notes')}: {decision_note(n, lang)}", style="dim"))
        deciding = {fp for d in sub.decisions for fp in d.blocking + d.review}
        others = [f for f in sub.findings if f.fingerprint not in deciding and not f.waived]
        waived = [f for f in sub.findings if f.waived]
        if others:
            console.print(("其他问题（不影响第四十四条处理意见）：" if lang == "zh" else
                           "Other findings (no Art 44 consequence): ")
                          + ", ".join(f"{citation(f.article, f.paragraph, None, lang)} {f.rule} ({f.subject_id})"
                                      for f in others))
        if waived:
            console.print(Text(f"{L('waived')}: " + ", ".join(f"{f.rule} ({f.subject_id})" for f in waived),
                               style="dim"))
        for notice in sub.notices:
            _notice(console, notice, lang)
        console.print()
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())  # Padding pads lines


def _gate_finding(console: Console, f: Any, lang: str, why: str | None) -> None:
    from .markdown import ART44_CLASS, ENTITY_ZH

    line = "行" if lang == "zh" else "line"
    kind = ENTITY_ZH.get(f.subject_type, f.subject_type) if lang == "zh" else f.subject_type.replace("_", " ")
    head = Text(t(SEVERITY[f.severity], lang), style=STYLE[f.severity])
    head.append(f"  {citation(f.article, f.paragraph, None, lang)}  {f.rule}  {kind} {f.subject_id}, "
                f"{where(line, f.line, f.cell)}")
    body = Text(f"{f.title[lang]}: {f.message[lang]}")
    art46 = "; ".join(f"{art46_citation(i, lang)} {t(STATUS46[st], lang)}" for i, st in f.art46)
    cls = t(ART44_CLASS.get(f.art44_class, (f.art44_class, f.art44_class)), lang)
    body.append(f"\nArt 44 class {cls}; {art46}" if lang == "en" else f"\n第四十四条：{cls}；{art46}", style="dim")
    if why:
        body.append(f"\n{'原因' if lang == 'zh' else 'why'}: {why}", style="yellow")
    for m in f.missing:
        body.append(f"\n{t(HEAD['missing'], lang)}: {m.path} ({where(line, m.line, m.cell)}, {m.pointer})",
                    style="cyan")
    console.print(Padding(head, (0, 0, 0, 4), expand=False))
    console.print(Padding(body, (0, 0, 0, 6), expand=False))


def _notice(console: Console, notice: dict[str, Any], lang: str) -> None:
    style = "yellow" if notice["level"] == "warning" else "dim"
    console.print(Text(safe_text(notice["message"][lang], 1000), style=style))

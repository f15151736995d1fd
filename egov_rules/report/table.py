"""Human-readable table (rich): the default on a terminal."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..check import Report
from ..errors import safe_text
from ..i18n import SEVERITY, art46_citation, citation, t
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
                if f.missing:
                    body.append(f"\n{t(HEAD['missing'], lang)}: " + ", ".join(
                        f"{m.path} ({t(HEAD['line'], lang)} {m.line})" for m in f.missing), style="cyan")
                table.add_row(
                    Text(sev, style=STYLE[f.severity]),
                    Text(citation(f.article, f.paragraph, None, lang), style="bold").append("\n" + f.rule, style="dim"),
                    f"{f.subject_type} {f.subject_id}\n{t(HEAD['line'], lang)} {f.line}" if f.line else
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
            console.print(Text(f"{t(HEAD['decision'], lang)} [{d.project}, {d.stage}]: {d.outcome} - {outcome}",
                               style=style))
            for c in d.consequences:
                console.print(f"  - {consequence_text(c, lang)}")
        items = sorted({(i, st) for f in sub.findings if not f.waived for i, st in f.art46})
        if items:
            console.print(", ".join(f"{art46_citation(i, lang)}: {t(_status(st), lang)}" for i, st in items))
        for note in sub.engine_notes:
            console.print(Text(note, style="dim"))
        console.print()
    return buf.getvalue()


def _status(st: str) -> tuple[str, str]:
    from ..i18n import STATUS46

    return STATUS46[st]

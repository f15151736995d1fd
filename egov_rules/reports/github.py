"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

Escaping follows @actions/core (toolkit ``command.ts``): in the message ``%``, CR and LF are
percent-encoded; in properties ``:`` and ``,`` are too, or a title with a colon would end the property.
Waived findings are not annotated (they are accepted); input errors are ``::error`` at their position.
Context findings (review_scope.py) keep their level, titled "context:".  Each project's Art 44 decision is
one annotation at the project: ``::error`` when it blocks, ``::warning`` when it needs review, ``::notice``
when allowed; a unit review gets one ``::notice`` "no Art 44 decision (unit review)".
"""

from __future__ import annotations

from typing import Any

from ..check import Report
from ..decisions.findings import Finding
from ..decisions.sanctions import consequence_text
from ..errors import EgovError
from ..text.i18n import citation
from . import RenderOptions
from .model import NO_DECISION_TEXT, decision_headline
from .sanitize import clean_report
from .sarif import relative_path

COMMAND = {"violation": "error", "warning": "warning", "insufficient": "notice"}
# GitHub shows at most 10 annotations of each level per step; the rest are summed up in one notice and
# printed as plain log lines (docs/ci.md)
MAX_PER_LEVEL = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, *, file: str, line: int = 0, column: int = 0, title: str = "") -> str:
    props = []
    if not file.startswith("<"):  # stdin: an annotation without a file still shows in the run summary
        props.append(f"file={escape_property(relative_path(file))}")
        if line > 0:
            props.append(f"line={line}")
            props.append(f"col={max(column, 1)}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{name} {','.join(props)}" if props else f"::{name}"
    return f"{head}::{escape_data(message)}"


def finding_command(f: Finding, lang: str) -> str:
    fix = "整改" if lang == "zh" else "Remediation"
    title = f"{citation(f.article, f.paragraph, None, lang)} {f.title[lang]} [{f.rule}]"
    if f.context:  # about an entity the submission does not review: does not fail the check
        title = ("背景：" if lang == "zh" else "context: ") + title
    message = f"{f.message[lang]}\n{fix}{'：' if lang == 'zh' else ': '}{f.remediation[lang]}"
    if f.cell:  # a workbook has no lines: the annotation names the cell instead
        return command(COMMAND[f.severity], f"{f.cell}: {message}", file=f.file, title=title)
    return command(COMMAND[f.severity], message, file=f.file, line=f.line, column=f.column, title=title)


def error_commands(error: EgovError, file: str, lang: str = "en") -> list[str]:
    out = []
    for e in getattr(error, "errors", [error]):
        message = e.message + (f"; expected {e.expected}" if e.expected else "") + (
            f"; did you mean '{e.suggestion}'?" if e.suggestion else "")
        if e.field:
            message = f"field '{e.field}': {message}"
        kind = e.kind
        if lang == "zh":  # the Chinese message without its position (the annotation has it): kind: field: …
            from ..text.errors_zh import KINDS

            kind = KINDS.get(e.kind, e.kind)
            message = e.render("zh").removeprefix(f"{e.position}：").removeprefix(f"{kind}：")
        out.append(command("error", message, file=e.file or file, line=e.line, column=e.column,
                           title=f"egov-rules: {kind}"))
    return out


def decision_commands(sub: Any, lang: str) -> list[str]:
    heading = "第四十四条处理决定" if lang == "zh" else "Art 44 decision"
    if not sub.decisions:
        return [command("notice", NO_DECISION_TEXT[lang], file=sub.file, title=f"egov-rules: {heading}")]
    out = []
    for d in sub.decisions:
        level = "error" if d.blocks else "warning" if d.outcome == "needs_review" else "notice"
        line, column = sub.project_positions.get(str(d.project), (0, 0))
        message = "\n".join([decision_headline(d, lang),
                             *(consequence_text(c, lang) for c in d.consequences)])
        out.append(command(level, message, file=sub.file, line=line, column=column,
                           title=f"egov-rules: {heading} {d.project}"))
    return out


def render(report: Report, options: RenderOptions) -> str:
    report = clean_report(report)  # no control character reaches the log; newlines are %0A below
    return "\n".join(capped(_lines(report, options), options.lang)) + "\n"


def capped(lines: list[str], lang: str = "en") -> list[str]:
    """At most MAX_PER_LEVEL commands of each level; the rest as log lines, counted in one notice."""
    levels = ("error", "warning", "notice")
    wanted = {lv: sum(1 for x in lines if x.startswith(f"::{lv}")) for lv in levels}
    overflow = any(n > MAX_PER_LEVEL for n in wanted.values())
    limit = {lv: MAX_PER_LEVEL - (1 if overflow and lv == "notice" else 0) for lv in levels}
    shown = dict.fromkeys(levels, 0)
    left = dict.fromkeys(levels, 0)
    out: list[str] = []
    for x in lines:
        level = next((lv for lv in levels if x.startswith(f"::{lv}")), None)
        if level is None:
            out.append(x)
        elif shown[level] < limit[level]:
            shown[level] += 1
            out.append(x)
        else:
            left[level] += 1
            out.append("egov-rules (not annotated): " + x.split("::", 2)[-1].replace("%0A", " ").replace(
                "%0D", " ").replace("%25", "%"))
    if any(left.values()):
        total = sum(left.values())
        if lang == "zh":
            detail = "，".join(f"{n} 项{ {'error': '错误', 'warning': '警示', 'notice': '提示'}[lv] }"
                              for lv, n in left.items() if n)
            text = (f"另有 {total} 项问题未作标注（每级最多标注 {MAX_PER_LEVEL} 项）：{detail}；"
                    "见作业日志或机器可读报告。")
        else:
            detail = ", ".join(f"{n} {lv}{'s' if n != 1 else ''}" for lv, n in left.items() if n)
            text = (f"{total} more findings not annotated (GitHub shows at most {MAX_PER_LEVEL} per level): "
                    f"{detail}; see the job log or the JSON or SARIF report.")
        out.append(command("notice", text, file="<run>", title="egov-rules"))
    return out


def _lines(report: Report, options: RenderOptions) -> list[str]:
    # the decisions first: under the per-level cap they are what a reviewer of the run must see
    lines: list[str] = [x for sub in report.submissions if sub.error is None
                        for x in decision_commands(sub, options.lang)]
    totals = {"violation": 0, "warning": 0, "insufficient": 0}
    errors = 0
    for sub in report.submissions:
        if sub.error is not None:
            errors += 1
            lines += error_commands(sub.error, sub.file, options.lang)
            continue
        for f in sub.findings:
            if f.waived:
                continue
            totals[f.severity] += 1
            lines.append(finding_command(f, options.lang))
        for n in sub.notices:  # expired or unused waivers: at the waiver
            lines.append(command("warning" if n.get("level") == "warning" else "notice", n["message"][options.lang],
                                 file=str(n.get("file") or sub.file), line=int(n.get("line") or 0),
                                 column=int(n.get("column") or 0), title=f"egov-rules: {n['kind']}"))
    # a plain log line (not a command): what a reader of the job log sees first
    lines.append(f"egov-rules: {len(report.submissions)} submissions checked, {errors} could not be checked; "
                 + ", ".join(f"{n} {k}" for k, n in totals.items()))
    return lines

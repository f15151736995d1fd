"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

Escaping follows @actions/core (toolkit ``command.ts``): in the message ``%``, CR and LF are
percent-encoded; in properties ``:`` and ``,`` are too, or a title with a colon would end the property.
Waived findings are not annotated (they are accepted); input errors are ``::error`` at their position.
"""

from __future__ import annotations

from ..check import Report
from ..errors import EgovError
from ..findings import Finding
from ..i18n import citation
from . import RenderOptions
from .sarif import relative_path

COMMAND = {"violation": "error", "warning": "warning", "insufficient": "notice"}


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
    message = f"{f.message[lang]}\n{fix}: {f.remediation[lang]}"
    if f.cell:  # a workbook has no lines: the annotation names the cell instead
        return command(COMMAND[f.severity], f"{f.cell}: {message}", file=f.file, title=title)
    return command(COMMAND[f.severity], message, file=f.file, line=f.line, column=f.column, title=title)


def error_commands(error: EgovError, file: str) -> list[str]:
    out = []
    for e in getattr(error, "errors", [error]):
        message = e.message + (f"; expected {e.expected}" if e.expected else "") + (
            f"; did you mean '{e.suggestion}'?" if e.suggestion else "")
        if e.field:
            message = f"field '{e.field}': {message}"
        out.append(command("error", message, file=e.file or file, line=e.line, column=e.column,
                           title=f"egov-rules: {e.kind}"))
    return out


def render(report: Report, options: RenderOptions) -> str:
    lines: list[str] = []
    totals = {"violation": 0, "warning": 0, "insufficient": 0}
    errors = 0
    for sub in report.submissions:
        if sub.error is not None:
            errors += 1
            lines += error_commands(sub.error, sub.file)
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
    return "\n".join(lines) + "\n"

"""Free text from a submission or a side file made safe for terminals, CI logs and pages.

Submissions are hostile: a name or a standards deviation may carry ESC/CSI sequences (``\\x1b[2J``), OSC 8
hyperlinks, C1 controls (``\\x9b`` is a one-byte CSI), a bare ``\\r`` that overwrites the line, a newline
that starts a forged ``::error`` workflow command, or bidi overrides (U+202E) that reorder what a reviewer
reads.  Every such character is shown visibly as its escape (``\\x1b``, ``\\r``, ``\\u202e``) instead of
being dropped, so a reader sees that the input held it.  The escapes are plain ASCII: the result is still
safe for HTML and Markdown escaping, and cleaning twice changes nothing.

One function for every human format (table, gate, explain, github, markdown, html), for error messages
that echo input (``errors.safe_text``) and for the service and workbench templates (``finalize``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..check import Report

# C0 controls except tab and newline, DEL, C1 controls (0x80-0x9f, among them NEL and the 8-bit CSI),
# Unicode line/paragraph separators (some log viewers break lines on them), bidi embeddings, overrides,
# isolates and marks (the "Trojan Source" set), and lone surrogates (unprintable in UTF-8).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")
_UNSAFE_OR_NEWLINE = re.compile(_UNSAFE.pattern[:-1] + "\n]")
_NAMED = {"\r": "\\r", "\n": "\\n", "\x1b": "\\x1b"}
# A line that starts (after blanks) with "::" or "##[" is a workflow command to the GitHub runner, which
# reads every line of a job's output: such a line in a value gets a visible backslash in front.
_COMMAND_LINE = re.compile(r"^([ \t]*)(::|##\[)", re.MULTILINE)


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, *, newlines: bool = True) -> str:
    """``text`` with every control, separator and bidi character shown as its escape.

    ``newlines=False`` escapes line feeds too, for places where one line must stay one line."""
    pattern = _UNSAFE if newlines else _UNSAFE_OR_NEWLINE
    out = pattern.sub(_visible, text) if pattern.search(text) else text
    return _COMMAND_LINE.sub(r"\1\\\2", out) if ("::" in out or "##[" in out) else out


def is_clean(text: str, *, newlines: bool = True) -> bool:
    return clean(text, newlines=newlines) is text


T = TypeVar("T")


def clean_value(value: T) -> T:
    """A copy of ``value`` (strings, lists, tuples, dicts, dataclasses, errors) with every string cleaned.

    Renderers call this on what they print, so no field of a finding, a decision, a notice or an error
    can reach the output unescaped, whatever the renderer's wording does with it."""
    return _clean_any(value)  # type: ignore[no-any-return]


def _clean_any(value: Any) -> Any:
    """Cleaned copy; the very same object when nothing in it needed cleaning (the common case: cheap)."""
    if isinstance(value, str):
        cleaned = clean(value)
        if cleaned is value:
            return value
        return cleaned if type(value) is str else type(value)(cleaned)  # Markup, Raw: keep the kind
    if isinstance(value, (list, tuple)):
        items = [_clean_any(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        pairs = [(_clean_any(k), _clean_any(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    if isinstance(value, BaseException):
        return _clean_error(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _fields(type(value)):
            old = getattr(value, name)
            new = _clean_any(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


# fields a renderer never prints and that hold live objects (compiled rules, fact environments)
_KEEP = frozenset({"runs", "rulebook"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.init and f.name not in _KEEP)
    return names


def _clean_error(error: BaseException) -> BaseException:
    from copy import copy

    from ..errors import EgovError, Position

    if not isinstance(error, EgovError):
        return error
    out = copy(error)
    out.message = clean(error.message)
    out.position = Position(clean(error.file), error.line, error.column)
    for name in ("field", "expected", "suggestion"):
        text = getattr(error, name)
        setattr(out, name, clean(text) if text is not None else None)
    if hasattr(error, "errors"):
        out.errors = [_clean_error(e) for e in error.errors]  # type: ignore[attr-defined]
    return out


def clean_report(report: Report) -> Report:
    """The report with every string a human format prints cleaned (the rulebook object is shared)."""
    return dataclasses.replace(report, submissions=clean_value(report.submissions),
                               baseline=clean(report.baseline) if report.baseline else report.baseline)


def finalize(value: Any) -> Any:
    """A Jinja ``finalize`` for pages (service, workbench): cleans strings, keeps ``Markup`` safe.

    ``Environment(autoescape=True, finalize=finalize)``; the escapes added are ASCII letters, digits and
    backslashes, so a ``Markup`` stays safe markup after cleaning."""
    if isinstance(value, str):
        return _clean_any(value)
    return value


def json_text(text: str) -> str:
    """Serialised JSON with every unsafe character written as its ``\\uXXXX`` escape.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but leaves C1 controls (``\\x9b``),
    bidi overrides and lone surrogates raw, and JSON is what a CI log shows by default.  Outside strings
    JSON is ASCII, so the replacement only touches string contents and decodes to the same data."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _UNSAFE.search(text) else text

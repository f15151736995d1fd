"""One error hierarchy for the whole tool.

Every error a user can cause is an ``EgovError`` that knows its exit code and renders a one-paragraph
message naming the file, line, column and field.  The CLI turns these into clean messages; anything
else that escapes is a bug and becomes exit code 70 (see ``cli``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_REVIEW = 3
EXIT_INTERNAL = 70


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest valid name to a misspelt one, or None when nothing is close (never ``name`` itself).
    Case is ignored when comparing: ``Id`` or ``ART17-...`` is one step from ``id`` or ``art17-...``."""
    import difflib  # only for a message: a check of a valid file never needs it

    by_folded: dict[str, str] = {}
    for candidate in sorted(set(candidates)):
        if candidate != name:
            by_folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(name.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[matches[0]] if matches else None


def safe_text(text: object, limit: int = 200) -> str:
    """Text from an input file made safe to print on one line: controls, separators and bidi characters
    escaped (``reports.sanitize``), length bounded."""
    from .reports.sanitize import clean

    s = clean(str(text)[: limit * 2], newlines=False)  # bound the work on a huge hostile value first
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass(frozen=True)
class Wording:
    """One message (or expected text) in both languages, side by side: the one source of its words.
    ``WORDING(name=value)`` says it with parameters; ``{name}`` in each template takes them.  ``code``: the
    stable name a program matches on where the service sends it (``review_not_found``), never reworded."""

    en: str
    zh: str
    code: str = ""

    def __call__(self, **params: object) -> Said:
        return Said(self, params)


@dataclass(frozen=True)
class Local:
    """A parameter that reads differently per language: a sheet's key in English, its label in Chinese."""

    en: str
    zh: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Said:
    """A ``Wording`` with its parameters, rendered per language; ``str()`` is the English."""

    wording: Wording
    params: dict[str, object]

    def text(self, lang: str) -> str:
        template = self.wording.zh if lang == "zh" else self.wording.en
        return template.format(**{k: v.text(lang) if isinstance(v, (Local, Said)) else v
                                  for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.text("en")


@dataclass
class Position:
    """A place in an input file; line and column are 1-based, 0 when unknown."""

    file: str
    line: int = 0
    column: int = 0
    cell: str | None = None  # in a workbook: 'sheet'!C7 (line and column are then its row and column)

    def __str__(self) -> str:
        from .reports.sanitize import clean

        file = clean(self.file, newlines=False)  # a newline in a file name must not start a forged message line
        if self.cell:
            return f"{file}: {self.cell}"
        if self.line:
            return f"{file}:{self.line}:{self.column}"
        return file


class EgovError(Exception):
    """Base of every error the tool reports on purpose."""

    exit_code = EXIT_INPUT
    kind = "error"
    show_expected = True  # False where the message itself already says what was expected

    def __init__(
        self,
        message: str | Said,
        *,
        file: str = "<input>",
        line: int = 0,
        column: int = 0,
        field: str | None = None,
        expected: str | Said | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.position = Position(file, line, column)
        self.field = field
        self.expected = None if expected is None else str(expected)
        self.suggestion = suggestion
        # said by a Wording: rendered in Chinese from its own entry, not matched against errors_zh.PATTERNS
        self.said = message if isinstance(message, Said) else None
        self.expected_said = expected if isinstance(expected, Said) else None

    @property
    def file(self) -> str:
        return self.position.file

    @property
    def line(self) -> int:
        return self.position.line

    @property
    def column(self) -> int:
        return self.position.column

    def render(self, lang: str = "en") -> str:
        """``file:line:col: error: field 'x': message (expected …; did you mean …?)``; ``lang="zh"``: in Chinese."""
        if lang == "zh":
            return self._render_zh()
        parts = [f"{self.position}: {self.kind}: "]
        if self.field:
            parts.append(f"field '{safe_text(self.field)}': ")
        parts.append(self.message)
        if self.expected and self.show_expected:
            parts.append(f"; expected {self.expected}")
        if self.suggestion:
            parts.append(f"; did you mean '{safe_text(self.suggestion)}'?")
        from .reports.sanitize import clean  # messages may quote the input: never a raw control character

        return clean("".join(parts))

    def _render_zh(self) -> str:
        from .text.errors_zh import KINDS, field_label_zh, limit_option

        # without a file (<input> in English: an option, a request parameter) the kind comes first
        where = "" if str(self.position) == "<input>" else f"{self.position}："
        parts = [f"{where}{KINDS.get(self.kind, self.kind)}："]
        option = limit_option(self.field) if self.kind == LimitExceeded.kind else None
        if option:  # a limit's field is its setting: named by the option that raises it
            parts.append(f"限制项 {option}：")
        elif self.field:
            label = field_label_zh(self.field)
            parts.append(f"字段“{safe_text(self.field)}”" + (f"（{label}）" if label else "") + "：")
        parts.append(self.message_text("zh"))
        if self.expected and self.show_expected:
            parts.append("；应为" + self.expected_text("zh"))
        if self.suggestion:
            parts.append(f"；是否应为“{safe_text(self.suggestion)}”？")
        from .reports.sanitize import clean

        return clean("".join(parts))

    def detail(self, lang: str = "en") -> str:
        """What ``render`` says after the position and the kind: the field, message, expected value and
        suggestion (a SARIF notification carries the position and kind apart)."""
        full = self.render(lang)
        if lang == "zh":
            from .text.errors_zh import KINDS

            where = "" if str(self.position) == "<input>" else f"{self.position}："
            head = f"{where}{KINDS.get(self.kind, self.kind)}："
        else:
            head = f"{self.position}: {self.kind}: "
        return full[len(head):] if full.startswith(head) else full

    def message_text(self, lang: str) -> str:
        """The message alone (no position, field or expected) in ``lang``: its Wording's, else the pattern's."""
        if lang != "zh":
            return self.message
        # a Wording holds only while the text is still its own (report.sanitize may have cleaned a copy)
        said = getattr(self, "said", None)
        if said is not None and str(said) == self.message:
            return str(said.text("zh"))
        from .text.errors_zh import message_zh

        return message_zh(self.message)

    def expected_text(self, lang: str) -> str:
        """What was expected (``""`` when nothing is said) in ``lang``: its Wording's, else the table's."""
        if not self.expected or lang != "zh":
            return self.expected or ""
        said = getattr(self, "expected_said", None)
        if said is not None and str(said) == self.expected:
            return str(said.text("zh"))
        from .text.errors_zh import expected_zh

        return expected_zh(self.expected)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "expected": self.expected,
            "suggestion": self.suggestion,
            **({"cell": self.position.cell} if self.position.cell else {}),
        }

    def __str__(self) -> str:
        return self.render()


class InputError(EgovError):
    """A submission (or other input document) cannot be read or is invalid."""

    kind = "invalid input"


class LimitExceeded(InputError):
    """An input is larger, deeper or slower than a configured limit allows."""

    kind = "limit exceeded"


class RuleFileError(EgovError):
    """A rule file (or the rulebook as a whole) is invalid. Never skipped silently."""

    kind = "invalid rule"


class ConfigError(EgovError):
    """Configuration, waivers, registry or a command-line option is invalid."""

    kind = "invalid configuration"


class UsageError(EgovError):
    """A bad command-line option or argument."""

    kind = "usage"


class OutputError(EgovError):
    """The report cannot be written (missing or read-only directory, full disk): nothing was written."""

    kind = "cannot write output"


class NotChecked(EgovError):
    """A file of a batch could not be checked because its worker process died (killed, out of memory)."""

    kind = "not checked"


class Interrupted(BaseException):  # like KeyboardInterrupt: not an error of the input
    """SIGINT or SIGTERM arrived: unwind (temporary files removed, workers stopped), exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class InternalError(Exception):
    """A bug: never shown as exit 0-3."""

    exit_code = EXIT_INTERNAL


class InputErrors(InputError):
    """Several problems found in one document; reported together, most precise first."""

    def __init__(self, errors: list[EgovError]) -> None:
        if not errors:
            raise ValueError("InputErrors needs at least one error")
        first = errors[0]
        super().__init__(
            getattr(first, "said", None) or first.message,
            file=first.file,
            line=first.line,
            column=first.column,
            field=first.field,
            expected=getattr(first, "expected_said", None) or first.expected,
            suggestion=first.suggestion,
        )
        self.errors = errors
        self.kind = first.kind
        self.position.cell = first.position.cell

    def render(self, lang: str = "en") -> str:
        return "\n".join(e.render(lang) for e in self.errors)

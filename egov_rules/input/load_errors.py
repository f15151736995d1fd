"""The loader's errors: syntax errors by format, a bad scalar, a limit named by its option, and the
helpers that keep a message short and its position exact whatever a hostile file holds."""

from __future__ import annotations

from ..errors import InputError, LimitExceeded, safe_text
from .load_base import Limits


class _JsonSyntaxError(InputError):
    """JSON syntax error: when the format was only sniffed, YAML gets a try before this is reported."""


class _YamlSyntaxError(InputError):
    """YAML syntax error (from the parser)."""


class _BadScalar(Exception):
    """Raised by scalar resolution; turned into an InputError where the scalar's position is known."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


def _limit(
    source: str,
    name: str,
    limits: Limits,
    what: str,
    line: int = 0,
    column: int = 0,
    pointer: str | None = None,
) -> LimitExceeded:
    option = Limits.OPTIONS[name]
    return LimitExceeded(
        f"{what} (raise with {option})", file=source, line=line, column=column, field=_field(pointer)
    )


def _clip(text: str, limit: int) -> str:
    """``safe_text`` that looks at no more of a (possibly huge, hostile) string than it shows."""
    return safe_text(text[: limit + 1], limit)


def _field(pointer: str | None) -> str | None:
    """An error's field: a pointer, shortened when hostile keys make it huge (rendering scans it whole)."""
    if not pointer:
        return None
    return pointer if len(pointer) <= 500 else pointer[:500] + "…"


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset (the bytes before it must be valid UTF-8)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column

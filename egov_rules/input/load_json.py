"""JSON into the builder: RFC 8259 (no NaN or Infinity, no duplicate keys), every value and key located.

A valid document is read by ``load_fast.read_json`` (the C decoder and one scan for positions); anything
it declines, errors included, by the iterative parser here, which feeds ``load_builder``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from ..errors import InputError, safe_text
from .load_builder import _Builder
from .load_errors import _clip, _JsonSyntaxError

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SIMPLE_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')  # the common case: no escapes, no control characters
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS: tuple[tuple[str, Any], ...] = (("true", True), ("false", False), ("null", None))
_NON_FINITE = ("NaN", "Infinity", "-Infinity")
_VALUE, _AFTER, _KEY, _KEY_OR_END, _VALUE_OR_END, _COLON = range(6)


def _json(text: str, b: _Builder, fast: bool) -> _Builder:
    """A valid document through load_fast (the C decoder and one scan for positions), else the reference
    (always, when ``fast`` is off: ``load.FAST_PATH``)."""
    if not fast:
        return _parse_json(text, b)
    from .load_fast import Fallback, JsonWhere, read_json  # imported here: it imports from this module

    try:
        b.root, b.index = read_json(text, b.source, b.limits, b.deadline)
    except Fallback:
        return _parse_json(text, b)
    b.where = JsonWhere(text)
    return b


def _parse_json(text: str, b: _Builder) -> _Builder:
    """An iterative RFC 8259 parser that records the line/column of every value and key."""
    pos, n, line, line_start = 0, len(text), 1, 0
    state = _VALUE
    stack = b.stack

    def fail(
        message: str, at: int, expected: str | None = None, cls: type[InputError] = _JsonSyntaxError
    ) -> NoReturn:
        ln = text.count("\n", 0, at) + 1
        raise b.error(message, ln, at - text.rfind("\n", 0, at), expected=expected, cls=cls)

    def found(at: int) -> str:
        return f"found {safe_text(repr(text[at : at + 10]), 40)}" if at < n else "found the end of the file"

    def string(at: int) -> tuple[str, int]:
        m = _SIMPLE_STRING.match(text, at)
        if m is not None:
            return m.group(1), m.end()
        try:
            s, end = json.decoder.scanstring(text, at + 1, True)  # type: ignore[attr-defined]  # C implementation; validates escapes
        except json.JSONDecodeError as exc:
            fail(f"invalid JSON string: {exc.msg}", exc.pos, "a string in double quotes with valid escapes")
        if _SURROGATE.search(s):
            fail("invalid JSON string: \\u escape is a lone surrogate", at, "valid Unicode escapes")
        return s, end

    while True:
        end = _WS.match(text, pos).end()  # type: ignore[union-attr]  # always matches (may be empty)
        if end != pos:  # newlines only ever occur in whitespace (never raw in strings), so track lines here
            nl = text.rfind("\n", pos, end)
            if nl >= 0:
                line += text.count("\n", pos, end)
                line_start = nl + 1
            pos = end
        if pos >= n:
            if state == _AFTER and not stack:
                return b
            fail("invalid JSON: unexpected end of file", pos, "the rest of the document")
        c = text[pos]
        col = pos - line_start + 1
        if state in (_VALUE, _VALUE_OR_END):
            if c == "]" and state == _VALUE_OR_END:
                b.close()
                pos += 1
                state = _AFTER
            elif not stack and c != "{":
                kind = "a list" if c == "[" else "a scalar"
                # a syntax-class error: when sniffed, '[a]: b' still gets its try as YAML
                raise b.error(
                    f"the top level must be a mapping of entity lists; found {kind}",
                    line,
                    col,
                    "",
                    "a JSON object",
                    _JsonSyntaxError,
                )
            elif c == '"':
                s, pos = string(pos)
                b.add(s, line, col)
                state = _AFTER
            elif c == "{":
                b.open({}, line, col)
                pos += 1
                state = _KEY_OR_END
            elif c == "[":
                b.open([], line, col)
                pos += 1
                state = _VALUE_OR_END
            else:
                for word in _NON_FINITE:
                    if text.startswith(word, pos):
                        fail(f"{word} is not allowed in JSON (RFC 8259)", pos, "a finite number", InputError)
                m = _NUMBER.match(text, pos)
                if m is not None:
                    token = m.group()
                    if m.group(1) or m.group(2):
                        value: Any = float(token)
                        if not math.isfinite(value):
                            fail(
                                f"number {_clip(token, 40)} is out of range",
                                pos,
                                "a finite number",
                                InputError,
                            )
                    else:
                        try:
                            value = int(token)
                        except ValueError:  # more than 4300 digits
                            fail(
                                "integer has too many digits",
                                pos,
                                "an integer of at most 4300 digits",
                                InputError,
                            )
                    pos = m.end()
                else:
                    for word, literal in _LITERALS:
                        if text.startswith(word, pos):
                            value = literal
                            pos += len(word)
                            break
                    else:
                        fail(
                            f"invalid JSON: expected a value, {found(pos)}",
                            pos,
                            "a string, number, object, array, true, false or null",
                        )
                b.add(value, line, col)
                state = _AFTER
        elif state == _AFTER:
            if not stack:
                fail(
                    f"invalid JSON: trailing data after the document, {found(pos)}",
                    pos,
                    "the end of the file",
                )
            is_map = stack[-1].is_map
            if c == ",":
                pos += 1
                state = _KEY if is_map else _VALUE
            elif c == ("}" if is_map else "]"):
                b.close()
                pos += 1
            else:
                fail(f"invalid JSON: expected ',' or '{'}' if is_map else ']'}', {found(pos)}", pos)
        elif state in (_KEY, _KEY_OR_END):
            if c == "}" and state == _KEY_OR_END:
                b.close()
                pos += 1
                state = _AFTER
                continue
            if c != '"':
                fail(f"invalid JSON: expected a key in double quotes, {found(pos)}", pos, "a string key")
            key, pos = string(pos)
            b.key(key, line, col)
            state = _COLON
        else:  # _COLON
            if c != ":":
                fail(f"invalid JSON: expected ':' after the key, {found(pos)}", pos, "':'")
            pos += 1
            state = _VALUE

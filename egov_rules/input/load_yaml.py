"""YAML into the builder: libyaml's (or PyYAML's) parser events, read as YAML 1.2.

Only the event parser is used: no PyYAML constructor runs.  Plain scalars follow the YAML 1.2 core schema
(``_plain``), not PyYAML's 1.1 resolvers; tags are refused, anchors and aliases unless allowed; NEL, LS and
PS are not line breaks (``_Yaml12Text``), so lines are counted as editors count them.  The common case is
read by ``load_fast.read_yaml``; the rest, errors included, by ``_yaml_events`` into ``load_builder``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from ..errors import InputError, LimitExceeded, safe_text
from .load_builder import _Builder, _kind
from .load_errors import _BadScalar, _clip, _line_col, _YamlSyntaxError

_LIBYAML_MAX_DEPTH = 1000  # libyaml refuses deeper nesting by itself ("exceeded maximum nesting depth")

_NULLS_BOOLS: dict[str, Any] = {
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
_MAYBE_NOT_STR = frozenset("0123456789+-.~nNtTfF")  # first characters of every non-string plain scalar
_WORD_FIRST = frozenset("~nNtTfF")  # ... of the nulls and booleans, and of no number
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NONFINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


def _plain(s: str) -> Any:
    """Resolve a plain (unquoted, untagged) scalar by the YAML 1.2 core schema; anything else is a string."""
    if not s:
        return None
    first = s[0]
    if first not in _MAYBE_NOT_STR:
        return s
    if first in _WORD_FIRST:  # no number starts so: a null, a boolean or a string, without the regexes
        return _NULLS_BOOLS.get(s, s)
    try:
        if _INT.fullmatch(s):
            return int(s)
        if _OCT.fullmatch(s) or _HEX.fullmatch(s):
            if len(s) > 3002:  # keep ints printable: str() refuses more than 4300 decimal digits
                raise ValueError
            return int(s[2:], 8 if s[1] == "o" else 16)
    except ValueError:  # Python refuses int() of more than 4300 decimal digits
        raise _BadScalar("integer has too many digits", "an integer of at most 4300 digits") from None
    if _FLOAT.fullmatch(s):
        f = float(s)
        if math.isfinite(f):
            return f
        raise _BadScalar(f"number {_clip(s, 40)} is out of range", "a finite number")
    if _NONFINITE.fullmatch(s):
        raise _BadScalar(f"{s} is not allowed (not a finite number)", "a finite number")
    return s


def _tag_text(tag: str) -> str:
    return "!!" + tag[18:] if tag.startswith("tag:yaml.org,2002:") else tag


_YAML11_BREAKS = "\x85\u2028\u2029"  # line breaks to YAML 1.1 parsers (libyaml), not to YAML 1.2 or editors


class _Yaml12Text:
    """The text libyaml reads, made to follow YAML 1.2 and editors where libyaml follows YAML 1.1.

    libyaml ends a line at NEL, U+2028 and U+2029 (folding them to a space in quoted strings), so every
    later line number would be off from what an editor shows.  Each is replaced by a private-use character
    that the text does not contain (one character for one: indexes and columns unchanged) and put back in
    the values read.  (A BOM after the start needs nothing: libyaml counts it as the character it is.)
    """

    def __init__(self, text: str) -> None:
        free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
        self.forward = {ord(c): next(free) for c in _YAML11_BREAKS if c in text}
        self.back = {ord(v): chr(k) for k, v in self.forward.items()}
        self.text = text.translate(self.forward)

    @staticmethod
    def needed(text: str) -> bool:
        return any(c in text for c in _YAML11_BREAKS)

    def events(self, get_event: Any) -> Any:
        back = self.back

        def get() -> Any:
            event = get_event()
            if type(event) is ScalarEvent:
                event.value = event.value.translate(back)
            return event

        return get


def _parse_yaml(text: str, raw: bytes, b: _Builder, libyaml: Any, fast: bool) -> _Builder:
    """``libyaml``: its event parser class, or None for PyYAML's own; ``fast``: try load_fast first
    (both switches are ``load.py``'s, where tests set them)."""
    use_c = libyaml is not None
    parser: Any = None
    lines = _Yaml12Text(text) if _Yaml12Text.needed(text) else None
    if lines is not None:
        text = lines.text
    if fast and _fast_yaml(text, libyaml, lines, b):
        return b
    try:
        # SafeLoader: only its event parser is used (its reader checks the text, so construct inside the try)
        parser = libyaml(text) if use_c else yaml.SafeLoader(text)
        _yaml_events(parser.get_event if lines is None else lines.events(parser.get_event), b)
    except yaml.MarkedYAMLError as exc:
        mark: Any = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = str(exc.problem or exc.context or "invalid YAML")
        if (
            "maximum nesting depth" in problem
        ):  # libyaml's own cap; its scanner reads ahead, so it can come first
            if b.limits.max_depth < _LIBYAML_MAX_DEPTH:
                raise b.limit(
                    "max_depth", f"nesting depth exceeds {b.limits.max_depth}", line, col, ""
                ) from None
            # PyYAML's pure-Python parser has no cap but is cubic on deep flow nesting: not a way out
            raise LimitExceeded(
                f"nesting depth exceeds {_LIBYAML_MAX_DEPTH}, the most the YAML parser accepts "
                "(--max-depth cannot raise it; JSON input has no such cap)",
                file=b.source,
                line=line,
                column=col,
            ) from None
        message = f"invalid YAML syntax: {safe_text(problem)}"
        context_mark: Any = exc.context_mark
        if exc.context and exc.problem:
            message += f" ({safe_text(exc.context)}"
            if context_mark is not None and context_mark.line + 1 != line:
                message += f" started at line {context_mark.line + 1}"
            message += ")"
        raise _YamlSyntaxError(message, file=b.source, line=line, column=col) from None
    except yaml.reader.ReaderError as exc:
        # libyaml reports a UTF-8 byte offset, the Python reader a character offset
        if use_c:
            line, col = _line_col(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw, exc.position)
        else:
            line = text.count("\n", 0, exc.position) + 1
            col = exc.position - text.rfind("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _YamlSyntaxError(
            f"character U+{code:04X} is not allowed in YAML (control character)",
            file=b.source,
            line=line,
            column=col,
            expected="printable text",
        ) from None
    except yaml.YAMLError as exc:  # anything else PyYAML may raise: a clean message, never a repr dump
        raise _YamlSyntaxError(f"invalid YAML: {safe_text(exc)}", file=b.source) from None
    finally:
        if parser is not None:
            parser.dispose()
    return b


def _fast_yaml(text: str, libyaml: Any, lines: _Yaml12Text | None, b: _Builder) -> bool:
    """Read the common case in load_fast's one loop; False when the reference builder must read it."""
    from .load_fast import Fallback, read_yaml, yaml_where  # imported here: it imports from this module

    parser: Any = None
    try:
        parser = libyaml(text) if libyaml is not None else yaml.SafeLoader(text)
        b.root, b.index = read_yaml(
            parser.get_event, b.source, b.limits, b.deadline, None if lines is None else lines.back
        )
        b.where = yaml_where
        return True
    except (Fallback, yaml.YAMLError):  # constructing the parser may raise too (its reader checks the text)
        return False
    finally:
        if parser is not None:
            parser.dispose()


def _yaml_events(get_event: Any, b: _Builder) -> None:
    mark: Any
    get_event()  # StreamStart
    event = get_event()
    if type(event) is StreamEndEvent:  # nothing but comments / blank lines
        raise InputError(
            "empty document", file=b.source, line=1, column=1, expected="a mapping of entity lists"
        )
    event = get_event()  # the root node
    mark = event.start_mark
    if type(event) is ScalarEvent and not event.style and not event.value and event.tag is None:
        raise InputError(
            "empty document",
            file=b.source,
            line=mark.line + 1,
            column=mark.column + 1,
            expected="a mapping of entity lists",
        )
    try:
        while True:
            cls = type(event)
            mark = event.start_mark
            line = mark.line + 1
            col = mark.column + 1
            if cls is ScalarEvent:
                if event.tag is not None:
                    raise _tag_error(b, event.tag, line, col)
                if event.anchor is not None and not b.limits.max_aliases:
                    raise _anchor_error(b, "&", event.anchor, line, col)
                value = event.value
                if not event.style:  # plain; quoted scalars are always strings
                    value = _plain(value)
                if not b.stack:
                    raise b.error(
                        f"the top level must be a mapping of entity lists; found {_kind(value)}",
                        line,
                        col,
                        "",
                        "a mapping such as 'submission: {...}'",
                    )
                b.scalar(value, line, col, event.anchor)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if event.tag is not None:
                    raise _tag_error(b, event.tag, line, col)
                if event.anchor is not None and not b.limits.max_aliases:
                    raise _anchor_error(b, "&", event.anchor, line, col)
                b.open({} if cls is MappingStartEvent else [], line, col, event.anchor)
            elif cls is AliasEvent:
                if not b.limits.max_aliases:
                    raise _anchor_error(b, "*", event.anchor, line, col)
                if not b.stack:
                    raise b.error(
                        "the top level must be a mapping of entity lists; found an alias",
                        line,
                        col,
                        "",
                        "a mapping",
                    )
                b.alias(event.anchor, line, col)
            elif b.close():  # MappingEnd / SequenceEnd
                break
            event = get_event()
    except _BadScalar as exc:
        raise b.error(exc.message, line, col, expected=exc.expected) from None
    get_event()  # DocumentEnd
    event = get_event()
    if type(event) is DocumentStartEvent:
        mark = event.start_mark
        raise InputError(
            f"one document expected; a second document starts at line {mark.line + 1}",
            file=b.source,
            line=mark.line + 1,
            column=mark.column + 1,
            expected="a single YAML document (no second '---')",
        )


def _tag_error(b: _Builder, tag: str, line: int, col: int) -> InputError:
    return b.error(
        f"YAML tags are not allowed (found '{_clip(_tag_text(tag), 80)}')",
        line,
        col,
        expected="plain values without '!' tags",
    )


def _anchor_error(b: _Builder, sigil: str, name: str, line: int, col: int) -> InputError:
    return b.error(
        f"YAML anchors and aliases are not allowed (found '{sigil}{_clip(name, 60)}'; "
        f"--max-aliases N accepts up to N alias uses)",
        line,
        col,
        expected="each value written out in full",
    )

"""Stage 1 of load → validate → compile → evaluate → report: read one YAML or JSON document.

Returns plain JSON-like data plus the 1-based line/column of every node (keyed by RFC 6901 pointer), so later
stages can point into the file.  Submissions come from many vendors and some are hostile, so:

* YAML is read as a stream of parser *events* (libyaml when available) and the data is built here,
  iteratively: no PyYAML constructor ever runs (nothing can execute code), scalars follow the YAML 1.2 core
  schema rather than PyYAML's 1.1 resolvers, and depth, node, entity, alias and time limits are checked
  *while* building, so a bomb or a 100,000-deep nesting fails fast without recursion.
* JSON is read by a small position-tracking parser (RFC 8259: no NaN/Infinity, no duplicate keys).

The common case of both (no tags, anchors or aliases; valid JSON) is read by ``load_fast`` in one tight loop
into the same data, its positions kept in tables (``load_index.IndexedDocument``); anything else, errors
included, is read again by the builder here, the reference, so every message is the reference's.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar, NoReturn

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .errors import InputError, LimitExceeded, safe_text

# libyaml's event parser (only its get_event is used): C speed; the pure-Python parser is the fallback
_FastParser: Any = getattr(yaml, "CSafeLoader", None)

_LIBYAML_MAX_DEPTH = 1000  # libyaml refuses deeper nesting by itself ("exceeded maximum nesting depth")
_POINTER_BUDGET = 8  # total characters of all pointers per byte of --max-bytes
# the common case is read by load_fast (same results, a fraction of the time); False: always the builder
# below, the reference (tests compare the two; benchmarks/loader.py times both)
FAST_PATH = True

__all__ = [
    "Document",
    "Limits",
    "load_bytes",
    "load_document",
    "load_stream",
    "pointer_join",
    "pointer_parts",
]


@dataclass(frozen=True)
class Limits:
    """Resource limits for loading one document; each can be raised with the CLI option in ``OPTIONS``."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 2_000_000
    max_entities: int = 200_000
    max_aliases: int = 0  # the format forbids aliases; >0 allows that many uses (expanded, counted as nodes)
    max_seconds: float = 30.0

    OPTIONS: ClassVar[dict[str, str]] = {
        "max_bytes": "--max-bytes",
        "max_depth": "--max-depth",
        "max_nodes": "--max-nodes",
        "max_entities": "--max-entities",
        "max_aliases": "--max-aliases",
        "max_seconds": "--max-seconds",
    }


@dataclass
class Document:
    """A loaded document: plain data and where each node came from."""

    source: str
    data: Any
    positions: dict[str, tuple[int, int]] = field(repr=False)
    key_positions: dict[str, tuple[int, int]] = field(repr=False)
    format: str

    def locate(self, pointer: str) -> tuple[int, int]:
        """Position of the node, or of its nearest existing ancestor (for a missing key); (1, 1) if none."""
        positions = self.positions
        while True:
            pos = positions.get(pointer)
            if pos is not None:
                return pos
            if not pointer:
                return (1, 1)
            pointer = pointer.rpartition("/")[0]

    def locate_key(self, pointer: str) -> tuple[int, int]:
        """Position of a mapping member's key if known, else ``locate(pointer)``."""
        return self.key_positions.get(pointer) or self.locate(pointer)


def pointer_join(pointer: str, key: str | int) -> str:
    """``pointer`` + one reference token, escaped per RFC 6901 (``~`` → ``~0``, ``/`` → ``~1``)."""
    if isinstance(key, int):
        return f"{pointer}/{key}"
    return pointer + "/" + _escape(key)


def pointer_parts(pointer: str) -> list[str]:
    """The unescaped reference tokens of an RFC 6901 pointer (``""`` → ``[]``)."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must be empty or start with '/': {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _escape(key: str) -> str:
    if "~" in key or "/" in key:  # rare: skip two replace() calls per key otherwise
        return key.replace("~", "~0").replace("/", "~1")
    return key


# ---------------------------------------------------------------------------------------------- entry points


def load_document(
    path: str | os.PathLike[str], *, limits: Limits = Limits(), source: str | None = None
) -> Document:
    """Load a submission file; ``source`` (default: the path as given) names it in positions and errors."""
    src = source if source is not None else os.fspath(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_bytes:  # before reading anything (regular files; others are bounded below)
                raise _limit(src, "max_bytes", limits, f"file size {size} bytes exceeds {limits.max_bytes}")
            data = fh.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError("file not found", file=src, expected="a readable YAML or JSON file") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=src, expected="a YAML or JSON file") from None
    except PermissionError:
        raise InputError("permission denied", file=src, expected="a readable file") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {safe_text(exc.strerror or exc)}", file=src) from None
    return load_bytes(data, src, limits=limits)


def load_stream(stream: BinaryIO, source: str = "<stdin>", *, limits: Limits = Limits()) -> Document:
    """Load from a binary stream (e.g. ``sys.stdin.buffer``), reading at most ``max_bytes + 1`` bytes."""
    if isinstance(stream, io.TextIOBase):  # a text stream (sys.stdin): read its bytes so we do the decoding
        stream = stream.buffer  # type: ignore[attr-defined]
    try:
        data = stream.read(limits.max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read input: {safe_text(exc.strerror or exc)}", file=source) from None
    return load_bytes(data, source, limits=limits)


def load_bytes(data: bytes, source: str, *, fmt: str | None = None, limits: Limits = Limits()) -> Document:
    """Load a document from bytes.

    ``fmt`` is ``"yaml"``, ``"json"`` or None: a ``.json`` source is JSON; otherwise a document whose first
    non-blank character is ``{`` or ``[`` is tried as JSON first, falling back to YAML on a JSON syntax error.
    """
    if fmt not in (None, "yaml", "json", "xlsx"):
        raise ValueError(f"fmt must be 'yaml', 'json', 'xlsx' or None, not {fmt!r}")
    # a zip is never YAML or JSON text (its signature has control characters): whatever fmt says, it is a workbook
    if fmt == "xlsx" or data[:4] == b"PK\x03\x04" or (fmt is None and source.lower().endswith((".xlsx", ".xlsm"))):
        from .input.xlsx_reader import load_workbook_bytes  # sheets and cells, not text

        return load_workbook_bytes(data, source, limits=limits)
    deadline = time.monotonic() + limits.max_seconds
    if len(data) > limits.max_bytes:
        raise _limit(source, "max_bytes", limits, f"file size exceeds {limits.max_bytes} bytes")
    text = _decode(data, source)
    start = _WS.match(text).end()  # type: ignore[union-attr]  # always matches; no copy of a big text
    if start == len(text):
        raise InputError(
            "empty document", file=source, line=1, column=1, expected="a mapping of entity lists"
        )
    if fmt is None:
        if source.lower().endswith(".json"):
            fmt = "json"
        elif text[start] in "{[":
            try:
                return _finish(_json(text, _Builder(source, limits, deadline)), "json")
            except _JsonSyntaxError as json_error:
                try:
                    return _finish(_parse_yaml(text, data, _Builder(source, limits, deadline)), "yaml")
                except _YamlSyntaxError as yaml_error:
                    # both failed: the parser that got further is more likely the one the author meant
                    later = (json_error.line, json_error.column) >= (yaml_error.line, yaml_error.column)
                    raise (json_error if later else yaml_error) from None
        else:
            fmt = "yaml"
    if fmt == "json":
        return _finish(_json(text, _Builder(source, limits, deadline)), "json")
    return _finish(_parse_yaml(text, data, _Builder(source, limits, deadline)), "yaml")


def _finish(b: _Builder, fmt: str) -> Document:
    if b.index is not None:
        from .load_index import IndexedDocument

        return IndexedDocument(b.source, b.root, format=fmt, tree=b.index, where=b.where)
    return Document(b.source, b.root, b.positions, b.key_positions, fmt)


# ---------------------------------------------------------------------------------------------- errors


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


def _decode(data: bytes, source: str) -> str:
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            "file is UTF-16 or UTF-32 encoded", file=source, line=1, column=1, expected="UTF-8 text"
        )
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a UTF-8 BOM is accepted and skipped
    nul = data.find(b"\x00", bom)
    if nul >= 0:
        line, col = _line_col(data[bom:], nul - bom)
        raise InputError(
            f"binary file (NUL byte at byte offset {nul})",
            file=source,
            line=line,
            column=col,
            expected="a UTF-8 YAML or JSON text file",
        )
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data[bom:], exc.start)
        raise InputError(
            f"not valid UTF-8: byte 0x{data[bom + exc.start]:02x} at byte offset {bom + exc.start} "
            f"({exc.reason})",
            file=source,
            line=line,
            column=col,
            expected="UTF-8 text",
        ) from None


# ---------------------------------------------------------------------------------------------- builder


class _Frame:
    """An open mapping or sequence."""

    __slots__ = ("anchor", "child", "container", "is_map", "key", "nodes0", "pointer", "top_list")

    def __init__(
        self,
        container: dict[str, Any] | list[Any],
        pointer: str,
        top_list: bool,
        anchor: str | None,
        nodes0: int,
    ) -> None:
        self.container: Any = container
        self.is_map = isinstance(container, dict)
        self.pointer = pointer
        self.top_list = top_list  # a list directly under the root mapping: its items are entities
        self.anchor = anchor
        self.nodes0 = nodes0
        self.key: str = ""
        self.child: str | None = None  # pointer of the member whose value comes next; None = a key comes next


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a scalar ({_show(value)})"


def _show(value: Any) -> str:
    if isinstance(value, str):
        value = value[:100]
    return _clip(json.dumps(value, ensure_ascii=False), 60)


class _Builder:
    """Builds plain data and positions from a flat stream of open/close/scalar calls, enforcing the limits."""

    def __init__(self, source: str, limits: Limits, deadline: float) -> None:
        self.source = source
        self.limits = limits
        self.deadline = deadline
        self.root: Any = None
        self.positions: dict[str, tuple[int, int]] = {}
        self.key_positions: dict[str, tuple[int, int]] = {}
        self.stack: list[_Frame] = []
        self.nodes = 0
        self.entities = 0
        self.aliases = 0
        # every node's pointer is stored, so long keys under deep nesting could cost gigabytes from a small
        # file: the total pointer length is bounded by a multiple of the byte limit
        self.pointer_chars = 0
        self.max_pointer_chars = _POINTER_BUDGET * limits.max_bytes
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (completed value, its node count)
        # set instead of the two maps by load_fast: the position tree and how to read its marks
        self.index: Any = None
        self.where: Any = None

    # -- errors
    def error(
        self,
        message: str,
        line: int,
        col: int,
        pointer: str | None = None,
        expected: str | None = None,
        cls: type[InputError] = InputError,
    ) -> InputError:
        if pointer is None:
            pointer = self.next_pointer()
        return cls(message, file=self.source, line=line, column=col, field=_field(pointer), expected=expected)

    def limit(self, name: str, what: str, line: int, col: int, pointer: str | None = None) -> LimitExceeded:
        return _limit(
            self.source,
            name,
            self.limits,
            what,
            line,
            col,
            self.next_pointer() if pointer is None else pointer,
        )

    def next_pointer(self) -> str:
        """Pointer of the node about to be added (for error messages)."""
        if not self.stack:
            return ""
        f = self.stack[-1]
        if f.is_map:
            return f.child if f.child is not None else f.pointer
        return f"{f.pointer}/{len(f.container)}"

    # -- building
    def count(self, n: int, line: int, col: int) -> None:
        nodes = self.nodes + n
        self.nodes = nodes
        if nodes > self.limits.max_nodes:
            raise self.limit("max_nodes", f"node count exceeds {self.limits.max_nodes}", line, col)
        if not nodes & 1023 and time.monotonic() > self.deadline:  # a clock read per 1024 nodes is cheap
            raise self.limit(
                "max_seconds", f"loading took longer than {self.limits.max_seconds:g} s", line, col
            )

    def add(self, value: Any, line: int, col: int) -> str:
        """Attach a value to the open container (a mapping needs its key set first); return its pointer."""
        self.count(1, line, col)
        f = self.stack[-1]
        if f.is_map:
            ptr = f.child
            assert ptr is not None  # callers route keys to key()
            f.container[f.key] = value
            f.child = None
        else:
            container = f.container
            ptr = f"{f.pointer}/{len(container)}"
            container.append(value)
            if f.top_list:
                self.entities += 1
                if self.entities > self.limits.max_entities:
                    raise self.limit(
                        "max_entities", f"entity count exceeds {self.limits.max_entities}", line, col, ptr
                    )
        self.positions[ptr] = (line, col)
        self.pointer_chars += len(ptr)
        if self.pointer_chars > self.max_pointer_chars:
            raise self.limit(
                "max_bytes",
                f"field paths (JSON pointers) total more than {_POINTER_BUDGET} x {self.limits.max_bytes} "
                "characters: keys too long or nested too deep",
                line,
                col,
                ptr,
            )
        return ptr

    def key(self, key: Any, line: int, col: int) -> None:
        f = self.stack[-1]
        if not isinstance(key, str):
            shown = _kind(key) if isinstance(key, (dict, list)) else _show(key)
            raise self.error(
                f"mapping key {shown} is not a string", line, col, f.pointer, "a string key (quote it)"
            )
        self.count(1, line, col)
        ptr = f.pointer + "/" + _escape(key)
        if key in f.container:
            first = self.key_positions.get(ptr, (0, 0))[0]
            raise self.error(
                f"duplicate key '{_clip(key, 80)}' (first at line {first}, again at line {line})",
                line,
                col,
                ptr,
                "each key once per mapping",
            )
        f.key = key
        f.child = ptr
        self.key_positions[ptr] = (line, col)

    def scalar(self, value: Any, line: int, col: int, anchor: str | None = None) -> None:
        f = self.stack[-1]
        if f.is_map and f.child is None:
            self.key(value, line, col)
        else:
            self.add(value, line, col)
        if anchor is not None:
            self.anchors[anchor] = (value, 1)

    def open(
        self, container: dict[str, Any] | list[Any], line: int, col: int, anchor: str | None = None
    ) -> None:
        if time.monotonic() > self.deadline:  # per container too: each event gets slower as nesting deepens
            raise self.limit(
                "max_seconds", f"loading took longer than {self.limits.max_seconds:g} s", line, col
            )
        depth = len(self.stack) + 1
        if depth > self.limits.max_depth:
            raise self.limit("max_depth", f"nesting depth exceeds {self.limits.max_depth}", line, col)
        if not self.stack:
            if not isinstance(container, dict):
                raise self.error(
                    f"the top level must be a mapping of entity lists; found {_kind(container)}",
                    line,
                    col,
                    "",
                    "a mapping such as 'submission: {...}'",
                )
            self.count(1, line, col)
            ptr = ""
            self.root = container
            self.positions[""] = (line, col)
            top_list = False
        else:
            f = self.stack[-1]
            if f.is_map and f.child is None:
                raise self.error(
                    f"mapping key is {_kind(container)}, not a string", line, col, f.pointer, "a string key"
                )
            ptr = self.add(container, line, col)
            top_list = depth == 2 and isinstance(container, list)
        self.stack.append(_Frame(container, ptr, top_list, anchor, self.nodes))

    def close(self) -> bool:
        """Close the innermost container; True when the root is complete."""
        f = self.stack.pop()
        if f.anchor is not None:
            self.anchors[f.anchor] = (f.container, self.nodes - f.nodes0 + 1)
        return not self.stack

    def alias(self, name: str, line: int, col: int) -> None:
        """Expand an alias, after checking its cost against the limits (a billion-laughs bomb fails here)."""
        if name not in self.anchors:
            raise self.error(
                f"alias '*{_clip(name, 60)}' refers to no complete anchor",
                line,
                col,
                expected="an anchor defined (and closed) before the alias",
            )
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise self.limit("max_aliases", f"alias uses exceed {self.limits.max_aliases}", line, col)
        value, size = self.anchors[name]
        self.count(size - 1, line, col)  # add() counts the last one
        value = self.copy(value, line, col)
        f = self.stack[-1]
        if f.is_map and f.child is None:
            self.key(value, line, col)
            return
        self.add(value, line, col)
        if len(self.stack) == 1 and isinstance(value, list):  # an aliased entity list
            self.entities += len(value)
            if self.entities > self.limits.max_entities:
                raise self.limit(
                    "max_entities", f"entity count exceeds {self.limits.max_entities}", line, col
                )

    def copy(self, value: Any, line: int, col: int) -> Any:
        """Iterative deep copy of an anchored value (no shared objects in the data, no recursion)."""
        if not isinstance(value, (dict, list)):
            return value
        base = len(self.stack)
        root = type(value)()
        work: list[tuple[Any, Any, int]] = [(value, root, base + 1)]
        while work:
            src, dst, depth = work.pop()
            if depth > self.limits.max_depth:
                raise self.limit("max_depth", f"nesting depth exceeds {self.limits.max_depth}", line, col)
            items = src.items() if isinstance(src, dict) else enumerate(src)
            for k, v in items:
                if isinstance(v, (dict, list)):
                    new = type(v)()
                    work.append((v, new, depth + 1))
                    v = new
                if isinstance(dst, dict):
                    dst[k] = v
                else:
                    dst.append(v)
        return root


# ---------------------------------------------------------------------------------------------- YAML

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


def _parse_yaml(text: str, raw: bytes, b: _Builder) -> _Builder:
    use_c = _FastParser is not None
    parser: Any = None
    lines = _Yaml12Text(text) if _Yaml12Text.needed(text) else None
    if lines is not None:
        text = lines.text
    if _fast_yaml(text, use_c, lines, b):
        return b
    try:
        # SafeLoader: only its event parser is used (its reader checks the text, so construct inside the try)
        parser = _FastParser(text) if use_c else yaml.SafeLoader(text)
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


def _fast_yaml(text: str, use_c: bool, lines: _Yaml12Text | None, b: _Builder) -> bool:
    """Read the common case in load_fast's one loop; False when the reference builder must read it."""
    if not FAST_PATH:
        return False
    from .load_fast import Fallback, read_yaml, yaml_where  # imported here: it imports from this module

    parser: Any = None
    try:
        parser = _FastParser(text) if use_c else yaml.SafeLoader(text)
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


# ---------------------------------------------------------------------------------------------- JSON

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SIMPLE_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')  # the common case: no escapes, no control characters
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS: tuple[tuple[str, Any], ...] = (("true", True), ("false", False), ("null", None))
_NON_FINITE = ("NaN", "Infinity", "-Infinity")
_VALUE, _AFTER, _KEY, _KEY_OR_END, _VALUE_OR_END, _COLON = range(6)


def _json(text: str, b: _Builder) -> _Builder:
    """A valid document through load_fast (the C decoder and one scan for positions), else the reference."""
    if not FAST_PATH:
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

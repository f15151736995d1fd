"""Stage 1 of load → validate → compile → evaluate → report: read one YAML, JSON or workbook document.

Returns plain JSON-like data plus the 1-based line/column of every node (keyed by RFC 6901 pointer), so later
stages can point into the file.  Submissions come from many vendors and some are hostile, so:

* YAML is read as a stream of parser *events* (libyaml when available; ``load_yaml.py``) and the data is
  built iteratively (``load_builder.py``): no PyYAML constructor ever runs (nothing can execute code),
  scalars follow the YAML 1.2 core schema rather than PyYAML's 1.1 resolvers, and depth, node, entity,
  alias and time limits are checked *while* building, so a bomb or a 100,000-deep nesting fails fast
  without recursion.
* JSON is read by a small position-tracking parser (``load_json.py``; RFC 8259: no NaN/Infinity, no
  duplicate keys).

The common case of both (no tags, anchors or aliases; valid JSON) is read by ``load_fast`` in one tight loop
into the same data, its positions kept in tables (``load_index.IndexedDocument``); anything else, errors
included, is read again by the builder, the reference, so every message is the reference's.

This module holds the entry points (files, streams, bytes; the format sniffed), the text's decoding, and
the two switches tests and benchmarks turn: ``FAST_PATH`` and ``_FastParser``.  ``Document``, ``Limits``
and the pointer helpers are ``load_base``'s, exported here too.
"""

from __future__ import annotations

import io
import os
import re
import time
from typing import Any, BinaryIO

import yaml

from ..errors import InputError, safe_text
from .load_base import Document, Limits, pointer_join, pointer_parts
from .load_builder import _Builder
from .load_errors import _BadScalar as _BadScalar  # re-exported: tests hold load_fast's scalars to it
from .load_errors import _JsonSyntaxError, _limit, _line_col, _YamlSyntaxError
from .load_yaml import _parse_yaml
from .load_yaml import _plain as _plain  # re-exported, as _BadScalar

_WS = re.compile(r"[ \t\n\r]*")  # JSON's whitespace (also what may precede a YAML document's first node)


def _json(text: str, builder: _Builder, fast: bool) -> Any:
    from .load_json import _json as parse  # JSON input only: a YAML check does not compile its regexes

    return parse(text, builder, fast)


# libyaml's event parser (only its get_event is used): C speed; the pure-Python parser is the fallback
_FastParser: Any = getattr(yaml, "CSafeLoader", None)

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
            data = read_at_most(fh, limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError("file not found", file=src, expected="a readable YAML or JSON file") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=src, expected="a YAML or JSON file") from None
    except PermissionError:
        raise InputError("permission denied", file=src, expected="a readable file") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {safe_text(exc.strerror or exc)}", file=src) from None
    return load_bytes(data, src, limits=limits)


def read_at_most(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream`` (a file, a pipe, stdin, /dev/zero), read a block at a time: a single
    ``read(size)`` allocates ``size`` bytes up front, which a large limit (``--max-bytes 10**15``) cannot."""
    chunks = []
    left = size
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def load_stream(stream: BinaryIO, source: str = "<stdin>", *, limits: Limits = Limits()) -> Document:
    """Load from a binary stream (e.g. ``sys.stdin.buffer``), reading at most ``max_bytes + 1`` bytes."""
    if isinstance(stream, io.TextIOBase):  # a text stream (sys.stdin): read its bytes so we do the decoding
        stream = stream.buffer  # type: ignore[attr-defined]
    try:
        data = read_at_most(stream, limits.max_bytes + 1)
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
        from .xlsx_reader import load_workbook_bytes  # sheets and cells, not text

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
                return _finish(_json(text, _Builder(source, limits, deadline), FAST_PATH), "json")
            except _JsonSyntaxError as json_error:
                try:
                    return _finish(_yaml(text, data, _Builder(source, limits, deadline)), "yaml")
                except _YamlSyntaxError as yaml_error:
                    # both failed: the parser that got further is more likely the one the author meant
                    later = (json_error.line, json_error.column) >= (yaml_error.line, yaml_error.column)
                    raise (json_error if later else yaml_error) from None
        else:
            fmt = "yaml"
    if fmt == "json":
        return _finish(_json(text, _Builder(source, limits, deadline), FAST_PATH), "json")
    return _finish(_yaml(text, data, _Builder(source, limits, deadline)), "yaml")


def _yaml(text: str, data: bytes, b: _Builder) -> _Builder:
    return _parse_yaml(text, data, b, _FastParser, FAST_PATH)  # the switches read at each load


def _finish(b: _Builder, fmt: str) -> Document:
    if b.index is not None:
        from .load_index import IndexedDocument

        return IndexedDocument(b.source, b.root, format=fmt, tree=b.index, where=b.where)
    return Document(b.source, b.root, b.positions, b.key_positions, fmt)


def _wide_ascii(head: bytes) -> bool:
    """The first characters are ASCII in UTF-16 or UTF-32 without a byte order mark (``s\\0u\\0``, ``\\0\\0\\0s``):
    what some Windows tools save; said as such rather than as a binary file."""
    if len(head) < 4 or b"\x00" not in head:
        return False
    patterns = ((1, 2, 3), (0, 1, 2), (1, 3), (0, 2))  # zero bytes of UTF-32 LE/BE, UTF-16 LE/BE
    return any(all(head[i] == 0 for i in zeros) and all(0 < head[i] < 0x80 for i in range(4) if i not in zeros)
               for zeros in patterns)


def _decode(data: bytes, source: str) -> str:
    if (data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff") or data[:2] in (b"\xff\xfe", b"\xfe\xff")
            or _wide_ascii(data[:4])):
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


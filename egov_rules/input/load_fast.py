"""The loader's fast path: a well-formed document read in one tight loop (see load.py for the contract).

``load_builder.py`` (one method call per parser event, every check in place) is the reference.  The
common case (a YAML mapping without tags, anchors or aliases; valid JSON) is read here instead, with the
same limits counted the same way, into the same data and positions.  Whenever this path meets anything
the reference would reject or that it does not handle (a tag, an anchor, a duplicate key, a limit, a
syntax error, ...), it raises ``Fallback`` and the caller reads the text again the reference way, so every
error is exactly the reference's.  tests/test_load_fast.py holds the two paths to the same results.
"""

from __future__ import annotations

import gc
import json
import math
import re
import time
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate, count
from operator import add
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from ..errors import LimitExceeded
from .load_base import _POINTER_BUDGET, Limits, _escape
from .load_errors import _BadScalar, _limit
from .load_index import Tree
from .load_yaml import _MAYBE_NOT_STR, _plain


class Fallback(Exception):
    """The fast path gives up: read the text again with the reference builder."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a document is built.

    Every container built survives, so each collection the allocations trigger walks the growing tree for
    nothing, and the full ones grow with it: the cost per node rose with the size of the file.  Loading
    makes no reference cycles; other threads' cycles wait for the end of the load (bounded by max_seconds).
    """
    if not gc.isenabled():  # already paused (e.g. by a load in another thread, which re-enables it)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _timeout(source: str, limits: Limits, line: int, col: int, pointer: str) -> LimitExceeded:
    what = f"loading took longer than {limits.max_seconds:g} s"
    return _limit(source, "max_seconds", limits, what, line, col, pointer)


# ---------------------------------------------------------------------------------------------- YAML


def read_yaml(
    get_event: Any, source: str, limits: Limits, deadline: float, back: dict[int, str] | None
) -> tuple[dict[str, Any], Tree]:
    """Data and its position tree from libyaml's (or PyYAML's) events; ``back`` undoes _Yaml12Text."""
    try:
        with collector_paused():
            return _yaml_loop(get_event, source, limits, deadline, back)
    except (yaml.YAMLError, _BadScalar):
        raise Fallback from None


def yaml_where(packed: int) -> tuple[int, int]:
    """(line, column) of a mark packed as ``line << 32 | column``: an int is no object for the garbage
    collector to scan, as the parser's marks would be (a full collection took 20x longer with them kept)."""
    return (packed >> 32) + 1, (packed & 0xFFFFFFFF) + 1


def _yaml_loop(  # one loop on purpose: a call per event is what it saves
    get_event: Any, source: str, limits: Limits, deadline: float, back: dict[int, str] | None
) -> tuple[dict[str, Any], Tree]:
    scalar_event, map_start, seq_start = ScalarEvent, MappingStartEvent, SequenceStartEvent
    map_end, seq_end = MappingEndEvent, SequenceEndEvent
    maybe_not_str, plain, monotonic = _MAYBE_NOT_STR, _plain, time.monotonic
    max_nodes, max_depth, max_entities = limits.max_nodes, limits.max_depth, limits.max_entities
    max_chars = _POINTER_BUDGET * limits.max_bytes

    get_event()  # StreamStart
    if type(get_event()) is not DocumentStartEvent:
        raise Fallback
    event = get_event()
    if type(event) is not map_start or event.tag is not None or event.anchor is not None:
        raise Fallback
    mark: Any = event.start_mark
    if monotonic() > deadline:
        raise _timeout(source, limits, mark.line + 1, mark.column + 1, "")
    root: dict[str, Any] = {}
    wheres: list[int] = [mark.line << 32 | mark.column]  # the position tables (load_index.py); root: 0
    members: list[Any] = [{}]
    keys: list[Any] = [{}]
    # nodes and total pointer length counted as the reference counts them (its limits, without its strings)
    nodes, chars, entities, depth = 1, 0, 0, 1
    # the open container (data, index children, key marks, pointer), in locals; the enclosing ones stacked
    container: Any = root
    children: Any = members[0]
    key_marks: Any = keys[0]
    is_map, pointer, top_list = True, "", False
    key: Any = None  # the member whose value comes next; None: a key comes next
    key_chars = 0  # length of that member's pointer
    stack: list[tuple[Any, Any, Any, bool, str, bool]] = []
    while True:
        event = get_event()
        cls = type(event)
        if cls is scalar_event:
            if event.tag is not None or event.anchor is not None:
                raise Fallback
            value = event.value
            if back is not None:
                value = value.translate(back)
            if not event.style and (not value or value[0] in maybe_not_str):
                value = plain(value)
            if is_map:
                if key is None:
                    if type(value) is not str or value in container:
                        raise Fallback
                    key = value
                    mark = event.start_mark
                    key_marks[key] = mark.line << 32 | mark.column
                    key_chars = len(pointer) + 1 + len(_escape(key) if "~" in key or "/" in key else key)
                    nodes += 1  # checked with the value that follows
                    continue
                container[key] = value
                mark = event.start_mark
                children[key] = mark.line << 32 | mark.column
                chars += key_chars
                key = None
            else:
                chars += len(pointer) + 1 + len(str(len(container)))
                container.append(value)
                mark = event.start_mark
                children.append(mark.line << 32 | mark.column)
                if top_list:
                    entities += 1
                    if entities > max_entities:
                        raise Fallback
            nodes += 1
            if nodes > max_nodes or chars > max_chars:
                raise Fallback
            if not nodes & 1023 and monotonic() > deadline:
                raise _timeout(source, limits, mark.line + 1, mark.column + 1, pointer)
        elif cls is map_start or cls is seq_start:
            if event.tag is not None or event.anchor is not None or (is_map and key is None):
                raise Fallback
            depth += 1
            if depth > max_depth:
                raise Fallback
            mark = event.start_mark
            new: Any = {} if cls is map_start else []
            node = ~len(wheres)
            wheres.append(mark.line << 32 | mark.column)
            new_children: Any = {} if cls is map_start else []
            new_keys: Any = {} if cls is map_start else None
            members.append(new_children)
            keys.append(new_keys)
            if is_map:
                container[key] = new
                children[key] = node
                child = pointer + "/" + _escape(key)
                key = None
            else:
                child = f"{pointer}/{len(container)}"
                container.append(new)
                children.append(node)
                if top_list:
                    entities += 1
                    if entities > max_entities:
                        raise Fallback
            nodes += 1
            chars += len(child)
            if nodes > max_nodes or chars > max_chars:
                raise Fallback
            if monotonic() > deadline:  # per container, as the reference: events slow down as nesting deepens
                raise _timeout(source, limits, mark.line + 1, mark.column + 1, child)
            stack.append((container, children, key_marks, is_map, pointer, top_list))
            container, children, key_marks, pointer = new, new_children, new_keys, child
            is_map = cls is map_start
            top_list = depth == 2 and not is_map
        elif cls is map_end or cls is seq_end:
            if not stack:
                break
            container, children, key_marks, is_map, pointer, top_list = stack.pop()
            depth -= 1
        else:  # an alias (or anything unforeseen): the reference handles it
            raise Fallback
    if type(get_event()) is not DocumentEndEvent or type(get_event()) is not StreamEndEvent:
        raise Fallback  # e.g. a second document
    return root, (wheres, members, keys)


# ---------------------------------------------------------------------------------------------- JSON

# the tokens of a valid document that have positions or change the nesting: strings, brackets, numbers and
# literals (commas, colons and whitespace are skipped: a valid document needs them only to be valid)
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|[^\s,:\[\]{}"]+')  # strings unrolled: 2x faster
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # lone ones are an error: the reference tells which


def _finite(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise Fallback
    return value


def _constant(token: str) -> Any:
    raise Fallback  # NaN, Infinity, -Infinity


def read_json(text: str, source: str, limits: Limits, deadline: float) -> tuple[dict[str, Any], Tree]:
    """Data from the C decoder, then one scan of the (then known valid) text for its position tree."""
    if _SURROGATE_ESCAPE.search(text):
        raise Fallback
    with collector_paused():
        try:
            data = json.loads(text, parse_float=_finite, parse_constant=_constant)
        except (ValueError, RecursionError):  # JSONDecodeError, an integer of over 4300 digits, deep nesting
            raise Fallback from None
        if type(data) is not dict:
            raise Fallback
        return data, _json_index(text, source, limits, deadline)


class JsonWhere:
    """(line, column) of a character offset; the line breaks found on first use (a check may not ask)."""

    def __init__(self, text: str) -> None:
        self.text: str | None = text
        self.breaks: list[int] = []

    def __call__(self, offset: int) -> tuple[int, int]:
        if self.text is not None:  # offsets of the line breaks, at C speed
            self.breaks = list(map(add, accumulate(map(len, self.text.split("\n"))), count()))
            self.breaks.pop()  # the end of the text, not a break
            self.text = None
        breaks = self.breaks
        line = bisect_right(breaks, offset)
        return line + 1, offset - breaks[line - 1] if line else offset + 1


def _json_index(  # one loop on purpose, as _yaml_loop
    text: str, source: str, limits: Limits, deadline: float
) -> Tree:
    max_nodes, max_depth, max_entities = limits.max_nodes, limits.max_depth, limits.max_entities
    max_chars = _POINTER_BUDGET * limits.max_bytes
    monotonic, loads = time.monotonic, json.loads
    tokens = _JSON_TOKEN.finditer(text)
    # the position tables (load_index.py); the root, an object (the decoder says so), is 0
    wheres: list[int] = [next(tokens).start()]
    members: list[Any] = [{}]
    keys: list[Any] = [{}]
    nodes, chars, entities, depth = 1, 0, 0, 1
    children: Any = members[0]
    key_offsets: Any = keys[0]
    is_map, pointer, top_list = True, "", False
    expect_key = True
    key = ""
    key_chars = 0
    stack: list[tuple[Any, Any, bool, str, bool]] = []
    for match in tokens:
        token = match[0]
        first = token[0]
        if first == "}" or first == "]":
            if not stack:
                break
            children, key_offsets, is_map, pointer, top_list = stack.pop()
            depth -= 1
            expect_key = is_map
            continue
        if expect_key:  # a string: a valid document has nothing else here
            key = token[1:-1] if "\\" not in token else loads(token)
            if key in key_offsets:  # a key twice in one object (the decoder keeps the last)
                raise Fallback
            key_offsets[key] = match.start()
            key_chars = len(pointer) + 1 + len(_escape(key) if "~" in key or "/" in key else key)
            nodes += 1
            expect_key = False
            continue
        opens = first == "{" or first == "["
        if opens:
            where = ~len(wheres)
            wheres.append(match.start())
            new_children: Any = {} if first == "{" else []
            new_keys: Any = {} if first == "{" else None
            members.append(new_children)
            keys.append(new_keys)
        else:
            where = match.start()
        if is_map:
            children[key] = where
            chars += key_chars
            expect_key = True
        else:
            chars += len(pointer) + 1 + len(str(len(children)))
            children.append(where)
            if top_list:
                entities += 1
                if entities > max_entities:
                    raise Fallback
        nodes += 1
        if nodes > max_nodes or chars > max_chars:
            raise Fallback
        if opens:
            depth += 1
            if depth > max_depth:
                raise Fallback
            child = pointer + "/" + _escape(key) if is_map else f"{pointer}/{len(children) - 1}"
            if monotonic() > deadline:
                line, col = JsonWhere(text)(match.start())
                raise _timeout(source, limits, line, col, child)
            stack.append((children, key_offsets, is_map, pointer, top_list))
            children, key_offsets, pointer = new_children, new_keys, child
            is_map = first == "{"
            top_list = depth == 2 and not is_map
            expect_key = is_map
    return wheres, members, keys

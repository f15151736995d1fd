"""The loader's fast path: a well-formed document read in one tight loop (see load.py for the contract).

``load.py``'s builder (one method call per parser event, every check in place) is the reference.  The
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

from .errors import LimitExceeded
from .load import _MAYBE_NOT_STR, _POINTER_BUDGET, Limits, _BadScalar, _escape, _limit, _plain

Positions = dict[str, tuple[int, int]]


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
) -> tuple[dict[str, Any], Positions, Positions]:
    """Data, positions and key positions from libyaml's (or PyYAML's) events; ``back`` undoes _Yaml12Text."""
    try:
        with collector_paused():
            return _yaml_loop(get_event, source, limits, deadline, back)
    except (yaml.YAMLError, _BadScalar):
        raise Fallback from None


def _yaml_loop(  # one loop on purpose: a call per event is what it saves
    get_event: Any, source: str, limits: Limits, deadline: float, back: dict[int, str] | None
) -> tuple[dict[str, Any], Positions, Positions]:
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
    root: dict[str, Any] = {}
    positions: Positions = {"": (mark.line + 1, mark.column + 1)}
    key_positions: Positions = {}
    nodes, chars, entities, depth = 1, 0, 0, 1
    if monotonic() > deadline:
        raise _timeout(source, limits, mark.line + 1, mark.column + 1, "")
    # the open container, kept in locals; the enclosing ones on the stack
    container: Any = root
    is_map, pointer, top_list = True, "", False
    key: str | None = None  # the member whose value comes next; None: a key comes next
    key_pointer = ""
    stack: list[tuple[Any, bool, str, bool]] = []
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
            mark = event.start_mark
            if is_map and key is None:
                if type(value) is not str or value in container:
                    raise Fallback
                key = value
                key_pointer = pointer + "/" + (_escape(value) if "~" in value or "/" in value else value)
                key_positions[key_pointer] = (mark.line + 1, mark.column + 1)
                nodes += 1  # checked with the value that follows
                continue
            if is_map:
                container[key] = value
                child = key_pointer
                key = None
            else:
                child = f"{pointer}/{len(container)}"
                container.append(value)
                if top_list:
                    entities += 1
                    if entities > max_entities:
                        raise Fallback
            positions[child] = (mark.line + 1, mark.column + 1)
            nodes += 1
            chars += len(child)
            if nodes > max_nodes or chars > max_chars:
                raise Fallback
            if not nodes & 1023 and monotonic() > deadline:
                raise _timeout(source, limits, mark.line + 1, mark.column + 1, child)
        elif cls is map_start or cls is seq_start:
            if event.tag is not None or event.anchor is not None or (is_map and key is None):
                raise Fallback
            depth += 1
            if depth > max_depth:
                raise Fallback
            mark = event.start_mark
            new: Any = {} if cls is map_start else []
            if is_map:
                container[key] = new
                child = key_pointer
                key = None
            else:
                child = f"{pointer}/{len(container)}"
                container.append(new)
                if top_list:
                    entities += 1
                    if entities > max_entities:
                        raise Fallback
            positions[child] = (mark.line + 1, mark.column + 1)
            nodes += 1
            chars += len(child)
            if nodes > max_nodes or chars > max_chars:
                raise Fallback
            if monotonic() > deadline:  # per container, as the reference: events slow down as nesting deepens
                raise _timeout(source, limits, mark.line + 1, mark.column + 1, child)
            stack.append((container, is_map, pointer, top_list))
            container, pointer = new, child
            is_map = cls is map_start
            top_list = depth == 2 and not is_map
        elif cls is map_end or cls is seq_end:
            if not stack:
                break
            container, is_map, pointer, top_list = stack.pop()
            depth -= 1
        else:  # an alias (or anything unforeseen): the reference handles it
            raise Fallback
    if type(get_event()) is not DocumentEndEvent or type(get_event()) is not StreamEndEvent:
        raise Fallback  # e.g. a second document
    return root, positions, key_positions


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


def read_json(
    text: str, source: str, limits: Limits, deadline: float
) -> tuple[dict[str, Any], Positions, Positions]:
    """Data from the C decoder, then one scan of the (then known valid) text for positions."""
    if _SURROGATE_ESCAPE.search(text):
        raise Fallback
    with collector_paused():
        try:
            data = json.loads(text, parse_float=_finite, parse_constant=_constant)
        except (ValueError, RecursionError):  # JSONDecodeError, an integer of over 4300 digits, deep nesting
            raise Fallback from None
        if type(data) is not dict:
            raise Fallback
        positions, key_positions = _json_positions(text, source, limits, deadline)
    return data, positions, key_positions


def _json_positions(  # one loop on purpose, as _yaml_loop
    text: str, source: str, limits: Limits, deadline: float
) -> tuple[Positions, Positions]:
    # offsets of the line breaks, computed at C speed: line = breaks before it + 1
    breaks = list(map(add, accumulate(map(len, text.split("\n"))), count()))
    breaks.pop()  # the end of the text, not a break
    positions: Positions = {}
    key_positions: Positions = {}
    max_nodes, max_depth, max_entities = limits.max_nodes, limits.max_depth, limits.max_entities
    max_chars = _POINTER_BUDGET * limits.max_bytes
    monotonic, loads = time.monotonic, json.loads
    nodes = chars = entities = keys = 0
    depth = 0
    is_map, pointer, top_list, index = True, "", False, 0
    expect_key = False  # the root value comes first
    key_pointer = ""
    stack: list[tuple[bool, str, bool, int]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match[0]
        first = token[0]
        if first == "}" or first == "]":
            is_map, pointer, top_list, index = stack.pop()
            depth -= 1
            expect_key = is_map
            continue
        start = match.start()
        line = bisect_right(breaks, start)
        where = (line + 1, start - breaks[line - 1] if line else start + 1)
        if expect_key:  # a string: a valid document has nothing else here
            key = token[1:-1] if "\\" not in token else loads(token)
            key_pointer = pointer + "/" + (_escape(key) if "~" in key or "/" in key else key)
            key_positions[key_pointer] = where
            keys += 1
            nodes += 1
            expect_key = False
            continue
        if is_map:
            child = key_pointer
            expect_key = True
        else:
            child = f"{pointer}/{index}"
            index += 1
            if top_list:
                entities += 1
                if entities > max_entities:
                    raise Fallback
        positions[child] = where
        nodes += 1
        chars += len(child)
        if nodes > max_nodes or chars > max_chars:
            raise Fallback
        if first == "{" or first == "[":
            depth += 1
            if depth > max_depth:
                raise Fallback
            if monotonic() > deadline:
                raise _timeout(source, limits, where[0], where[1], child)
            stack.append((is_map, pointer, top_list, index))
            is_map = first == "{"
            pointer, top_list, index = child, depth == 2 and not is_map, 0
            expect_key = is_map
    if len(key_positions) != keys:  # a key twice in one object (the decoder keeps the last)
        raise Fallback
    return positions, key_positions

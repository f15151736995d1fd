"""The reference builder: plain data and every node's position from a flat stream of open / close / scalar
calls (YAML parser events or the JSON parser's tokens), every limit enforced as it grows.

Iterative (no recursion however deep the nesting), no constructor ever runs, and aliases are expanded
only after their cost is counted.  ``load_fast.py`` reads the common case without it; whatever that
declines is built here, so every error message is this builder's.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ..errors import InputError, LimitExceeded
from .load_base import _POINTER_BUDGET, Limits, _escape
from .load_errors import _clip, _field, _limit


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

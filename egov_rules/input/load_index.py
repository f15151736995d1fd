"""Positions kept as tables beside the data, for the loader's fast path (load_fast.py).

Building a JSON-pointer string and a (line, column) tuple for every node, into one big dict, was a third
of the time of loading a large file, while a check looks up a few positions (its projects', its
findings').  So the fast path numbers the containers (the root is 0) and records, in a ``Tree`` of three
lists indexed by that number: where each container starts; its *children*, a dict by key (a mapping) or a
list (a sequence) of each child's ``where`` (a scalar, an int >= 0) or ``~number`` (a container, < 0);
and a dict of where each key starts (None for a sequence).  A ``where`` is an int, the parser's mark
packed (YAML) or a character offset (JSON), turned into (line, column) only when asked for.  Ints in dicts
give the garbage collector nothing to scan, so a loaded document does not slow every later full
collection (the parser's mark objects, or a tuple per container, did, 5-20x).  ``locate`` walks the
tables; ``positions`` and ``key_positions`` are built on first read, equal to the reference builder's
(tests/test_load_fast.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .load_base import Document, _escape

Tree = tuple[list[int], list[Any], list[Any]]  # per container: where, children, key wheres (see above)
Where = Callable[[int], tuple[int, int]]


class IndexedDocument(Document):
    """A Document whose positions are tables walked by ``locate``; the pointer maps built when read."""

    def __init__(
        self,
        source: str,
        data: Any,
        positions: dict[str, tuple[int, int]] | None = None,
        key_positions: dict[str, tuple[int, int]] | None = None,
        format: str = "yaml",  # the dataclass field's name
        *,
        tree: Tree | None = None,
        where: Where | None = None,
    ) -> None:
        self.source, self.data, self.format = source, data, format
        if tree is None or where is None:  # built from maps (dataclasses.replace reads them first)
            self.positions, self.key_positions = positions or {}, key_positions or {}
        else:
            self._tree, self._where = tree, where

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: the maps, before first read
        if name not in ("positions", "key_positions") or "_tree" not in self.__dict__:
            raise AttributeError(name)
        from .load_fast import collector_paused

        with collector_paused():
            self.positions, self.key_positions = pointer_maps(self._tree, self._where)
        return self.__dict__[name]

    def locate(self, pointer: str) -> tuple[int, int]:
        if "positions" in self.__dict__:
            return super().locate(pointer)
        number, child, _ = self._walk(pointer)
        if child is None:
            return self._where(self._tree[0][number])
        return self._where(self._tree[0][~child] if child < 0 else child)

    def locate_key(self, pointer: str) -> tuple[int, int]:
        if "positions" in self.__dict__:
            return super().locate_key(pointer)
        number, _, key = self._walk(pointer)
        if key is not None:
            return self._where(self._tree[2][number][key])
        return self.locate(pointer)

    def _walk(self, pointer: str) -> tuple[int, int | None, str | None]:
        """The number of the deepest container on the pointer's path, the child of it that the path goes
        on to (None if none), and when that child is the last step and a mapping member, its key.

        Matches ``Document.locate`` on the maps exactly: a token must be spelled as the maps spell it
        (``~0``/``~1`` escapes, list indexes in decimal without leading zeros), else it names nothing.
        """
        _, members, keys = self._tree
        number = 0
        if not pointer.startswith("/"):
            return number, None, None
        tokens = pointer[1:].split("/")
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            children = members[number]
            key = None
            if keys[number] is not None:  # a mapping
                key = token.replace("~1", "/").replace("~0", "~") if "~" in token else token
                if key not in children or _escape(key) != token:
                    return number, None, None
                child = children[key]
            else:
                if not token.isdecimal() or not token.isascii() or (token[0] == "0" and token != "0"):
                    return number, None, None
                index = int(token)
                if index >= len(children):
                    return number, None, None
                child = children[index]
            if i == last:
                return number, child, key
            if child >= 0:  # a scalar: the rest of the path names nothing under it
                return number, child, None
            number = ~child
        return number, None, None  # not reached: the loop returns at the last token


def pointer_maps(tree: Tree, where: Where) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """The reference builder's two maps, pointer -> (line, column), from the tables."""
    wheres, members, keys = tree
    positions = {"": where(wheres[0])}
    key_positions: dict[str, tuple[int, int]] = {}
    todo: list[tuple[str, int]] = [("", 0)]
    while todo:
        pointer, number = todo.pop()
        children, key_wheres = members[number], keys[number]
        items: Any = enumerate(children) if key_wheres is None else children.items()
        for token, child in items:
            if key_wheres is None:
                ptr = f"{pointer}/{token}"
            else:
                ptr = pointer + "/" + _escape(token)
                key_positions[ptr] = where(key_wheres[token])
            if child < 0:
                positions[ptr] = where(wheres[~child])
                todo.append((ptr, ~child))
            else:
                positions[ptr] = where(child)
    return positions, key_positions

"""Positions kept as a tree beside the data, for the loader's fast path (load_fast.py).

Building a JSON-pointer string and a (line, column) tuple for every node, into one big dict, was a third
of the time of loading a large file, while a check looks up a few positions (its projects', its
findings').  So the fast path records, per container, a *node*: ``[where, children, key_wheres]``, where
``children`` is a dict by key (a mapping) or a list (a sequence) of each child's ``where`` (a scalar) or
node (a container), and ``key_wheres`` is a dict of each key's ``where`` (None for a sequence).  A
``where`` is the parser's own mark (YAML) or a character offset (JSON), turned into (line, column) only
when asked for.  ``locate`` walks the tree; ``positions`` and ``key_positions`` are built on first read,
equal to the reference builder's (tests/test_load_fast.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .load import Document, _escape

Node = list[Any]  # [where, children (dict or list), key wheres (dict, or None for a sequence)]
Where = Callable[[Any], tuple[int, int]]


class IndexedDocument(Document):
    """A Document whose positions are a tree walked by ``locate``; the pointer maps built when read."""

    def __init__(
        self,
        source: str,
        data: Any,
        positions: dict[str, tuple[int, int]] | None = None,
        key_positions: dict[str, tuple[int, int]] | None = None,
        format: str = "yaml",  # the dataclass field's name
        *,
        root: Node | None = None,
        where: Where | None = None,
    ) -> None:
        self.source, self.data, self.format = source, data, format
        if root is None or where is None:  # built from maps (dataclasses.replace reads them first)
            self.positions, self.key_positions = positions or {}, key_positions or {}
        else:
            self._root, self._where = root, where

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: the maps, before first read
        if name not in ("positions", "key_positions") or "_root" not in self.__dict__:
            raise AttributeError(name)
        from .load_fast import collector_paused

        with collector_paused():
            self.positions, self.key_positions = pointer_maps(self._root, self._where)
        return self.__dict__[name]

    def locate(self, pointer: str) -> tuple[int, int]:
        if "positions" in self.__dict__:
            return super().locate(pointer)
        node, child, _ = self._walk(pointer)
        return self._where(node[0] if child is None else (child[0] if type(child) is list else child))

    def locate_key(self, pointer: str) -> tuple[int, int]:
        if "positions" in self.__dict__:
            return super().locate_key(pointer)
        node, _, key = self._walk(pointer)
        if key is not None:
            return self._where(node[2][key])
        return self.locate(pointer)

    def _walk(self, pointer: str) -> tuple[Node, Any, str | None]:
        """The deepest node on the pointer's path and the child of it that the path goes on to (None if
        none); and when that child is the last step and a mapping member, its key.

        Matches ``Document.locate`` on the maps exactly: a token must be spelled as the maps spell it
        (``~0``/``~1`` escapes, list indexes in decimal without leading zeros), else it names nothing.
        """
        node: Node = self._root
        if not pointer.startswith("/"):
            return node, None, None
        tokens = pointer[1:].split("/")
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            children = node[1]
            key = None
            if node[2] is not None:  # a mapping
                key = token.replace("~1", "/").replace("~0", "~") if "~" in token else token
                if key not in children or _escape(key) != token:
                    return node, None, None
                child = children[key]
            else:
                if not token.isdecimal() or not token.isascii() or (token[0] == "0" and token != "0"):
                    return node, None, None
                index = int(token)
                if index >= len(children):
                    return node, None, None
                child = children[index]
            if i == last:
                return node, child, key
            if type(child) is not list:  # a scalar: the rest of the path names nothing under it
                return node, child, None
            node = child
        return node, None, None  # not reached: the loop returns at the last token


def pointer_maps(root: Node, where: Where) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """The reference builder's two maps, pointer -> (line, column), from the tree."""
    positions = {"": where(root[0])}
    key_positions: dict[str, tuple[int, int]] = {}
    todo: list[tuple[str, Node]] = [("", root)]
    while todo:
        pointer, node = todo.pop()
        children, key_wheres = node[1], node[2]
        if key_wheres is not None:
            items: Any = children.items()
        else:
            items = enumerate(children)
        for token, child in items:
            ptr = f"{pointer}/{token}" if key_wheres is None else pointer + "/" + _escape(token)
            if key_wheres is not None:
                key_positions[ptr] = where(key_wheres[token])
            if type(child) is list:
                positions[ptr] = where(child[0])
                todo.append((ptr, child))
            else:
                positions[ptr] = where(child)
    return positions, key_positions

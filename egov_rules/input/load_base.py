"""What every reader of a submission shares: the ``Limits`` it reads under, the ``Document`` it returns
(plain data and the 1-based line/column of each node by RFC 6901 pointer), and JSON pointers.

The readers are ``load.py`` (entry points), ``load_yaml.py`` and ``load_json.py`` (the two formats, each
through ``load_fast.py`` in the common case and ``load_builder.py`` otherwise); ``egov_rules.input.load`` exports
these names too, and most of the package imports them from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

_POINTER_BUDGET = 8  # total characters of all pointers per byte of --max-bytes


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

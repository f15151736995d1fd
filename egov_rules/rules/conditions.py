"""The condition language of rule files: parse YAML data into a typed AST, checked against the fact schema.

A condition is data, never Python:

    all: [C, ...]   any: [C, ...]   not: C
    exists: {b: SOURCE, where: C}          some b in SOURCE satisfies C
    none:   {b: SOURCE, where: C}          no b in SOURCE satisfies C (negation)
    every:  {b: SOURCE, where: C, require: C}
    PREDICATE: {param: PATH, ...}          a named predicate from rules/_definitions.yaml
    PATH: VALUE                            equality
    PATH: {eq|ne|lt|le|gt|ge: OPERAND, in|not_in: [..] or SET, contains: OPERAND, is_set: BOOL, is_a: COLLECTION}

A PATH is ``binding.field.field`` and follows references (``component.platform.unified``); over a list of
objects it maps (``catalogue.entries.element`` is the list of elements).  Pseudo-fields: ``year`` and

This module is the AST (what the rulebook cache keeps and the engines read); conditions are parsed in
``condition_parser.py``, their paths, operands and sources checked against the fact schema in
``condition_types.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..input.factschema import FieldType


# ---------------------------------------------------------------------------------------------- AST
@dataclass(frozen=True)
class Step:
    """One step of a path: a field read, possibly a reference followed or a pseudo field."""
    name: str
    pseudo: bool = False
    deref: bool = False  # the value read before this step is a reference to follow
    none_semantic: bool = False  # a null here means "there is none" (definite), not "unknown"
    is_list: bool = False  # a left-out required list is an empty one; an optional list left out is unknown


@dataclass(frozen=True)
class Path:
    """A path from a binding through fields (``project.components.kind``), with the type it reads."""
    binding: str
    steps: tuple[Step, ...]
    type: FieldType
    text: str
    mapped: bool = False  # passes through a list: the value is a list


@dataclass(frozen=True)
class Operand:
    """The right side of a comparison: a literal, a path, a policy parameter, or a date offset."""
    literal: Any = None
    path: Path | None = None
    offset: int = 0
    param: str | None = None  # a policy parameter: ``literal`` holds its value (rulebook.apply_parameters)

    @property
    def text(self) -> str:
        if self.param is not None:
            return f"{self.param} ({self.literal!r})"
        if self.path is None:
            if isinstance(self.literal, frozenset | set):  # written in a fixed order: the same text in every process
                return "[" + ", ".join(sorted(map(str, self.literal))) + "]"  # as explain shows a list
            return repr(self.literal)
        if self.offset:
            return f"${self.path.text} {'+' if self.offset > 0 else '-'} {abs(self.offset)}"
        return "$" + self.path.text


@dataclass(frozen=True)
class Node:
    """A condition node, with the rule file position it was written at."""
    line: int
    column: int


@dataclass(frozen=True)
class Compare(Node):
    """A comparison of a path with an operand (``eq``, ``in``, ``is_set``...)."""
    path: Path
    op: str
    operand: Operand

    @property
    def text(self) -> str:
        return f"{self.path.text} {self.op} {self.operand.text}"


@dataclass(frozen=True)
class AllOf(Node):
    """Every item holds (three-valued: false wins, then unknown)."""
    items: tuple[Any, ...]


@dataclass(frozen=True)
class AnyOf(Node):
    """Some item holds (three-valued: true wins, then unknown)."""
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Not(Node):
    """The item does not hold (unknown stays unknown)."""
    item: Any


@dataclass(frozen=True)
class Source:
    """What a binding ranges over: a collection, or a list inside a bound value."""
    collection: str | None  # a top-level or derived collection
    path: Path | None  # or a list inside a bound value
    type: FieldType

    @property
    def text(self) -> str:
        return self.collection if self.collection else self.path.text  # type: ignore[union-attr]


@dataclass(frozen=True)
class Quantifier(Node):
    """``exists`` / ``none`` / ``every`` item of a source, with its scope (where) and test (require)."""
    kind: str  # exists, none, every
    binding: str
    source: Source
    where: Any | None
    require: Any | None = None


Condition = Compare | AllOf | AnyOf | Not | Quantifier


def walk(cond: Any) -> list[Any]:
    """Every node of a condition, depth first."""
    out = [cond]
    if isinstance(cond, AllOf | AnyOf):
        for c in cond.items:
            out.extend(walk(c))
    elif isinstance(cond, Not):
        out.extend(walk(cond.item))
    elif isinstance(cond, Quantifier):
        if cond.where is not None:
            out.extend(walk(cond.where))
        if cond.require is not None:
            out.extend(walk(cond.require))
    return out

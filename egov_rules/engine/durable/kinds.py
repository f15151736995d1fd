"""Durable translation 2: what a translation registers as it goes — the kinds of facts and their fields,
the literals written as fields, element tags, derived predicates, fresh binding names — and the records it
produces (``Spec``: one durable rule; ``Pred``: a derived kind of fact; ``Value``: a value a test reads)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from .expressions import (
    Cmp,
    Fld,
    Kind,
    Lit,
    PathKey,
    Shapes,
    conj,
)


@dataclass
class Spec:
    """One durable rule: its patterns (after the gate) and what its action records."""

    stratum: int
    patterns: list[dict[str, Any]]
    action: tuple[Any, ...]  # ("outcome", rule, what, names) | ("derive", pred, names) | ("view", pred, names)
    reads: dict[str, set[str]]  # fact tag -> materialised fields the patterns read


@dataclass
class Pred:
    """A derived durable fact kind: its tag, arity and stratum."""
    tag: str
    arity: int
    stratum: int = 0
    base: str | None = None  # a view: the tag of the facts it copies


@dataclass(frozen=True)
class Value:
    """A value a durable expression reads, with what is known of its nulls."""
    fld: Fld | Lit
    klass: str | None
    items_never_null: bool = True




class Registries:
    """The translation's registries, shared by every rule of a rulebook (one binding scope per rule)."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[Any, ...], Kind] = {}
        self.field_names: dict[PathKey, str] = {}
        self.const_names: dict[tuple[str, Any], str] = {}
        self.preds: list[Pred] = []
        self.views: dict[tuple[str, Any], Pred] = {}
        self.views_by_tag: dict[str, Pred] = {}
        self.view_specs: list[Spec] = []
        self.element_tags: dict[tuple[tuple[Any, ...], str], str] = {}
        self.binding_kind: dict[str, Kind] = {}  # per rule being translated
        self.binding_node: dict[str, Any] = {}  # binding -> its schema node (None: unknown)
        self.counter = itertools.count()
        self.shapes = Shapes()
        self.kind("submission", ("submission",), collection="submission")


    # -- kinds, fields and names ---------------------------------------------------------------------
    def kind(self, tag: str, key: tuple[Any, ...], **kw: Any) -> Kind:
        found = self.kinds.get(key)
        if found is None:
            found = self.kinds[key] = Kind(key, tag, **kw)
        return found


    def type_test(self, name: str, tag: str | None = None) -> Any:
        return Cmp("$eq", Fld(name, "t"), Lit(tag or self.binding_kind[name].tag))

    def const(self, binding: str, value: Any) -> str:
        """A field holding a literal on ``binding``'s facts, so a test on another fact can be written here."""
        key = (type(value).__name__, value)
        name = self.const_names.get(key)
        if name is None:
            name = self.const_names[key] = f"x{len(self.const_names)}"
        self.binding_kind[binding].consts[name] = value
        return name

    def element_tag(self, lst: Fld) -> str:
        kind = self.binding_kind[lst.binding]
        key = (kind.key, lst.name)
        tag = self.element_tags.get(key)
        if tag is None:
            tag = self.element_tags[key] = f"E{len(self.element_tags)}"
        kind.elements[lst.name] = tag
        return tag

    def fresh(self, prefix: str, tag: str | None = None) -> str:
        name = f"{prefix}{next(self.counter)}"
        if tag is not None:
            self.binding_kind[name] = Kind((prefix, tag), tag)
        return name

    def new_pred(self) -> Pred:
        pred = Pred(f"P{len(self.preds)}", 0)
        self.preds.append(pred)
        return pred

    def key_test(self, name: str, free: list[str]) -> Any:
        """A derived fact whose arguments are the facts bound to ``free``."""
        return conj(self.type_test(name), *(Cmp("$eq", Fld(name, f"a{i}"), Fld(f, "k")) for i, f in enumerate(free)))

    def read(self, reads: dict[str, set[str]], f: Fld) -> str:
        reads.setdefault(self.binding_kind[f.binding].tag, set()).add(f.name)
        return f.name


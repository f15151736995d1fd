"""Which items of a quantifier's collection can make its ``where`` anything but false: hash-index lookups
read off the condition, shared by the generated code and the reference closures.

The join plan of both engines (``reference._join_plan``, ``emitter.join_plan``) indexes one conjunct of
``where`` that equates the item with an outer fact.  The rulebook has other shapes, and a quantifier over a
collection that none of them indexes scans the whole collection for every binding (a submission twice as
large costs four times as much).  These are looked up here instead:

- ``any`` of parts that each have a lookup: the items any of them finds;
- an outer list holding the item's key (``plan.includes_projects contains $covered.id``, ``x in $list``), and
  the item's key equal to an outer fact written the other way round (``$outer.x eq item.y``);
- ``exists`` over a list of the item whose ``where`` has a lookup (``exists c in project.components where
  c.platform eq $platform.id``): the item is indexed by the keys of its list's items;
- ``all``: the lookup of one of its parts (a join with an outer fact first), less the items that a part on
  the item alone makes false (``stage in [...]``, a literal, ``builds_own``): such parts, and a ``where`` on
  the item alone, are decided once per item when the index is built (``Lookup.filters``).

Every item a lookup leaves out has a definitely false ``where``, never an unknown one: an item whose key is
null (or that has a list item whose key is null, or a null list) is found by every lookup, and a null outer
key finds every item.  A quantifier over the candidates therefore gives exactly what a full scan gives
(an ``every`` skips an item whose ``where`` is false as ``exists`` and ``none`` do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..input.facts import FactBase
from ..rules.conditions import AllOf, AnyOf, Compare, Not, Operand, Path, Quantifier, Source
from .getters import ABSENT, compile_operand, compile_path, plain_keys
from .reference import compile_condition, source_getter

SCALARS = frozenset({"str", "enum", "int", "number", "bool", "date", "ref"})

KeysOf = Callable[[dict[str, Any]], list[Any] | None]
EnvKeys = Callable[[dict[str, Any], FactBase], list[Any] | None]
TRUE = Operand(literal=True)  # the key of every item a lookup by filters alone keeps


@dataclass(frozen=True)
class Lookup:
    """The items found by a key (or each key of a list) in one hash index of the quantifier's collection."""

    name: str  # the index's name in its collection: the same index, under the same name, for both engines
    binding: str  # the quantified item
    # the item's key: a path of the item (``contains``: a list of keys); or the keys of the items an inner
    # lookup finds in a list of the item; or neither: the key True
    path: Path | None
    contains: bool
    inner: tuple[Source, Lookup] | None
    key: Operand  # what is looked up, read in the scope around the quantifier
    many: bool = False  # ``key`` is a list: each of its values is looked up
    # conditions on the item alone (and the submission), decided when the index is built: an item for which
    # one is false is in no bucket (``stage in [...]`` beside a join, ``builds_own`` of a component)
    filters: tuple[Any, ...] = ()

    @property
    def keyed(self) -> bool:
        return self.key.path is not None


def lookups(node: Quantifier) -> tuple[Lookup, ...] | None:
    """The lookups whose found items include every item for which ``where`` is not false (None: none)."""
    if node.source.collection is None or node.where is None:
        return None
    return _plan(node.where, node.binding, frozenset({node.binding}))


def _plan(node: Any, item: str, local: frozenset[str]) -> tuple[Lookup, ...] | None:
    """``local``: the bindings made inside the quantifier (a key must be read outside it)."""
    if mentions(node) <= local | {"submission"}:  # the same whatever the outer facts: decided per item
        return (Lookup(f"if {text(node)}", item, None, False, None, TRUE, filters=(node,)),)
    if isinstance(node, AllOf):  # false when one part is: any part's lookup, less the items a filter drops
        filters = tuple(c for c in node.items if mentions(c) <= local | {"submission"})
        plans = [p for p in (_plan(c, item, local) for c in node.items if c not in filters) if p is not None]
        keyed = [p for p in plans if all(lookup.keyed for lookup in p)]  # a join before a literal filter
        if keyed or plans:
            return tuple(_filtered(lookup, filters) for lookup in (keyed or plans)[0])
        return (Lookup(f"if {text(*filters)}", item, None, False, None, TRUE, filters=filters),) if filters else None
    if isinstance(node, AnyOf):  # false when every part is: the union of the parts' lookups
        parts = [_plan(c, item, local) for c in node.items]
        if not parts or any(p is None for p in parts):
            return None
        return tuple(lookup for p in parts if p is not None for lookup in p)
    if isinstance(node, Compare):
        found = _compare(node, item, local)
        return None if found is None else (found,)
    if isinstance(node, Quantifier) and node.kind == "exists" and node.where is not None:
        source = node.source  # false when no item of the list can satisfy the inner where
        if source.path is None or source.path.binding != item:
            return None
        inner = _plan(node.where, node.binding, local | {node.binding})
        if inner is None:
            return None
        return tuple(Lookup(f"exists {source.text}|{i.name}", item, None, False, (source, i), i.key, i.many)
                     for i in inner)
    return None


def _filtered(lookup: Lookup, filters: tuple[Any, ...]) -> Lookup:
    if not filters:
        return lookup
    return replace(lookup, name=f"{lookup.name} if {text(*filters)}", filters=lookup.filters + filters)


def _scalar(path: Path) -> bool:
    return not path.mapped and path.type.kind in SCALARS


def _scalar_list(path: Path) -> bool:
    item = path.type.item
    return path.type.kind == "list" and item is not None and item.kind in SCALARS


def _compare(node: Compare, item: str, local: frozenset[str]) -> Lookup | None:
    """The item's key against an outer fact (a literal one is a filter, see ``_plan``)."""
    path, operand, op = node.path, node.operand, node.op
    if operand.path is None or operand.offset:
        return None
    if path.binding == item and operand.path.binding not in local:
        if op == "eq" and _scalar(path):
            return Lookup("eq:" + path.text, item, path, False, None, operand)
        if op == "contains" and _scalar_list(path):
            return Lookup("contains:" + path.text, item, path, True, None, operand)
        if op == "in" and _scalar(path) and _scalar_list(operand.path):
            return Lookup("eq:" + path.text, item, path, False, None, operand, many=True)
        return None
    mine = operand.path  # ``$outer eq item.x`` / ``outer contains $item.x``
    if mine.binding != item or path.binding in local or not _scalar(mine):
        return None
    if op == "eq" and _scalar(path):
        return Lookup("eq:" + mine.text, item, mine, False, None, Operand(path=path))
    if op == "contains" and _scalar_list(path):
        return Lookup("eq:" + mine.text, item, mine, False, None, Operand(path=path), many=True)
    return None


def mentions(node: Any) -> frozenset[str]:
    """The bindings a condition reads that it does not make itself."""
    if isinstance(node, Compare):
        return frozenset({node.path.binding} | ({node.operand.path.binding} if node.operand.path else set()))
    if isinstance(node, AllOf | AnyOf):
        return frozenset().union(*(mentions(c) for c in node.items))
    if isinstance(node, Not):
        return mentions(node.item)
    if isinstance(node, Quantifier):
        inside = frozenset().union(*(mentions(c) for c in (node.where, node.require) if c is not None))
        own = {node.source.path.binding} if node.source.path is not None else set()
        return frozenset(own) | (inside - {node.binding})
    raise AssertionError(type(node))


def text(*nodes: Any) -> str:
    """A condition written out in full (an index's name: equal texts, equal conditions)."""
    def one(node: Any) -> str:
        if isinstance(node, Compare):
            operand = node.operand
            if operand.path is not None:
                value = f"${operand.path.text}{operand.offset:+d}" if operand.offset else f"${operand.path.text}"
            elif isinstance(operand.literal, frozenset):
                value = "[" + ", ".join(sorted(map(repr, operand.literal))) + "]"
            else:
                value = repr(operand.literal)
            return f"{node.path.text} {node.op} {value}"
        if isinstance(node, AllOf | AnyOf):
            return ("all(" if isinstance(node, AllOf) else "any(") + "; ".join(map(one, node.items)) + ")"
        if isinstance(node, Not):
            return f"not({one(node.item)})"
        assert isinstance(node, Quantifier)
        parts = [one(c) if c is not None else "-" for c in (node.where, node.require)]
        return f"{node.kind} {node.binding} in {node.source.text} where({parts[0]}) require({parts[1]})"

    return "; ".join(map(one, nodes))


def _env_keys(lookup: Lookup) -> EnvKeys:
    """The keys of the item bound in ``env`` (None: unknown, found by every lookup; []: in no bucket)."""
    filters = [compile_condition(c) for c in lookup.filters]
    get = compile_path(lookup.path) if lookup.path is not None else None
    contains = lookup.contains
    inner = lookup.inner
    items_of = source_getter(inner[0]) if inner is not None else None
    inner_keys = _env_keys(inner[1]) if inner is not None else None
    inner_binding = inner[1].binding if inner is not None else ""

    def keys(env: dict[str, Any], facts: FactBase) -> list[Any] | None:
        for test in filters:
            if test(dict(env), facts, None) is False:
                return []
        if get is not None:
            v = get(env, facts, None)
            if v is None:
                return None
            if v is ABSENT:
                return []
            if contains:
                return None if None in v else list(v)
            return [v]
        if items_of is None or inner_keys is None:
            return [True]
        items = items_of(env, facts, None)
        if items is None:  # an unknown list: the inner exists may be unknown
            return None
        out: list[Any] = []
        for x in items:
            found = inner_keys({**env, inner_binding: x}, facts)
            if found is None:
                return None
            out.extend(found)
        return out

    return keys


def compile_keys(lookup: Lookup) -> Callable[[FactBase], KeysOf]:
    """For one submission's facts: the keys of one item of the collection.  The generated code builds its
    indexes with this same function (so both engines share them)."""
    keys = _env_keys(lookup)
    binding = lookup.binding
    field = getattr(compile_path(lookup.path), "plain_field", None) if lookup.path is not None else None
    if field is not None and not lookup.filters and lookup.inner is None:  # ``keys`` without an environment
        plain = plain_keys(field, lookup.contains)
        return lambda facts: plain

    def for_facts(facts: FactBase) -> KeysOf:
        submission = facts.submission
        return lambda entity: keys({"submission": submission, binding: entity}, facts)

    return for_facts


Finder = Callable[[dict[str, Any], FactBase], list[dict[str, Any]] | None]


def compile_finder(collection: str, found: tuple[Lookup, ...]) -> Finder:
    """The reference closures' lookup: the candidate items in the collection's order, or None for all."""
    parts = [(lookup.name, compile_keys(lookup), compile_operand(lookup.key), lookup.many) for lookup in found]

    def find(env: dict[str, Any], facts: FactBase) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        merged = len(parts) > 1  # items from more than one bucket: put back in the collection's order
        for name, keys_for, key_of, many in parts:
            table, unknown = facts._indexes.get((collection, name)) or facts.index(collection, name, keys_for(facts))
            key = key_of(env, facts, None)
            if key is None:
                return None
            if key is not ABSENT:
                if not many:
                    out.extend(table.get(key, ()))
                elif None in key:
                    return None
                else:
                    merged = True
                    for k in key:
                        out.extend(table.get(k, ()))
            if unknown:
                merged = True
                out.extend(unknown)
        if not merged:
            return out  # one bucket: in the collection's order, as the index was built
        positions = facts.positions(collection)
        return sorted({id(e): e for e in out}.values(), key=lambda e: positions[id(e)])

    return find


def skipped_bindings(rule: Any) -> frozenset[str]:
    """The bindings made inside a quantifier that the reference looks its items up for: a trace that skips
    items (``Trace.indexed``) may leave another value in them than a full scan leaves (the last item's)."""
    from .reference import _join_plan

    out: set[str] = set()

    def walk(node: Any, inside: bool) -> None:
        if isinstance(node, Quantifier):
            if inside:
                out.add(node.binding)
            looked_up = inside or (_join_plan(node) is None and lookups(node) is not None)
            for c in (node.where, node.require):
                if c is not None:
                    walk(c, looked_up)
        elif isinstance(node, AllOf | AnyOf):
            for c in node.items:
                walk(c, inside)
        elif isinstance(node, Not):
            walk(node.item, inside)

    for condition in (rule.when, rule.require, rule.downgrade_when):
        if condition is not None:
            walk(condition, False)
    return frozenset(out)


def read_by_findings(rule: Any) -> frozenset[str]:
    """The bindings a finding reads from its evaluated bindings: texts, subject, location, project, impacts."""
    paths = [p for parts in rule.templates.values() for texts in parts.values() for _, p in texts]
    paths += [rule.at, rule.project, *rule.impacts]
    return frozenset({p.binding for p in paths if p is not None} | {rule.subject} | {b.name for b in rule.bindings})

"""Compile a rule's conditions into plain-Python closures (the native engine).

Three-valued logic: a condition returns True, False or None (unknown).  A null fact is unknown unless
the fact model says its null means "none" (``ABSENT``), which compares definitely.  Quantifiers over a
collection use hash indexes built once per submission (joins stay linear); entities whose join key is
unknown stay candidates, so an indexed lookup gives exactly what a full scan would.

Every closure takes ``(env, facts, trace)``; ``trace`` is None on the fast path.  With a ``Trace`` the
same closures record each comparison and each unknown fact, which ``explain`` shows and which names the
facts to supply in an ``insufficient`` finding: one implementation serves both, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..input.facts import POINTER, FactBase
from ..rules.conditions import AllOf, AnyOf, Compare, Condition, Not, Quantifier, Source
from .getters import ABSENT, Env, Getter, Test, Trace, compile_operand, compile_path, keys_function, not3


# ------------------------------------------------------------------------------------- comparisons
def _eq(a: Any, b: Any) -> bool | None:
    if a is ABSENT or b is ABSENT:
        return False
    if a is None or b is None:
        return None
    return bool(a == b)


def _order(op: str) -> Callable[[Any, Any], bool | None]:
    def test(a: Any, b: Any) -> bool | None:
        if a is ABSENT or b is ABSENT:
            return False
        if a is None or b is None:
            return None
        if op == "lt":
            return bool(a < b)
        if op == "le":
            return bool(a <= b)
        if op == "gt":
            return bool(a > b)
        return bool(a >= b)

    return test


def _member(value: Any, collection: Any) -> bool | None:
    if value is ABSENT or collection is ABSENT:
        return False
    if value is None or collection is None:
        return None
    if value in collection:
        return True
    if isinstance(collection, list) and None in collection:
        return None
    return False


def _compare_fn(op: str) -> Callable[[Any, Any], bool | None]:
    if op == "eq":
        return _eq
    if op == "ne":
        return lambda a, b: not3(_eq(a, b))
    if op in ("lt", "le", "gt", "ge"):
        return _order(op)
    if op == "in":
        return _member
    if op == "not_in":
        return lambda a, b: not3(_member(a, b))
    if op == "contains":
        return lambda a, b: _member(b, a)
    if op == "is_set":
        return lambda a, b: (a is not None and a is not ABSENT) == b
    if op == "is_a":
        return lambda a, b: False if a is None or a is ABSENT else None
    raise AssertionError(op)


def _render(v: Any) -> Any:
    if v is ABSENT:
        return "none"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, frozenset):
        return sorted(map(str, v))
    if isinstance(v, dict):
        return v.get("id", v.get(POINTER))
    return v


def compile_compare(node: Compare) -> Test:
    get = compile_path(node.path)
    operand = compile_operand(node.operand)
    test = _compare_fn(node.op)
    text = node.text
    if node.op == "is_a":
        collections = node.operand.literal

        def is_a(env: Env, facts: FactBase, trace: Trace | None) -> bool | None:
            ref = get(env, facts, trace)
            if ref is None:
                return None
            target = facts.by_id.get(ref) if ref is not ABSENT else None
            result = target is not None and target.get("_collection") in collections
            if trace is not None:
                trace.events.append({"depth": trace.depth, "condition": text, "value": _render(ref),
                                     "result": result, "line": node.line})
            return result

        return is_a

    def compare(env: Env, facts: FactBase, trace: Trace | None) -> bool | None:
        a = get(env, facts, trace)
        b = operand(env, facts, trace)
        result = test(a, b)
        if trace is not None:
            trace.events.append({"depth": trace.depth, "condition": text, "value": _render(a),
                                 "operand": _render(b), "result": result, "line": node.line})
        return result

    return compare


# ------------------------------------------------------------------------------------- quantifiers
def join_plan(node: Quantifier) -> tuple[Compare, Condition | None] | None:
    """Find an equality (or contains) between the quantified item and outer facts, or a literal, to index on.

    Also gives the rest of ``where`` without it: for an item the index found by its key the join test
    is true, so only the rest needs evaluating (a long list is not searched again for every lookup).
    The generated code (emitter.py) plans with this same function, so both engines index alike.
    """
    if node.source.collection is None or node.where is None:
        return None
    conjuncts = node.where.items if isinstance(node.where, AllOf) else (node.where,)
    for c in conjuncts:  # the first indexable conjunct, in the rule's order: authors put the selective one first
        if not isinstance(c, Compare) or c.op not in ("eq", "contains") or c.path.binding != node.binding:
            continue
        if c.operand.path is None:  # a literal: an index on it filters the collection (e.g. level: provincial)
            if c.op != "eq" or c.path.mapped:
                continue
        elif c.operand.path.binding == node.binding or c.operand.offset:
            continue
        if c.op == "eq" and c.path.mapped:
            continue
        others = tuple(x for x in conjuncts if x is not c)
        return c, (AllOf(node.where.line, node.where.column, others) if others else None)
    return None


def _join_plan(node: Quantifier) -> tuple[str, Getter, Getter, Test | None] | None:
    """``join_plan`` compiled: the index name, the item's key, the outer key and the rest of ``where``."""
    plan = join_plan(node)
    if plan is None:
        return None
    c, rest = plan
    return (c.op + ":" + c.path.text, compile_path(c.path), compile_operand(c.operand),
            compile_condition(rest) if rest is not None else None)


def source_getter(source: Source) -> Callable[[Env, FactBase, Trace | None], list[Any] | None]:
    if source.collection is not None:
        name = source.collection
        return lambda env, facts, trace: facts.collection(name)
    assert source.path is not None
    get = compile_path(source.path)
    deref = source.type.item is not None and source.type.item.kind == "ref"

    def items(env: Env, facts: FactBase, trace: Trace | None) -> list[Any] | None:
        value = get(env, facts, trace)
        if value is None:  # an unknown list: the quantifier is unknown, not vacuous
            return None
        if value is ABSENT:
            return []
        if deref:
            return [facts.by_id[v] for v in value if v in facts.by_id]
        return list(value)

    return items


def compile_quantifier(node: Quantifier) -> Test:
    binding = node.binding
    where = compile_condition(node.where) if node.where is not None else None
    require = compile_condition(node.require) if node.require is not None else None
    source_items = source_getter(node.source)
    plan = _join_plan(node)
    rest = plan[3] if plan is not None else None
    kind = node.kind
    text = f"{kind} {binding} in {node.source.text}"
    find = None
    if plan is None:  # the other shapes of where that a hash index answers (candidates.py)
        from .candidates import compile_finder, lookups

        found = lookups(node)
        if found is not None and node.source.collection is not None:
            find = compile_finder(node.source.collection, found)

    def candidates(env: Env, facts: FactBase, trace: Trace | None) -> tuple[list[Any] | None, set[int] | None]:
        """The items to look at, and the ids of those among them that the index did not find by their key
        (their key is unknown); None: none was found by its key."""
        if trace is not None and trace.every_item:
            return source_items(env, facts, trace), None
        if plan is None:
            # the items left out have a false where; a trace that names every unknown fact met sees them all
            items = find(env, facts) if find is not None and (trace is None or trace.indexed) else None
            return (source_items(env, facts, trace) if items is None else items), None
        key_name, item_key, outer_key, _ = plan
        coll = node.source.collection
        assert coll is not None
        is_contains = key_name.startswith("contains:")

        keys_of = keys_function(binding, item_key, is_contains)(facts)
        table, unknown = facts.index(coll, key_name, keys_of)
        key = outer_key(env, facts, None)
        if key is None:  # unknown join key: every candidate is unknown; scan to say which facts
            return source_items(env, facts, trace), None
        hits = table.get(key, []) if key is not ABSENT else []
        # explain traces every test; otherwise the items not in ``unknown`` were found by their key
        scanned = None if trace is not None else {id(e) for e in unknown}
        if not unknown:
            return hits, scanned
        order = facts.positions(coll)
        return sorted([*hits, *unknown], key=lambda e: order[id(e)]), scanned

    def evaluate(env: Env, facts: FactBase, trace: Trace | None) -> bool | None:
        if trace is not None:
            trace.depth += 1
        saw_unknown = False
        result: bool | None
        witness = None
        items, scanned = candidates(env, facts, trace)
        if items is None:
            if trace is not None:
                trace.depth -= 1
                trace.events.append({"depth": trace.depth, "condition": text, "value": "unknown list",
                                     "result": None, "line": node.line})
            return None
        per_item = trace is not None and trace.every_item
        for item in items:
            env[binding] = item
            if per_item and trace is not None:
                trace.depth += 1
            if scanned is not None and id(item) not in scanned:  # found by its key: the join test is true
                w = rest(env, facts, trace) if rest is not None else True
            else:
                w = where(env, facts, trace) if where is not None else True
            r: bool | None = True
            if kind == "every" and w is not False:
                r = require(env, facts, trace) if require is not None else True
            if per_item and trace is not None:  # the item examined and whether it met the quantifier's test
                trace.depth -= 1
                ok = w if kind != "every" else (True if w is False else (r if w is True else (r or None)))
                trace.events.append({"depth": trace.depth, "condition": f"{binding} = {_render(item)}",
                                     "value": _render(item), "result": ok, "line": node.line, "item": binding})
            if kind == "every":  # each item must satisfy: (not where) or require
                if w is False:
                    continue
                if r is True:
                    continue
                if w is True and r is False:
                    witness = item
                    break
                saw_unknown = True
            else:
                if w is True:
                    witness = item
                    break
                if w is None:
                    saw_unknown = True
        env.pop(binding, None)
        if kind == "every":
            result = False if witness is not None else (None if saw_unknown else True)
        else:
            found = True if witness is not None else (None if saw_unknown else False)
            result = found if kind == "exists" else not3(found)
        if witness is not None:
            env[binding] = witness  # the entity that decided it, for messages and explain
        if trace is not None:
            trace.depth -= 1
            trace.events.append({"depth": trace.depth, "condition": text, "value": _render(witness),
                                 "result": result, "line": node.line})
        return result

    return evaluate


# ------------------------------------------------------------------------------------- combinators
def compile_condition(node: Any) -> Test:
    if isinstance(node, Compare):
        return compile_compare(node)
    if isinstance(node, Quantifier):
        return compile_quantifier(node)
    if isinstance(node, Not):
        inner = compile_condition(node.item)
        return lambda env, facts, trace: not3(inner(env, facts, trace))
    if isinstance(node, AllOf | AnyOf):
        parts = tuple(compile_condition(c) for c in node.items)
        decisive = isinstance(node, AnyOf)  # the value that settles the result at once

        label = "any of" if decisive else "all of"

        def combine(env: Env, facts: FactBase, trace: Trace | None) -> bool | None:
            unknown = False
            for part in parts:
                v = part(env, facts, trace)
                if v is decisive:
                    return decisive
                if v is None:
                    unknown = True
            return None if unknown else not decisive

        def traced(env: Env, facts: FactBase, trace: Trace | None) -> bool | None:
            if trace is None or not trace.every_item:
                return combine(env, facts, trace)
            trace.depth += 1  # explain keeps the any/all nesting: the parts under a group step
            result = combine(env, facts, trace)
            trace.depth -= 1
            trace.events.append({"depth": trace.depth, "condition": label, "value": None, "result": result,
                                 "line": getattr(node, "line", 0), "group": True})
            return result

        return traced
    raise AssertionError(type(node))

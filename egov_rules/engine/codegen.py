"""Generate plain Python source for a rulebook: one function per rule, compiled once (the default engine).

The generated code does what the reference closures (``reference``) do, without a call per path step or
per comparison: paths are nested ``get``s, comparisons are inline, ``all``/``any``/``not`` are inline
three-valued logic, quantifiers are loops and their joins are dict lookups in the hash indexes the
``FactBase`` builds once per submission (the same indexes, under the same names, as the reference).  A
value is only tested for null (unknown) or "there is none" where the fact schema says it can be one
(``Shapes.walk``: required and non-nullable all the way means never null).

Each rule function returns ``(applied, passed, not_applicable, verdicts)`` with verdicts as
``(status, downgraded, bindings)``; ``generated`` turns them into the engine-independent ``RuleRun``s.
Witnesses (which item decided a quantifier) are not tracked here: findings re-trace a verdict through
the reference closures, so both engines are compared on verdicts only.

Constants the code needs (literal sets, index key functions, for_each join plans) are built here with
the source and passed to it as globals; their names are fixed by the rulebook, so a cached code object
still fits the constants built again for the same rulebook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..rules.rulebook import Rule, Rulebook
from .candidates import compile_keys
from .getters import ABSENT, compile_path, keys_function, plus_offset
from .indexes import index_field


@dataclass
class Generated:
    """The source of a rulebook's functions and the recipes of the constants it reads."""

    source: str
    constants: dict[str, tuple[Any, ...]]  # name -> recipe (picklable: kept with the cached rulebook)
    functions: list[str]  # per rule, its function name
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # rule id -> first, last line of source



def generate_rule(rule: Rule, name: str, consts: dict[str, Any], shapes: Any) -> list[str]:
    """The rule's function, after the helper functions it calls."""
    from .emitter import Emitter  # only when the code is generated: a cached rulebook runs without it
    from .evaluate import ForEachJoin

    helpers: list[str] = []
    e = Emitter(consts, shapes, helpers)
    e.prefix = name
    e.file = rule.file
    e.vars["submission"] = "submission"
    e.plan_sharing([rule.when, rule.require, rule.downgrade_when], [b.source.path for b in rule.bindings])
    joins = ForEachJoin.plan(rule)
    names = [b.name for b in rule.bindings]
    e.emit(f"# rule {rule.id}: {rule.file}:{rule.line}")
    e.emit("applied = passed = na = 0")
    e.emit("verdicts = []")
    lists: list[str | None] = []  # per binding: the hoisted collection
    for b in rule.bindings:  # sources over collections are the same for every combination: read once
        if b.source.collection is not None:
            lst = e.fresh("all_")
            e.emit(f"{lst} = {e.collection(b.source.collection)}")
            lists.append(lst)
        else:
            lists.append(None)
    depth0 = e.indent
    for i, b in enumerate(rule.bindings):
        hoisted = lists[i]
        if hoisted is not None:
            lst = hoisted
        else:
            lst = e.fresh("items")
            if e.source_items(b.source, lst):
                e.emit(f"{lst} = {lst} or []")
        join = joins[i] if joins else None
        if join is not None and join.collection is not None:
            kept = e.fresh("kept")
            e.for_each_join(join, lst, kept)
            later = " * ".join(f"len({x})" for x in lists[i + 1:] if x is not None) or "1"
            e.emit(f"na += (len({lst}) - len({kept})) * {later}")
            lst = kept
        elif join is not None:
            plan = e.const(None, "J", ("join", rule.id, i))
            env = "{" + ", ".join(f"{n!r}: {e.vars[n]}" for n in ["submission", *names[:i]]) + "}"
            kept = e.fresh("kept")
            e.inner_join(join, plan, env, b.source, lst, kept)
            later = " * ".join(f"len({x})" for x in lists[i + 1:] if x is not None) or "1"
            e.emit(f"na += (len({lst}) - len({kept})) * {later}")
            lst = kept
        var = e.bind(b.name, b.source)
        e.emit(f"for {var} in {lst}:")
        e.indent += 1
    bound = "(" + "".join(f"{e.vars[n]}, " for n in names) + ")"
    if rule.when is not None:
        e.emit(f"# when ({rule.file})")
        read = e.condition(rule.when, "applies")
        e.emit("if applies is False:")
        e.emit("    na += 1")
        e.emit("    continue")
        e.emit("applied += 1")
        e.emit("if applies is None:")
        e.emit(f"    verdicts.append(('unknown', False, {bound}))")
        e.emit("    continue")
        for key, value in read.items():  # applies is true here: what the when read on its way is in its locals
            e.remember(key, value)
    else:
        e.emit("applied += 1")
    e.emit(f"# require ({rule.file})")
    e.condition(rule.require, "result")
    e.emit("if result is True:")
    e.emit("    passed += 1")
    e.emit("elif result is False:")
    e.indent += 1
    if rule.downgrade_when is not None:
        e.emit(f"# downgrade_when ({rule.file})")
        e.condition(rule.downgrade_when, "down")
        e.emit(f"verdicts.append(('fail', down is True, {bound}))")
    else:
        e.emit(f"verdicts.append(('fail', False, {bound}))")
    e.indent -= 1
    e.emit("else:")
    e.emit(f"    verdicts.append(('unknown', False, {bound}))")
    e.indent = depth0
    e.emit("return applied, passed, na, verdicts")
    header = [f"def {name}(facts):",
              "    submission = facts.submission",
              "    by_id = facts.by_id",
              "    collections = facts.collections",
              "    as_of = submission.get('as_of')",
              "    indexes = facts._indexes  # built once per submission, shared with the reference engine",
              *(f"    {line}" for line in e.prologue)]
    return [line for h in helpers for line in (*h.splitlines(), "")] + header + e.lines


def generate(rulebook: Rulebook) -> Generated:
    from .durable.expressions import Shapes

    shapes = Shapes()
    consts: dict[str, Any] = {}
    lines = ["# generated by egov_rules.engine.codegen from the rulebook; do not edit", ""]
    functions = []
    spans = {}
    for i, rule in enumerate(rulebook.rules):
        name = f"rule_{i}"
        first = len(lines) + 1
        lines += generate_rule(rule, name, consts, shapes)
        spans[rule.id] = (first, len(lines))
        lines.append("")
        functions.append(name)
    return Generated("\n".join(lines) + "\n", consts, functions, spans)


def build_constants(recipes: dict[str, tuple[Any, ...]], rulebook: Rulebook) -> dict[str, Any]:
    """The generated code's globals, from their recipes: values as they are; path getters, index key
    functions and for_each join plans built again from the rule AST (closures do not pickle)."""
    from .evaluate import ForEachJoin

    plans: dict[str, list[Any]] = {}
    out: dict[str, Any] = {"ABSENT": ABSENT, "date": dt.date, "plus_offset": plus_offset, "index_field": index_field}
    for name, recipe in recipes.items():
        kind = recipe[0]
        if kind == "value":
            out[name] = recipe[1]
        elif kind == "getter":
            out[name] = compile_path(recipe[1])
        elif kind == "keys":
            out[name] = keys_function(recipe[1], compile_path(recipe[2]), recipe[3])
        elif kind == "lookup":
            out[name] = compile_keys(recipe[1])
        else:  # "join"
            rule_id, index = recipe[1], recipe[2]
            if rule_id not in plans:
                rule = rulebook.get(rule_id)
                assert rule is not None
                plans[rule_id] = ForEachJoin.plan(rule)
            out[name] = plans[rule_id][index]
    return out


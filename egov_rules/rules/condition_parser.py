"""Parses a rule file's conditions (YAML data) into the AST of ``conditions.py``: combinators, quantifiers,
predicate calls and comparisons, every path and operand checked as it is read (``condition_types.py``).
"""

from __future__ import annotations

from typing import Any

from ..errors import closest
from .condition_types import (
    ParseContext,
    Predicate,
    Scope,
    _check_literal,
    _element_type,
    _parse_operand,
    _parse_source,
    parse_path,
)
from .conditions import AllOf, AnyOf, Compare, Condition, Not, Operand, Quantifier

COMBINATORS = ("all", "any", "not")
QUANTIFIERS = ("exists", "none", "every")
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains", "is_set", "is_a")
RESERVED = frozenset(COMBINATORS + QUANTIFIERS + ("where", "require", "submission"))
ORDERED_KINDS = ("int", "number", "date")


def _parse_compare(ctx: ParseContext, path_text: str, spec: Any, scope: Scope, pointer: str) -> Condition:
    path = parse_path(ctx, path_text, scope, pointer, key=True)
    line, col = ctx.locate(pointer)
    if not isinstance(spec, dict):
        spec = {"eq": spec}
        op_pointer = {"eq": pointer}
    else:
        op_pointer = {op: f"{pointer}/{op}" for op in spec}
        if not spec:
            raise ctx.error(pointer, "an empty comparison", expected="an operator such as eq, in, is_set")
    items: list[Condition] = []
    for op, raw in spec.items():
        p = op_pointer[op]
        if op not in COMPARISONS:
            raise ctx.error(p, f"unknown operator '{op}'", expected="one of " + ", ".join(COMPARISONS),
                            suggestion=closest(op, COMPARISONS))
        ft = path.type
        if ft.kind == "list" and op not in ("contains", "is_set"):
            raise ctx.error(p, f"{path.text} is a list; use 'contains', or '.count' to compare its length")
        if op in ("eq", "ne"):
            operand = _parse_operand(ctx, raw, scope, p, ft, path.text)
        elif op in ("lt", "le", "gt", "ge"):
            if ft.kind not in ORDERED_KINDS:
                raise ctx.error(p, f"{path.text} is {ft.describe()}; '{op}' needs a number or a date")
            operand = _parse_operand(ctx, raw, scope, p, ft, path.text)
        elif op in ("in", "not_in"):
            if isinstance(raw, str) and not raw.startswith("$"):
                if raw not in ctx.sets:
                    raise ctx.error(
                        p, f"'{raw}' is not a named set", expected="a list or one of " + ", ".join(sorted(ctx.sets)),
                        suggestion=closest(raw, ctx.sets),
                    )
                raw = list(ctx.sets[raw])
            if isinstance(raw, str):  # $path to a list
                operand = Operand(path=parse_path(ctx, raw[1:], scope, p))
            else:
                if not isinstance(raw, list) or not raw:
                    raise ctx.error(p, f"'{op}' takes a non-empty list or a set name")
                values = tuple(_check_literal(ctx, ft, v, f"{p}/{i}", path.text) for i, v in enumerate(raw))
                operand = Operand(literal=frozenset(values))
        elif op == "contains":
            if ft.kind != "list":
                raise ctx.error(p, f"{path.text} is {ft.describe()}, not a list; 'contains' needs a list")
            operand = _parse_operand(ctx, raw, scope, p, _element_type(ft), path.text)
        elif op == "is_set":
            if not isinstance(raw, bool):
                raise ctx.error(p, "is_set takes true or false")
            operand = Operand(literal=raw)
        else:  # is_a
            refs = ft.refs if ft.kind == "ref" else ()
            if not refs:
                raise ctx.error(p, f"{path.text} is not a reference; 'is_a' needs one")
            names = raw if isinstance(raw, list) else [raw]
            for name in names:
                if name not in refs:
                    raise ctx.error(p, f"{path.text} cannot point into '{name}'", expected="one of " + ", ".join(refs),
                                    suggestion=closest(str(name), refs))
            operand = Operand(literal=frozenset(names))
        items.append(Compare(line, col, path, op, operand))
    return items[0] if len(items) == 1 else AllOf(line, col, tuple(items))


def _binding_entry(ctx: ParseContext, body: dict[str, Any], pointer: str, allowed: set[str]) -> tuple[str, Any]:
    names = [k for k in body if k not in allowed]
    if len(names) != 1:
        raise ctx.error(
            pointer,
            "a quantifier names exactly one binding and its source, e.g. {approval: approvals, where: ...}",
            expected="one binding plus " + ", ".join(sorted(allowed)),
        )
    return names[0], body[names[0]]


def parse_condition(ctx: ParseContext, raw: Any, scope: Scope, pointer: str) -> Condition:
    if not isinstance(raw, dict) or not raw:
        raise ctx.error(pointer, "a condition is a mapping", expected="all/any/not/exists/none/every or path: value")
    line, col = ctx.locate(pointer)
    if len(raw) > 1:  # several entries in one mapping: all of them
        items = tuple(parse_condition(ctx, {k: v}, scope, pointer) for k, v in raw.items())
        return AllOf(line, col, items)
    (key, value), = raw.items()
    p = f"{pointer}/{key}"
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ctx.error(p, f"'{key}' takes a non-empty list of conditions")
        items = tuple(parse_condition(ctx, v, scope, f"{p}/{i}") for i, v in enumerate(value))
        return AllOf(line, col, items) if key == "all" else AnyOf(line, col, items)
    if key == "not":
        return Not(line, col, parse_condition(ctx, value, scope, p))
    if key in QUANTIFIERS:
        if not isinstance(value, dict):
            raise ctx.error(p, f"'{key}' takes a mapping: {{binding: source, where: condition}}")
        allowed = {"where", "require"} if key == "every" else {"where"}
        name, src = _binding_entry(ctx, value, p, allowed)
        if name in scope or name in RESERVED or name in ctx.predicates:
            raise ctx.error(p + "/" + name, f"binding name '{name}' is already in use here; choose another")
        source, item_type = _parse_source(ctx, src, scope, f"{p}/{name}")
        inner = {**scope, name: item_type}
        where = parse_condition(ctx, value["where"], inner, f"{p}/where") if "where" in value else None
        require = None
        if key == "every":
            if "require" not in value:
                raise ctx.error(p, "'every' needs 'require': the condition each item must meet")
            require = parse_condition(ctx, value["require"], inner, f"{p}/require")
        ctx.witnesses[name] = item_type
        return Quantifier(line, col, key, name, source, where, require)
    if key in ctx.predicates:
        return _expand_predicate(ctx, ctx.predicates[key], value, scope, p)
    if "." not in key and key not in scope and key not in ctx.aliases:
        candidates = [*COMBINATORS, *QUANTIFIERS, *ctx.predicates, *scope]
        raise ctx.error(
            p, f"unknown condition '{key}'", expected="all, any, not, exists, none, every, a predicate or a path",
            suggestion=closest(key, candidates),
        )
    return _parse_compare(ctx, key, value, scope, p)


def _expand_predicate(ctx: ParseContext, pred: Predicate, args: Any, scope: Scope, pointer: str) -> Condition:
    if pred.name in ctx.call_stack:
        raise ctx.error(pointer, f"predicate '{pred.name}' calls itself")
    if not isinstance(args, dict) or set(args) != set(pred.params):
        raise ctx.error(pointer, f"predicate '{pred.name}' takes exactly: " + ", ".join(pred.params))
    aliases = {}
    for param, arg in args.items():
        text = arg[1:] if isinstance(arg, str) and arg.startswith("$") else arg
        if isinstance(text, str):  # an argument may name the calling predicate's own parameter
            head, _, rest = text.partition(".")
            if head in ctx.aliases:
                text = ctx.aliases[head] + ("." + rest if rest else "")
        parse_path(ctx, text, scope, f"{pointer}/{param}")  # check the argument at the call site
        aliases[param] = text
    inner = ParseContext(
        ctx.schema, pred.file, pred.locate, ctx.sets, ctx.predicates, aliases, ctx.witnesses,
        (*ctx.call_stack, pred.name), pred.locate_key, ctx.parameters,
    )
    # the predicate's own quantifier bindings must not shadow the caller's: scope stays the caller's
    return parse_condition(inner, pred.body, scope, pred.pointer)

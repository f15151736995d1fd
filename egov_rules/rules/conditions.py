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
``days_before_as_of`` on dates, ``count`` on lists.  An OPERAND is a literal, ``$path``, or
``{of: $path, plus|minus: N}``.  Every name is checked when the rule file is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import RuleFileError, closest, safe_text
from ..input.facts import DERIVED_COLLECTIONS
from ..input.factschema import PSEUDO_FIELDS, FactSchema, FieldType

COMBINATORS = ("all", "any", "not")
QUANTIFIERS = ("exists", "none", "every")
MAX_OFFSET = 36_525  # plus/minus in an operand: 100 years of days
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "contains", "is_set", "is_a")
RESERVED = frozenset(COMBINATORS + QUANTIFIERS + ("where", "require", "submission"))
ORDERED_KINDS = ("int", "number", "date")

Locator = Callable[[str], tuple[int, int]]


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


# --------------------------------------------------------------------------------------- the parser
@dataclass
class Predicate:
    """A named condition a rule file defines and other conditions call with parameters."""
    name: str
    params: tuple[str, ...]
    body: Any
    pointer: str
    locate: Locator
    file: str
    description: str = ""
    locate_key: Locator | None = None


@dataclass
class ParseContext:
    """What parsing a rule file's conditions needs: the fact schema, positions, sets, predicates."""
    schema: FactSchema
    file: str
    locate: Locator
    sets: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    predicates: dict[str, Predicate] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # predicate param -> argument path
    witnesses: dict[str, FieldType] = field(default_factory=dict)  # quantifier bindings (usable in messages)
    call_stack: tuple[str, ...] = ()
    locate_key: Locator | None = None  # where a mapping key stands (paths are keys in comparisons)
    parameters: dict[str, int] = field(default_factory=dict)  # policy parameters and their defaults

    def error(self, pointer: str, message: str, *, at_key: bool = False, **kw: Any) -> RuleFileError:
        line, col = (self.locate_key if at_key and self.locate_key else self.locate)(pointer)
        return RuleFileError(message, file=self.file, line=line, column=col, field=pointer or None, **kw)


Scope = dict[str, FieldType]


def submission_type(schema: FactSchema) -> FieldType:
    return schema.entities["submission"]


def entity_type(schema: FactSchema, collection: str) -> FieldType:
    if collection in DERIVED_COLLECTIONS:
        return schema.entities[DERIVED_COLLECTIONS[collection]]
    return schema.entity_of_collection(collection)


def all_collections(schema: FactSchema) -> list[str]:
    return [*schema.collections, *DERIVED_COLLECTIONS]


def _ref_target(schema: FactSchema, refs: tuple[str, ...]) -> FieldType:
    """The type reached by following a reference (a union of entity types: fields of any)."""
    if len(refs) == 1:
        return schema.entity_of_collection(refs[0])
    fields: dict[str, FieldType] = {}
    for coll in refs:
        for name, ft in schema.entity_of_collection(coll).fields.items():
            fields.setdefault(name, ft)
    return FieldType("object", fields=fields, entity=" or ".join(schema.collections[c] for c in refs))


def parse_path(ctx: ParseContext, text: str, scope: Scope, pointer: str, *, key: bool = False) -> Path:
    if not isinstance(text, str) or not text:
        raise ctx.error(pointer, "a field path is expected here", expected="a path such as project.stage")
    try:
        return _parse_path(ctx, text, scope, pointer)
    except RuleFileError as exc:
        if key and ctx.locate_key is not None:
            exc.position.line, exc.position.column = ctx.locate_key(pointer)
        raise


def _parse_path(ctx: ParseContext, text: str, scope: Scope, pointer: str) -> Path:
    parts = text.split(".")
    if parts[0] in ctx.aliases:
        text = ctx.aliases[parts[0]] + ("." + ".".join(parts[1:]) if len(parts) > 1 else "")
        parts = text.split(".")
    binding = parts[0]
    if binding not in scope:
        raise ctx.error(
            pointer,
            f"'{binding}' is not a binding in scope here",
            expected="one of " + ", ".join(sorted(scope)),
            suggestion=closest(binding, scope),
        )
    current = scope[binding]
    steps: list[Step] = []
    mapped = False
    pending_deref = False
    for name in parts[1:]:
        if current.kind == "ref":
            current = _ref_target(ctx.schema, current.refs)
            pending_deref = True
        if current.kind == "list" and current.item is not None and current.item.kind in ("object", "ref"):
            if name in PSEUDO_FIELDS["list"] and not mapped:
                steps.append(Step(name, pseudo=True))
                current = FieldType("int")
                continue
            mapped = True
            current = current.item  # type: ignore[assignment]  # checked non-None in the test above
            if current.kind == "ref":
                current = _ref_target(ctx.schema, current.refs)
                pending_deref = True
        pseudo = PSEUDO_FIELDS.get("list" if current.kind == "list" else current.kind, {})
        if name in pseudo:
            steps.append(Step(name, pseudo=True, deref=pending_deref))
            pending_deref = False
            current = FieldType(pseudo[name])
            continue
        if current.kind != "object":
            raise ctx.error(
                pointer,
                f"'{text}': '{name}' cannot be read from {current.describe()}",
                expected=("one of " + ", ".join(sorted(pseudo))) if pseudo else "no further field",
            )
        if name not in current.fields:
            owner = current.entity or "this object"
            raise ctx.error(
                pointer,
                f"'{text}': {owner} has no field '{name}'",
                expected="one of " + ", ".join(sorted(current.fields)),
                suggestion=closest(name, current.fields),
            )
        ft = current.fields[name]
        required_list = ft.kind == "list" and not ft.nullable  # an optional list left out is unknown
        steps.append(Step(name, deref=pending_deref, none_semantic=ft.null_means_none, is_list=required_list))
        pending_deref = False
        current = ft
    result_type = FieldType("list", item=current) if mapped else current
    return Path(binding, tuple(steps), result_type, text, mapped)


def _check_literal(ctx: ParseContext, ft: FieldType, value: Any, pointer: str, path_text: str) -> Any:
    """Check that a literal can be compared with a field of type ``ft``; convert dates."""
    kind = ft.kind
    if value is None:
        raise ctx.error(pointer, "null is not a value to compare with; use is_set: false")
    if kind == "enum":
        allowed = [v for v in ft.enum if v is not None]
        if value not in allowed:
            raise ctx.error(
                pointer,
                f"'{value}' is not a value of {path_text}",
                expected="one of " + ", ".join(map(str, allowed)),
                suggestion=closest(str(value), map(str, allowed)),
            )
        return value
    if kind == "bool" and not isinstance(value, bool):
        raise ctx.error(pointer, f"{path_text} is true or false, not {value!r}", expected="true or false")
    if kind in ("int", "number") and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ctx.error(pointer, f"{path_text} is a number, not {value!r}", expected="a number")
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ctx.error(pointer, f"{value!r} is not a date", expected="YYYY-MM-DD") from None
    if kind in ("str", "ref") and not isinstance(value, str):
        raise ctx.error(pointer, f"{path_text} is text, not {value!r}", expected="a string")
    return value


def _element_type(ft: FieldType) -> FieldType:
    return ft.item if ft.kind == "list" and ft.item is not None else ft


def _parse_operand(
    ctx: ParseContext, raw: Any, scope: Scope, pointer: str, target: FieldType, path_text: str
) -> Operand:
    if isinstance(raw, str) and raw.startswith("$"):
        return Operand(path=parse_path(ctx, raw[1:], scope, pointer))
    if isinstance(raw, dict) and "param" in raw:
        if set(raw) != {"param"}:
            raise ctx.error(pointer, "a parameter operand is {param: NAME} alone", expected="{param: NAME}")
        name = raw["param"]
        if name not in ctx.parameters:
            raise ctx.error(pointer + "/param", f"'{name}' is not a policy parameter",
                            expected="one of " + (", ".join(sorted(ctx.parameters)) or "(none defined)"),
                            suggestion=closest(str(name), ctx.parameters))
        if target.kind not in ("int", "number"):
            raise ctx.error(pointer, f"{path_text} is {target.describe()}; a policy parameter is a number")
        return Operand(literal=ctx.parameters[name], param=name)
    if isinstance(raw, dict) and "of" in raw:
        extra = set(raw) - {"of", "plus", "minus"}
        if extra:
            raise ctx.error(pointer, f"unknown key '{sorted(extra)[0]}' in an operand", expected="of, plus, minus")
        of = raw["of"]
        if not (isinstance(of, str) and of.startswith("$")):
            raise ctx.error(pointer + "/of", "'of' takes a $path", expected="$binding.field")
        for key in ("plus", "minus"):
            amount = raw.get(key, 0)
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise ctx.error(f"{pointer}/{key}", f"{key} takes a whole number", expected="an integer")
            if abs(amount) > MAX_OFFSET:  # a date cannot move further; a number offset this large is a typo
                raise ctx.error(f"{pointer}/{key}", f"{key} {safe_text(amount, 40)} is out of range",
                                expected=f"at most {MAX_OFFSET} (days for a date: 100 years)")
        delta = raw.get("plus", 0) - raw.get("minus", 0)
        path = parse_path(ctx, of[1:], scope, pointer + "/of")
        if path.type.kind not in ("int", "number", "date"):
            raise ctx.error(pointer + "/of", f"{path.text} is not a number or date; plus/minus cannot apply")
        return Operand(path=path, offset=delta)
    return Operand(literal=_check_literal(ctx, target, raw, pointer, path_text))


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


def _parse_source(ctx: ParseContext, raw: Any, scope: Scope, pointer: str) -> tuple[Source, FieldType]:
    if isinstance(raw, str) and "." not in raw:
        if raw not in all_collections(ctx.schema):
            if raw in scope:
                raise ctx.error(pointer, f"'{raw}' is a binding, not a list; name a list field of it")
            raise ctx.error(
                pointer, f"'{raw}' is not a collection", expected="a collection such as units or a path to a list",
                suggestion=closest(raw, all_collections(ctx.schema)),
            )
        return Source(raw, None, entity_type(ctx.schema, raw)), entity_type(ctx.schema, raw)
    path = parse_path(ctx, raw, scope, pointer)
    if path.type.kind != "list" or path.type.item is None:
        raise ctx.error(pointer, f"{path.text} is {path.type.describe()}, not a list to range over")
    item = path.type.item
    if item.kind == "ref":
        item = _ref_target(ctx.schema, item.refs)
    return Source(None, path, path.type), item


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

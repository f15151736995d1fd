"""The condition language's type checker: paths resolved against the fact schema (following references, mapping
over lists, pseudo-fields), literals and operands checked against the type they are compared with, the source
a quantifier ranges over; and the parse context every check raises its positioned error from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import RuleFileError, closest, safe_text
from ..input.facts import DERIVED_COLLECTIONS
from ..input.factschema import PSEUDO_FIELDS, FactSchema, FieldType
from .conditions import Operand, Path, Source, Step

MAX_OFFSET = 36_525  # plus/minus in an operand: 100 years of days

Locator = Callable[[str], tuple[int, int]]


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

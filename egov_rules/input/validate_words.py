"""The model stage's errors in plain words: pydantic's structured error details → ``FieldError``s at the file
position (line, column) and JSON pointer they are about.

Messages are written here from pydantic's error types and context; pydantic's own text and URLs never reach
the user.  The model validators' own error types (``model_fields.ERR_*``) are worded here too.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from ..errors import InputError, closest, safe_text
from .load import Document, pointer_join
from .model import Submission
from .model_fields import (
    DATA_ELEMENT_PATTERN,
    ERR_DATE,
    ERR_NOT_NULL,
    ERR_PERIOD,
    ERR_RULE,
    ERR_UNIQUE,
    ID_PATTERN,
    NotNull,
    Problem,
)

__all__ = ["FieldError"]


class FieldError(InputError):
    """An input error whose message already says what was expected.

    ``expected`` is still set (for ``--format json``), so ``render`` leaves it out instead of saying it twice.
    """

    show_expected = False


def _pointer(loc: tuple[int | str, ...]) -> str:
    out = ""
    for seg in loc:
        out = pointer_join(out, seg if isinstance(seg, int) else str(seg))
    return out


def _describe(value: Any) -> str:
    """A value from the document in plain words ("the string 'yes'", "the number 1", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {safe_text(value, 40)}"
    if isinstance(value, str):
        return f"the string '{safe_text(value, 60)}'" if value else "an empty string"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a value of type {type(value).__name__}"


_TYPE_WORDS = {
    "bool_type": "true or false",
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
}

PATTERN_WORDS = {
    ID_PATTERN: "an id: 1-128 characters from A-Z a-z 0-9 . _ : - starting with a letter or digit",
    DATA_ELEMENT_PATTERN: "a data element code: lower-case dotted words such as person.id_number",
}


@dataclass
class _Declared:
    """What the models declare at a location: the bare type, whether null is allowed, Annotated metadata."""

    tp: Any
    nullable: bool
    metadata: list[Any]


def _unwrap(tp: Any, metadata: list[Any]) -> _Declared:
    nullable = False
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            metadata = [*metadata, *tp.__metadata__]
            tp = get_args(tp)[0]
        elif origin is Union or origin is types.UnionType:
            args = [a for a in get_args(tp) if a is not type(None)]
            nullable = nullable or len(args) < len(get_args(tp))
            if len(args) != 1:
                return _Declared(tp, nullable, metadata)
            tp = args[0]
        else:
            break
    if any(isinstance(m, NotNull) for m in metadata):
        nullable = False
    return _Declared(tp, nullable, metadata)


def _declared_at(loc: tuple[int | str, ...]) -> _Declared | None:
    """Walk the model classes along an error location (None when it leaves them, e.g. at an unknown key)."""
    cur = _Declared(Submission, False, [])
    for seg in loc:
        tp = cur.tp
        if isinstance(seg, int):
            if get_origin(tp) is not list:
                return None
            cur = _unwrap(get_args(tp)[0], [])
        else:
            if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
                return None
            info = tp.model_fields.get(seg)
            if info is None:
                return None
            cur = _unwrap(info.annotation, list(info.metadata))
    return cur


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    declared = _declared_at(loc)
    if declared and isinstance(declared.tp, type) and issubclass(declared.tp, BaseModel):
        return list(declared.tp.model_fields)
    return []


def _translate(doc: Document, detail: Any) -> list[FieldError]:
    loc: tuple[int | str, ...] = tuple(detail["loc"])
    kind: str = detail["type"]
    value = detail.get("input")
    ctx: dict[str, Any] = detail.get("ctx") or {}
    pointer = _pointer(loc)

    def at(
        message: str,
        expected: str | None = None,
        suggestion: str | None = None,
        *,
        key: bool = False,
        where: str = pointer,
    ) -> FieldError:
        line, column = doc.locate_key(where) if key else doc.locate(where)
        return FieldError(
            message,
            file=doc.source,
            line=line,
            column=column,
            field=where or "/",
            expected=expected,
            suggestion=suggestion,
        )

    if kind == ERR_RULE:
        out = []
        for problem in ctx["problems"]:
            assert isinstance(problem, Problem)
            where = pointer
            for part in problem.loc:
                where = pointer_join(where, part)
            out.append(at(problem.message, "the field to be given" if problem.missing else None, where=where))
        return out
    if kind == "missing":  # locate() falls back to the parent mapping, which is where the key belongs
        return [at(f"missing required field '{safe_text(loc[-1])}'", "the field to be given")]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        suggestion = closest(name, _fields_at(loc[:-1]))
        return [at(f"unknown field '{safe_text(name)}'", "a field the schema defines", suggestion, key=True)]

    declared = _declared_at(loc)
    or_null = " or null" if declared and declared.nullable else ""
    got = _describe(value)

    if kind == "literal_error":
        allowed = [a for a in get_args(declared.tp)] if declared and get_origin(declared.tp) is Literal else []
        words = "one of: " + ", ".join(str(a) for a in allowed) + (" (or null)" if or_null else "")
        suggestion = closest(value, [str(a) for a in allowed]) if isinstance(value, str) else None
        return [at(f"expected {words}, got {got}", words, suggestion)]
    if kind in _TYPE_WORDS:
        words = _TYPE_WORDS[kind] + or_null
        hint = " (quote it to make it a string)" if kind == "string_type" and isinstance(value, int | float) else ""
        return [at(f"expected {words}, got {got}{hint}", words)]
    if kind == ERR_DATE:
        if ctx.get("reason") == "calendar":
            return [at(f"'{safe_text(value)}' is not a real calendar date", "a real calendar date YYYY-MM-DD")]
        return [at(f"expected a date written YYYY-MM-DD{or_null}, got {got}", "a date written YYYY-MM-DD")]
    if kind == ERR_PERIOD:
        words = "a year: 4 digits as a string, or a whole number 1000-9999"
        return [at(f"expected {words}, got {got}", words)]
    if kind == ERR_NOT_NULL:
        words = str(ctx.get("expected", "a value"))
        if declared and get_origin(declared.tp) is Literal:
            words = "one of: " + ", ".join(str(a) for a in get_args(declared.tp))
        return [at(f"expected {words}, got null (leave the field out when it is unknown)", words)]
    if kind == ERR_UNIQUE:
        where = pointer_join(pointer, int(ctx["index"]))
        item = ctx.get("value")
        shown = f"'{safe_text(item, 60)}'" if isinstance(item, str) else _describe(item)
        message = f"duplicate item {shown}: the same as item {ctx['first']}"
        return [at(message, "each item at most once", where=where)]
    if kind == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str(ctx.get("pattern")), "text matching " + str(ctx.get("pattern")))
        return [at(f"expected {words}, got {got}", words)]
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        if isinstance(bound, float) and bound.is_integer():  # float fields report 0.0; say 0
            bound = int(bound)
        words = f"a number of at {'least' if kind == 'greater_than_equal' else 'most'} {bound}"
        return [at(f"expected {words}, got {got}", words)]
    if kind == "string_too_short":
        return [at(f"expected a non-empty string, got {got}", "a non-empty string")]
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        words = f"at least {n} item{'s' if n != 1 else ''}"
        return [at(f"expected {words}, got {got}", words)]
    return [at(f"invalid value: {got}")]  # a pydantic error type the models do not produce today

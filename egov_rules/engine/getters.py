"""The reference engine's values: ``ABSENT`` (a null that means "there is none"), ``Trace``, three-valued
``and3``/``not3``, and paths and operands compiled into getters ``(env, facts, trace) -> value`` (also the
index key functions both engines share: ``plain_keys``, ``keys_function``).  ``reference`` builds its
comparisons, quantifiers and conditions on them; the generated engine's constants and the durable
translation read facts through them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..input.facts import POINTER, FactBase
from ..rules.conditions import Operand, Path
from .indexes import plain_field


class _Absent:
    """A null whose meaning is "there is none" (a date that has not happened, a null reference)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "none"

    def __bool__(self) -> bool:
        return False


ABSENT = _Absent()

Env = dict[str, Any]


@dataclass
class Trace:
    """What an evaluation looked at: comparisons with their values, and the unknown facts it met."""

    events: list[dict[str, Any]] = field(default_factory=list)
    unknown: dict[str, str] = field(default_factory=dict)  # pointer -> path text
    depth: int = 0
    # explain: quantifiers look at every item of their collection (not only those an index finds) and
    # record each item they examined, with the conditions it met or failed
    every_item: bool = False
    # findings of a failed check: only the witnesses are wanted, not every unknown fact met on the way, so
    # quantifiers may skip the items a hash index shows to have a false where (candidates.py)
    indexed: bool = False

    def unknown_fact(self, pointer: str, text: str) -> None:
        self.unknown.setdefault(pointer, text)


Getter = Callable[[Env, FactBase, Trace | None], Any]
Test = Callable[[Env, FactBase, Trace | None], bool | None]


# ------------------------------------------------------------------------------------- 3-valued logic
def and3(values: Iterable[bool | None]) -> bool | None:
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def not3(v: bool | None) -> bool | None:
    return None if v is None else not v


# ------------------------------------------------------------------------------------------- paths
def _pseudo(name: str, value: Any, facts: FactBase) -> Any:
    if name == "count":
        return len(value)
    if name == "year":
        return value.year
    if name == "days_before_as_of":
        as_of: dt.date = facts.submission["as_of"]
        return (as_of - value).days
    raise AssertionError(name)


def compile_path(path: Path) -> Getter:
    """A getter for a path: the value, None when unknown, ABSENT when there is none."""
    steps = path.steps
    binding = path.binding
    text = path.text

    if not path.mapped:

        def get(env: Env, facts: FactBase, trace: Trace | None) -> Any:
            value = env[binding]
            pointer = value.get(POINTER, "") if trace is not None and isinstance(value, dict) else ""
            for step in steps:
                if value is None or value is ABSENT:
                    return value
                if step.deref:
                    value = facts.by_id.get(value)
                    if value is None:  # validated submissions have no dangling references
                        return ABSENT
                    if trace is not None:
                        pointer = value.get(POINTER, "")
                if step.pseudo:
                    value = _pseudo(step.name, value, facts)
                    continue
                value = value.get(step.name)
                if trace is not None:
                    pointer = f"{pointer}/{step.name}"
                if value is None:
                    if step.is_list:
                        value = []
                        continue
                    if step.none_semantic:
                        return ABSENT
                    if trace is not None:
                        trace.unknown_fact(pointer, text)
                    return None
            return value

        if plain_field(path) is not None:  # index building reads it directly
            get.plain_field = steps[0].name  # type: ignore[attr-defined]
        return get

    def get_mapped(env: Env, facts: FactBase, trace: Trace | None) -> Any:
        values: list[Any] = [env[binding]]
        for step in steps:
            out: list[Any] = []
            for v in values:
                if v is None or v is ABSENT:
                    out.append(v)
                    continue
                if step.deref:
                    v = facts.by_id.get(v, ABSENT)
                    if v is ABSENT:
                        out.append(v)
                        continue
                if step.pseudo:
                    out.append(_pseudo(step.name, v, facts))
                    continue
                x = v.get(step.name)
                if x is None and step.is_list:
                    continue
                if x is None:
                    if step.none_semantic:
                        out.append(ABSENT)
                        continue
                    if trace is not None:
                        trace.unknown_fact(f"{v.get(POINTER, '')}/{step.name}", text)
                if isinstance(x, list):
                    out.extend(x)
                else:
                    out.append(x)
            values = out
        return [v for v in values if v is not ABSENT]

    return get_mapped


def plain_keys(field: str, is_contains: bool) -> Callable[[dict[str, Any]], list[Any] | None]:
    """The index keys of an item whose key is one plain field (``compile_path``'s ``plain_field``): None when
    unknown (null), the field's value, or the values of a list field (a ``contains`` index)."""

    def keys_of(entity: dict[str, Any]) -> list[Any] | None:
        v = entity.get(field)
        if v is None:
            return None
        if is_contains:
            return None if None in v else list(v)
        return [v]

    return keys_of


def keys_function(binding: str, item_key: Callable[..., Any], is_contains: bool) -> Callable[[FactBase], Any]:
    """For one submission's facts: the key(s) of one item for a hash index.  The generated code uses this
    same function, so both engines build (and share) the same indexes."""

    field = getattr(item_key, "plain_field", None)
    if field is not None:  # the same keys as below, without an environment per item
        keys = plain_keys(field, is_contains)
        return lambda facts: keys

    def for_facts(facts: FactBase) -> Callable[[dict[str, Any]], list[Any] | None]:
        def keys_of(entity: dict[str, Any]) -> list[Any] | None:
            v = item_key({binding: entity}, facts, None)
            if v is None:
                return None
            if v is ABSENT:
                return []
            if is_contains:
                return None if None in v else list(v)
            return [v]

        return keys_of

    return for_facts


def plus_offset(value: Any, offset: int) -> Any:
    """``value + offset`` (days for a date); past year 9999 or before year 1 the furthest date, which
    compares the same way, instead of an OverflowError."""
    if not isinstance(value, dt.date):
        return value + offset
    try:
        return value + dt.timedelta(days=offset)
    except OverflowError:
        return dt.date.max if offset > 0 else dt.date.min


def compile_operand(op: Operand) -> Getter:
    if op.path is None:
        literal = op.literal
        return lambda env, facts, trace: literal
    getter = compile_path(op.path)
    if not op.offset:
        return getter
    offset = op.offset

    def with_offset(env: Env, facts: FactBase, trace: Trace | None) -> Any:
        v = getter(env, facts, trace)
        if v is None or v is ABSENT:
            return v
        return plus_offset(v, offset)

    return with_offset

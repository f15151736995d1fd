"""What a loaded rule carries besides its conditions, as plain frozen records (no pydantic).

``rule_model`` checks a rule file with pydantic (for its error messages); the checked values are then
copied into these classes (``rule_model.plain``), field for field and under the same names.  A rulebook
read from the cache is made of these, so a check never imports pydantic's rule models nor builds them.
Lists and dicts stay lists and dicts, as pydantic gives them; conditions stay the raw YAML data.

The classes are ``Record``s rather than dataclasses: a dataclass generates and compiles its methods when
its module is imported (about 0.5 ms a class, here 5 ms of a 100 ms start); a record shares one set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from ..data_cache import ColdFields


class Record:
    """Fields are the class's annotations; every field is given when built (``plain`` gives them all).
    Frozen, compared and hashed by value, shown like a dataclass; ``replace`` returns a changed copy."""

    fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        cls.fields = tuple(name for name in cls.__annotations__ if name != "fields")

    def __init__(self, **values: Any) -> None:
        missing = set(self.fields) - set(values)
        unknown = set(values) - set(self.fields)
        if missing or unknown:
            raise TypeError(f"{type(self).__name__}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        for name in self.fields:
            object.__setattr__(self, name, values[name])

    def replace(self, **changes: Any) -> Any:
        return type(self)(**{**{name: getattr(self, name) for name in self.fields}, **changes})

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set '{name}'")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete '{name}'")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Record)
        return self.values() == other.values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.fields)})"


class Text(Record):
    en: str
    zh: str


class Art46(Record):
    item: int
    impact: str | None


class Sanctions(Record):
    art44: str
    art46: list[Art46]


class Interpretation(Record):
    note: str
    confidence: str
    text: Text


class Downgrade(Record):
    when: Any
    reason: Text


class Example(Record):
    name: str
    base: str
    patch: dict[str, Any]
    expect: str
    count: int | None


class RuleSpec(ColdFields, Record):
    _cold = ("examples",)  # read by `rules test` and the rulebook pages, never by a check
    id: str
    article: int
    paragraph: int | None
    item: str | None
    title: Text
    question: Text | None
    message: Text
    remediation: Text
    severity: str
    sanctions: Sanctions
    applies_from: dt.date
    applies_until: dt.date | None
    conduct_date: str | None
    interpretation: Interpretation | None
    for_each: dict[str, Any]
    when: Any
    require: Any
    at: str | None
    also_cites: list[int]
    downgrade: Downgrade | None
    examples: list[Example]


class PredicateSpec(Record):
    description: str
    params: list[str]
    condition: Any


class ParameterSpec(Record):
    description: Text
    default: int
    minimum: int
    maximum: int


class Definitions(Record):
    rulebook: dict[str, Any] | None
    parameters: dict[str, ParameterSpec]
    sets: dict[str, list[Any]]
    predicates: dict[str, PredicateSpec]

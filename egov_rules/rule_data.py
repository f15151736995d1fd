"""What a loaded rule carries besides its conditions, as plain frozen data (no pydantic).

``rule_model`` checks a rule file with pydantic (for its error messages); the checked values are then
copied into these classes (``rule_model.plain``), field for field and under the same names.  A rulebook
read from the cache is made of these, so a check never imports pydantic's rule models nor builds them.
Lists and dicts stay lists and dicts, as pydantic gives them; conditions stay the raw YAML data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Text:
    en: str
    zh: str


@dataclass(frozen=True)
class Art46:
    item: int
    impact: str | None = None


@dataclass(frozen=True)
class Sanctions:
    art44: str
    art46: list[Art46] = field(default_factory=list)


@dataclass(frozen=True)
class Interpretation:
    note: str
    confidence: str
    text: Text


@dataclass(frozen=True)
class Downgrade:
    when: Any
    reason: Text


@dataclass(frozen=True)
class Example:
    name: str
    base: str
    patch: dict[str, Any]
    expect: str
    count: int | None = None


@dataclass(frozen=True)
class RuleSpec:
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


@dataclass(frozen=True)
class PredicateSpec:
    description: str
    params: list[str]
    condition: Any


@dataclass(frozen=True)
class ParameterSpec:
    description: Text
    default: int
    minimum: int = 0
    maximum: int = 100_000


@dataclass(frozen=True)
class Definitions:
    rulebook: dict[str, Any] | None = None
    parameters: dict[str, ParameterSpec] = field(default_factory=dict)
    sets: dict[str, list[Any]] = field(default_factory=dict)
    predicates: dict[str, PredicateSpec] = field(default_factory=dict)

"""The schema of a rule file (pydantic): what every rule must carry besides its conditions.

Conditions themselves are parsed and type-checked by ``conditions``; here they are opaque data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RULE_ID_PATTERN = r"^art(\d{1,2})-[a-z0-9]+(-[a-z0-9]+)*$"
MEASURES_IN_FORCE = dt.date(2015, 4, 1)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(Strict):
    """A human text in both languages. Messages may name facts: ``{binding.field}``."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Art46(Strict):
    item: int = Field(ge=1, le=7)
    # the fact that establishes the item's impact threshold (items 1, 2, 4, 6); without it the item
    # stays "potential".  A path such as project.impact.major_waste or request.impact_public_services.
    impact: str | None = None


class Sanctions(Strict):
    art44: Literal["A", "A-review", "B", "B-review", "none"]
    art46: list[Art46] = Field(default_factory=list)  # empty: no Art 46 item (e.g. an out-of-scope notice)


class Interpretation(Strict):
    note: Literal["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]
    confidence: Literal["high", "medium-high", "medium", "medium-low", "low"]
    text: Text


class Downgrade(Strict):
    """A documented justification that turns a violation into a warning (e.g. Art 19 "in principle")."""

    when: Any
    reason: Text


class Example(Strict):
    name: str = Field(min_length=1)
    base: str = "county"
    patch: dict[str, Any] = Field(default_factory=dict)
    expect: Literal["violation", "warning", "insufficient", "pass", "not_applicable"]
    count: int | None = Field(default=None, ge=0)


class RuleSpec(Strict):
    id: str = Field(pattern=RULE_ID_PATTERN)
    article: int = Field(ge=1, le=47)
    paragraph: int | None = Field(default=None, ge=1)
    item: str | None = None
    title: Text
    # the open question when the facts are unknown ("Cannot decide whether ..."); derived from the title if left out
    question: Text | None = None
    message: Text
    remediation: Text
    severity: Literal["violation", "warning"]
    sanctions: Sanctions
    applies_from: dt.date = MEASURES_IN_FORCE
    applies_until: dt.date | None = None
    # Art 47: the path to the date of the act the rule judges (implementation start, filing, collection).
    # applies_from/applies_until are tested against it, not against as_of (see rulebook_parse.conduct_guard).
    conduct_date: str | None = None
    interpretation: Interpretation | None = None
    for_each: dict[str, Any] = Field(min_length=1)
    when: Any = None
    require: Any
    at: str | None = None
    also_cites: list[int] = Field(default_factory=list)  # co-cited articles (e.g. Art 10 beside Art 40)
    downgrade: Downgrade | None = None
    examples: list[Example] = Field(min_length=2)

    @field_validator("applies_from", "applies_until", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        return dt.date.fromisoformat(v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _consistent(self) -> RuleSpec:
        number = int(self.id[3:].split("-", 1)[0])
        if number != self.article:
            raise ValueError(f"rule id '{self.id}' names article {number} but the rule cites article {self.article}")
        expects = {e.expect for e in self.examples}
        if not expects & {"violation", "warning", "insufficient"}:
            raise ValueError("a rule needs at least one failing example (expect: violation, warning or insufficient)")
        if "pass" not in expects:
            raise ValueError("a rule needs at least one passing example (expect: pass)")
        return self


class RuleFile(Strict):
    article: int | None = Field(default=None, ge=1, le=47)
    topic: str | None = None
    rules: list[dict[str, Any]] = Field(min_length=1)


class PredicateSpec(Strict):
    description: str = ""
    params: list[str] = Field(min_length=1)
    condition: Any


class ParameterSpec(Strict):
    """A policy parameter: a number the Measures do not fix (e.g. the Art 31 answer deadline in days).

    Conditions use it as ``{param: NAME}``; a configuration (``policy:``) or ``--policy NAME=N`` overrides
    the default."""

    description: Text
    default: int = Field(ge=0)
    minimum: int = 0
    maximum: int = 100_000


class Definitions(Strict):
    rulebook: dict[str, Any] | None = None  # only in _definitions.yaml
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    sets: dict[str, list[Any]] = Field(default_factory=dict)
    predicates: dict[str, PredicateSpec] = Field(default_factory=dict)


def plain(value: Any) -> Any:
    """The checked model as ``rule_data``'s plain frozen data (the class of the same name), recursively:
    what a ``Rule`` keeps and the rulebook cache stores, so reading the cache needs no pydantic."""
    from . import rule_data

    if isinstance(value, BaseModel):
        cls = getattr(rule_data, type(value).__name__)
        return cls(**{name: plain(getattr(value, name)) for name in type(value).model_fields})
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value

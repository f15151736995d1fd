"""The building blocks of the fact models: field types with their strict validators, and the model base.

Validation is strict (no coercion): ``"true"`` is not a bool, ``1`` is not a bool, ``"5"`` is not an int,
``5`` is not a string; but ``3.0`` *is* an integer, as in JSON Schema, and becomes ``3``.  Dates arrive as
``YYYY-MM-DD`` strings and become ``datetime.date``.  ``NotNull`` marks an optional field the schema does not
let be null; ``Unique`` is ``uniqueItems``.  The schema's ``allOf`` if/then rules are checked by model
validators that raise ``Problem``s (``validate`` reports each at its own place).  The entity models are in
``model_projects.py`` and ``model_data_services.py``, the root in ``model.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from .schema_nodes import entity_label

if TYPE_CHECKING:
    from .model_projects import Region

__all__ = [
    "DATA_ELEMENT_PATTERN",
    "DATE_PATTERN",
    "ID_PATTERN",
    "NotNull",
    "Problem",
    "Unique",
]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
DATA_ELEMENT_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
YEAR_PATTERN = r"^[0-9]{4}$"

# Error types this module raises (``validate`` turns each into a plain-words InputError).
ERR_DATE = "egov_date"  # ctx: reason = "type" | "format" | "calendar"
ERR_PERIOD = "egov_period"
ERR_NOT_NULL = "egov_not_null"  # ctx: expected
ERR_UNIQUE = "egov_unique"  # ctx: index, first
ERR_RULE = "egov_rule"  # ctx: problems = tuple[Problem, ...]

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fullmatch: "$" in re would accept a trailing newline
_YEAR_RE = re.compile(r"[0-9]{4}")


# ---------------------------------------------------------------------------------------- field types


def _parse_date(value: object) -> dt.date:
    if not isinstance(value, str):  # strict: a YAML/JSON date is always a string here (load keeps it so)
        raise PydanticCustomError(ERR_DATE, "expected a date written YYYY-MM-DD", {"reason": "type"})
    if not _DATE_RE.fullmatch(value):
        raise PydanticCustomError(ERR_DATE, "expected a date written YYYY-MM-DD", {"reason": "format"})
    try:
        return dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        raise PydanticCustomError(ERR_DATE, "not a real calendar date", {"reason": "calendar"}) from None


def _integral(value: Any) -> Any:
    # JSON Schema (draft 6 on) counts 2.0 as an integer: a number with zero fractional part.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _parse_year(value: object) -> int:
    # The schema's anyOf: a 4-digit string, or an integer 1000..9999 (bool is not an integer).
    if isinstance(value, str) and _YEAR_RE.fullmatch(value):
        return int(value)
    value = _integral(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return value
    raise PydanticCustomError(ERR_PERIOD, "expected a year: 4 digits as a string, or a whole number 1000-9999")


_DATE_JSON = {"type": "string", "format": "date", "pattern": DATE_PATTERN}

Date = Annotated[dt.date, PlainValidator(_parse_date), WithJsonSchema(_DATE_JSON)]
Year = Annotated[
    int,
    PlainValidator(_parse_year),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": YEAR_PATTERN},
                {"type": "integer", "minimum": 1000, "maximum": 9999},
            ]
        }
    ),
]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Ref = Annotated[str, StringConstraints(pattern=ID_PATTERN)]  # an id of another entity; see REFERENCES
DataElement = Annotated[str, StringConstraints(pattern=DATA_ELEMENT_PATTERN)]
NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]
Number = Annotated[float, Field(allow_inf_nan=False)]  # strict float accepts ints, rejects bools and strings
NonNegNumber = Annotated[float, Field(ge=0, allow_inf_nan=False)]
# Bounds go before the validator so they stay on the int schema (and reach the JSON Schema as minimum/maximum).
NonNegInt = Annotated[int, Field(ge=0), BeforeValidator(_integral)]
MlpsLevel = Annotated[int, Field(ge=1, le=5), BeforeValidator(_integral)]
Article = Annotated[int, Field(ge=1, le=47), BeforeValidator(_integral)]


@dataclass(frozen=True)
class NotNull:
    """An optional field the schema does not let be null: left out reads as None; null is an error."""

    expected: str  # plain words for the error message, e.g. "true or false"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return _drop_null(handler(schema))

    def _check(self, value: Any) -> Any:
        if value is None:  # only an explicit null gets here: pydantic never validates the default
            raise PydanticCustomError(
                ERR_NOT_NULL, "null is not allowed; leave the field out instead", {"expected": self.expected}
            )
        return value


def _drop_null(schema: JsonSchemaValue) -> JsonSchemaValue:
    alternatives = schema.get("anyOf")
    if not alternatives:
        return schema
    rest = [a for a in alternatives if a != {"type": "null"}]
    if len(rest) == 1:
        out = {k: v for k, v in schema.items() if k != "anyOf"}
        out.update(rest[0])
        return out
    return {**schema, "anyOf": rest}


@dataclass(frozen=True)
class Unique:
    """JSON Schema ``uniqueItems`` for a list (of strings or enum values)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        out = handler(schema)
        out["uniqueItems"] = True
        return out

    @staticmethod
    def _check(value: Any) -> Any:
        if isinstance(value, list):
            seen: dict[Any, int] = {}
            for i, item in enumerate(value):
                if item in seen:
                    raise PydanticCustomError(
                        ERR_UNIQUE, "items must be unique", {"index": i, "first": seen[item], "value": item}
                    )
                seen[item] = i
        return value


OptStr = Annotated[str | None, NotNull("a string")]
OptBool = Annotated[bool | None, NotNull("true or false")]

Level = Literal["provincial", "municipal", "county"]
PlatformKind = Literal[
    "egov_network",
    "dedicated_network",
    "data_centre",
    "backup_centre",
    "gov_cloud_platform",
    "basic_database",
    "directory_exchange_system",
    "info_sharing_platform",
    "open_data_portal",
    "online_service_platform",
    "gbs_admin_approval",
    "gbs_law_enforcement",
    "gbs_performance_evaluation",
    "gbs_financial_management",
    "cross_dept_common_software",
    "business_application",
    "grid_platform",
    "community_terminal",
    "call_centre",
    "push_platform",
    "mobile_app",
    "portal_website",
    "other_service_channel",
    "security_monitoring_platform",
    "identity_auth",
]
Mode = Literal["use_unified", "build_own", "expand_own", "rebuild_own", "purchase_service", "integrate_existing"]
Stage = Literal["planning", "proposal", "approved", "under_construction", "completed", "in_operation"]
SecrecyBasis = Literal["state_secret", "trade_secret", "personal_privacy", "law", "none"]


# ---------------------------------------------------------------------------------- conditional rules


@dataclass(frozen=True)
class Problem:
    """One violated if/then rule, relative to the model that found it."""

    loc: tuple[str, ...]  # path below the model, e.g. ("region", "city")
    message: str
    missing: bool  # True: a key is left out (points at the parent mapping); False: the value is wrong


def _raise(problems: list[Problem]) -> None:
    # One pydantic error can carry several problems; ``validate`` reports each at its own place.
    if problems:
        raise PydanticCustomError(ERR_RULE, "{summary}", {"summary": problems[0].message, "problems": tuple(problems)})


def _require_keys(model: BaseModel, keys: tuple[str, ...], condition: str) -> list[Problem]:
    present = model.model_fields_set
    return [Problem((k,), f"missing field '{k}', required when {condition}", True) for k in keys if k not in present]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", populate_by_name=False)


class _RegionMatchesLevel(_Strict):
    """``$defs/region_matches_level``: a municipal region names its city, a county one city and county."""

    @model_validator(mode="after")
    def _region_matches_level(self) -> Any:
        level = getattr(self, "level", None)
        region: Region | None = getattr(self, "region", None)
        needed = {"municipal": ("city",), "county": ("city", "county")}.get(level or "", ())
        problems = []
        if region is not None:
            for key in needed:
                if getattr(region, key) is None:
                    missing = key not in region.model_fields_set
                    what = "missing field" if missing else "null is not allowed for"
                    problems.append(
                        Problem(
                            ("region", key),
                            f"{what} '{key}' in region: {_label_of(self)} at {level} level must name its {key}",
                            missing,
                        )
                    )
        _raise(problems)
        return self


def _label_of(model: BaseModel) -> str:
    from .model import ENTITY_MODELS  # model.py imports the entity models, which import this module

    names = [name for name, cls in ENTITY_MODELS.items() if cls is type(model)]
    return entity_label(names[0]) if names else "an entity"

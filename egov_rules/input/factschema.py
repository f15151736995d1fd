"""The shape of the facts rules may read, derived from the normative submission JSON Schema.

Rule files are type-checked against this at load time: a condition naming a field, an entity or an enum
value that the fact model does not have is an error at file:line, never a silent non-match.  It also
records what ``null`` means for each field (spec/submission.md, "null means unknown", and its exceptions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..data_cache import package_text

# Fields whose null (or absence) means "there is none / it has not happened", not "unknown".
# spec/submission.md, Format rules: filed_date, approved_date, published_date, implementation_start,
# response_date, mlps_level, fenji_level, null references, and free-text fields.
NULL_MEANS_NONE: frozenset[tuple[str, str]] = frozenset(
    {
        ("plan", "filing"),
        ("plan", "filing.filed_date"),
        ("plan", "filing.record_no"),
        ("plan", "approved_date"),
        ("plan", "published_date"),
        ("project", "implementation_start"),
        ("project", "components[].justification"),
        ("sharing_request", "response_date"),
        ("information_system", "mlps_level"),
        ("information_system", "fenji_level"),
        ("information_system", "risk_assessment_date"),
        ("info_resource", "sharing_conditions"),
        ("collection_item", "recollection_justification"),
        ("open_directory_entry", "published_date"),
    }
)

# Pseudo-fields computed from a value, usable at the end of a path.
PSEUDO_FIELDS = {
    "date": {"year": "int", "days_before_as_of": "int"},
    "list": {"count": "int"},
}


@dataclass(frozen=True)
class FieldType:
    """The type of one field (or list item, or nested object)."""

    kind: str  # str, int, number, bool, date, enum, ref, object, list, any
    nullable: bool = False
    null_means_none: bool = False
    enum: tuple[Any, ...] = ()
    refs: tuple[str, ...] = ()  # collections a reference may point into
    item: FieldType | None = None  # for lists
    fields: dict[str, FieldType] = field(default_factory=dict)  # for objects
    entity: str | None = None  # for objects that are entities: the entity type name

    def describe(self) -> str:
        if self.kind == "enum":
            return "one of " + ", ".join(str(v) for v in self.enum if v is not None)
        if self.kind == "ref":
            return "a reference to " + " or ".join(self.refs)
        if self.kind == "list" and self.item is not None:
            return f"a list of {self.item.describe()}"
        if self.kind == "object" and self.entity:
            return f"a {self.entity}"
        return {"str": "text", "bool": "true or false", "int": "an integer", "number": "a number"}.get(
            self.kind, self.kind
        )


@dataclass(frozen=True)
class FactSchema:
    """The types of the facts (from the submission schema), which rule paths are checked against."""
    entities: dict[str, FieldType]  # entity type name -> object type
    collections: dict[str, str]  # top-level list name -> entity type name

    def entity_of_collection(self, collection: str) -> FieldType:
        return self.entities[self.collections[collection]]

    def collection_of_entity(self, entity: str) -> str:
        for coll, ent in self.collections.items():
            if ent == entity:
                return coll
        raise KeyError(entity)


def _convert(node: dict[str, Any], defs: dict[str, Any], entity: str, path: str) -> FieldType:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _convert(defs[name], defs, entity, path)
    if "anyOf" in node:  # tsu_evaluation.period: "YYYY" or int, normalised to int by the model
        return FieldType("int")
    types = node.get("type")
    if isinstance(types, list):
        nullable = "null" in types
        types = [t for t in types if t != "null"]
        kind_name = types[0] if types else "any"
    else:
        nullable = False
        kind_name = types
    none = (entity, path) in NULL_MEANS_NONE
    if "enum" in node:
        values = tuple(node["enum"])
        return FieldType("enum", nullable=None in values or nullable, null_means_none=none, enum=values)
    if "x-ref" in node:
        # a nullable reference: null means there is none
        return FieldType("ref", nullable=nullable, null_means_none=nullable, refs=tuple(node["x-ref"]))
    if kind_name == "string":
        if node.get("format") == "date" or "[0-9]{4}-[0-9]{2}" in node.get("pattern", ""):
            return FieldType("date", nullable=nullable, null_means_none=none)
        # free text: null means none was given (a classification such as subtype stays unknown)
        return FieldType("str", nullable=nullable, null_means_none=none or (nullable and path != "subtype"))
    if kind_name == "integer":
        return FieldType("int", nullable=nullable, null_means_none=none)
    if kind_name == "number":
        return FieldType("number", nullable=nullable, null_means_none=none)
    if kind_name == "boolean":
        return FieldType("bool", nullable=nullable, null_means_none=none)
    if kind_name == "array":
        item = _convert(node.get("items", {}), defs, entity, path + "[]")
        return FieldType("list", item=item)
    if kind_name == "object":
        required = set(node.get("required", ()))
        fields = {}
        for name, sub in node.get("properties", {}).items():
            ft = _convert(sub, defs, entity, f"{path}.{name}" if path else name)
            if ft.kind == "list" and name not in required:
                # spec: "a left-out optional field is the same as null" (unknown); only top-level lists are
                # empty when left out (they are collections, not fields)
                ft = FieldType("list", nullable=True, item=ft.item)
            fields[name] = ft
        return FieldType("object", nullable=nullable, null_means_none=none, fields=fields)
    return FieldType("any", nullable=True)


def build_fact_schema(schema: dict[str, Any]) -> FactSchema:
    defs = schema["$defs"]
    entities: dict[str, FieldType] = {}
    collections: dict[str, str] = {}
    for coll, prop in schema["properties"].items():
        ref = prop["$ref"] if "$ref" in prop else prop["items"]["$ref"]
        name = ref.rsplit("/", 1)[-1]
        converted = _convert(defs[name], defs, name, "")
        entities[name] = FieldType("object", fields=converted.fields, entity=name)
        if coll != "submission":
            collections[coll] = name
    return FactSchema(entities=entities, collections=collections)


def load_schema_json() -> dict[str, Any]:
    text = package_text("data/submission.schema.json")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def fact_schema() -> FactSchema:
    return build_fact_schema(load_schema_json())

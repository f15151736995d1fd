"""What the interview may ask, read from the bundled JSON Schema and the fact model: which fields a
submission must give (``required`` and not nullable), each field's type, enum values and reference targets.
Nothing here is a hand-written question list: a new field in the schema becomes a question by itself."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..input.factschema import FieldType, fact_schema, load_schema_json

# The order in which entities are walked: the project first, then its unit, then whatever they point to.
FIRST_COLLECTIONS = ("projects", "units")


@dataclass(frozen=True)
class Slot:
    """One askable place in a submission: ``/projects/0/budget/construction_cny``."""

    pointer: str
    collection: str  # top-level list, or "submission"
    entity: str  # entity type name (project, unit, ...)
    path: str  # field path inside the entity as labels.py spells it: components[].mode
    ftype: FieldType


def _defs() -> dict[str, Any]:
    defs: dict[str, Any] = load_schema_json()["$defs"]
    return defs


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _defs()[node["$ref"].rsplit("/", 1)[-1]]
    return node


def is_nullable(node: dict[str, Any]) -> bool:
    node = resolve(node)
    types = node.get("type")
    return (isinstance(types, list) and "null" in types) or None in node.get("enum", [])


def node_type(node: dict[str, Any]) -> str:
    node = resolve(node)
    types = node.get("type")
    if isinstance(types, list):
        types = next((t for t in types if t != "null"), "any")
    return str(types or ("string" if "enum" in node else "any"))


@cache
def entity_node(entity: str) -> dict[str, Any]:
    return resolve(_defs()[entity])


def collections() -> list[str]:
    """Top-level lists in walking order: projects and units first, the rest in schema order."""
    rest = [c for c in fact_schema().collections if c not in FIRST_COLLECTIONS]
    return [*FIRST_COLLECTIONS, *rest]


def entity_of(collection: str) -> str:
    return "submission" if collection == "submission" else fact_schema().collections[collection]


def field_type(entity: str, path: str) -> FieldType | None:
    ftype: FieldType | None = fact_schema().entities.get(entity)
    for part in path.split("."):
        if ftype is None:
            return None
        is_list = part.endswith("[]")
        name = part[:-2] if is_list else part
        ftype = ftype.fields.get(name)
        if is_list and ftype is not None:
            ftype = ftype.item
    return ftype


def slot_of(pointer: str) -> Slot | None:
    """The slot a JSON pointer names, or None when it is not a field of the fact model."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    if not parts or not parts[0]:
        return None
    collection = parts[0]
    if collection == "submission":
        rest = parts[1:]
    elif collection in fact_schema().collections and len(parts) > 1 and parts[1].isdigit():
        rest = parts[2:]
    else:
        return None
    path = ""
    for part in rest:
        if part.isdigit():
            if not path:
                return None
            path += "[]"
        else:
            path = f"{path}.{part}" if path else part
    if not path:
        return None
    entity = entity_of(collection)
    ftype = field_type(entity, path)
    if ftype is None:
        return None
    return Slot(pointer, collection, entity, path, ftype)


def _field_node(entity: str, path: str) -> dict[str, Any]:
    node: dict[str, Any] | None = entity_node(entity)
    for part in path.split("."):
        if node is None:
            return {}
        name = part.removesuffix("[]")
        node = resolve(node.get("properties", {}).get(name, {})) if name else node
        if part.endswith("[]"):
            node = resolve(node.get("items", {}))
    return node or {}


def text_pattern(entity: str, path: str) -> str | None:
    """The regular expression a text field must match (ids), from the schema."""
    pattern = _field_node(entity, path).get("pattern")
    return pattern if isinstance(pattern, str) else None


def number_bounds(entity: str, path: str) -> tuple[float | None, float | None]:
    """The least and greatest number a field takes (a year: 1000-9999), from its number branch."""
    node = _field_node(entity, path)
    for branch in [node, *node.get("anyOf", ()), *node.get("oneOf", ())]:
        branch = resolve(branch)
        if "minimum" in branch or "maximum" in branch:
            return branch.get("minimum"), branch.get("maximum")
    return None, None

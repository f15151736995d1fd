"""Human labels for the submission format: entities, fields and enum values, in English and Chinese.

One table (``data/labels.yaml``) used by messages, reports, explain, the JSON Schema's descriptions, the
workbook template and the workbench, so an enum code such as ``build_own`` never reaches a human text.

Keys:
- entities: ``<entity type>`` (``unit``, ``platform``, ...) -> {en, zh} (the singular noun);
- collections: ``<top-level list>`` (``units``, ``platforms``, ...) -> {en, zh};
- fields: ``<entity type>.<field path>`` (``project.components[].mode``) -> {en, zh, help_en, help_zh};
- enums: ``<enum key>`` -> {value: {en, zh}}; the enum key is the ``$defs`` name for shared enums
  (``level``, ``platform_kind``, ``mode``, ``stage``, ``secrecy_basis``) and ``<entity>.<field path>``
  otherwise (``plan.kind``).  ``enum_key(entity, path)`` resolves it.
Anything missing falls back to a readable form of the code (underscores to spaces), never a crash.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..data_cache import load_yaml_cached, package_text
from ..input.factschema import load_schema_json

SHARED_ENUMS = ("level", "platform_kind", "mode", "stage", "secrecy_basis")


@cache
def _table() -> dict[str, Any]:
    try:
        text = package_text("data/labels.yaml")
    except FileNotFoundError:
        return {}
    data = load_yaml_cached(text, "labels") or {}  # parsed once per machine: PyYAML takes ~100 ms
    return data if isinstance(data, dict) else {}


def _pick(entry: Any, lang: str, fallback: str) -> str:
    if isinstance(entry, dict):
        text = entry.get("zh" if lang == "zh" else "en")
        if isinstance(text, str) and text:
            return text
    return fallback


def _readable(code: str) -> str:
    return code.replace("_", " ")


@cache
def _enum_keys() -> dict[tuple[str, str], str]:
    """(entity, field path) -> enum key, read from the JSON Schema ($ref to a shared enum or inline)."""
    schema = load_schema_json()
    defs = schema["$defs"]
    keys: dict[tuple[str, str], str] = {}

    def walk(node: dict[str, Any], entity: str, path: str) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in SHARED_ENUMS:
                keys[(entity, path)] = name
                return
            walk(defs[name], entity, path)
            return
        if "enum" in node:
            keys[(entity, path)] = f"{entity}.{path}"
            return
        if "items" in node and isinstance(node["items"], dict):
            walk(node["items"], entity, path + "[]" if path else "[]")
        for name, sub in node.get("properties", {}).items():
            walk(sub, entity, f"{path}.{name}" if path else name)

    for name, node in defs.items():
        if name not in SHARED_ENUMS:
            walk(node, name, "")
    return keys


@cache
def schema_fields() -> tuple[tuple[str, str], ...]:
    """Every (entity, field path) of the JSON Schema, nested objects and list items included, in schema order."""
    schema = load_schema_json()
    defs = schema["$defs"]
    found: dict[tuple[str, str], None] = {}

    def walk(node: dict[str, Any], entity: str, path: str) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            target = defs[name]
            if "properties" in target or "items" in target:
                walk(target, entity, path)
            else:
                found[(entity, path)] = None
            return
        for key in ("anyOf", "oneOf"):
            for sub in node.get(key, []):
                walk(sub, entity, path)
        if path:
            found[(entity, path)] = None
        if isinstance(node.get("items"), dict):
            walk(node["items"], entity, path + "[]")
            if path:
                found.pop((entity, path), None)  # the list is named by its "[]" path
        for name, sub in node.get("properties", {}).items():
            walk(sub, entity, f"{path}.{name}" if path else name)

    for name in entity_types():
        walk(defs[name], name, "")
    return tuple(found)


@cache
def entity_types() -> dict[str, str]:
    """Entity type -> its top-level collection (``unit`` -> ``units``; ``submission`` -> ``submission``)."""
    types: dict[str, str] = {}
    for collection, node in load_schema_json()["properties"].items():
        ref = node.get("items", node).get("$ref", "")
        if ref:
            types[ref.rsplit("/", 1)[-1]] = collection
    return types


def enum_key(entity: str, path: str) -> str | None:
    """The enum key of a field (``platform``, ``kind`` -> ``platform_kind``), or None if not an enum."""
    return _enum_keys().get((entity, path))


def enum_label(entity: str, path: str, value: Any, lang: str = "en") -> str:
    """The label of one enum value of a field: ``enum_label("project", "components[].mode", "build_own")``."""
    if value is None:
        return "未填写" if lang == "zh" else "not given"
    key = enum_key(entity, path)
    entries = _table().get("enums", {}).get(key, {}) if key else {}
    if str(value) in entries:
        return _pick(entries[str(value)], lang, _readable(str(value)))
    return value_label(value, lang)


def value_label(value: Any, lang: str = "en") -> str:
    """The label of an enum value when the field is not known (the first enum that has it)."""
    if value is None:
        return "未填写" if lang == "zh" else "not given"
    for entries in _table().get("enums", {}).values():
        if isinstance(entries, dict) and str(value) in entries:
            return _pick(entries[str(value)], lang, _readable(str(value)))
    return _readable(str(value))


def enum_values(entity: str, path: str, lang: str = "en") -> list[tuple[Any, str]]:
    """Every (value, label) of an enum field, in schema order, null excluded."""
    key = enum_key(entity, path)
    if key is None:
        return []
    from ..input.factschema import fact_schema

    ftype = _field_type(fact_schema().entities.get(entity), path)
    values = ftype.enum if ftype is not None else ()
    return [(v, enum_label(entity, path, v, lang)) for v in values if v is not None]


def _field_type(ftype: Any, path: str) -> Any:
    for part in path.split("."):
        if ftype is None:
            return None
        is_list = part.endswith("[]")
        name = part[:-2] if is_list else part
        ftype = ftype.fields.get(name) if name else ftype
        if is_list and ftype is not None:
            ftype = ftype.item
    return ftype


def field_label(entity: str, path: str, lang: str = "en") -> str:
    """``field_label("unit", "name", "zh")`` -> 单位名称; falls back to the last part of the path."""
    entry = _table().get("fields", {}).get(f"{entity}.{path}")
    return _pick(entry, lang, _readable(path.rsplit(".", 1)[-1].removesuffix("[]")))


def field_help(entity: str, path: str, lang: str = "en") -> str:
    """What the field means and which articles read it ("" when the table has nothing)."""
    entry = _table().get("fields", {}).get(f"{entity}.{path}")
    if isinstance(entry, dict):
        text = entry.get("help_zh" if lang == "zh" else "help_en")
        if isinstance(text, str):
            return text
    return ""


def entity_label(entity: str, lang: str = "en") -> str:
    """``entity_label("approval", "zh")`` -> 审批; the singular noun for one entity type."""
    return _pick(_table().get("entities", {}).get(entity), lang, _readable(entity))


def collection_label(collection: str, lang: str = "en") -> str:
    """``collection_label("approvals", "zh")`` -> 审批事项; the heading for a top-level list."""
    return _pick(_table().get("collections", {}).get(collection), lang, _readable(collection))


@cache
def _enum_key_by_values() -> dict[tuple[str, ...], str]:
    """The enum key of each distinct list of values (so a value can be labelled knowing only its type)."""
    from ..input.factschema import fact_schema

    out: dict[tuple[str, ...], str] = {}
    for (entity, path), key in _enum_keys().items():
        ftype = _field_type(fact_schema().entities.get(entity), path)
        if ftype is not None:
            out.setdefault(tuple(str(v) for v in ftype.enum if v is not None), key)
    return out


def label_in_enum(values: tuple[Any, ...], value: Any, lang: str = "en") -> str:
    """The label of ``value`` as a member of the enum with these ``values`` (a field's type)."""
    if value is None:
        return "未填写" if lang == "zh" else "not given"
    key = _enum_key_by_values().get(tuple(str(v) for v in values if v is not None))
    entries = _table().get("enums", {}).get(key, {}) if key else {}
    if str(value) in entries:
        return _pick(entries[str(value)], lang, _readable(str(value)))
    return value_label(value, lang)

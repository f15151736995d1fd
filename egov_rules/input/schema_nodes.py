"""The bundled normative ``submission.schema.json`` read as data: the schema, the node a ``(def name, path)``
names, its collections and the collections each reference field may point into (``x-ref`` marks)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["COLLECTIONS", "REFERENCES", "entity_label", "normative_schema", "schema_node"]


@cache
def normative_schema() -> dict[str, Any]:
    """The bundled ``submission.schema.json`` (cached; callers must not mutate it)."""
    text = resources.files("egov_rules").joinpath("data/submission.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _deref(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk_refs(node: dict[str, Any], path: str, defs: dict[str, Any], out: dict[str, tuple[str, ...]]) -> None:
    node = _deref(node, defs)
    if "x-ref" in node:
        out[path] = tuple(node["x-ref"])
        return
    for key, sub in node.get("properties", {}).items():
        _walk_refs(sub, f"{path}.{key}" if path else key, defs, out)
    if "items" in node:
        items = _deref(node["items"], defs)
        if "x-ref" in items:
            out[f"{path}[]"] = tuple(items["x-ref"])
        else:
            for key, sub in items.get("properties", {}).items():
                _walk_refs(sub, f"{path}[].{key}", defs, out)


def _build_tables() -> tuple[dict[str, str], dict[tuple[str, str], tuple[str, ...]]]:
    schema = normative_schema()
    defs = schema["$defs"]
    collections: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        if prop.get("type") == "array":
            collections[name] = prop["items"]["$ref"].rsplit("/", 1)[-1]
    references: dict[tuple[str, str], tuple[str, ...]] = {}
    for def_name in ("submission", *collections.values()):
        found: dict[str, tuple[str, ...]] = {}
        _walk_refs(defs[def_name], "", defs, found)
        for path, targets in found.items():
            references[(def_name, path)] = targets
    return collections, references


COLLECTIONS: dict[str, str]
REFERENCES: dict[tuple[str, str], tuple[str, ...]]
COLLECTIONS, REFERENCES = _build_tables()


def schema_node(def_name: str, path: str = "") -> dict[str, Any]:
    """The normative schema node for ``(def name, dotted path)`` as used in ``REFERENCES``/``MODEL_NODES``."""
    defs = normative_schema()["$defs"]
    node = _deref(defs[def_name], defs)
    for part in filter(None, path.split(".")):
        is_list = part.endswith("[]")
        node = _deref(node["properties"][part.removesuffix("[]")], defs)
        if is_list:
            node = _deref(node["items"], defs)
    return node


def entity_label(def_name: str) -> str:
    """Readable name for messages, from a def name: "a technical service unit", "an authority"."""
    words = def_name.replace("_", " ").replace("tsu ", "TSU ")
    return ("an " if words[0] in "aeio" else "a ") + words

"""The interview's draft submission as data: values read and written by JSON pointer, the pointer of an entity,
the ids entered so far, a new entity named in an answer (``__new__:units/unit.x``), the draft completed with
"unknown" for every required field not asked yet, and the draft as YAML; the answerable fields below a pointer,
and those of an entity read as "none" (left out or null).
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from . import schema as sch

NEW_PREFIX = "__new__:"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]


def get_at(data: Any, pointer: str, default: Any = None) -> Any:
    node = data
    for part in _parts(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node


def set_at(data: dict[str, Any], pointer: str, value: Any) -> None:
    parts = _parts(pointer)
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        if isinstance(node, list):
            node = node[int(part)]
            continue
        if not isinstance(node.get(part), (dict, list)):
            node[part] = [] if nxt.isdigit() else {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def entity_ids(draft: dict[str, Any], collections: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for coll in collections:
        for item in draft.get(coll) or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.append((item["id"], str(item.get("name") or item["id"])))
    return out


def split_new(value: str, refs: tuple[str, ...]) -> tuple[str, str]:
    """``__new__:units/unit.x`` -> (units, unit.x); without a collection, the first the reference allows."""
    body = value[len(NEW_PREFIX):].strip()
    collection, sep, new_id = body.partition("/")
    if not sep:
        return (refs[0] if refs else ""), body
    return collection, new_id


def _pointer_of(data: dict[str, Any], entity: str, entity_id: str) -> str | None:
    if entity == "submission":
        return "/submission"
    try:
        collection = sch.fact_schema().collection_of_entity(entity)
    except KeyError:
        return None
    for i, item in enumerate(data.get(collection) or []):
        if isinstance(item, dict) and item.get("id") == entity_id:
            return f"/{collection}/{i}"
    return None


CONFIRM_KINDS = frozenset({"ref", "date", "enum", "bool", "int", "number"})
FREE_TEXT = frozenset({"name", "notes"})  # descriptive only: no rule outcome rests on them


def _none_slots(ftype: Any, obj: Any, pointer: str) -> list[str]:
    """Fields of an entity (and its nested objects) whose null means "none" and that are null or left out."""
    out: list[str] = []
    if not isinstance(obj, dict):
        return out
    for name, sub in ftype.fields.items():
        ptr = f"{pointer}/{_escape(name)}"
        value = obj.get(name)
        if sub.kind == "object" and isinstance(value, dict):
            out.extend(_none_slots(sub, value, ptr))
        elif sub.null_means_none and value is None and (sub.kind in CONFIRM_KINDS or
                                                         (sub.kind == "str" and name not in FREE_TEXT)):
            out.append(ptr)
        elif sub.null_means_none and sub.kind == "object" and value is None:
            out.extend(leaf for leaf in _leaves(ptr))
    return out


def _leaves(pointer: str) -> list[str]:
    """The answerable fields at a pointer: the field itself, or each field of an object (a filing record)."""
    slot = sch.slot_of(pointer)
    if slot is None:
        return []
    if slot.ftype.kind != "object" or not slot.ftype.fields:
        return [pointer]
    return [leaf for name in slot.ftype.fields for leaf in _leaves(f"{pointer}/{_escape(name)}")]


def _entity_pointer(pointer: str) -> str:
    parts = pointer.strip("/").split("/")
    return "/submission" if parts[0] == "submission" else "/" + "/".join(parts[:2])


def complete(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft with every absent required nullable field set to null (unknown), recursively."""
    out = copy.deepcopy(draft)

    def fill(node: dict[str, Any], obj: dict[str, Any]) -> None:
        for name in node.get("required", []):
            sub = sch.resolve(node.get("properties", {}).get(name, {}))
            if name not in obj:
                if sch.is_nullable(sub):
                    obj[name] = None
                elif sch.node_type(sub) == "object":
                    obj[name] = {}
            value = obj.get(name)
            if isinstance(value, dict) and sch.node_type(sub) == "object":
                fill(sub, value)
            elif isinstance(value, list) and sch.node_type(sub.get("items", {})) == "object":
                for item in value:
                    if isinstance(item, dict):
                        fill(sch.resolve(sub["items"]), item)

    fill(sch.entity_node("submission"), out.setdefault("submission", {}))
    for coll in sch.collections():
        for item in out.get(coll) or []:
            if isinstance(item, dict):
                fill(sch.entity_node(sch.entity_of(coll)), item)
    return {k: v for k, v in out.items() if k == "submission" or v != []}


def to_yaml(data: dict[str, Any]) -> bytes:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)
    return text.encode("utf-8")

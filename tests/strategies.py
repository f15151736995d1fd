"""A hypothesis strategy for schema-valid submissions, shared by the differential and property tests.

Seeds: the fixtures, the shared examples, the rule-example bases and every rule example patched onto its
base.  A draw takes a seed and applies a few mutations guided by ``submission.schema.json``: an enum value,
a boolean, a null, a date, a number, a reference (to another entity of a collection it may point into),
an optional field left out, an entity cloned under a new id, an entity nobody references removed.  A
mutation that makes the document invalid is dropped, so every document drawn passes
``egov_rules.input.validate`` (``valid`` says so, and the tests assert it).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from egov_rules.errors import EgovError
from egov_rules.input.factschema import load_schema_json
from egov_rules.input.load import Document, load_document
from egov_rules.input.validate import validate_document
from egov_rules.rules.examples import apply_patch
from egov_rules.rules.rulebook import Rulebook, load_rulebook

ROOT = Path(__file__).resolve().parent.parent
SHARED_EXAMPLES = ROOT / "vendor" / "spec" / "examples"
# examples per hypothesis test: CI-sized by default; EGOV_HYPOTHESIS_EXAMPLES=2000 for a long run
EXAMPLES = int(os.environ.get("EGOV_HYPOTHESIS_EXAMPLES", "60"))

SCHEMA = load_schema_json()
DEFS: dict[str, Any] = SCHEMA["$defs"]

Draw = Callable[[st.SearchStrategy[Any]], Any]


def node(n: Any) -> Any:
    while isinstance(n, dict) and "$ref" in n:
        n = DEFS[n["$ref"].rsplit("/", 1)[-1]]
    return n


def entity_schema(collection: str) -> dict[str, Any]:
    prop = node(SCHEMA["properties"][collection])
    return node(prop["items"]) if "items" in prop else prop  # type: ignore[no-any-return]


COLLECTIONS = [c for c in SCHEMA["properties"] if c != "submission"]


def document(data: dict[str, Any], source: str = "<generated>") -> Document:
    return Document(source=source, data=data, positions={}, key_positions={}, format="data")


def valid(data: dict[str, Any]) -> bool:
    """Schema-valid and checkable: a project, or units under review (a mutation may drop the list a unit
    review rests on; the checker then rightly answers "nothing to check")."""
    try:
        validate_document(document(data))
    except EgovError:
        return False
    return bool(data.get("projects")) or bool((data.get("submission") or {}).get("units_under_review"))


@cache
def rulebook() -> Rulebook:
    return load_rulebook()


def seed_files() -> list[Path]:
    found = sorted((ROOT / "fixtures").glob("*.yaml")) + sorted(SHARED_EXAMPLES.glob("*.yaml"))
    found += sorted((ROOT / "rules" / "_bases").glob("*.yaml"))
    return [p for p in found if not p.name.endswith(".expected.yaml")]


@cache
def seeds() -> list[dict[str, Any]]:
    """Every valid seed document, once (by content)."""
    out: dict[str, dict[str, Any]] = {}
    for path in seed_files():
        data = load_document(path).data
        out.setdefault(json.dumps(data, sort_keys=True, default=str), data)
    book = rulebook()
    bases = {name: load_document(path).data for name, path in book.bases.items()}
    for rule in book.rules:
        for ex in rule.spec.examples:
            if ex.base in bases:
                data = apply_patch(bases[ex.base], ex.patch)
                out.setdefault(json.dumps(data, sort_keys=True, default=str), data)
    return [d for d in out.values() if valid(d)]


# ------------------------------------------------------------------------------------------ slots
def ids_in(data: dict[str, Any], collections: list[str]) -> list[str]:
    return [e["id"] for c in collections for e in data.get(c) or [] if isinstance(e, dict) and "id" in e]


def _nullable(n: dict[str, Any]) -> bool:
    types = n.get("type")
    return (isinstance(types, list) and "null" in types) or None in n.get("enum", ())


def slots(obj: dict[str, Any], schema: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, dict[str, Any]]]:
    """Every field of an object (present or an optional one left out) that a mutation can change,
    including those of nested objects and of objects in lists."""
    for key, sub in schema.get("properties", {}).items():
        sub = node(sub)
        if key in ("id", "name", "notes"):
            continue
        value = obj.get(key)
        if sub.get("type") == "object" and isinstance(value, dict):
            yield from slots(value, sub)
            continue
        if sub.get("type") == "array" and isinstance(value, list):
            item = node(sub.get("items", {}))
            if item.get("type") == "object":
                for element in value:
                    if isinstance(element, dict):
                        yield from slots(element, item)
                continue
        yield obj, key, sub


def new_value(draw: Draw, data: dict[str, Any], current: Any, n: dict[str, Any]) -> Any:
    """A value for a field of schema ``n`` (the caller keeps it only if the document stays valid)."""
    nullable = _nullable(n)
    if "enum" in n:
        return draw(st.sampled_from(n["enum"]))
    types = n.get("type")
    kind = next((t for t in (types if isinstance(types, list) else [types]) if t != "null"), None)
    if nullable and draw(st.integers(0, 4)) == 0:
        return None
    if "x-ref" in n:
        return draw(st.sampled_from(ids_in(data, n["x-ref"]) or [current]))
    if kind == "boolean":
        return draw(st.booleans())
    if kind in ("integer", "number"):
        low = int(n.get("minimum", 0))
        return draw(st.integers(low, int(n.get("maximum", low + 400))))
    if kind == "string" and n.get("format") == "date":
        base = dt.date.fromisoformat(current) if isinstance(current, str) else dt.date(2016, 1, 1)
        return (base + dt.timedelta(days=draw(st.integers(-800, 800)))).isoformat()
    if kind == "array":
        items = list(current or [])
        item = node(n.get("items", {}))
        if items and draw(st.booleans()):
            items.pop(draw(st.integers(0, len(items) - 1)))
        elif "x-ref" in item:
            items.append(draw(st.sampled_from(ids_in(data, item["x-ref"]) or [None])))
        elif "enum" in item:
            items.append(draw(st.sampled_from([v for v in item["enum"] if v is not None])))
        return [x for x in items if x is not None]
    return current


# ------------------------------------------------------------------------------------------ mutations
def entities(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [(c, i) for c in COLLECTIONS for i in range(len(data.get(c) or []))]


def change_field(draw: Draw, data: dict[str, Any]) -> dict[str, Any] | None:
    places = [("submission", -1), *entities(data)]
    coll, index = draw(st.sampled_from(places))
    obj = data["submission"] if coll == "submission" else data[coll][index]
    schema = node(SCHEMA["properties"]["submission"]) if coll == "submission" else entity_schema(coll)
    found = list(slots(obj, schema))
    if not found:
        return None
    container, key, n = draw(st.sampled_from(found))
    required = key in n.get("required", ()) or key in schema.get("required", ())
    if not required and key in container and draw(st.integers(0, 5)) == 0:
        del container[key]  # an optional field left out: the same as null
    else:
        container[key] = new_value(draw, data, container.get(key), n)
    return data


def clone_entity(draw: Draw, data: dict[str, Any]) -> dict[str, Any] | None:
    places = entities(data)
    if not places:
        return None
    coll, index = draw(st.sampled_from(places))
    clone = copy.deepcopy(data[coll][index])
    taken = set(ids_in(data, COLLECTIONS))
    n = 1
    while f"{clone['id']}.g{n}" in taken:
        n += 1
    clone["id"] = f"{clone['id']}.g{n}"
    data[coll].append(clone)
    return data


def references(value: Any, target: str) -> bool:
    if isinstance(value, dict):
        return any(k != "id" and references(v, target) for k, v in value.items())
    if isinstance(value, list):
        return any(references(v, target) for v in value)
    return value == target


def remove_entity(draw: Draw, data: dict[str, Any]) -> dict[str, Any] | None:
    places = entities(data)
    if not places:
        return None
    coll, index = draw(st.sampled_from(places))
    target = data[coll].pop(index)["id"]
    return None if references(data, target) else data


MUTATIONS = [change_field, change_field, change_field, clone_entity, remove_entity]


@st.composite
def submissions(draw: Draw, max_mutations: int = 6) -> dict[str, Any]:
    """A schema-valid submission: a seed with up to ``max_mutations`` valid mutations."""
    data = copy.deepcopy(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(0, max_mutations))):
        mutate = draw(st.sampled_from(MUTATIONS))
        candidate = mutate(draw, copy.deepcopy(data))
        if candidate is not None and valid(candidate):
            data = candidate
    return data

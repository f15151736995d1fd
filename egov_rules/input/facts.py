"""The facts of one submission, as the engines see them.

A ``FactBase`` holds the entities of one validated submission as plain dicts (fast to read, easy to
hand to another engine as JSON), each tagged with its JSON pointer so findings can point into the file.
It is built fresh for every check and never shared: nothing leaks from one submission to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .factschema import FactSchema, fact_schema

POINTER = "_pointer"
COLLECTION = "_collection"

# Collections computed from the facts rather than listed in the submission.
DERIVED_COLLECTIONS = {"units_under_review": "unit"}


def _tag_nested(value: Any, pointer: str) -> None:
    """Give every dict inside lists of an entity its own pointer (components, entries, findings, ...)."""
    if isinstance(value, dict):
        for key, sub in value.items():
            if isinstance(sub, list | dict) and not key.startswith("_"):
                _tag_nested(sub, f"{pointer}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                item[POINTER] = f"{pointer}/{i}"
                _tag_nested(item, f"{pointer}/{i}")


def tag_entity(value: dict[str, Any], collection: str, index: int) -> dict[str, Any]:
    """One validated entity as a fact: a shallow copy tagged with its pointer and collection (nested dicts
    in lists tagged in place)."""
    entity = dict(value)
    entity[POINTER] = f"/{collection}/{index}"
    entity[COLLECTION] = collection
    _tag_nested(entity, entity[POINTER])
    return entity


@dataclass
class FactBase:
    """A submission's validated facts: the submission, its collections and entities by id."""
    source: str
    submission: dict[str, Any]
    collections: dict[str, list[dict[str, Any]]]
    by_id: dict[str, dict[str, Any]]
    schema: FactSchema
    _indexes: dict[tuple[str, str], tuple[dict[Any, list[dict[str, Any]]], list[dict[str, Any]]]] = field(
        default_factory=dict
    )
    _positions: dict[str, dict[int, int]] = field(default_factory=dict, repr=False, compare=False)
    _entity_count: int | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_data(cls, data: dict[str, Any], source: str = "<input>") -> FactBase:
        """Build from validated submission data (the dict form of ``model.Submission``)."""
        schema = fact_schema()
        submission = dict(data["submission"])
        submission[POINTER] = "/submission"
        submission[COLLECTION] = "submission"
        collections: dict[str, list[dict[str, Any]]] = {}
        by_id: dict[str, dict[str, Any]] = {}
        for coll in schema.collections:
            items = data.get(coll) or []
            tagged = []
            for i, value in enumerate(items):
                entity = tag_entity(value, coll, i)
                by_id[entity["id"]] = entity
                tagged.append(entity)
            collections[coll] = tagged
        return cls.assemble(source, submission, collections, by_id, schema)

    @classmethod
    def assemble(cls, source: str, submission: dict[str, Any], collections: dict[str, list[dict[str, Any]]],
                 by_id: dict[str, dict[str, Any]], schema: FactSchema | None = None) -> FactBase:
        """From entities already tagged (``from_data`` or the generated one-pass check): adds the derived
        collections."""
        under_review = submission.get("units_under_review")
        # left out: the owners of projects[] (spec: "Units under review")
        ids = list(under_review) if under_review else list(dict.fromkeys(p["unit"] for p in collections["projects"]))
        collections["units_under_review"] = [by_id[i] for i in ids if i in by_id]
        return cls(source, submission, collections, by_id, schema or fact_schema())

    def collection(self, name: str) -> list[dict[str, Any]]:
        return self.collections.get(name, [])

    def index(
        self, collection: str, key_name: str, keys_of: Callable[[dict[str, Any]], Iterable[Any] | None],
        items: list[dict[str, Any]] | None = None,
    ) -> tuple[dict[Any, list[dict[str, Any]]], list[dict[str, Any]]]:
        """A hash index of a collection: key -> entities, plus the entities whose key is unknown.

        ``keys_of`` returns the keys of one entity, or None when its key is unknown (null); such
        entities are candidates for every lookup so that three-valued results match a full scan.
        ``items`` indexes a list inside an entity instead, cached under the name the caller gives it.
        """
        cache_key = (collection, key_name)
        found = self._indexes.get(cache_key)
        if found is not None:
            return found
        table: dict[Any, list[dict[str, Any]]] = {}
        unknown: list[dict[str, Any]] = []
        for entity in self.collection(collection) if items is None else items:
            keys = keys_of(entity)
            if keys is None:
                unknown.append(entity)
                continue
            for k in keys:
                bucket = table.setdefault(k, [])
                if not bucket or bucket[-1] is not entity:
                    bucket.append(entity)
        self._indexes[cache_key] = (table, unknown)
        return table, unknown

    def entity_count(self) -> int:
        # asked once per rule (the engines' verdict cap): counted once, the facts never change after building
        count = self._entity_count
        if count is None:
            count = self._entity_count = sum(len(v) for k, v in self.collections.items()
                                             if k not in DERIVED_COLLECTIONS)
        return count

    def positions(self, collection: str) -> dict[int, int]:
        """id of an entity -> its place in the collection (once per collection): items looked up in several
        buckets of an index are put back in the collection's order with it, without a scan per lookup."""
        found = self._positions.get(collection)
        if found is None:
            found = self._positions[collection] = {id(e): i for i, e in enumerate(self.collection(collection))}
        return found

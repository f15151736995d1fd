"""The hash indexes the generated code builds itself: those keyed by one plain field of the item.

``index_field`` gives the table that ``FactBase.index`` builds with ``reference.plain_keys`` (the same
keys, buckets and unknown items, in the collection's order) and caches it under the same name, so the
generated code and the reference closures still share it; it reads the field inline instead of calling
a key function and making a list of keys for every entity (the index of a 40-entity submission cost
more to build than the rule's loop over it).
"""

from __future__ import annotations

from typing import Any

Index = tuple[dict[Any, list[dict[str, Any]]], list[dict[str, Any]]]


def plain_field(path: Any) -> str | None:
    """The field a path reads when it is one plain field of its binding (no list, reference, pseudo field or
    "none" meaning): a null reads unknown and nothing else can happen, so an index reads it directly."""
    steps = path.steps
    if path.mapped or len(steps) != 1:
        return None
    step = steps[0]
    if step.deref or step.pseudo or step.is_list or step.none_semantic:
        return None
    return str(step.name)


def index_field(facts: Any, key: tuple[str, str], field: str, contains: bool) -> Index:
    """The index ``key`` = (collection, name) of the items by ``field`` (by each value of it for ``contains``;
    an item whose field is null, or a list holding a null, is unknown: a candidate for every lookup)."""
    table: dict[Any, list[dict[str, Any]]] = {}
    unknown: list[dict[str, Any]] = []
    for entity in facts.collection(key[0]):
        value = entity.get(field)
        if value is None:
            unknown.append(entity)
        elif not contains:
            bucket = table.get(value)
            if bucket is None:
                table[value] = [entity]
            else:
                bucket.append(entity)
        elif None in value:
            unknown.append(entity)
        else:
            for k in value:
                bucket = table.get(k)
                if bucket is None:
                    table[k] = [entity]
                elif bucket[-1] is not entity:  # a value listed twice: the item once
                    bucket.append(entity)
    found = facts._indexes[key] = (table, unknown)
    return found

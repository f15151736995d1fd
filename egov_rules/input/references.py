"""The document stage of validation: ids unique across all entities, and every reference naming an entity of
a collection its field may point into (what JSON Schema cannot express); a dangling one gets a "did you mean"
from the document's ids.  Runs on the validated models, or on the raw data of a document that failed them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any

from ..errors import closest
from .load import Document, pointer_join
from .model import Submission
from .schema_nodes import COLLECTIONS, REFERENCES, entity_label
from .validate_words import FieldError

__all__ = ["check_references"]


class _IdPool:
    """The document's ids by collection, for "did you mean" on dangling references."""

    FULL = 500  # up to this many candidates, compare with all of them
    NEIGHBOURS = 100  # beyond, only with this many ids either side in sort order (difflib is quadratic-ish)

    def __init__(self, ids_in: dict[str, list[str]]) -> None:
        self._ids_in = ids_in
        self._sorted: dict[tuple[str, ...], list[str]] = {}

    def suggest(self, value: str, targets: tuple[str, ...]) -> str | None:
        # Only ids of the allowed collections: anything else would just be a mistyped reference next time.
        ids = self._sorted.get(targets)
        if ids is None:
            ids = self._sorted[targets] = sorted(i for t in targets for i in self._ids_in[t])
        if len(ids) > self.FULL:
            at = bisect.bisect_left(ids, value)
            ids = ids[max(0, at - self.NEIGHBOURS) : at + self.NEIGHBOURS]
        return closest(value, ids)


class _RefError(FieldError):
    """A dangling reference; its "did you mean" is filled in only if the error is shown (cost)."""

    def __init__(self, message: str, *, value: str, targets: tuple[str, ...], pool: _IdPool, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.value = value
        self.targets = targets
        self.pool = pool

    def resolved(self) -> FieldError:
        """A plain FieldError with the suggestion filled in (picklable: batch workers send errors back)."""
        return FieldError(
            self.message,
            file=self.file,
            line=self.line,
            column=self.column,
            field=self.field,
            expected=self.expected,
            suggestion=self.pool.suggest(self.value, self.targets),
        )


def _ref_tokens(path: str) -> list[str]:
    tokens: list[str] = []
    for part in path.split("."):
        if part.endswith("[]"):
            tokens += [part[:-2], "[]"]
        else:
            tokens.append(part)
    return tokens


_REFS_BY_DEF: dict[str, list[tuple[list[str], tuple[str, ...]]]] = {}
for (_def, _path), _targets in REFERENCES.items():
    _REFS_BY_DEF.setdefault(_def, []).append((_ref_tokens(_path), _targets))


def _ref_values(node: Any, tokens: list[str], pointer: str) -> Iterator[tuple[str, str]]:
    if not tokens:
        if isinstance(node, str):  # None: "there is none" for nullable references
            yield pointer, node
        return
    head, rest = tokens[0], tokens[1:]
    if head == "[]":
        for i, item in enumerate(node if isinstance(node, list) else ()):
            yield from _ref_values(item, rest, f"{pointer}/{i}")
    else:
        child = _field(node, head)
        if child is not None:
            yield from _ref_values(child, rest, pointer_join(pointer, head))


def _references_resolve(holders: list[tuple[str, str, Any]], owner: dict[str, tuple[str, int]]) -> bool:
    """Whether every reference names an entity of a collection it may point into (values only: the slow
    walk below, with pointers and messages, runs only when one does not)."""
    for def_name, _, entity in holders:
        for tokens, targets in _REFS_BY_DEF.get(def_name, ()):
            nodes: list[Any] = [entity]
            for head in tokens:
                if head == "[]":
                    nodes = [item for node in nodes for item in (node if isinstance(node, list) else ())]
                else:
                    nodes = [child for node in nodes if (child := _field(node, head)) is not None]
            for value in nodes:
                if isinstance(value, str):
                    found = owner.get(value)
                    if found is None or found[0] not in targets:
                        return False
    return True


def _must_name(targets: tuple[str, ...]) -> str:
    return " or ".join(entity_label(COLLECTIONS[t]) for t in targets)


Holders = tuple[Any, list[tuple[str, int, Any]]]  # (the submission block, [(collection, index, entity)])


def _raw_holders(data: Any) -> Holders:
    """The entities of data that failed the schema, as far as they can be read (objects with a string id)."""
    if not isinstance(data, dict):
        return None, []
    entities = []
    for collection in COLLECTIONS:
        items = data.get(collection)
        for i, entity in enumerate(items if isinstance(items, list) else []):
            if isinstance(entity, dict) and isinstance(entity.get("id"), str):
                entities.append((collection, i, entity))
    block = data.get("submission")
    return (block if isinstance(block, dict) else None), entities


def check_references(doc: Document, submission: Submission) -> list[FieldError]:
    """Ids unique across all entities; every reference names an entity of an allowed collection."""
    return _reference_errors(doc, (submission.submission, list(submission.entities())))


def _field(node: Any, name: str) -> Any:
    return node.get(name) if isinstance(node, dict) else getattr(node, name, None)


def _place(doc: Document, pointer: str) -> str:
    """Where a value is, as its file says it: a workbook's cell ('units'!A3), else line and column."""
    cell_of = getattr(doc, "cell_of", None)
    cell = cell_of(pointer) if cell_of is not None else None
    if cell:
        return f"cell {cell}"
    line, column = doc.locate(pointer)
    return f"line {line}, column {column}"


def _reference_errors(doc: Document, holders_in: Holders) -> list[FieldError]:
    block, entities = holders_in
    errors: list[FieldError] = []
    owner: dict[str, tuple[str, int]] = {}  # id -> (collection, index) of its first use
    ids_in: dict[str, list[str]] = {c: [] for c in COLLECTIONS}
    for collection, i, entity in entities:
        eid: str = _field(entity, "id")
        if eid in owner:
            first_coll, first_i = owner[eid]
            first = f"/{first_coll}/{first_i}/id"
            pointer = f"/{collection}/{i}/id"
            line, column = doc.locate(pointer)
            errors.append(
                FieldError(
                    f"duplicate id '{eid}': already used at {first} ({_place(doc, first)})",
                    file=doc.source,
                    line=line,
                    column=column,
                    field=pointer,
                    expected="an id not used by any other entity of the document",
                )
            )
        else:
            owner[eid] = (collection, i)
            ids_in[collection].append(eid)
    pool = _IdPool(ids_in)

    holders: list[tuple[str, str, Any]] = [("submission", "/submission", block)] if block is not None else []
    holders += ((COLLECTIONS[c], f"/{c}/{i}", e) for c, i, e in entities)
    if _references_resolve(holders, owner):  # the common case, without a pointer built for each reference
        return errors
    for def_name, base, entity in holders:
        for tokens, targets in _REFS_BY_DEF.get(def_name, ()):
            for pointer, value in _ref_values(entity, tokens, base):
                found = owner.get(value)
                if found is not None and found[0] in targets:
                    continue
                line, column = doc.locate(pointer)
                expected = "the id of " + _must_name(targets)
                if found is None:
                    errors.append(
                        _RefError(
                            f"'{value}' does not name any entity",
                            value=value,
                            targets=targets,
                            pool=pool,
                            file=doc.source,
                            line=line,
                            column=column,
                            field=pointer,
                            expected=expected,
                        )
                    )
                else:
                    errors.append(
                        FieldError(
                            f"'{value}' is {entity_label(COLLECTIONS[found[0]])}, "
                            f"but this field must name {_must_name(targets)}",
                            file=doc.source,
                            line=line,
                            column=column,
                            field=pointer,
                            expected=expected,
                        )
                    )
    return errors

"""Stage 2 of load → validate → compile → evaluate → report: check a loaded document against the fact model.

Two passes, both reported as ``InputErrors`` naming file, line, column and a JSON pointer:

1. the model stage (``validate_models``): names, types, enums, required keys and the schema's if/then rules,
   i.e. exactly what ``submission.schema.json`` says;
2. the document stage, only once the models pass: ids unique across all entities, and every reference resolves
   to an entity of a collection its field may point into (what JSON Schema cannot express).

Messages are written here in plain words from pydantic's structured error details; pydantic's own text and
URLs never reach the user.
"""

from __future__ import annotations

import bisect
import copy
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..errors import EgovError, InputError, InputErrors, closest, safe_text
from .load import Document, pointer_join
from .model import (
    COLLECTIONS,
    DATA_ELEMENT_PATTERN,
    ENTITY_MODELS,
    ERR_DATE,
    ERR_NOT_NULL,
    ERR_PERIOD,
    ERR_RULE,
    ERR_UNIQUE,
    ID_PATTERN,
    MODEL_NODES,
    REFERENCES,
    NotNull,
    Problem,
    Submission,
    entity_label,
    normative_schema,
    schema_node,
)

__all__ = ["FieldError", "check_references", "schema_json", "validate_document", "validate_models"]


class FieldError(InputError):
    """An input error whose message already says what was expected.

    ``expected`` is still set (for ``--format json``), so ``render`` leaves it out instead of saying it twice.
    """

    show_expected = False


# ---------------------------------------------------------------------------------------- entry points


def validate_models(data: Any) -> Submission:
    """The model stage alone: raises ``pydantic.ValidationError`` iff the JSON Schema rejects ``data``."""
    return Submission.model_validate(data)


def validate_document(doc: Document, *, max_errors: int = 50) -> Submission:
    """Validate a loaded submission; raise ``InputErrors`` (sorted by position, at most ``max_errors``).

    ``max_errors`` < 1 means no limit.
    """
    try:
        submission = validate_models(doc.data)
    except ValidationError as exc:
        errors: list[FieldError] = []
        details = exc.errors(include_url=False)
        missing = _missing_by_parent(details)
        for detail in details:
            loc = tuple(detail["loc"])
            group = missing.get(loc[:-1]) if detail["type"] == "missing" else None
            if group is not None and len(group) > 1:  # one error for a block's missing fields, at the block
                if loc[-1] == group[0]:
                    errors.append(_missing_fields(doc, loc[:-1], group))
                continue
            errors.extend(_translate(doc, detail))
        # the reference errors of the same document in the same round, read from the raw data (nothing
        # twice: a field that already has a schema error is left to it)
        seen = {e.field for e in errors}
        errors += [e for e in _reference_errors(doc, _raw_holders(doc.data)) if e.field not in seen]
        raise _collect(doc, errors, max_errors) from None
    errors = check_references(doc, submission)
    if errors:
        raise _collect(doc, errors, max_errors)
    return submission


def _missing_by_parent(details: list[Any]) -> dict[tuple[int | str, ...], list[int | str]]:
    groups: dict[tuple[int | str, ...], list[int | str]] = {}
    for detail in details:
        if detail["type"] == "missing" and detail["loc"]:
            loc = tuple(detail["loc"])
            groups.setdefault(loc[:-1], []).append(loc[-1])
    return groups


def _missing_fields(doc: Document, parent: tuple[int | str, ...], names: list[int | str]) -> FieldError:
    pointer = _pointer(parent)
    line, column = doc.locate(pointer)
    listed = ", ".join(str(n) for n in names)
    return FieldError(f"missing {len(names)} required fields: {listed}", file=doc.source, line=line,
                      column=column, field=pointer or "/", expected="every required field of this block "
                      "(null where unknown; egov-rules schema submission lists them)")


def _collect(doc: Document, errors: list[FieldError], max_errors: int) -> InputErrors:
    errors.sort(key=lambda e: (e.line, e.column, e.field or ""))
    shown: list[EgovError] = list(errors)
    if 0 < max_errors < len(errors):
        hidden = len(errors) - max_errors
        shown = shown[:max_errors]
        shown.append(FieldError(f"{hidden} more error{'s' if hidden > 1 else ''} not shown", file=doc.source))
    for i, err in enumerate(shown):
        if isinstance(err, _RefError):  # suggestions are computed only for errors that are shown (cost)
            shown[i] = err.resolved()
    return InputErrors(shown)


# ------------------------------------------------------------------------------- pydantic errors → words


def _pointer(loc: tuple[int | str, ...]) -> str:
    out = ""
    for seg in loc:
        out = pointer_join(out, seg if isinstance(seg, int) else str(seg))
    return out


def _describe(value: Any) -> str:
    """A value from the document in plain words ("the string 'yes'", "the number 1", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {safe_text(value, 40)}"
    if isinstance(value, str):
        return f"the string '{safe_text(value, 60)}'" if value else "an empty string"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a value of type {type(value).__name__}"


_TYPE_WORDS = {
    "bool_type": "true or false",
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "list_type": "a list",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
}

_PATTERN_WORDS = {
    ID_PATTERN: "an id: 1-128 characters from A-Z a-z 0-9 . _ : - starting with a letter or digit",
    DATA_ELEMENT_PATTERN: "a data element code: lower-case dotted words such as person.id_number",
}


@dataclass
class _Declared:
    """What the models declare at a location: the bare type, whether null is allowed, Annotated metadata."""

    tp: Any
    nullable: bool
    metadata: list[Any]


def _unwrap(tp: Any, metadata: list[Any]) -> _Declared:
    nullable = False
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            metadata = [*metadata, *tp.__metadata__]
            tp = get_args(tp)[0]
        elif origin is Union or origin is types.UnionType:
            args = [a for a in get_args(tp) if a is not type(None)]
            nullable = nullable or len(args) < len(get_args(tp))
            if len(args) != 1:
                return _Declared(tp, nullable, metadata)
            tp = args[0]
        else:
            break
    if any(isinstance(m, NotNull) for m in metadata):
        nullable = False
    return _Declared(tp, nullable, metadata)


def _declared_at(loc: tuple[int | str, ...]) -> _Declared | None:
    """Walk the model classes along an error location (None when it leaves them, e.g. at an unknown key)."""
    cur = _Declared(Submission, False, [])
    for seg in loc:
        tp = cur.tp
        if isinstance(seg, int):
            if get_origin(tp) is not list:
                return None
            cur = _unwrap(get_args(tp)[0], [])
        else:
            if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
                return None
            info = tp.model_fields.get(seg)
            if info is None:
                return None
            cur = _unwrap(info.annotation, list(info.metadata))
    return cur


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    declared = _declared_at(loc)
    if declared and isinstance(declared.tp, type) and issubclass(declared.tp, BaseModel):
        return list(declared.tp.model_fields)
    return []


def _translate(doc: Document, detail: Any) -> list[FieldError]:
    loc: tuple[int | str, ...] = tuple(detail["loc"])
    kind: str = detail["type"]
    value = detail.get("input")
    ctx: dict[str, Any] = detail.get("ctx") or {}
    pointer = _pointer(loc)

    def at(
        message: str,
        expected: str | None = None,
        suggestion: str | None = None,
        *,
        key: bool = False,
        where: str = pointer,
    ) -> FieldError:
        line, column = doc.locate_key(where) if key else doc.locate(where)
        return FieldError(
            message,
            file=doc.source,
            line=line,
            column=column,
            field=where or "/",
            expected=expected,
            suggestion=suggestion,
        )

    if kind == ERR_RULE:
        out = []
        for problem in ctx["problems"]:
            assert isinstance(problem, Problem)
            where = pointer
            for part in problem.loc:
                where = pointer_join(where, part)
            out.append(at(problem.message, "the field to be given" if problem.missing else None, where=where))
        return out
    if kind == "missing":  # locate() falls back to the parent mapping, which is where the key belongs
        return [at(f"missing required field '{safe_text(loc[-1])}'", "the field to be given")]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        suggestion = closest(name, _fields_at(loc[:-1]))
        return [at(f"unknown field '{safe_text(name)}'", "a field the schema defines", suggestion, key=True)]

    declared = _declared_at(loc)
    or_null = " or null" if declared and declared.nullable else ""
    got = _describe(value)

    if kind == "literal_error":
        allowed = [a for a in get_args(declared.tp)] if declared and get_origin(declared.tp) is Literal else []
        words = "one of: " + ", ".join(str(a) for a in allowed) + (" (or null)" if or_null else "")
        suggestion = closest(value, [str(a) for a in allowed]) if isinstance(value, str) else None
        return [at(f"expected {words}, got {got}", words, suggestion)]
    if kind in _TYPE_WORDS:
        words = _TYPE_WORDS[kind] + or_null
        hint = " (quote it to make it a string)" if kind == "string_type" and isinstance(value, int | float) else ""
        return [at(f"expected {words}, got {got}{hint}", words)]
    if kind == ERR_DATE:
        if ctx.get("reason") == "calendar":
            return [at(f"'{safe_text(value)}' is not a real calendar date", "a real calendar date YYYY-MM-DD")]
        return [at(f"expected a date written YYYY-MM-DD{or_null}, got {got}", "a date written YYYY-MM-DD")]
    if kind == ERR_PERIOD:
        words = "a year: 4 digits as a string, or a whole number 1000-9999"
        return [at(f"expected {words}, got {got}", words)]
    if kind == ERR_NOT_NULL:
        words = str(ctx.get("expected", "a value"))
        if declared and get_origin(declared.tp) is Literal:
            words = "one of: " + ", ".join(str(a) for a in get_args(declared.tp))
        return [at(f"expected {words}, got null (leave the field out when it is unknown)", words)]
    if kind == ERR_UNIQUE:
        where = pointer_join(pointer, int(ctx["index"]))
        item = ctx.get("value")
        shown = f"'{safe_text(item, 60)}'" if isinstance(item, str) else _describe(item)
        message = f"duplicate item {shown}: the same as item {ctx['first']}"
        return [at(message, "each item at most once", where=where)]
    if kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(str(ctx.get("pattern")), "text matching " + str(ctx.get("pattern")))
        return [at(f"expected {words}, got {got}", words)]
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        if isinstance(bound, float) and bound.is_integer():  # float fields report 0.0; say 0
            bound = int(bound)
        words = f"a number of at {'least' if kind == 'greater_than_equal' else 'most'} {bound}"
        return [at(f"expected {words}, got {got}", words)]
    if kind == "string_too_short":
        return [at(f"expected a non-empty string, got {got}", "a non-empty string")]
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        words = f"at least {n} item{'s' if n != 1 else ''}"
        return [at(f"expected {words}, got {got}", words)]
    return [at(f"invalid value: {got}")]  # a pydantic error type the models do not produce today


# -------------------------------------------------------------------------------- ids and references


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
            line0, col0 = doc.locate(first)
            pointer = f"/{collection}/{i}/id"
            line, column = doc.locate(pointer)
            errors.append(
                FieldError(
                    f"duplicate id '{eid}': already used at {first} (line {line0}, column {col0})",
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


# ---------------------------------------------------------------------------------- published schema


def schema_json() -> dict[str, Any]:
    """JSON Schema of the models for ``egov-rules schema submission``.

    pydantic's ``model_json_schema`` with the normative title/description, ``x-ref`` on every reference field
    and the normative ``allOf`` if/then rules copied onto the matching definitions
    (pydantic cannot derive those).
    """
    normative = normative_schema()
    generated = Submission.model_json_schema()
    defs: dict[str, Any] = generated.setdefault("$defs", {})
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **generated,
        "title": normative["title"],
        "description": normative["description"],
    }

    def deref(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        return node

    for (def_name, path), targets in REFERENCES.items():
        node = defs[ENTITY_MODELS[def_name].__name__]
        tokens = _ref_tokens(path)
        for n, token in enumerate(tokens):
            last = n == len(tokens) - 1
            node = node["items"] if token == "[]" else node["properties"][token]
            if not last:
                node = deref(node)
        node["x-ref"] = list(targets)

    for model, (def_name, path) in MODEL_NODES.items():
        rules = schema_node(def_name, path).get("allOf")
        if rules and model.__name__ in defs:
            defs[model.__name__]["allOf"] = copy.deepcopy(rules)
            if "region_matches_level" in str(rules):
                defs["region_matches_level"] = copy.deepcopy(normative["$defs"]["region_matches_level"])

    for model_def in [schema, *defs.values()]:  # a null default on a field that may not be null misleads
        for prop in model_def.get("properties", {}).values():
            if "default" in prop and prop["default"] is None and not _admits_null(prop):
                del prop["default"]
    _describe_properties(schema, defs)
    return {"$schema": schema["$schema"], "$id": normative.get("$id", SCHEMA_ID), **schema}


SCHEMA_ID = "urn:egov-rules:schema:submission:1"


def _describe_properties(schema: dict[str, Any], defs: dict[str, Any]) -> None:
    """A title and a description in English and Chinese on every property, from the one labels table
    (labels.py), so an editor shows what each field means; ``x-title-zh``/``x-description-zh`` keep the
    Chinese apart for tools that pick a language."""
    from ..text.labels import collection_label, entity_label, field_help, field_label, schema_fields

    known = schema_fields()
    by_model = {model.__name__: (def_name, path) for model, (def_name, path) in MODEL_NODES.items()}

    def where(def_name: str, path: str) -> tuple[str, str]:
        if (def_name, path) in known or (def_name, path + "[]") in known:
            return def_name, path if (def_name, path) in known else path + "[]"
        # a shared object (region): the first entity that has it names its fields
        for entity, field_path in known:
            if field_path.endswith(f"{def_name}.{path}") or field_path.endswith(f"{def_name}[].{path}"):
                return entity, field_path
        return def_name, path

    def put(prop: dict[str, Any], en_title: str, zh_title: str, en: str, zh: str) -> None:
        prop["title"] = en_title
        prop["description"] = f"{en or en_title}\n{zh or zh_title}"
        prop["x-title-zh"] = zh_title
        prop["x-description-zh"] = zh or zh_title

    for name, prop in schema.get("properties", {}).items():  # the top-level lists and the submission block
        entity = "submission" if name == "submission" else None
        if entity is None:
            put(prop, collection_label(name), collection_label(name, "zh"),
                f"{collection_label(name)}: a list of {entity_label(_singular(name))} entries",
                f"{collection_label(name, 'zh')}：{entity_label(_singular(name), 'zh')}列表")
        else:
            put(prop, entity_label(entity), entity_label(entity, "zh"),
                "The submission's identity: its id, the reference date (as_of) and what it reviews (kind).",
                "报送材料本身的信息：编号、基准日期和审查类型。")
    for model_name, node in defs.items():
        if model_name not in by_model:
            continue
        def_name, base = by_model[model_name]
        for name, prop in node.get("properties", {}).items():
            entity, path = where(def_name, f"{base}.{name}" if base else name)
            put(prop, field_label(entity, path), field_label(entity, path, "zh"), field_help(entity, path),
                field_help(entity, path, "zh"))


def _singular(collection: str) -> str:
    from ..text.labels import entity_types

    return next((e for e, c in entity_types().items() if c == collection), collection)


def _admits_null(node: dict[str, Any]) -> bool:
    if node.get("type") == "null" or None in node.get("enum", ()):
        return True
    return any(_admits_null(alt) for alt in node.get("anyOf", ()))

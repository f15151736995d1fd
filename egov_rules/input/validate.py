"""Stage 2 of load → validate → compile → evaluate → report: check a loaded document against the fact model.

Two passes, both reported as ``InputErrors`` naming file, line, column and a JSON pointer:

1. the model stage (``validate_models``): names, types, enums, required keys and the schema's if/then rules,
   i.e. exactly what ``submission.schema.json`` says;
2. the document stage, only once the models pass: ids unique across all entities, and every reference resolves
   to an entity of a collection its field may point into (what JSON Schema cannot express).

This module is the entry point and the published schema (``schema_json``); pydantic's errors are put into plain
words in ``validate_words.py``, ids and references are checked in ``references.py``.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import ValidationError

from ..errors import EgovError, InputErrors
from .load import Document
from .model import ENTITY_MODELS, MODEL_NODES, Submission
from .references import _raw_holders, _ref_tokens, _reference_errors, _RefError, check_references
from .schema_nodes import REFERENCES, normative_schema, schema_node
from .validate_words import FieldError, _pointer, _translate

__all__ = ["schema_json", "validate_document", "validate_models"]


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

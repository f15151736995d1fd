"""The workbook layout of a submission, derived from the fact model: shared by the template and the reader.

- one sheet per top-level list (``units``, ``projects``, ...) plus ``submission`` (one row), one row per
  entity, one column per field; nested objects are flattened into dotted columns (``region.city``);
- a list of scalars (ids, enum values, dates, text) is one cell, one item per line;
- a list of objects (``projects[].components``) gets its own sheet, one row per item, keyed by the parent's
  id in the first column, in the order the rows appear;
- row 1 holds the labels (in the chosen language), row 2 the field names (what the reader goes by), data
  starts on row 3.  Sheet titles are ``<label> <key>`` (``项目 projects``); the reader goes by the last word.

Because the reader and the template use this one description, a workbook written by ``template --from``
reads back to the same data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .factschema import FieldType, fact_schema, load_schema_json

HEADER_ROWS = 2  # row 1: labels, row 2: field names
FIRST_DATA_ROW = HEADER_ROWS + 1
INSTRUCTIONS = "instructions"
LISTS = "lists"
# written in an optional list's cell to say "none" (an empty list), as opposed to a blank "not given"
NONE_MARKERS = frozenset({"-", "—", "none", "无", "(none)", "（无）"})
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Column:
    """One workbook column: the field it holds, its type and labels."""
    key: str  # the field name in row 2: "name", "region.city"
    path: tuple[str, ...]  # the keys inside the entity (or list item): ("region", "city")
    ftype: FieldType
    label_path: str  # the path labels.py knows: "region.city", "components[].mode"
    required: bool  # the leaf is required in its object
    nullable: bool  # null is a valid value
    object_required: bool = True  # for a flattened field: its object is required in the entity
    marker_for: str | None = None  # an optional child list: this column says "none" when it has no rows
    description: str = ""  # the JSON Schema's description of the field (a fallback for the labels' help)


@dataclass
class SheetSpec:
    """One workbook sheet: the entity or list it holds and its columns."""
    key: str  # "projects", "submission", or the child field name ("components")
    entity: str  # entity type whose labels and fields this sheet uses ("project" for components too)
    collection: str  # top-level key: "projects"
    item_path: str = ""  # "" for an entity sheet, "components[]" for a child sheet
    child_field: str | None = None  # the field of the parent that holds the list
    parent: SheetSpec | None = None
    child_required: bool = True  # the child list is required in its parent
    columns: list[Column] = field(default_factory=list)
    children: list[SheetSpec] = field(default_factory=list)

    @property
    def single(self) -> bool:
        return self.key == "submission"

    @property
    def parent_column(self) -> str | None:
        return f"{self.parent.entity}_id" if self.parent is not None else None

    def column(self, key: str) -> Column | None:
        for c in self.columns:
            if c.key == key:
                return c
        return None


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _nullable(node: dict[str, Any], defs: dict[str, Any]) -> bool:
    node = _resolve(node, defs)
    types = node.get("type")
    if isinstance(types, list) and "null" in types:
        return True
    return None in node.get("enum", ()) or ("anyOf" in node and any(
        _resolve(n, defs).get("type") == "null" for n in node["anyOf"]))


def _description(node: dict[str, Any], defs: dict[str, Any]) -> str:
    text = node.get("description") or _resolve(node, defs).get("description") or ""
    return text if isinstance(text, str) else ""


def _columns(spec: SheetSpec, ftype: FieldType, node: dict[str, Any], defs: dict[str, Any], prefix: str,
             sheets: list[SheetSpec]) -> None:
    node = _resolve(node, defs)
    required = set(node.get("required", ()))
    for name, sub_type in ftype.fields.items():
        sub_node = _resolve(node["properties"][name], defs)
        label_path = f"{prefix}{name}"
        if sub_type.kind == "object":
            sub_required = set(sub_node.get("required", ()))
            for leaf, leaf_type in sub_type.fields.items():
                spec.columns.append(Column(
                    key=f"{name}.{leaf}", path=(name, leaf), ftype=leaf_type, label_path=f"{label_path}.{leaf}",
                    required=leaf in sub_required, nullable=_nullable(sub_node["properties"][leaf], defs),
                    object_required=name in required,
                    description=_description(sub_node["properties"][leaf], defs)))
                if leaf_type.kind == "object" or (leaf_type.kind == "list" and leaf_type.item is not None
                                                   and leaf_type.item.kind == "object"):
                    raise AssertionError(f"the workbook layout cannot nest {spec.entity}.{label_path}.{leaf}")
        elif sub_type.kind == "list" and sub_type.item is not None and sub_type.item.kind == "object":
            if spec.parent is not None:
                raise AssertionError(f"the workbook layout cannot nest lists in {spec.key}.{name}")
            child = SheetSpec(key=name, entity=spec.entity, collection=spec.collection, item_path=f"{name}[]",
                              child_field=name, parent=spec, child_required=name in required)
            _columns(child, sub_type.item, sub_node["items"], defs, f"{name}[].", sheets)
            spec.children.append(child)
            sheets.append(child)
            if name not in required:  # say "none" here: no rows would mean "not given"
                spec.columns.append(Column(key=name, path=(name,), ftype=sub_type, label_path=label_path,
                                           required=False, nullable=False, marker_for=name))
        else:
            spec.columns.append(Column(key=name, path=(name,), ftype=sub_type, label_path=label_path,
                                       required=name in required, nullable=_nullable(sub_node, defs),
                                       description=_description(node["properties"][name], defs)))


@cache
def sheet_specs() -> tuple[SheetSpec, ...]:
    """Every sheet in workbook order: submission, then each collection followed by its child sheets."""
    schema = load_schema_json()
    defs = schema["$defs"]
    fs = fact_schema()
    out: list[SheetSpec] = []
    for coll, prop in schema["properties"].items():
        ref = prop["$ref"] if "$ref" in prop else prop["items"]["$ref"]
        entity = ref.rsplit("/", 1)[-1]
        spec = SheetSpec(key=coll, entity=entity, collection=coll)
        children: list[SheetSpec] = []
        _columns(spec, fs.entities[entity], defs[entity], defs, "", children)
        # the id first: it is what references and child sheets point at
        spec.columns.sort(key=lambda c: c.key != "id")
        out.append(spec)
        out.extend(children)
    keys = [s.key for s in out]
    if len(keys) != len(set(keys)):
        raise AssertionError(f"workbook sheet keys are not unique: {keys}")
    return tuple(out)


def spec_by_key() -> dict[str, SheetSpec]:
    return {s.key: s for s in sheet_specs()}


def sheet_label(spec: SheetSpec, lang: str) -> str:
    """What a sheet holds, in words: 项目 for ``projects``, 组成部分 for ``components``."""
    from ..text.labels import collection_label, entity_label

    label = (collection_label(spec.collection, lang) if spec.parent is None
             else column_label(spec.entity, spec.child_field or spec.key, lang))
    return entity_label(spec.entity, lang) if spec.single and label == spec.key else label


def sheet_title(spec_key: str, label: str) -> str:
    """``项目 projects``; just the key when the label adds nothing or the title would be too long (31)."""
    label = _BAD_TITLE_CHARS.sub(" ", label).strip()
    if not label or label.replace(" ", "_").lower() == spec_key.lower():
        return spec_key
    title = f"{label} {spec_key}"
    return title if len(title) <= 31 else spec_key


def title_key(title: str) -> str:
    """The sheet key a title stands for: its last word."""
    parts = title.split()
    return parts[-1] if parts else title


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(title: str, row: int, column: int) -> str:
    """``'项目 projects'!C7``: the sheet quoted when its title needs it, as spreadsheets write it."""
    quoted = title if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", title) else "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{column_letter(column)}{row}"


def unplaceable(data: dict[str, Any]) -> list[str]:
    """Pointers of the keys in ``data`` that no column or sheet holds (a workbook would silently drop them)."""
    from .load import pointer_join

    specs = {s.collection: s for s in sheet_specs() if s.parent is None}
    out: list[str] = []

    def entity(spec: SheetSpec, obj: Any, pointer: str) -> None:
        if not isinstance(obj, dict):
            return
        nested: dict[str, set[str]] = {}
        for c in spec.columns:
            nested.setdefault(c.path[0], set()).update(c.path[1:])
        children = {c.child_field: c for c in spec.children}
        for key, value in obj.items():
            here = pointer_join(pointer, key)
            if key in children:
                for i, item in enumerate(value if isinstance(value, list) else []):
                    entity(children[key], item, pointer_join(here, i))
            elif key not in nested:
                out.append(here)
            elif nested[key] and isinstance(value, dict):
                out.extend(pointer_join(here, k) for k in value if k not in nested[key])

    for coll, value in data.items():
        spec = specs.get(coll)
        if spec is None:
            out.append(pointer_join("", coll))
        elif spec.single:
            entity(spec, value, "/submission")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                entity(spec, item, pointer_join(pointer_join("", coll), i))
    return out


def column_label(entity: str, path: str, lang: str) -> str:
    """The field's label; a list field's label may be kept under ``path[]`` (``project.plan_refs[]``)."""
    from ..text.labels import field_label

    plain = field_label(entity, path, lang)
    fallback = path.rsplit(".", 1)[-1].removesuffix("[]").replace("_", " ")
    return field_label(entity, path + "[]", lang) if plain == fallback else plain


def column_help(entity: str, path: str, lang: str) -> str:
    from ..text.labels import field_help

    return field_help(entity, path, lang) or field_help(entity, path + "[]", lang)

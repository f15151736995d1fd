"""How one field's value is shown in a workbook cell, and read back: labels for enums and yes/no, dates as dates.

The template writes enum values as their labels in the chosen language (what the drop-down offers); the
reader takes a label in either language or the code itself, so a workbook filled in Chinese and one filled
from YAML read the same.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from ..errors import Said
from ..text.labels import enum_values
from . import workbook_words as w
from .factschema import FieldType
from .layout import NONE_MARKERS, Column

BOOL_LABELS = {"en": ("yes", "no"), "zh": ("是", "否")}
_TRUE = frozenset({"yes", "true", "y", "是", "1", "√", "✓"})
_FALSE = frozenset({"no", "false", "n", "否", "0", "×"})
_LIST_SEPARATORS = re.compile(r"[\n;,；，、]+")  # ids and codes never contain these
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT_TEXT = re.compile(r"[-+]?\d+")
_NUMBER_TEXT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


class CellProblem(Exception):
    """A cell whose value cannot be the field's type; ``expected`` says what would be (both in every language)."""

    def __init__(self, message: Said, expected: Said) -> None:
        super().__init__(str(message))
        self.said = message
        self.expected_said = expected
        self.message = str(message)
        self.expected = str(expected)


@cache
def choices(entity: str, label_path: str, lang: str) -> tuple[tuple[Any, str], ...]:
    """(code, shown text) of an enum field in ``lang``; a label two codes share gets its code appended."""
    pairs = enum_values(entity, label_path, lang)
    seen: dict[str, int] = {}
    for _, label in pairs:
        seen[label] = seen.get(label, 0) + 1
    return tuple((code, label if seen[label] == 1 else f"{label} ({code})") for code, label in pairs)


@cache
def _lookup(entity: str, label_path: str) -> dict[str, Any]:
    """Every accepted spelling (code, label in en or zh, ``label (code)``) -> code."""
    out: dict[str, Any] = {}
    for lang in ("en", "zh"):
        for code, shown in choices(entity, label_path, lang):
            out[shown.strip().lower()] = code
    for code, _ in choices(entity, label_path, "en"):
        out.setdefault(str(code).replace("_", " ").lower(), code)  # the labels' fallback form (older workbooks)
    for code, _ in choices(entity, label_path, "en"):
        out[str(code).lower()] = code  # codes win over a label that happens to spell another code
    return out


def dropdown(column: Column, entity: str, lang: str) -> list[str]:
    """What the drop-down offers for an enum or yes/no column (item type for lists); [] for others."""
    ftype = _item(column.ftype)
    if ftype.kind == "enum":
        return [shown for _, shown in choices(entity, _item_path(column), lang)]
    if ftype.kind == "bool":
        return list(BOOL_LABELS[lang])
    return []


def _item(ftype: FieldType) -> FieldType:
    return ftype.item if ftype.kind == "list" and ftype.item is not None else ftype


def _item_path(column: Column) -> str:
    return column.label_path + "[]" if column.ftype.kind == "list" else column.label_path


# ---------------------------------------------------------------------------------------------- writing


def to_cell(column: Column, entity: str, value: Any, lang: str) -> Any:
    """The cell value that stands for ``value`` (None: leave the cell blank)."""
    if column.marker_for is not None:  # an optional child list: only "none" is written here
        return ("无" if lang == "zh" else "none") if value == [] else None
    if value is None:
        return None
    ftype = column.ftype
    if ftype.kind == "list":
        if not isinstance(value, list):
            return _scalar_to_cell(ftype, entity, column.label_path, value, lang)
        if not value:
            return None if column.required else ("无" if lang == "zh" else "none")
        item = _item(ftype)
        return "\n".join(str(_scalar_text(item, entity, column.label_path + "[]", v, lang)) for v in value)
    return _scalar_to_cell(ftype, entity, column.label_path, value, lang)


def _scalar_to_cell(ftype: FieldType, entity: str, label_path: str, value: Any, lang: str) -> Any:
    if ftype.kind == "date" and isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return _scalar_text(ftype, entity, label_path, value, lang)


def _scalar_text(ftype: FieldType, entity: str, label_path: str, value: Any, lang: str) -> Any:
    if ftype.kind == "enum":
        for code, shown in choices(entity, label_path, lang):
            if code == value:
                return shown
        return value
    if ftype.kind == "bool" and isinstance(value, bool):
        return BOOL_LABELS[lang][0 if value else 1]
    if isinstance(value, (dict, list)):
        return str(value)
    return value


# ---------------------------------------------------------------------------------------------- reading


def from_cell(column: Column, entity: str, value: Any, lang: str = "en") -> Any:
    """The field's value from a (non-blank) cell; raises ``CellProblem`` (its choices named in ``lang``)."""
    ftype = column.ftype
    if ftype.kind == "list":
        item = _item(ftype)
        if isinstance(value, str):
            if value.strip().lower() in NONE_MARKERS:
                return []
            if item.kind == "enum":  # a line that is a whole label stays whole, even with a comma in it
                known = _lookup(entity, column.label_path + "[]")
                parts = [p for line in value.split("\n") for p in (
                    [line.strip()] if line.strip().lower() in known else _LIST_SEPARATORS.split(line))]
            elif item.kind in ("ref", "date", "int", "number", "bool"):
                parts = [p.strip() for p in _LIST_SEPARATORS.split(value)]
            else:  # free text may contain commas: one item per line
                parts = [p for p in value.split("\n")]
            return [_scalar(item, entity, column.label_path + "[]", p, lang) for p in parts if p.strip()]
        return [_scalar(item, entity, column.label_path + "[]", value, lang)]
    return _scalar(ftype, entity, column.label_path, value, lang)


def _scalar(ftype: FieldType, entity: str, label_path: str, value: Any, lang: str = "en") -> Any:
    kind = ftype.kind
    if isinstance(value, dt.datetime) and kind != "date":
        raise CellProblem(w.A_DATE(), w.described(ftype, entity, label_path))
    if kind == "date":
        if isinstance(value, dt.datetime):
            if value.time() != dt.time(0):
                raise CellProblem(w.DATE_WITH_TIME(value=value.isoformat(sep=" ")), w.E_NO_TIME())
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            text = value.strip()
            if _ISO_DATE.fullmatch(text):
                try:
                    dt.date.fromisoformat(text)
                except ValueError:
                    raise CellProblem(w.NOT_A_CALENDAR_DATE(text=text), w.E_ISO_DATE()) from None
                return text
            raise CellProblem(w.DATE_AS_OTHER_TEXT(text=text), w.E_DATE_CELL())
        raise CellProblem(w.NUMBER_FOR_DATE(value=value), w.E_DATE_CELL())
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellProblem(w.NOT_YES_NO(value=value), w.E_YES_NO())
    if kind == "enum":
        text = _text(value).strip()
        code = _lookup(entity, label_path).get(text.lower())
        if code is None:
            # English names the choices as the workbook shows them (a Chinese workbook: its Chinese labels)
            en = (("以下之一：" if lang == "zh" else "one of ")
                  + (", " if lang != "zh" else "、").join(s for _, s in choices(entity, label_path, lang)))
            zh = "、".join(s for _, s in choices(entity, label_path, "zh"))
            raise CellProblem(w.NOT_A_CHOICE(text=text), w.E_CHOICES(en=en, zh=zh))
        return code
    if kind == "int":
        if isinstance(value, bool):
            raise CellProblem(w.NOT_WHOLE(value=value), w.E_WHOLE())
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):
            return int(value.strip())
        raise CellProblem(w.NOT_WHOLE(value=value), w.E_WHOLE())
    if kind == "number":
        if isinstance(value, bool):
            raise CellProblem(w.NOT_A_NUMBER(value=value), w.E_NUMBER())
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
            text = value.strip()
            return int(text) if _INT_TEXT.fullmatch(text) else float(text)
        raise CellProblem(w.NOT_A_NUMBER(value=value), w.E_NUMBER())
    if kind == "ref":
        return _text(value).strip()
    if isinstance(value, bool):
        raise CellProblem(w.YES_NO_AS_TEXT(value=value), w.E_TEXT())
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

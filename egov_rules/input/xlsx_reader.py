"""Read a submission workbook into the same ``Document`` the YAML loader gives, located by sheet and cell.

The data is what the YAML of the same submission loads to; positions are (row, column) so everything that
locates by line and column keeps working, and ``WorkbookDocument.cell_of(pointer)`` gives ``'项目 projects'!C7``
for findings and errors.  The workbook is checked before it is parsed (``xlsx_guard``), read with openpyxl in
read-only mode, formulas are refused (never evaluated), and the YAML input limits apply: file size, cells
(``--max-nodes``), rows (``--max-entities``) and time (``--max-seconds``).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import EgovError, InputError, InputErrors, LimitExceeded, Local, Said, closest, safe_text
from . import workbook_words as w
from .cells import CellProblem, from_cell
from .layout import (
    FIRST_DATA_ROW,
    INSTRUCTIONS,
    LISTS,
    NONE_MARKERS,
    SheetSpec,
    cell_ref,
    column_letter,
    sheet_specs,
    spec_by_key,
    title_key,
)
from .load import Document, Limits, pointer_join
from .xlsx_guard import open_zip, scan_sheet

MAX_ERRORS = 50  # cell errors reported in one round
MAX_COLUMNS = 256  # a sheet of the template has at most a few dozen columns
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


@dataclass
class WorkbookDocument(Document):
    """A ``Document`` read from a workbook: ``cells`` maps a JSON pointer to (sheet title, row, column)."""

    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict, repr=False)

    def cell_of(self, pointer: str) -> str | None:
        """``'项目 projects'!C7`` for the node (or its nearest located ancestor); None if none is."""
        while True:
            where = self.cells.get(pointer)
            if where is not None:
                return cell_ref(*where)
            if not pointer:
                return None
            pointer = pointer.rpartition("/")[0]

    def sheet_cell(self, pointer: str) -> tuple[str, int, int] | None:
        while True:
            where = self.cells.get(pointer)
            if where is not None or not pointer:
                return where
            pointer = pointer.rpartition("/")[0]

    def annotate_error(self, exc: EgovError) -> None:
        """Give errors about this document (located by pointer in ``field``) their sheet and cell."""
        for err in getattr(exc, "errors", None) or [exc]:
            if err.file == self.source and err.position.cell is None and err.field and err.field.startswith("/"):
                err.position.cell = self.cell_of(err.field)
        if exc.file == self.source and exc.position.cell is None and exc.field and exc.field.startswith("/"):
            exc.position.cell = self.cell_of(exc.field)


def is_workbook(source: str, data: bytes | None = None) -> bool:
    """Workbooks are recognised by name (.xlsx, .xlsm) or by content (a zip where YAML was expected)."""
    return source.lower().endswith(WORKBOOK_SUFFIXES) or (data is not None and data.startswith(b"PK\x03\x04"))


def load_workbook_bytes(data: bytes, source: str, *, limits: Limits | None = None) -> WorkbookDocument:
    limits = limits or Limits()
    deadline = time.monotonic() + limits.max_seconds
    if len(data) > limits.max_bytes:
        raise LimitExceeded(w.FILE_TOO_BIG(limit=limits.max_bytes), file=source, field="max_bytes",
                            expected=w.E_SMALLER_FILE())
    if source.lower().endswith((".xlsm", ".xltm")):
        raise InputError(w.MACRO_FILE(), file=source, expected=w.E_NO_MACROS())
    archive = open_zip(data, source, limits)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except EgovError:
        raise
    except Exception as exc:  # openpyxl's errors for a broken workbook are of many kinds
        raise InputError(w.UNREADABLE(detail=f"{type(exc).__name__}: {safe_text(exc, 160)}"),
                         file=source, expected=w.E_SAVED_BY()) from None
    try:
        return _Reader(source, limits, deadline).read(wb, archive)
    finally:
        wb.close()


class _Reader:
    def __init__(self, source: str, limits: Limits, deadline: float) -> None:
        self.source = source
        self.limits = limits
        self.deadline = deadline
        self.rows = 0
        self.cells_read = 0
        self.errors: list[EgovError] = []
        self.positions: dict[str, tuple[int, int]] = {}
        self.cells: dict[str, tuple[str, int, int]] = {}
        # child sheet key -> parent id -> [(item, [(relative pointer, title, row, col)], title, row)]
        self.children: dict[str, dict[str, list[tuple[dict[str, Any], list[tuple[str, str, int, int]]]]]] = {}
        self.child_rows: dict[str, list[tuple[str, str, int]]] = {}  # child key -> [(parent id, title, row)]
        self.hidden: dict[str, tuple[set[int], set[int]]] = {}
        self.lang = "en"  # sheet title -> hidden rows, hidden columns

    # -- errors ----------------------------------------------------------------------------------------
    def fail(self, message: Said, title: str | None, row: int = 0, col: int = 0, *, field: str | None = None,
             expected: Said | None = None, suggestion: str | None = None) -> InputError:
        err = InputError(message, file=self.source, line=row, column=col, field=field, expected=expected,
                         suggestion=suggestion)
        if title is not None:
            err.position.cell = cell_ref(title, row, col) if row else _quoted(title)
        return err

    def note(self, err: InputError) -> None:
        self.errors.append(err)
        if len(self.errors) >= MAX_ERRORS:
            raise InputErrors(self.errors)

    # -- the workbook ----------------------------------------------------------------------------------
    def read(self, wb: Any, archive: Any) -> WorkbookDocument:
        specs = spec_by_key()
        found: dict[str, tuple[SheetSpec, Any, int]] = {}
        data_rows = 0
        for chart in getattr(wb, "chartsheets", []):
            raise self.fail(w.CHART_SHEET(), chart.title, expected=w.E_TEMPLATE_SHEETS())
        # a workbook with Chinese sheet titles (template --lang zh) hears its choices named in Chinese
        self.lang = "zh" if any(ord(ch) > 0x2E80 for ws in wb.worksheets for ch in ws.title) else "en"
        for ws in wb.worksheets:
            title = ws.title
            if ws.sheet_state != "visible":
                raise self.fail(w.HIDDEN_SHEET(state=w.hidden_state(ws.sheet_state)), title,
                                expected=w.E_VISIBLE())
            key = title_key(title)
            if key in (INSTRUCTIONS, LISTS):
                continue
            spec = specs.get(key)
            if spec is None:
                raise self.fail(w.UNKNOWN_SHEET(title=safe_text(title)), title, expected=w.E_SHEETS_OF_TEMPLATE(),
                                suggestion=closest(key, list(specs)))
            if key in found:
                raise self.fail(w.TWO_SHEETS(sheet=w.sheet(key)), title, expected=w.E_ONE_SHEET())
            scan = scan_sheet(archive, getattr(ws, "_worksheet_path", ""))
            if scan.merged:
                first = scan.merged[0].split(":")[0]
                raise self.fail(w.MERGED(ranges=Local(", ".join(scan.merged[:5]), "、".join(scan.merged[:5]))),
                                title, *_rc(first), expected=w.E_UNMERGE())
            if scan.max_column > MAX_COLUMNS:
                raise self.fail(w.FAR_COLUMN(column=column_letter(scan.max_column)), title, *_rc(scan.far_cell),
                                expected=w.E_TEMPLATE_COLUMNS(limit=MAX_COLUMNS))
            data_rows += max(0, scan.max_row - FIRST_DATA_ROW + 1)  # as read: gaps are rows too
            if data_rows > self.limits.max_entities:
                raise LimitExceeded(w.TOO_MANY_ROWS_ON(limit=self.limits.max_entities, title=safe_text(title),
                                                       row=scan.max_row), file=self.source,
                                    field="max_entities", expected=w.E_FEWER_ROWS())
            ws.reset_dimensions()  # the sheet's own claim of its size is not trusted: the scan bounded it
            found[key] = (spec, ws, scan.max_column)
            self.hidden[title] = (scan.hidden_rows, scan.hidden_columns)
        if not found:
            raise self.fail(w.NO_SHEETS(), None, expected=w.E_SOME_SHEETS(
                submission=w.sheet("submission"), units=w.sheet("units"), projects=w.sheet("projects")))
        data: dict[str, Any] = {}
        markers: dict[str, list[tuple[dict[str, Any], str, str, int, int]]] = {}
        for spec in sheet_specs():  # schema order: the same data as the YAML whatever the tab order
            if spec.key not in found:
                continue
            _, ws, width = found[spec.key]
            self.read_sheet(spec, ws, width, data, markers)
        if "submission" not in found:  # after the rows, so that a limit is what a huge workbook hears first
            self.note(self.fail(w.NO_SUBMISSION_SHEET(sheet=w.sheet("submission")), None,
                                expected=w.E_SUBMISSION_SHEET(sheet=w.sheet("submission"))))
        self.attach_children(data, found, markers)
        if self.errors:
            raise InputErrors(self.errors)
        return WorkbookDocument(source=self.source, data=data, positions=self.positions,
                                key_positions={}, format="xlsx", cells=self.cells)

    def read_sheet(self, spec: SheetSpec, ws: Any, width: int, data: dict[str, Any],
                   markers: dict[str, list[tuple[dict[str, Any], str, str, int, int]]]) -> None:
        title = ws.title
        header: dict[int, str] = {}
        entities: list[Any] = []
        if not spec.single and spec.parent is None:
            data[spec.collection] = entities
        blank: Any = None  # openpyxl yields one shared tuple for every missing row: skipped without a look
        for r, row in enumerate(ws.iter_rows(max_col=max(width, 1)), start=1):  # rows come in order, gaps filled
            if r >= FIRST_DATA_ROW:
                self.rows += 1
            if r % 256 == 0 and time.monotonic() > self.deadline:
                raise LimitExceeded(w.TOO_SLOW(limit=self.limits.max_seconds), file=self.source,
                                    field="max_seconds", expected=w.E_MORE_SECONDS())
            if self.rows > self.limits.max_entities:
                raise LimitExceeded(w.TOO_MANY_ROWS(limit=self.limits.max_entities), file=self.source,
                                    field="max_entities", expected=w.E_FEWER_ROWS())
            if row is blank:
                continue
            cells = [c for c in row if c.value is not None]
            if not cells:
                blank = row
                continue
            r = cells[0].row or r
            self.cells_read += len(cells)
            if self.cells_read > self.limits.max_nodes:
                raise LimitExceeded(w.TOO_MANY_CELLS(limit=self.limits.max_nodes), file=self.source,
                                    field="max_nodes", expected=w.E_MORE_NODES())
            rows_hidden, columns_hidden = self.hidden.get(title, (set(), set()))
            if r in rows_hidden or columns_hidden.intersection(c.column for c in cells):
                where = cells[0].column if r in rows_hidden else min(columns_hidden.intersection(
                    c.column for c in cells))
                self.note(self.fail(w.HIDDEN_VALUE(), title, r, where, expected=w.E_SHOWN()))
                continue
            values: dict[int, Any] = {}
            for c in cells:
                value = self.cell_value(c, title)
                if value is not None:
                    values[c.column] = value
            if r == 2:
                header = self.read_header(spec, title, values)
            elif r >= FIRST_DATA_ROW and values:
                if not header:
                    raise self.fail(w.NO_HEADER(), title, 2, 1, expected=w.E_HEADER())
                self.read_row(spec, title, r, header, values, data, entities, markers)
        if spec.single and "submission" not in data:
            self.note(self.fail(w.NO_SUBMISSION_ROW(), title, FIRST_DATA_ROW, 1, expected=w.E_SUBMISSION_ROW()))

    def cell_value(self, cell: Any, title: str) -> Any:
        kind = getattr(cell, "data_type", None)
        value = cell.value
        if kind == "f" or (kind is None and isinstance(value, str) and value.startswith("=")):
            self.note(self.fail(w.FORMULA(formula=safe_text(value, 60)), title, cell.row, cell.column,
                                expected=w.E_VALUE()))
            return None
        if kind == "e":
            self.note(self.fail(w.ERROR_VALUE(value=safe_text(value, 20)), title, cell.row, cell.column,
                                expected=w.E_A_VALUE()))
            return None
        if isinstance(value, str) and not value.strip():
            return None  # a cell holding only spaces is blank
        return value

    def read_header(self, spec: SheetSpec, title: str, values: dict[int, Any]) -> dict[int, str]:
        allowed = ([spec.parent_column] if spec.parent_column else []) + [c.key for c in spec.columns]
        header: dict[int, str] = {}
        seen: dict[str, int] = {}
        for col, value in sorted(values.items()):
            key = str(value).strip()
            if key not in allowed:
                self.note(self.fail(w.UNKNOWN_FIELD(name=safe_text(key)), title, 2, col,
                                    expected=w.E_FIELD_OF(sheet=w.sheet(spec.key)), suggestion=closest(key, allowed)))
                continue
            if key in seen:
                self.note(self.fail(w.TWO_COLUMNS(name=key, first=column_letter(seen[key]), second=column_letter(col)),
                                    title, 2, col, expected=w.E_ONE_COLUMN()))
                continue
            seen[key] = col
            header[col] = key
        if spec.parent_column and spec.parent_column not in seen:
            parent = w.entity(spec.parent.entity if spec.parent is not None else "")
            self.note(self.fail(w.NO_PARENT_COLUMN(column=spec.parent_column, parent=parent), title, 2, 1,
                                expected=w.E_COLUMN_IN_ROW_2(column=spec.parent_column)))
        return header

    def read_row(self, spec: SheetSpec, title: str, r: int, header: dict[int, str], values: dict[int, Any],
                 data: dict[str, Any], entities: list[Any],
                 markers: dict[str, list[tuple[dict[str, Any], str, str, int, int]]]) -> None:
        for col in sorted(values):
            if col not in header:
                self.note(self.fail(w.UNNAMED_COLUMN(), title, r, col, expected=w.E_TEMPLATE_COLUMNS_ONLY()))
        col_of = {key: col for col, key in header.items()}
        if spec.single:
            if "submission" in data:
                self.note(self.fail(w.SECOND_SUBMISSION(), title, r, 1, expected=w.E_ONE_ROW()))
                return
            base = "/submission"
        elif spec.parent is None:
            base = pointer_join(f"/{spec.collection}", len(entities))
        else:
            base = ""  # pointers of child items are known once they are attached to their parent
        located: list[tuple[str, str, int, int]] = [("", title, r, min(values))]
        entity: dict[str, Any] = {}
        objects: dict[str, dict[str, Any]] = {}
        for column in spec.columns:
            c = col_of.get(column.key)
            relative = "".join(pointer_join("", p) for p in column.path)
            if c is not None:
                located.append((relative, title, r, c))
            if column.marker_for is not None:
                if c is not None and c in values:
                    markers.setdefault(column.marker_for, []).append((entity, str(values[c]), title, r, c))
                continue
            present = c is not None and c in values
            target = entity
            if len(column.path) == 2:
                target = objects.setdefault(column.path[0], {})
                if present:
                    located.append((pointer_join("", column.path[0]), title, r, c or 1))
            name = column.path[-1]
            if present:
                try:
                    target[name] = from_cell(column, spec.entity, values[c], self.lang)  # type: ignore[index]
                except CellProblem as p:
                    self.note(self.fail(p.said, title, r, c or 0, field=(base or spec.key) + relative,
                                        expected=p.expected_said))
                    continue
                if isinstance(target[name], list):
                    located.extend((f"{relative}/{i}", title, r, c or 0) for i in range(len(target[name])))
            elif column.ftype.kind == "list":
                if column.required:
                    target[name] = []
            elif column.nullable:  # blank is "not known"; null, so that "required when ..." checks see the key
                target[name] = None
        for column in spec.columns:
            # a nested object is there if any of its cells is filled, if it is required, or if blank cells
            # make a valid one (a plan's filing with every date unknown); otherwise it is left out
            if len(column.path) == 2 and column.path[0] not in entity:
                leaves = [c for c in spec.columns if c.path[0] == column.path[0]]
                if (any(col_of.get(c.key) in values for c in leaves) or column.object_required
                        or all(c.nullable for c in leaves if c.required)):
                    entity[column.path[0]] = objects.get(column.path[0], {})
        if spec.single:
            data["submission"] = entity
            self.locate(base, located)
        elif spec.parent is None:
            entities.append(entity)
            self.locate(base, located)
        else:
            pc = col_of.get(spec.parent_column or "")
            parent_id = values.get(pc) if pc is not None else None
            if parent_id is None:
                self.note(self.fail(w.NO_PARENT_ID(column=spec.parent_column, parent=w.entity(spec.parent.entity)),
                                    title, r, pc or 1, expected=w.E_PARENT_ROW(sheet=w.sheet(spec.parent.key))))
                return
            bucket = self.children.setdefault(spec.key, {}).setdefault(_id_text(parent_id), [])
            bucket.append((entity, located))
            self.child_rows.setdefault(spec.key, []).append((_id_text(parent_id), title, r))

    def locate(self, base: str, located: list[tuple[str, str, int, int]]) -> None:
        for relative, title, row, col in located:
            pointer = base + relative
            if pointer not in self.cells:
                self.cells[pointer] = (title, row, col)
                self.positions[pointer] = (row, col)

    def attach_children(self, data: dict[str, Any], found: dict[str, tuple[SheetSpec, Any, int]],
                        markers: dict[str, list[tuple[dict[str, Any], str, str, int, int]]]) -> None:
        marked: dict[int, dict[str, tuple[str, str, int, int]]] = {}
        for name, entries in markers.items():
            for entity, text, title, r, c in entries:
                marked.setdefault(id(entity), {})[name] = (text, title, r, c)
        for spec in sheet_specs():
            if spec.parent is not None or spec.single or not spec.children:
                continue
            entities = data.get(spec.collection, [])
            ids: dict[str, int] = {}
            for i, entity in enumerate(entities):
                if isinstance(entity.get("id"), str):
                    ids.setdefault(entity["id"], i)
            for child in spec.children:
                groups = self.children.get(child.key, {})
                for parent_id, title, r in self.child_rows.get(child.key, []):
                    if parent_id not in ids:
                        pc = 1
                        self.note(self.fail(w.UNKNOWN_PARENT(parent=w.entity(spec.entity), id=safe_text(parent_id),
                                                             sheet=w.sheet(spec.key)),
                                            title, r, pc, field=child.parent_column,
                                            expected=w.E_PARENT_ROW(sheet=w.sheet(spec.key))))
                for i, entity in enumerate(entities):
                    name = child.child_field or child.key
                    items = groups.get(entity.get("id"), []) if ids.get(entity.get("id")) == i else []
                    mark = marked.get(id(entity), {}).get(name)
                    if mark is not None:
                        text, title, r, c = mark
                        if text.strip().lower() not in NONE_MARKERS:
                            self.note(self.fail(w.NOT_NONE(text=safe_text(text)), title, r, c,
                                                expected=w.E_BLANK_OR_NONE(items=Local(name, w.sheet(child.key).zh),
                                                                           sheet=w.sheet(child.key))))
                        elif items:
                            self.note(self.fail(w.NONE_BUT_ROWS(sheet=w.sheet(child.key)), title, r, c,
                                                expected=w.E_BLANK()))
                        entity[name] = []
                        self.locate(pointer_join(f"/{spec.collection}", i), [(f"/{name}", title, r, c)])
                    elif items or child.child_required:
                        base = pointer_join(f"/{spec.collection}", i) + f"/{name}"
                        entity[name] = [item for item, _ in items]
                        if items:
                            _, first = items[0]
                            self.locate(base, [("", first[0][1], first[0][2], first[0][3])])
                        for j, (_, located) in enumerate(items):
                            self.locate(f"{base}/{j}", located)


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _quoted(title: str) -> str:
    return cell_ref(title, 1, 1).rsplit("!", 1)[0]


def _rc(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits or 0), col

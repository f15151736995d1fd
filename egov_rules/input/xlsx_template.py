"""Write the submission workbook: an instructions sheet, a sheet per kind of entity, drop-downs, notes, dates.

``write_template(path, lang, data)`` writes an empty template, or one filled from a submission's data
(``template --from``).  The layout is ``layout.sheet_specs()``; cell values are ``cells.to_cell``.
openpyxl is imported here only, so the CLI does not pay for it unless it writes a workbook.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import InputError, safe_text
from ..text.labels import entity_label
from . import workbook_words as w
from .cells import dropdown, to_cell
from .field_articles import articles_text
from .layout import (
    FIRST_DATA_ROW,
    INSTRUCTIONS,
    LISTS,
    SheetSpec,
    column_help,
    column_label,
    column_letter,
    sheet_label,
    sheet_specs,
    sheet_title,
)

EMPTY_ROWS = 200  # rows with drop-downs and date formats below the data
LAST_ID_ROW = 5000  # a reference's drop-down offers the ids typed on the target sheet down to this row
UNION_ROWS = 1000  # a drop-down of ids from several sheets offers this many (more when the data has more)
DATE_FORMAT = "yyyy-mm-dd"

TEXT = {
    "title": ("Submission workbook: Fujian Decree No. 156 (e-government construction and application)",
              "电子政务项目与单位情况填报表（《福建省电子政务建设和应用管理办法》第156号令）"),
    "steps": (
        [
            "One sheet per kind of entity (units, plans, approvals, platforms, projects, ...); one row per entity.",
            "Row 1 is the field's label, row 2 its field name: leave rows 1 and 2 as they are; fill from row 3.",
            "Hover over a header (or read its note) for what the field means and which articles read it.",
            "Columns with a drop-down: pick a value from the list. Reference columns list the ids of the "
            "sheet they point to: fill that sheet first.",
            "Dates: type them as dates (2016-01-22). Yes/no fields: yes or no.",
            "Several values in one cell (ids, categories): one per line (Alt+Enter), or separated by commas.",
            "Lists of items (a project's components, a catalogue's entries, ...) have their own sheet: one row "
            "per item, the first column names the parent's id.",
            "A blank cell means 'not known' (the checker asks for it); to say 'none' in an optional list, "
            "write 'none'.",
            "Required fields have a bold header. Do not merge cells, hide sheets, or use formulas.",
            "Check it: egov-rules check this-file.xlsx (the findings name the sheet and cell).",
        ],
        [
            "每类事项一张工作表（单位、规划、审批、平台、项目等），每个事项一行。",
            "第1行为字段名称，第2行为字段代码：请勿修改第1、2行，从第3行起填写。",
            "将鼠标移到表头（或查看批注）可看到字段含义及适用条款。",
            "带下拉列表的列请从列表中选择；引用列列出所指工作表中的编号，请先填写被引用的工作表。",
            "日期请按日期格式填写（如2016-01-22）；是否类字段填“是”或“否”。",
            "一个单元格填写多个值（编号、类别等）时，每行一个（Alt+Enter换行），或以逗号分隔。",
            "清单类内容（项目的建设内容、目录的条目等）另有工作表：每项一行，第一列填所属事项的编号。",
            "空白单元格表示“未知”（检查时会提示补充）；可选清单如确实没有，请填“无”。",
            "必填字段的表头为粗体。请勿合并单元格、隐藏工作表或使用公式。",
            "检查方法：egov-rules check 本文件.xlsx（结果会指明工作表和单元格）。",
        ],
    ),
    "sheets": ("Sheets", "工作表"),
    "sheet": ("sheet", "工作表"),
    "what": ("what it holds", "内容"),
    "lists_note": ("Choices for the drop-down lists (do not edit).", "下拉列表的选项（请勿修改）。"),
    "parent": ("id of the {entity} this row belongs to", "所属{entity}的编号"),
    "refs": ("the id of one of: {targets}", "填写以下之一的编号：{targets}"),
    "required": ("required", "必填"),
    "many": ("several values: one per line", "可填多个值，每行一个"),
    "none": ("write 'none' if there are none", "如无，请填“无”"),
    "items": ("its items are on sheet '{sheet}'", "其明细见工作表“{sheet}”"),
}


def _t(key: str, lang: str) -> Any:
    en, zh = TEXT[key]
    return zh if lang == "zh" else en


def titles(lang: str) -> dict[str, str]:
    """Sheet key -> sheet title in ``lang``."""
    out = {}
    for spec in sheet_specs():
        if lang != "zh":  # the key is already English: "projects", not "Projects projects"
            out[spec.key] = spec.key
            continue
        out[spec.key] = sheet_title(spec.key, sheet_label(spec, lang))
    return out


def _help_text(spec: SheetSpec, column_key: str, lang: str, title_of: dict[str, str]) -> str:
    col = spec.column(column_key)
    if col is None:
        return ""
    lines = [f"{column_label(spec.entity, col.label_path, lang)} ({col.key})"]
    help_text = column_help(spec.entity, col.label_path, lang) or (col.description if lang == "en" else "")
    if help_text:
        lines.append(help_text)
    read_by = articles_text(spec.entity, col.label_path, lang)
    if read_by:
        lines.append(read_by)
    if col.required and col.object_required:
        lines.append(_t("required", lang))
    ftype = col.ftype.item if col.ftype.kind == "list" and col.ftype.item is not None else col.ftype
    if ftype.kind == "ref":
        targets = ", ".join(title_of.get(r, r) for r in ftype.refs)
        lines.append(_t("refs", lang).format(targets=targets))
    if col.ftype.kind == "list" and col.marker_for is None:
        lines.append(_t("many", lang))
    if col.marker_for is not None:
        lines.append(_t("items", lang).format(sheet=title_of[col.marker_for]))
    if col.ftype.kind == "list" and not col.required:
        lines.append(_t("none", lang))
    return "\n".join(lines)


def write_template(path: str, lang: str = "en", data: dict[str, Any] | None = None) -> None:
    """Write the workbook to ``path`` (the caller writes atomically); ``data``: a submission to fill it from."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    title_of = titles(lang)
    rows_by_sheet = _rows(data or {})
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    key_font = Font(color="808080", size=8)

    intro = wb.active
    intro.title = sheet_title(INSTRUCTIONS, "说明" if lang == "zh" else "")
    lists = wb.create_sheet(sheet_title(LISTS, "选项" if lang == "zh" else ""))
    lists["A1"] = _t("lists_note", lang)
    list_columns: dict[tuple[str, ...], str] = {}

    def list_range(values: list[str]) -> str:
        key = tuple(values)
        if key not in list_columns:
            letter = column_letter(len(list_columns) + 1)
            for i, v in enumerate(values, start=2):
                lists[f"{letter}{i}"] = v
            list_columns[key] = f"{_quote(lists.title)}!${letter}$2:${letter}${len(values) + 1}"
        return list_columns[key]

    known_ids = sum(len(rows) for rows in rows_by_sheet.values())

    def ids_of_sheets(keys: tuple[str, ...]) -> str:
        """A drop-down of the ids on several sheets (a reference to units or authorities): a list must be one
        range, so a column of the choices sheet gathers them, one formula per row, and the list is as long as
        the ids it holds (OFFSET), without blank choices after them."""
        key = ("", *keys)  # never a list of choices: those have no empty value
        if key not in list_columns:
            letter = column_letter(len(list_columns) + 1)
            ranges = [_ids(title_of[k]) for k in keys]
            for row in range(2, max(UNION_ROWS, known_ids + EMPTY_ROWS) + 2):
                lists[f"{letter}{row}"] = "=" + _gather(ranges)
            total = "+".join(f"COUNTA({r})" for r in ranges)
            list_columns[key] = f"OFFSET({_quote(lists.title)}!${letter}$2,0,0,MAX(1,{total}),1)"
        return list_columns[key]

    for spec in sheet_specs():
        ws = wb.create_sheet(title_of[spec.key])
        keys = ([spec.parent_column] if spec.parent_column else []) + [c.key for c in spec.columns]
        rows = rows_by_sheet.get(spec.key, [])
        last_row = FIRST_DATA_ROW + max(len(rows), 1 if spec.single else 0) + (0 if spec.single else EMPTY_ROWS)
        for index, key in enumerate(keys, start=1):
            col = spec.column(key)
            if col is None:  # the parent id column of a child sheet
                assert spec.parent is not None
                label = _t("parent", lang).format(entity=entity_label(spec.parent.entity, lang))
                note = label + "\n" + _t("required", lang)
            else:
                label = column_label(spec.entity, col.label_path, lang)
                note = _help_text(spec, key, lang, title_of)
            head = ws.cell(row=1, column=index, value=label)
            head.font = Font(bold=col is None or (col.required and col.object_required))
            head.fill = header_fill
            head.alignment = Alignment(wrap_text=True, vertical="top")
            head.comment = Comment(note, "egov-rules", width=360, height=220)
            ws.cell(row=2, column=index, value=key).font = key_font
            letter = column_letter(index)
            widest = max([_width(label), *(_width(o) for o in (dropdown(col, spec.entity, lang) if col else []))])
            ws.column_dimensions[letter].width = max(18 if key.endswith("id") else 12, min(36, widest + 3))
            span = f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"
            validation = _validation(spec, col, lang, title_of, list_range, ids_of_sheets, DataValidation)
            if validation is not None:
                ws.add_data_validation(validation)
                validation.add(span)
            if col is not None and col.ftype.kind == "date":
                for r in range(FIRST_DATA_ROW, last_row + 1):
                    ws.cell(row=r, column=index).number_format = DATE_FORMAT
        for r, values in enumerate(rows, start=FIRST_DATA_ROW):
            for index, key in enumerate(keys, start=1):
                _put(ws.cell(row=r, column=index), _cell_value(spec, key, values.get(key), lang),
                     _field_of(spec, r - FIRST_DATA_ROW, key))
        ws.freeze_panes = "B3" if spec.parent is None and not spec.single else "A3"
        ws.page_setup.orientation = "landscape"
        ws.print_title_rows = "1:2"  # the headers on every printed page
    _instructions(intro, lang, title_of)
    # the choices stay visible (the reader refuses hidden sheets) and go last, out of the way
    wb.move_sheet(lists, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(lists.title))
    wb.save(path)


def _width(text: str) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _validation(spec: SheetSpec, col: Any, lang: str, title_of: dict[str, str], list_range: Any,
                ids_of_sheets: Any, data_validation: Any) -> Any:
    if col is None:  # parent id: the ids of the parent sheet
        assert spec.parent is not None
        return data_validation(type="list", formula1=_ids(title_of[spec.parent.key]), allow_blank=True)
    if col.marker_for is not None:
        return data_validation(type="list", formula1=list_range(["无" if lang == "zh" else "none"]),
                               allow_blank=True)
    is_list = col.ftype.kind == "list"
    ftype = col.ftype.item if is_list and col.ftype.item is not None else col.ftype
    options = dropdown(col, spec.entity, lang)
    if options:
        # a list cell takes several values, which a drop-down cannot check: offer the choices, do not refuse
        return data_validation(type="list", formula1=list_range(options), allow_blank=True,
                               showErrorMessage=not is_list)
    if ftype.kind == "ref":
        # the ids typed on the sheet(s) it may point to; no error alert: the check says what a wrong id is
        source = _ids(title_of[ftype.refs[0]]) if len(ftype.refs) == 1 else ids_of_sheets(tuple(ftype.refs))
        return data_validation(type="list", formula1=source, allow_blank=True, showErrorMessage=False)
    if ftype.kind == "date" and not is_list:
        return data_validation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                               showErrorMessage=True, error="yyyy-mm-dd")
    return None


def _ids(title: str) -> str:
    return f"{_quote(title)}!$A${FIRST_DATA_ROW}:$A${LAST_ID_ROW}"


def _gather(ranges: list[str]) -> str:
    """The formula of row n + 1 of a gathering column: the n-th id of the ranges taken one after the other
    (the ids typed without gaps, as a sheet is filled), or empty past the last."""
    n = "(ROW()-1)"
    formula = '""'
    for i in reversed(range(len(ranges))):
        at = n + "".join(f"-COUNTA({q})" for q in ranges[:i])  # n less the ids of the ranges before
        formula = f"IF({at}<=COUNTA({ranges[i]}),INDEX({ranges[i]},{at}),{formula})"
    return formula


def _field_of(spec: SheetSpec, index: int, key: str) -> str:
    """Where a cell's value is in the submission: a JSON pointer (``/projects/0/name``); a child sheet's
    column as the workbook reader names it (``components/kind``: its rows are not one list)."""
    if spec.parent is not None:
        return f"{spec.key}/{key}"
    path = key.replace(".", "/")
    return f"/{spec.collection}/{path}" if spec.single else f"/{spec.collection}/{index}/{path}"


def _put(cell: Any, value: Any, field: str) -> None:
    if value is None:
        return
    try:
        cell.value = value
    except Exception as exc:  # openpyxl refuses control characters a cell cannot hold
        raise InputError(w.CELL_REFUSES(detail=safe_text(exc)), field=field, expected=w.E_NO_CONTROLS()) from None
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text
    if isinstance(value, str) and "\n" in value:
        from openpyxl.styles import Alignment

        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def _cell_value(spec: SheetSpec, key: str, value: Any, lang: str) -> Any:
    col = spec.column(key)
    if col is None:
        return value
    return to_cell(col, spec.entity, value, lang)


def _rows(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Sheet key -> rows (column key -> field value) of a submission's data."""
    out: dict[str, list[dict[str, Any]]] = {}
    for spec in sheet_specs():
        if spec.parent is not None:
            continue
        entities = data.get(spec.collection)
        if spec.single:
            entities = [entities] if isinstance(entities, dict) else []
        if not isinstance(entities, list):
            continue
        rows = out.setdefault(spec.key, [])
        for entity in entities:
            if not isinstance(entity, dict):
                continue
            rows.append(_flatten(spec, entity))
            for child in spec.children:
                items = entity.get(child.child_field or "")
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict):
                        row = _flatten(child, item)
                        row[child.parent_column or ""] = entity.get("id")
                        out.setdefault(child.key, []).append(row)
    return out


def _flatten(spec: SheetSpec, entity: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for col in spec.columns:
        value: Any = entity
        for part in col.path:
            value = value.get(part) if isinstance(value, dict) else None
        row[col.key] = value
    return row


def _instructions(ws: Any, lang: str, title_of: dict[str, str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws["A1"] = _t("title", lang)
    ws["A1"].font = Font(bold=True, size=14)
    row = 3
    for i, step in enumerate(_t("steps", lang), start=1):
        ws.cell(row=row, column=1, value=f"{i}. {step}").alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=_t("sheets", lang)).font = Font(bold=True)
    row += 1
    zh = lang == "zh"
    for spec in sheet_specs():
        noun = entity_label(spec.entity, lang)
        if spec.single:
            what = "一行：报送材料的编号、基准日期和类型" if zh else "one row: the submission's id, as-of date and kind"
        elif spec.parent is None:
            what = f"每行一条{noun}记录" if zh else f"one row per {noun}"
        else:
            item = column_label(spec.entity, spec.child_field or "", lang)
            what = (f"每行为{noun}的一项{item}，第一列填所属{noun}的编号" if zh
                    else f"one row per item of a {noun}'s {item}; first column: the {noun}'s id")
        ws.cell(row=row, column=1, value=f"{title_of[spec.key]}  —  {what}")
        row += 1
    ws.column_dimensions["A"].width = 120

"""What a workbook must not be, checked from the zip directory before any XML is parsed.

A workbook is a zip of XML parts.  Before openpyxl reads anything we refuse: what is not a zip, a zip whose
parts would expand past the limit (a zip bomb: the sizes are read from the zip's directory, and Python's
zipfile never inflates a part past its declared size), macros (``vbaProject.bin``, xlsm), external links,
and too many parts.  Merged cells are found by scanning the sheet parts' text, a bounded read.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO

from ..errors import InputError, LimitExceeded, Local
from . import workbook_words as w
from .load import Limits

EXPANSION = 10  # a workbook may unzip to at most this many times --max-bytes
PART_EXPANSION = 4  # a part parsed whole (shared strings, styles...): at most this many times --max-bytes
MAX_PARTS = 10_000
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\s[^>]*>")
_HIDDEN_COL = re.compile(rb"<(?:\w+:)?col\s[^>]*>")
_ATTR = re.compile(rb'\b(r|min|max|hidden)="([^"]*)"')
_CELL_REF = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")


def open_zip(data: bytes, source: str, limits: Limits) -> zipfile.ZipFile:
    """The workbook's zip, after the checks above; raises ``InputError`` / ``LimitExceeded``."""
    if not data.startswith(b"PK\x03\x04"):
        raise InputError(w.NOT_A_ZIP(), file=source, expected=w.E_SAVED_BY_OR_YAML())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InputError(w.BROKEN_ZIP(detail=exc), file=source, expected=w.E_XLSX()) from None
    if len(infos) > MAX_PARTS:
        raise InputError(w.TOO_MANY_PARTS(count=len(infos)), file=source, expected=w.E_PARTS(limit=MAX_PARTS))
    budget = limits.max_bytes * EXPANSION
    total = 0
    for info in infos:
        total += info.file_size
        if total > budget:
            raise LimitExceeded(w.ZIP_BOMB(budget=budget, part=info.filename, size=info.file_size),
                                file=source, field="max_bytes", expected=w.E_UNZIPPED(times=EXPANSION))
    for info in infos:  # openpyxl parses shared strings, styles and the rest whole, before any row is read
        whole = not info.filename.lower().startswith("xl/worksheets/")  # sheets are streamed, row by row
        if whole and info.file_size > limits.max_bytes * PART_EXPANSION:
            what = (w.SHARED_STRINGS if "sharedstrings" in info.filename.lower()
                    else Local(f"part '{info.filename}'", f"部件“{info.filename}”"))
            raise LimitExceeded(w.PART_TOO_BIG(what=what, size=info.file_size), file=source, field="max_bytes",
                                expected=w.E_PART(times=PART_EXPANSION))
    names = {info.filename for info in infos}
    lower = {n.lower() for n in names}
    if "[content_types].xml" not in lower or not any(n.startswith("xl/workbook") for n in lower):
        raise InputError(w.NO_WORKBOOK_PART(), file=source, expected=w.E_XLSX())
    if any(n.endswith("vbaproject.bin") for n in lower) or "macroenabled" in _read(archive, "[Content_Types].xml"):
        raise InputError(w.MACROS(), file=source, expected=w.E_WITHOUT_MACROS())
    if any(n.startswith("xl/externallinks/") for n in lower):
        raise InputError(w.EXTERNAL_LINKS(), file=source, expected=w.E_NO_LINKS())
    return archive


def _read(archive: zipfile.ZipFile, name: str) -> str:
    try:
        with archive.open(name) as fh:
            return fh.read(1 << 20).decode("utf-8", "replace").lower()
    except KeyError:
        return ""


@dataclass
class SheetScan:
    """What one sheet part holds, from a scan of its text: merged ranges, and its farthest cell."""

    merged: list[str] = field(default_factory=list)
    max_row: int = 0
    max_column: int = 0
    far_cell: str = ""  # the reference of the cell in the farthest column
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)


def scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetScan:
    """Scan a sheet part in bounded chunks, so that the reader can refuse a sheet before openpyxl pads
    its rows out to a far column (XFD) or fills a million empty rows."""
    scan = SheetScan()
    try:
        fh: IO[bytes] = archive.open(part)
    except KeyError:
        return scan
    merged: set[str] = set()
    tail = b""
    with fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            text = tail + chunk
            cut = text.rfind(b">") + 1  # whole tags only; the rest carries over
            whole, tail = text[:cut], text[cut:]
            merged.update(m.group(1).decode("ascii") for m in _MERGE.finditer(whole))
            if b"hidden=" in whole:
                _hidden(whole, scan)
            for m in _CELL_REF.finditer(whole):
                column = _column_index(m.group(1))
                scan.max_row = max(scan.max_row, int(m.group(2)))
                if column > scan.max_column:
                    scan.max_column = column
                    scan.far_cell = (m.group(1) + m.group(2)).decode("ascii")
    scan.merged = sorted(merged)
    return scan


def _hidden(text: bytes, scan: SheetScan) -> None:
    """Rows and columns marked hidden (a value in one is refused, as a hidden sheet is)."""
    for m in _HIDDEN_ROW.finditer(text):
        attrs = dict(_ATTR.findall(m.group(0)))
        if attrs.get(b"hidden") in (b"1", b"true") and attrs.get(b"r", b"").isdigit():
            scan.hidden_rows.add(int(attrs[b"r"]))
    for m in _HIDDEN_COL.finditer(text):
        attrs = dict(_ATTR.findall(m.group(0)))
        low, high = attrs.get(b"min", b""), attrs.get(b"max", b"")
        if attrs.get(b"hidden") in (b"1", b"true") and low.isdigit() and high.isdigit():
            scan.hidden_columns.update(range(int(low), min(int(high), 16384) + 1))


def _column_index(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col

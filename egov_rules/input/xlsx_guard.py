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
from typing import IO

from ..errors import InputError, LimitExceeded
from ..load import Limits

EXPANSION = 10  # a workbook may unzip to at most this many times --max-bytes
MAX_PARTS = 10_000
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def open_zip(data: bytes, source: str, limits: Limits) -> zipfile.ZipFile:
    """The workbook's zip, after the checks above; raises ``InputError`` / ``LimitExceeded``."""
    if not data.startswith(b"PK\x03\x04"):
        raise InputError("not an xlsx workbook (the file is not a zip archive)", file=source,
                         expected="an .xlsx workbook saved by Excel, WPS or LibreOffice, or a YAML/JSON file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InputError(f"not a readable xlsx workbook (broken zip archive: {exc})", file=source,
                         expected="an .xlsx workbook") from None
    if len(infos) > MAX_PARTS:
        raise InputError(f"the workbook has {len(infos)} parts", file=source,
                         expected=f"at most {MAX_PARTS} parts in an xlsx zip")
    budget = limits.max_bytes * EXPANSION
    total = 0
    for info in infos:
        total += info.file_size
        if total > budget:
            raise LimitExceeded(
                f"the workbook would expand to more than {budget} bytes when unzipped (part '{info.filename}' "
                f"declares {info.file_size} bytes): refused as a possible zip bomb",
                file=source, field="max_bytes",
                expected=f"at most {EXPANSION} x --max-bytes unzipped; raise --max-bytes if the workbook is genuine")
    names = {info.filename for info in infos}
    lower = {n.lower() for n in names}
    if "[content_types].xml" not in lower or not any(n.startswith("xl/workbook") for n in lower):
        raise InputError("not an xlsx workbook (a zip archive without a workbook part)", file=source,
                         expected="an .xlsx workbook")
    if any(n.endswith("vbaproject.bin") for n in lower) or "macroenabled" in _read(archive, "[Content_Types].xml"):
        raise InputError("the workbook contains macros (xlsm); macros are never run and such workbooks are refused",
                         file=source, expected="an .xlsx workbook without macros: save it as .xlsx")
    if any(n.startswith("xl/externallinks/") for n in lower):
        raise InputError("the workbook has links to other workbooks (external links), which are refused",
                         file=source,
                         expected="a self-contained workbook: break the links (Data > Edit Links) and save again")
    return archive


def _read(archive: zipfile.ZipFile, name: str) -> str:
    try:
        with archive.open(name) as fh:
            return fh.read(1 << 20).decode("utf-8", "replace").lower()
    except KeyError:
        return ""


def merged_ranges(archive: zipfile.ZipFile, part: str) -> list[str]:
    """The merged ranges declared in one sheet part (``A3:C3``), read in bounded chunks."""
    try:
        fh: IO[bytes] = archive.open(part)
    except KeyError:
        return []
    found: list[str] = []
    tail = b""
    with fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            text = tail + chunk
            found.extend(m.group(1).decode("ascii") for m in _MERGE.finditer(text))
            tail = text[-200:]
            if len(found) > 0 and b"</mergeCells>" in text:
                break
    return sorted(set(found))

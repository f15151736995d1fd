"""``egov-rules template``: a starting submission to fill in, as commented YAML or as an xlsx workbook.

Heavy imports (openpyxl, the layout) happen inside the command, so registering it costs the CLI nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import EXIT_OK, InputError, UsageError


@click.command("template")
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx"]), default=None,
              help="commented YAML, or a workbook with a sheet per kind of entity and drop-down lists "
                   "(default: xlsx when -o names a .xlsx file, else yaml)")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="file to write (required for xlsx; YAML goes to standard output without it)")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="language of labels, notes and instructions")
@click.option("--case", "case", type=click.Choice(["project", "unit"]), default=None,
              help="starting data: a county unit's project proposal, or a unit review (YAML default: project; "
                   "xlsx default: an empty workbook)")
@click.option("--from", "from_file", type=click.Path(dir_okay=False), default=None,
              help="fill it from an existing submission (YAML, JSON or xlsx) instead")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="the starting submission's as_of date (default: today)")
def template(fmt: str | None, output: str | None, lang: str, case: str | None, from_file: str | None,
             as_of: dt.datetime | None) -> None:
    """Write a starting submission: commented YAML, or an xlsx workbook to fill in (see docs/workbook.md)."""
    from ..cli.common import guarded

    # by name: guarded reads the language of its error messages from the keyword ``lang``
    guarded(_run)(fmt=fmt, output=output, lang=lang, case=case, from_file=from_file, as_of=as_of)


def _run(fmt: str | None, output: str | None, lang: str, case: str | None, from_file: str | None,
         as_of: dt.datetime | None) -> int:
    from . import workbook_words as w
    from .layout import unplaceable
    from .yaml_template import render_yaml, starting_data

    if from_file and case:
        raise UsageError(w.FROM_AND_CASE(), expected=w.E_FROM_OR_CASE())
    is_book = output is not None and output.lower().endswith(".xlsx")
    fmt = fmt or ("xlsx" if is_book else "yaml")  # as check's --output: the suffix names the format
    if fmt == "yaml" and is_book:  # YAML text in a .xlsx file: check would then call it "not a zip archive"
        raise UsageError(w.YAML_IN_XLSX(output=output), expected=w.E_YAML_FILE())
    data: dict[str, Any] | None = None
    doc: Any = None
    if from_file:
        from .load import load_document

        doc = load_document(from_file)
        if not isinstance(doc.data, dict):
            raise InputError(w.NOT_A_MAPPING(), file=doc.source, line=1, column=1, expected=w.E_SUBMISSION())
        problems = unplaceable(doc.data)
        if problems:
            pointer = problems[0]
            line, column = doc.locate(pointer)
            raise InputError(w.NOT_IN_FORMAT(pointer=pointer, count=len(problems)), file=doc.source, line=line,
                             column=column, field=pointer, expected=w.E_VALIDATE_FIRST())
        data = doc.data
    elif case or fmt == "yaml":
        data = starting_data(case or "project", lang, as_of.date() if as_of else None)
    if fmt == "yaml":
        text = render_yaml(data or {}, lang, Path(output).name if output else "submission.yaml")
        if output is None:
            click.echo(text, nl=False)
        else:
            from ..output import write_atomic

            write_atomic(output, text, inputs=[from_file] if from_file else [])
        return EXIT_OK
    if output is None:
        raise UsageError(w.XLSX_NEEDS_FILE(), expected=w.E_XLSX_FILE())
    if not output.lower().endswith(".xlsx"):
        raise UsageError(w.XLSX_SUFFIX(output=output), expected=w.E_XLSX_FILE())
    try:
        _write_workbook(output, lang, data, from_file)
    except InputError as exc:  # a value of the --from file no cell can hold: named in that file
        if exc.file == "<input>" and from_file and exc.field and exc.field.startswith("/"):
            exc.position.file = doc.source
            exc.position.line, exc.position.column = doc.locate(exc.field)
        raise
    click.echo(w.WROTE(path=output).text(lang), err=True)
    return EXIT_OK


def _write_workbook(output: str, lang: str, data: dict[str, Any] | None, from_file: str | None) -> None:
    """Atomically (``output.replace_atomically``); never over the --from input."""
    from ..output import replace_atomically
    from . import workbook_words as w
    from .xlsx_template import write_template

    target = Path(output)
    if from_file and target.exists() and os.path.samefile(from_file, target):
        raise UsageError(w.OVERWRITE_INPUT(path=from_file), file=output)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(w.NO_OUTPUT_DIRECTORY(directory=directory), file=output)

    def fill(fd: int, tmp: str) -> None:
        os.close(fd)  # openpyxl writes by path
        write_template(tmp, lang, data)

    replace_atomically(target, fill, w.CANNOT_WRITE_BOOK)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(template())

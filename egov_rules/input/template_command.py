"""``egov-rules template``: a starting submission to fill in, as commented YAML or as an xlsx workbook.

Heavy imports (openpyxl, the layout) happen inside the command, so registering it costs the CLI nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from ..errors import EXIT_OK, InputError, UsageError


@click.command("template")
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx"]), default="yaml", show_default=True,
              help="commented YAML, or a workbook with a sheet per kind of entity and drop-down lists")
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
def template(fmt: str, output: str | None, lang: str, case: str | None, from_file: str | None,
             as_of: dt.datetime | None) -> None:
    """Write a starting submission: commented YAML, or an xlsx workbook to fill in (see docs/workbook.md)."""
    from ..cli import guarded

    guarded(_run)(fmt, output, lang, case, from_file, as_of)


def _run(fmt: str, output: str | None, lang: str, case: str | None, from_file: str | None,
         as_of: dt.datetime | None) -> int:
    from .layout import unplaceable
    from .yaml_template import render_yaml, starting_data

    if from_file and case:
        raise UsageError("--from and --case both say what to fill the template with; give one",
                         expected="--from FILE or --case project|unit")
    data: dict[str, Any] | None = None
    if from_file:
        from ..load import load_document

        doc = load_document(from_file)
        if not isinstance(doc.data, dict):
            raise InputError("the submission is not a mapping of entity lists", file=doc.source, line=1, column=1,
                             expected="a submission (submission:, units:, projects:, ...)")
        problems = unplaceable(doc.data)
        if problems:
            pointer = problems[0]
            line, column = doc.locate(pointer)
            raise InputError(f"'{pointer}' is not a field of the submission format, so the template cannot hold "
                             f"it ({len(problems)} such)", file=doc.source, line=line, column=column,
                             field=pointer, expected="egov-rules validate to pass first")
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
        raise UsageError("an xlsx workbook is written to a file: give -o FILE.xlsx", expected="-o FILE.xlsx")
    if not output.lower().endswith(".xlsx"):
        raise UsageError(f"the workbook's file name should end in .xlsx: {output}", expected="-o FILE.xlsx")
    _write_workbook(output, lang, data, from_file)
    click.echo(f"wrote {output}", err=True)
    return EXIT_OK


def _write_workbook(output: str, lang: str, data: dict[str, Any] | None, from_file: str | None) -> None:
    """Atomically: a temporary file in the same directory, then rename; never over the --from input."""
    from .xlsx_template import write_template

    target = Path(output)
    if from_file and target.exists() and os.path.samefile(from_file, target):
        raise UsageError(f"refusing to overwrite the input file '{from_file}'", file=output)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"the directory of the output file does not exist: {directory}", file=output)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        write_template(tmp, lang, data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(template())

"""`check` and `gate`: submissions through the checker, a report and an exit code."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..errors import UsageError, Wording
from .common import _default_format, _start_batch, code_so_far, common_options, emit, guarded, table_width
from .group import checking

SAME_FILE = Wording("--output and --write-baseline name the same file '{path}': the report would replace the "
                    "baseline", "--output 与 --write-baseline 指向同一文件“{path}”：报告会覆盖基线文件")
E_TWO_FILES = Wording("two different files", "两个不同的文件")


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@common_options
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="worker processes (default: every core for more than 20 files and 2 MB, else 1)")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), default=None,
              help="report only findings not in this earlier JSON report")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False), default=None,
              help="write every finding of this run as a baseline JSON report")
@guarded
@checking
def check(paths: tuple[str, ...], fmt: str | None, output: str | None, lang: str, fail_on: str,
          include_context: bool, jobs: int | None, baseline_file: str | None, write_baseline_file: str | None,
          **kw: Any) -> int:
    """Check submissions (files, directories or - for stdin) and print the findings."""
    from ..batch import default_jobs, input_size, progress, run_batch
    from ..check import Report
    from ..input.load import read_at_most
    from ..reports import RenderOptions, render

    if output and write_baseline_file and _same_file(output, write_baseline_file):
        raise UsageError(SAME_FILE(path=output), file=output, expected=E_TWO_FILES())
    spec, checker, files = _start_batch(kw, paths)
    old = None
    if baseline_file:  # a bad baseline fails before the work
        from ..decisions.baseline import left_out, load_baseline

        old = load_baseline(baseline_file)
    items: list[tuple[str, bytes | None]] = [
        ("<stdin>", read_at_most(sys.stdin.buffer, checker.limits.max_bytes + 1)) if p == "-" else (p, None)
        for p in files]
    fmt = _default_format(fmt, output)
    # a bar is for a person watching a terminal, never mixed into machine output or logs
    with progress(len(items), fmt == "table" and sys.stderr.isatty()) as tick:
        jobs = jobs or default_jobs(len(items), input_size(items))
        results = run_batch(spec, items, jobs=jobs, checker=checker, on_result=tick)
    report = Report(results, checker.rulebook, checker.engine.name)
    if write_baseline_file:
        from ..decisions.baseline import write_baseline

        write_baseline(report, write_baseline_file, files)
    if old is not None:
        old.apply(results)
        report.baseline = baseline_file
        known = sum(s.baselined or 0 for s in results)
        click.echo(left_out(known, old.source).text(lang), err=True)
    width = kw.pop("width", None)
    text = render(report, fmt, RenderOptions(lang=lang, fail_on=fail_on, include_context=include_context,
                                             color=fmt == "table" and output is None and sys.stdout.isatty(),
                                             width=table_width(width) if fmt == "table" else width))
    code_so_far["code"] = report.exit_code(fail_on, include_context)
    emit(text, output, files)
    for s in report.submissions:  # input errors always reach stderr, whatever the format
        if s.error is not None:
            click.echo(s.error.render(lang), err=True)
    return report.exit_code(fail_on, include_context)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--stage", type=click.Choice(
    ["planning", "proposal", "approved", "under_construction", "completed", "in_operation"]), default=None,
    help="decide for this stage (default: each project's own stage)")
@common_options
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="worker processes (default: every core for more than 20 files and 2 MB, else 1)")
@guarded
@checking
def gate(paths: tuple[str, ...], stage: str | None, fmt: str | None, output: str | None, lang: str, fail_on: str,
         include_context: bool, jobs: int | None, **kw: Any) -> int:
    """The Art 44 decision for each project of the submissions (files, directories or - for stdin) at a stage:
    0 allowed (or a unit review, with no project to decide on), 1 blocked, 3 needs a reviewer."""
    from ..batch import default_jobs, input_size, run_batch
    from ..check import Report
    from ..input.load import read_at_most
    from ..reports import RenderOptions, render

    spec, checker, files = _start_batch(kw, paths)
    items: list[tuple[str, bytes | None]] = [
        ("<stdin>", read_at_most(sys.stdin.buffer, checker.limits.max_bytes + 1)) if p == "-" else (p, None)
        for p in files]
    results = run_batch(spec, items, jobs=jobs or default_jobs(len(items), input_size(items)), checker=checker,
                        stage=stage)
    report = Report(results, checker.rulebook, checker.engine.name, stage=stage)
    fmt = _default_format(fmt, output)
    width = kw.pop("width", None)
    color = fmt == "table" and output is None and sys.stdout.isatty()
    text = render(report, fmt, RenderOptions(lang=lang, fail_on=fail_on, command="gate", color=color,
                                             include_context=include_context,
                                             width=table_width(width) if fmt == "table" else width))
    code_so_far["code"] = report.gate_exit_code()
    emit(text, output, files)
    for s in report.submissions:
        if s.error is not None:
            click.echo(s.error.render(lang), err=True)
    return report.gate_exit_code()

"""Check many submissions: in order, one bad file never stops the others, optionally on every core.

Workers are processes (the durable engine's C core holds the GIL and a crash must cost one worker, not
the run), started with ``spawn`` so none inherits the parent's threads or engine state.  Each worker
builds its own ``Checker`` once from a picklable ``CheckerSpec``; results come back in input order, so
``--jobs 4`` gives the same bytes as ``--jobs 1``.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check import Checker, SubmissionResult
from .config import RuleSelection
from .errors import EgovError, InputErrors
from .input.load import Limits
from .rules.rulebook import load_rulebook

# The default uses every core only for a batch that repays starting the workers: measured, a worker
# costs about 0.6 CPU-seconds to start (imports, rulebook) and a 7 KB submission about 3 ms to check, so
# 21 small files took 0.4 s on one core and 1.1 s on two.  Break-even is near 2 MB of input.
PARALLEL_FROM = 20  # files
PARALLEL_BYTES = 2 * 1024 * 1024  # and this much input

Item = tuple[str, bytes | None]  # (path or "<stdin>", the bytes read from stdin or None)


def _rebuild_input_errors(errors: list[EgovError]) -> InputErrors:
    return InputErrors(errors)


def _reduce_input_errors(exc: InputErrors) -> tuple[Any, ...]:
    # InputErrors(errors) keeps only the first message in args, so the default reduction cannot rebuild it
    return (_rebuild_input_errors, (exc.errors,))


copyreg.pickle(InputErrors, _reduce_input_errors)


@dataclass(frozen=True)
class CheckerSpec:
    """How to build a ``Checker``: picklable, so every worker builds an identical one."""

    rules: tuple[str, ...] = ()
    include_default_rules: bool = True
    selection: RuleSelection | None = None
    limits: Limits = field(default_factory=Limits)
    registry_dir: str | None = None
    waivers_file: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # further keyword arguments of Checker

    def build(self) -> Checker:
        full = load_rulebook([Path(r) for r in self.rules], include_default=self.include_default_rules)
        rulebook = full
        if self.selection is not None and not self.selection.empty:
            rulebook = self.selection.apply(full)
        checker = Checker(rulebook=rulebook, limits=self.limits, **self.options)
        if self.registry_dir is not None:
            from .input.registry import load_registry

            checker.registry = load_registry(self.registry_dir, self.limits)
        if self.waivers_file is not None:
            from .decisions.waivers import load_waivers

            # checked against every rule, not only the selected ones: excluding a rule must not break
            # the waiver file that names it
            checker.waivers = load_waivers(self.waivers_file, full.ids(), self.limits)
        return checker


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:
        return os.cpu_count() or 1


def input_size(items: list[Item]) -> int:
    total = 0
    for source, data in items:
        if data is not None:
            total += len(data)
            continue
        with contextlib.suppress(OSError):  # a missing file is reported by the check itself
            total += os.stat(source).st_size
    return total


def default_jobs(files: int, size: int) -> int:
    """Every core for a large batch (more than 20 files and 2 MB), else one."""
    return cpu_count() if files > PARALLEL_FROM and size >= PARALLEL_BYTES else 1


def _portable(result: SubmissionResult) -> SubmissionResult:
    # rule runs hold compiled rules and fact environments: large, and no format needs them after checking
    # settled: kept until the report, it must not keep its check's facts either (names, texts worked out)
    return dataclasses.replace(result.settle(), runs=[])


def check_item(checker: Checker, item: Item, stage: str | None = None) -> SubmissionResult:
    source, data = item
    if data is not None:
        return _portable(checker.check_bytes(data, source, stage=stage))
    return _portable(checker.check_path(source, stage=stage))


def run_batch(spec: CheckerSpec, items: list[Item], *, jobs: int = 1, checker: Checker | None = None,
              on_result: Callable[[SubmissionResult], None] | None = None,
              stage: str | None = None) -> list[SubmissionResult]:
    """Check every item, in order; ``checker`` (built from ``spec``) is reused when running on one core;
    ``stage``: decide every project for this stage (gate --stage) instead of its own."""
    jobs = max(1, min(jobs, len(items)))
    if jobs == 1:
        results: list[SubmissionResult] = []
        checker = checker or spec.build()
        for item in items:
            results.append(check_item(checker, item, stage))
            if on_result:
                on_result(results[-1])
        return results
    # several items per task keep the pickling overhead low; a few tasks per worker keep the load even
    chunk = max(1, len(items) // (jobs * 4))
    # a worker that dies costs only the file it was on: that file gets an error, the others are checked
    from .workers import WorkerPool

    return WorkerPool(spec, items, jobs, min(chunk, 32), stage).run(on_result)


@contextlib.contextmanager
def progress(total: int, enabled: bool) -> Iterator[Callable[[SubmissionResult], None] | None]:
    """A transient progress bar on stderr (only for people: the caller decides when it is shown)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("check", total=total)
    with bar:
        yield lambda _result: bar.advance(task)

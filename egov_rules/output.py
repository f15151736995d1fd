"""Write output files atomically: a unique temporary file in the same directory, then rename.

A failed or interrupted run never leaves a half-written report or a temporary file, two runs writing the
same file never interleave (each renames its own complete file; the last rename wins), and a report never
overwrites an input.  A missing or read-only directory or a full disk is an ``OutputError`` (exit 2).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError, UsageError


def write_atomic(path: str | os.PathLike[str], text: str, *, inputs: list[str] | None = None) -> None:
    target = Path(path)
    for inp in inputs or []:
        if inp != "-" and Path(inp).exists() and target.exists() and os.path.samefile(inp, target):
            raise UsageError(f"refusing to overwrite the input file '{inp}' with the report", file=str(target))
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"the directory of the output file does not exist: {directory}", file=str(target),
                          expected="an existing directory")
    if target.is_dir():
        raise OutputError("the output path is a directory", file=str(target), expected="a file name")
    data = text.encode("utf-8")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # a full disk shows here at the latest, before the rename
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write the report: {exc.strerror or exc}; nothing was written",
                          file=str(target), expected="a writable directory with free space") from None
    finally:  # also on SIGINT/SIGTERM (cli turns both into exceptions): no temporary file is left behind
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

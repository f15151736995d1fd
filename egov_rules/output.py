"""Write output files atomically: a temporary file in the same directory, then rename.

A failed run never leaves a half-written report, and a report never overwrites an input.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import UsageError


def write_atomic(path: str | os.PathLike[str], text: str, *, inputs: list[str] | None = None) -> None:
    target = Path(path)
    for inp in inputs or []:
        if inp != "-" and Path(inp).exists() and target.exists() and os.path.samefile(inp, target):
            raise UsageError(f"refusing to overwrite the input file '{inp}' with the report", file=str(target))
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"the directory of the output file does not exist: {directory}", file=str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

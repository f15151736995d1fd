"""Write output files atomically: a unique temporary file in the same directory, then rename.

A failed or interrupted run never leaves a half-written report or a temporary file, two runs writing the
same file never interleave (each renames its own complete file; the last rename wins), and a report never
overwrites an input.  A missing or read-only directory or a full disk is an ``OutputError`` (exit 2).
A symbolic link keeps pointing at the file it names, which gets the report; a device or pipe (``-o
/dev/null``, a FIFO) gets the complete report copied into it, never a rename over it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import Local, OutputError, UsageError, Wording

# every refusal in both languages: English as before, Chinese for --lang zh
OVERWRITE_INPUT = Wording("refusing to overwrite the input file '{path}' with the report",
                          "不会用报告覆盖输入文件“{path}”")
NO_DIRECTORY = Wording("the directory of the output file does not exist: {directory}",
                       "输出文件所在的目录不存在：{directory}")
E_DIRECTORY = Wording("an existing directory", "已存在的目录")
IS_DIRECTORY = Wording("the output path is a directory", "输出路径是目录")
E_FILE_NAME = Wording("a file name", "文件名")
CANNOT_WRITE = Wording("cannot write the report: {reason}; nothing was written",
                       "无法写入报告（{reason}），未写入任何内容")
E_WRITABLE = Wording("a writable directory with free space", "可写入且有剩余空间的目录")


def write_atomic(path: str | os.PathLike[str], text: str, *, inputs: list[str] | None = None) -> None:
    target = Path(path)
    for inp in inputs or []:
        if inp != "-" and Path(inp).exists() and target.exists() and os.path.samefile(inp, target):
            raise UsageError(OVERWRITE_INPUT(path=inp), file=str(target))
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(NO_DIRECTORY(directory=directory), file=str(target), expected=E_DIRECTORY())
    if target.is_dir():
        raise OutputError(IS_DIRECTORY(), file=str(target), expected=E_FILE_NAME())
    data = text.encode("utf-8")

    def fill(fd: int, _tmp: str) -> None:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())  # a full disk shows here at the latest, before the rename

    replace_atomically(target, fill, CANNOT_WRITE)


def replace_atomically(target: Path, fill: Callable[[int, str], None], cannot_write: Wording) -> None:
    """Write ``target`` through a temporary file in its directory (``fill(fd, path)`` writes it and owns ``fd``),
    then rename: all of it or nothing.  The system's refusal (a read-only directory, a full disk) is an
    ``OutputError`` worded by ``cannot_write`` (a ``{reason}``), the user's to fix (exit 2)."""
    tmp: str | None = None
    try:
        stream = _is_stream(target)
        if not stream and target.is_symlink():  # replace the file the link names, and keep the link
            target = Path(os.path.realpath(target))
        # a device or pipe cannot be renamed over (that would replace /dev/null itself): the complete
        # report is made aside, then copied into it
        directory = None if stream else (target.parent if str(target.parent) else Path("."))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        fill(fd, tmp)
        if stream:
            _copy_into(tmp, target)
            return
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(cannot_write(reason=Local(exc.strerror or str(exc), os_reason_zh(exc))), file=str(target),
                          expected=E_WRITABLE()) from None
    finally:  # also on SIGINT/SIGTERM (cli turns both into exceptions): no temporary file is left behind
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _is_stream(target: Path) -> bool:
    """Whether ``target`` is written to rather than replaced: a device, pipe or socket that exists (``-o
    /dev/null``, ``-o /dev/stdout``, a FIFO), or any path under /dev or /proc."""
    if any(str(p).startswith(("/dev/", "/proc/")) for p in (target.absolute(), Path(os.path.realpath(target)))):
        return True
    try:
        mode = os.stat(target).st_mode
    except OSError:  # nothing there yet (or a dangling link): an ordinary new file
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _copy_into(source: str, target: Path) -> None:
    with open(source, "rb") as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out)


def os_reason_zh(exc: OSError) -> str:
    """Why the system refused a write, in words (the English is the system's own ``strerror``)."""
    import errno

    return {errno.EACCES: "无写入权限", errno.EPERM: "无写入权限", errno.ENOSPC: "磁盘空间不足",
            errno.EROFS: "文件系统为只读", errno.ENAMETOOLONG: "文件名过长",
            errno.EISDIR: "目标是目录"}.get(exc.errno or 0, "系统拒绝写入")

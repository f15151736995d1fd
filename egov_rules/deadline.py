"""The per-submission time limit (``--max-seconds``), enforced whatever the engine is doing.

Loading checks its deadline as it reads and the engines between rules, but one rule alone can run for
ever: a rule whose ``for_each`` or quantifiers combine two large collections without a join that can be
indexed (10^5 x 10^5 pairs) never reaches the next check.  In the main thread a timer signal (SIGALRM)
interrupts it wherever it is.  Other threads (the library API shared between threads) cannot receive
signals and keep the between-rules checks; the CLI always checks in a main thread (also in workers).
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import LimitExceeded


class _TimeUp(BaseException):
    """Raised by the timer: a BaseException, so no ``except Exception`` in an engine swallows it."""


def _usable(seconds: float) -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and math.isfinite(seconds) and seconds > 0 and signal.getsignal(signal.SIGALRM) == signal.SIG_DFL)


@contextmanager
def time_limit(seconds: float, source: str) -> Iterator[None]:
    """Raise ``LimitExceeded`` when the body runs longer than ``seconds``."""
    if not _usable(seconds):
        yield
        return
    armed = [True]

    def expire(_signum: int, _frame: Any) -> None:
        if armed[0]:  # never after the body ended: the timer may fire while it is being disarmed
            raise _TimeUp

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimeUp:
        raise LimitExceeded(f"checking took longer than the time limit of {seconds:g} s (raise with "
                            "--max-seconds)", file=source, field="max_seconds") from None
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

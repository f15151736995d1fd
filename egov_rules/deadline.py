"""The per-submission time limit (``--max-seconds``), enforced whatever the engine is doing.

Loading checks its deadline as it reads and the engines between rules, but one rule alone can run for
ever: a rule whose ``for_each`` or quantifiers combine two large collections without a join that can be
indexed (10^5 x 10^5 pairs) never reaches the next check.  In the main thread a timer signal (SIGALRM)
interrupts it wherever it is.  Other threads (the library API shared between threads) cannot receive
signals and keep the between-rules checks; the CLI always checks in a main thread (also in workers).

A check arms the timer for its own duration only: the handler is installed on entry and the default put
back on exit, the timer disarmed, so nothing of it is left for later code or the program's own SIGALRM
use.  Where SIGALRM already has a handler (the program's own, or an enclosing ``time_limit``), the limit
is not armed and the handler is left alone.

It runs for every check, so it is kept cheap (8 µs → 2.6 µs per check, benchmarks/lean_check.py): a class,
not a ``@contextmanager`` generator (1 µs), and the handler set through ``_signal``, the C module behind
``signal``: ``signal.signal`` and ``signal.getsignal`` wrap it to turn handlers into enum members, which for
a function handler means a ValueError raised and caught (4.5 µs).  Same calls, same arguments.
"""

from __future__ import annotations

import math
import signal
import threading
from types import TracebackType
from typing import Any

from .errors import LimitExceeded

try:
    import _signal as _raw_signal  # CPython's; elsewhere the wrapped module does the same, only slower
except ImportError:  # pragma: no cover
    _raw_signal = signal  # type: ignore[no-redef]

_CAN_TIME = hasattr(signal, "setitimer")
_SIGALRM = int(getattr(signal, "SIGALRM", 14))
_SIG_DFL = int(signal.SIG_DFL)

LONGEST_TIMER = 10.0**8  # seconds (about three years): far below where the timer's time_t overflows


class _TimeUp(BaseException):
    """Raised by the timer: a BaseException, so no ``except Exception`` in an engine swallows it."""


_armed = False  # the timer belongs to a running body: a signal after the body ended must do nothing


def _expire(_signum: int, _frame: Any) -> None:
    if _armed:
        raise _TimeUp


class time_limit:  # lower case: used like the function it was, ``with time_limit(...)``
    """Raise ``LimitExceeded`` when the body runs longer than ``seconds``."""

    __slots__ = ("_owner", "seconds", "source")

    def __init__(self, seconds: float, source: str) -> None:
        self.seconds = seconds
        self.source = source
        self._owner = False  # this one armed the timer (and must disarm it)

    def __enter__(self) -> None:
        global _armed
        seconds = self.seconds
        if not (_CAN_TIME and 0 < seconds < math.inf and threading.current_thread() is threading.main_thread()
                and _raw_signal.getsignal(_SIGALRM) == _SIG_DFL):
            return
        _raw_signal.signal(_SIGALRM, _expire)
        self._owner = _armed = True
        # the timer takes at most what a time_t holds: a limit of years is no limit (--max-seconds 1e300)
        signal.setitimer(signal.ITIMER_REAL, min(seconds, LONGEST_TIMER))

    def __exit__(self, kind: type[BaseException] | None, _exc: BaseException | None,
                 _tb: TracebackType | None) -> None:
        global _armed
        if not self._owner:
            return
        self._owner = _armed = False  # first: the timer may fire while it is being disarmed
        signal.setitimer(signal.ITIMER_REAL, 0)
        _raw_signal.signal(_SIGALRM, _SIG_DFL)
        if kind is _TimeUp:
            raise LimitExceeded(f"checking took longer than the time limit of {self.seconds:g} s (raise with "
                                "--max-seconds)", file=self.source, field="max_seconds") from None

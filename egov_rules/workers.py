"""Worker processes for a batch that survive the death of a worker.

``concurrent.futures.ProcessPoolExecutor`` breaks as a whole when one worker dies (killed, out of memory)
and cannot say which file it was checking.  Here each worker holds a known list of items; when one dies
the item it was on gets a ``NotChecked`` error result, the rest of its list goes back to the queue, a new
worker takes its place and every other file is still checked.  Workers ignore SIGINT (the parent decides)
and are always stopped when the parent leaves, normally or by a signal, so nothing is left running.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from .errors import InternalError, NotChecked

if TYPE_CHECKING:
    from .batch import CheckerSpec, Item
    from .check import SubmissionResult

MAX_START_FAILURES = 3  # workers dying before they are ready: the set-up itself is broken, not a file


@dataclass
class _Worker:
    """A worker process of a parallel batch and its pipe."""
    process: BaseProcess
    conn: Connection
    ready: bool = False
    in_flight: deque[int] = field(default_factory=deque)


def _worker_main(conn: Connection, spec: CheckerSpec, stage: str | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent handles it
    from .batch import check_item

    checker = spec.build()
    conn.send(("ready", None, None))
    while True:
        chunk = conn.recv()
        if chunk is None:
            return
        for index, item in chunk:
            try:
                conn.send(("result", index, check_item(checker, item, stage)))
            except Exception as exc:  # a bug while checking: the parent reports it as one
                conn.send(("bug", index, f"{type(exc).__name__}: {exc}"))
                return


def _death(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class WorkerPool:
    def __init__(self, spec: CheckerSpec, items: list[Item], jobs: int, chunk: int,
                 stage: str | None = None) -> None:
        self.spec = spec
        self.stage = stage
        self.items = items
        self.jobs = jobs
        self.chunk = chunk
        self.queue: deque[int] = deque(range(len(items)))
        self.results: list[SubmissionResult | None] = [None] * len(items)
        self.workers: list[_Worker] = []
        self.start_failures = 0
        self.context = multiprocessing.get_context("spawn")

    def _start(self) -> None:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_main, args=(child, self.spec, self.stage), daemon=True)
        process.start()
        child.close()
        self.workers.append(_Worker(process, parent))

    def _feed(self, worker: _Worker) -> None:
        if worker.in_flight or not worker.ready:
            return
        if not self.queue:
            worker.conn.send(None)
            return
        take = [self.queue.popleft() for _ in range(min(self.chunk, len(self.queue)))]
        worker.in_flight.extend(take)
        worker.conn.send([(i, self.items[i]) for i in take])

    def _receive(self, worker: _Worker, on_result: Callable[[SubmissionResult], None] | None) -> None:
        kind, index, payload = worker.conn.recv()
        if kind == "ready":
            worker.ready = True
        elif kind == "result":
            worker.in_flight.remove(index)
            self.results[index] = payload
            if on_result:
                on_result(payload)
        else:
            raise InternalError(f"checking {self.items[index][0]} failed in a worker: {payload}")
        self._feed(worker)

    def _buried(self, worker: _Worker, on_result: Callable[[SubmissionResult], None] | None) -> None:
        """A worker died: its current item is reported as not checked, the rest are checked by others."""
        from .check import SubmissionResult

        self.workers.remove(worker)
        worker.conn.close()
        worker.process.join()
        if not worker.ready:
            self.start_failures += 1
            if self.start_failures >= MAX_START_FAILURES:
                raise InternalError(f"worker processes fail to start ({_death(worker.process)})")
        elif worker.in_flight:
            index = worker.in_flight.popleft()
            source = self.items[index][0]
            error = NotChecked(f"the worker process checking this file died ({_death(worker.process)}); the "
                               "file was not checked, the other files were", file=source,
                               expected="a completed check: run this file again, alone with --jobs 1, to "
                                        "see whether it causes the crash")
            self.results[index] = SubmissionResult(file=source, error=error)
            if on_result:
                on_result(self.results[index])  # type: ignore[arg-type]
        self.queue.extendleft(reversed(worker.in_flight))
        if self.queue and len(self.workers) < self.jobs:
            self._start()

    def run(self, on_result: Callable[[SubmissionResult], None] | None = None) -> list[SubmissionResult]:
        try:
            for _ in range(min(self.jobs, len(self.items))):
                self._start()
            while self.workers:
                waiting: dict[Any, _Worker] = {}
                for w in self.workers:
                    waiting[w.conn] = w
                    waiting[w.process.sentinel] = w
                for ready in wait(list(waiting)):
                    worker = waiting[ready]
                    if worker not in self.workers:
                        continue  # already handled through its other handle
                    if ready is worker.conn:
                        try:
                            self._receive(worker, on_result)
                            continue
                        except (EOFError, OSError):
                            pass  # the pipe closed: the process has ended or is ending
                    self._ended(worker, on_result)
        finally:
            self.stop()
        missing = [self.items[i][0] for i, r in enumerate(self.results) if r is None]
        if missing:
            raise InternalError(f"no result for {len(missing)} files, among them {missing[0]}")
        return self.results  # type: ignore[return-value]

    def _ended(self, worker: _Worker, on_result: Callable[[SubmissionResult], None] | None) -> None:
        with contextlib.suppress(EOFError, OSError):  # first read what it sent before it ended
            while not worker.conn.closed and worker.conn.poll():
                self._receive(worker, on_result)
        worker.process.join(5)
        if worker.process.is_alive():  # closed its pipe but hangs: it will not deliver
            worker.process.kill()
            worker.process.join()
        if worker.ready and not worker.in_flight and worker.process.exitcode == 0:
            self.workers.remove(worker)  # finished after the stop message
            worker.conn.close()
            if self.queue and len(self.workers) < self.jobs:
                self._start()  # items another dead worker left behind
        else:
            self._buried(worker, on_result)

    def stop(self) -> None:
        """Stop every worker still running (on an error or a signal in the parent)."""
        for w in self.workers:
            if w.process.is_alive():
                w.process.terminate()
        for w in self.workers:
            w.process.join(5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self.workers = []

"""Worker processes that map functions over chunks of work: results in order, a bounded number in flight.

`jobs=1` runs everything in this process (no pool), which gives the same results: the build's output
never depends on how many processes made it. Workers are forked early, while the parent is small, and
end on their own when the process that started them dies.

A worker that dies (a crash, the kernel's out-of-memory killer, a time limit that had to kill it) costs only
its task: the pool is replaced, the tasks that were in flight run again one at a time, and the one whose worker
dies again is handed to the caller's `salvage`, which may split it and run the parts `alone`.
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from types import TracebackType
from typing import Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")
AHEAD = 2  # chunks in flight per worker: enough to keep workers busy, few enough to keep memory flat
ORPHAN_CHECK = 0.1  # seconds between a worker's checks that its parent is alive


_in_worker = False


class WorkerDied(RuntimeError):
    """The worker process running a task ended before it answered."""


def in_worker() -> bool:
    """True in a worker process of a `Workers` pool (where a stuck task may be killed with its process)."""
    return _in_worker


def default_jobs() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Workers:
    """`jobs` worker processes, used as a context manager; `map` runs a function over items with them."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool = self._new_pool() if jobs > 1 else None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, initializer=_watch_parent, initargs=(os.getpid(),))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """The worker processes end, and what they held goes back; work given after runs in this process."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, function: Callable[[T], R], items: Iterable[T],
            salvage: Callable[[T], R] | None = None) -> Iterator[R]:
        """`map(function, items)`, at most `jobs * AHEAD` items in flight. An item whose worker dies, and dies
        again when the item runs alone, gives `salvage(item)` (without `salvage`: `WorkerDied`)."""
        if self._pool is None:
            yield from map(function, items)
            return
        pending: deque[tuple[T, Future[R]]] = deque()
        for item in items:
            pending.append((item, self._submit(function, item, pending, salvage)))
            if len(pending) >= self.jobs * AHEAD:
                yield self._next(function, pending, salvage)
        while pending:
            yield self._next(function, pending, salvage)

    def alone(self, function: Callable[[T], R], item: T) -> R:
        """`function(item)` in a worker, with nothing else in flight; `WorkerDied` if its worker dies."""
        if self._pool is None:
            return function(item)
        try:
            return self._pool.submit(function, item).result()
        except BrokenProcessPool:
            self._replace()
            raise WorkerDied(f"the worker process died while running {function.__name__}") from None

    def _submit(self, function: Callable[[T], R], item: T, pending: deque[tuple[T, Future[R]]],
                salvage: Callable[[T], R] | None) -> Future[R]:
        assert self._pool is not None
        try:
            return self._pool.submit(function, item)
        except BrokenProcessPool:  # a worker died since the last result was taken
            self._recover(function, pending, salvage)
            return self._pool.submit(function, item)

    def _next(self, function: Callable[[T], R], pending: deque[tuple[T, Future[R]]],
              salvage: Callable[[T], R] | None) -> R:
        try:
            return pending[0][1].result()
        except BrokenProcessPool:
            self._recover(function, pending, salvage)
            return pending[0][1].result()
        finally:
            pending.popleft()

    def _recover(self, function: Callable[[T], R], pending: deque[tuple[T, Future[R]]],
                 salvage: Callable[[T], R] | None) -> None:
        """A worker died, and the pool with it: a new pool runs each task that had not finished again, alone,
        so that a task whose worker dies again is known (and salvaged)."""
        self._replace()
        for index, (item, future) in enumerate(pending):
            if future.done() and not future.cancelled() and future.exception() is None:
                continue  # it had finished before the worker died
            try:
                result = self.alone(function, item)
            except WorkerDied:
                if salvage is None:
                    raise
                result = salvage(item)
            done: Future[R] = Future()
            done.set_result(result)
            pending[index] = (item, done)

    def _replace(self) -> None:
        assert self._pool is not None
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._new_pool()


def _watch_parent(parent: int) -> None:
    """Make a worker end when the process that started it is gone (killed, even by SIGKILL: an orphaned
    worker would otherwise wait for work forever, holding its parent's pipes open)."""
    global _in_worker
    _in_worker = True
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)

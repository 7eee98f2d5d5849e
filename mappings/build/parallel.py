"""Worker processes that map functions over chunks of work: results in order, a bounded number in flight.

`jobs=1` runs everything in this process (no pool), which gives the same results: the build's output
never depends on how many processes made it. Workers are forked early, while the parent is small, and
end on their own when the process that started them dies.
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from types import TracebackType
from typing import Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")
AHEAD = 2  # chunks in flight per worker: enough to keep workers busy, few enough to keep memory flat
ORPHAN_CHECK = 0.1  # seconds between a worker's checks that its parent is alive


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
        self._pool = (ProcessPoolExecutor(jobs, initializer=_watch_parent, initargs=(os.getpid(),))
                      if jobs > 1 else None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """`map(function, items)`, at most `jobs * AHEAD` items in flight."""
        if self._pool is None:
            yield from map(function, items)
            return
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(self._pool.submit(function, item))
            if len(pending) >= self.jobs * AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _watch_parent(parent: int) -> None:
    """Make a worker end when the process that started it is gone (killed, even by SIGKILL: an orphaned
    worker would otherwise wait for work forever, holding its parent's pipes open)."""
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)

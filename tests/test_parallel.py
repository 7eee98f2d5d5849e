"""The build's worker pool (mappings/build/parallel.py) and the per-article time budget (mappings/build/worker.py).

A worker that dies costs only its task: the pool is replaced, the tasks in flight run again one at a time, and
the one whose worker dies again is salvaged by the caller. The functions the workers run are defined here: a
worker process is forked from this one, so it has them.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from mappings.build import worker
from mappings.build.parallel import AHEAD, WorkerDied, Workers
from mappings.build.worker import OverBudget, time_budget

DEADLY = 7


def square_or_die(item: int) -> int:
    if item == DEADLY:
        os._exit(3)  # as a segfault or the out-of-memory killer would end it: no exception, no answer
    return item * item


def stuck_in_c(seconds: float) -> str:
    """A C loop that never lets a signal handler run: only the CPU-time backstop can stop it."""
    try:
        with time_budget(seconds):
            sum(range(10**11))
    except OverBudget:
        return "stopped in time"
    return "finished"


def backtracking(seconds: float) -> str:
    """A regular expression that backtracks for minutes: `re` checks for signals, so the budget stops it."""
    import re

    try:
        with time_budget(seconds):
            re.match(r"(?:a|a)+b", "a" * 40)
    except OverBudget:
        return "stopped in time"
    return "finished"


@pytest.mark.parametrize("jobs", [2, 3])
def test_a_worker_that_dies_costs_only_its_item(jobs: int) -> None:
    items = list(range(3 * jobs * AHEAD))
    with Workers(jobs) as workers:
        results = list(workers.map(square_or_die, items, salvage=lambda item: -item))
    assert results == [-item if item == DEADLY else item * item for item in items]


def test_the_pool_works_again_after_a_worker_died() -> None:
    with Workers(2) as workers:
        assert list(workers.map(square_or_die, [DEADLY, 2], salvage=lambda item: 0)) == [0, 4]
        assert list(workers.map(square_or_die, range(5))) == [0, 1, 4, 9, 16]
        with pytest.raises(WorkerDied):
            workers.alone(square_or_die, DEADLY)
        assert workers.alone(square_or_die, 5) == 25


def test_without_salvage_a_dead_worker_is_an_error() -> None:
    with Workers(2) as workers, pytest.raises(WorkerDied):
        list(workers.map(square_or_die, [1, DEADLY, 3]))


def test_the_budget_stops_backtracking_in_re() -> None:
    started = time.monotonic()
    assert backtracking(0.2) == "stopped in time"
    assert time.monotonic() - started < 2


def test_the_budget_leaves_nothing_armed_behind() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with time_budget(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
    time.sleep(0.05)  # no alarm left to ring


def test_code_that_cannot_be_stopped_kills_its_worker_and_only_that_item(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU-time backstop ends the worker (twice the budget plus BACKSTOP_S, made short here); the pool then
    hands that item to salvage and answers the others."""
    monkeypatch.setattr(worker, "BACKSTOP_S", 0.2)  # before the pool forks its workers
    started = time.monotonic()
    with Workers(2) as workers:
        results = list(workers.map(stuck_in_c, [0.1], salvage=lambda budget: "its worker died"))
        assert workers.alone(backtracking, 0.2) == "stopped in time"
    assert results == ["its worker died"]
    assert time.monotonic() - started < 20


def process_of(item: int) -> tuple[int, int]:
    return item, os.getpid()


def test_closed_workers_end_and_later_work_runs_in_this_process() -> None:
    """A build closes its workers once every graph is rendered: their memory goes back before the page data."""
    with Workers(2) as workers:
        ran = dict(workers.map(process_of, range(6)))
        assert sorted(ran) == list(range(6)) and os.getpid() not in ran.values()
        workers.close()
        for pid in set(ran.values()):
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)  # ended, and reaped
        assert dict(workers.map(process_of, range(2))) == {0: os.getpid(), 1: os.getpid()}
        workers.close()  # again: nothing to end

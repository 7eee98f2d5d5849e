"""The query worker pool with real processes: answers, errors, timeouts that kill, crashes contained."""

import ctypes
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from server.http.errors import BadRequest, QueryTimeout, ServiceBusy
from server.queries.workers import (
    BATCH_BYTES,
    LONG_NICE,
    MAX_HOLD_S,
    LongQueriesBusy,
    PoolLimits,
    WorkerFailed,
    WorkerPool,
)

LIMITS = PoolLimits(size=2, timeout_s=1.0, wait_s=15, memory_bytes=None)  # a replacement may take seconds to start on a loaded machine


def open_nothing() -> str:
    return "opened"


def handle(opened: str, job: tuple[str, str]) -> Iterator[object]:
    """Test jobs: (kind, argument). Runs in the worker process."""
    kind, argument = job
    if kind == "echo":
        yield {"opened": opened, "pid": os.getpid()}
        yield argument.encode()
        yield b"!"
    elif kind == "bad":
        raise BadRequest(argument)
    elif kind == "spin":  # burns CPU forever, after telling where
        Path(argument).write_text(str(os.getpid()))
        while True:
            pass
    elif kind == "segfault":
        ctypes.string_at(0)
    elif kind == "bug":
        raise KeyError(argument)
    elif kind == "nap":  # a query that takes a while, then answers where it ran
        time.sleep(float(argument))
        yield os.getpid()
    elif kind == "hog":  # asks for far more memory than its limit
        yield len(bytearray(int(argument)))
    elif kind == "big":  # an answer of `argument` bytes, in chunks of 1000
        yield "big"
        size = int(argument)
        for start in range(0, size, 1000):
            yield b"x" * min(1000, size - start)


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(open_nothing, handle, LIMITS)
    pool.start()
    yield pool
    pool.close()


async def answer(pool: WorkerPool, job: tuple[str, str], key: str | None = None) -> tuple[object, bytes]:
    head, body = await pool.run(job, key)
    return head, b"".join([chunk async for chunk in body])


def run(pool: WorkerPool, job: tuple[str, str]) -> tuple[object, bytes]:
    return anyio.run(answer, pool, job)


def test_a_worker_answers_in_another_process(pool: WorkerPool) -> None:
    head, body = run(pool, ("echo", "xin chào"))
    assert isinstance(head, dict) and head["opened"] == "opened" and head["pid"] != os.getpid()
    assert body == "xin chào!".encode()


def test_an_http_error_reaches_the_caller_and_the_worker_lives_on(pool: WorkerPool) -> None:
    with pytest.raises(BadRequest, match="no such thing"):
        run(pool, ("bad", "no such thing"))
    pids = {run(pool, ("echo", ""))[0]["pid"] for _ in range(4)}  # type: ignore[index]
    assert len(pids) <= LIMITS.size


def test_a_bug_is_a_500_not_a_dead_service(pool: WorkerPool) -> None:
    with pytest.raises(WorkerFailed, match="KeyError"):
        run(pool, ("bug", "x"))
    assert run(pool, ("echo", "still here"))[1] == b"still here!"


def test_a_query_over_time_is_killed_and_replaced(pool: WorkerPool, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    with pytest.raises(QueryTimeout):
        run(pool, ("spin", str(pid_file)))
    pid = int(pid_file.read_text())
    assert not Path(f"/proc/{pid}").exists(), "the spinning worker must be gone, not burning CPU"
    assert run(pool, ("echo", "after"))[1] == b"after!"  # a replacement serves


def test_a_native_crash_costs_one_request(pool: WorkerPool) -> None:
    with pytest.raises(WorkerFailed):
        run(pool, ("segfault", ""))
    assert run(pool, ("echo", "alive"))[1] == b"alive!"


def test_the_memory_limit_stops_a_hog_not_the_service() -> None:
    pool = WorkerPool(open_nothing, handle, PoolLimits(size=1, timeout_s=5, wait_s=1, memory_bytes=1 << 30))
    pool.start()
    try:
        with pytest.raises(WorkerFailed, match="MemoryError"):
            run(pool, ("hog", str(4 << 30)))
        assert run(pool, ("echo", "fine"))[1] == b"fine!"
    finally:
        pool.close()


def test_a_full_pool_answers_busy_after_a_bounded_wait(tmp_path: Path) -> None:
    pool = WorkerPool(open_nothing, handle, PoolLimits(size=1, timeout_s=3, wait_s=0.2, memory_bytes=None))
    pool.start()

    async def two_at_once() -> list[BaseException | None]:
        outcomes: list[BaseException | None] = []

        async def one(job: tuple[str, str]) -> None:
            try:
                await answer(pool, job)
                outcomes.append(None)
            except (ServiceBusy, QueryTimeout) as error:
                outcomes.append(error)

        async with anyio.create_task_group() as group:
            group.start_soon(one, ("spin", str(tmp_path / "pid")))
            await anyio.sleep(0.1)
            group.start_soon(one, ("echo", "x"))
        return outcomes

    try:
        outcomes = anyio.run(two_at_once)
    finally:
        pool.close()
    assert [type(o) for o in outcomes] == [ServiceBusy, QueryTimeout]


def test_closing_the_pool_stops_every_worker() -> None:
    pool = WorkerPool(open_nothing, handle, LIMITS)
    pool.start()
    pids = [w.process.pid for w in pool._idle]
    pool.close()
    time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_long_queries_take_their_own_lane_and_short_ones_still_run(tmp_path: Path) -> None:
    limits = PoolLimits(size=3, timeout_s=3, wait_s=0.5, memory_bytes=None, long_after_s=0.3, long_slots=1)
    pool = WorkerPool(open_nothing, handle, limits)
    pool.start()
    seen: dict[str, object] = {}

    async def mixed() -> None:
        async def one(name: str, job: tuple[str, str]) -> None:
            started = time.monotonic()
            try:
                seen[name] = (await answer(pool, job))[1]
            except (LongQueriesBusy, QueryTimeout) as error:
                seen[name] = error
            seen[f"{name} took"] = time.monotonic() - started

        async def watch_the_long_one() -> None:
            await anyio.sleep(1.0)
            seen["nice"] = niceness(int((tmp_path / "long").read_text()))
            seen["short"] = (await answer(pool, ("echo", "short")))[1]  # two workers spin: one is free

        async with anyio.create_task_group() as group:
            group.start_soon(one, "long", ("spin", str(tmp_path / "long")))
            await anyio.sleep(0.1)
            group.start_soon(one, "second long", ("spin", str(tmp_path / "second")))
            group.start_soon(watch_the_long_one)

    try:
        anyio.run(mixed)
        assert pool.long_running == 0
    finally:
        pool.close()
    assert isinstance(seen["second long"], LongQueriesBusy), seen
    assert seen["second long took"] < 1.5, "the second long query is stopped at once, not at the timeout"
    assert not Path(f"/proc/{(tmp_path / 'second').read_text()}").exists()
    assert seen["nice"] == niceness(os.getpid()) + LONG_NICE
    assert seen["short"] == b"short!"
    assert isinstance(seen["long"], QueryTimeout)


def test_a_long_query_that_ends_gives_back_its_slot_and_its_priority() -> None:
    limits = PoolLimits(size=2, timeout_s=3, wait_s=0.5, memory_bytes=None, long_after_s=0.1, long_slots=1)
    pool = WorkerPool(open_nothing, handle, limits)
    pool.start()
    try:
        for _ in range(2):  # the second run needs the slot the first gave back
            head, _ = run(pool, ("nap", "0.3"))
            assert isinstance(head, int)
            if os.geteuid() == 0:  # root may raise a worker's priority again: it serves on
                assert niceness(head) == niceness(os.getpid())
            else:  # others may not: the reniced worker is replaced
                assert not Path(f"/proc/{head}").exists()
        assert pool.long_running == 0
    finally:
        pool.close()


def test_a_small_answer_comes_whole_and_its_worker_is_free_at_once(pool: WorkerPool) -> None:
    async def small() -> tuple[bytes | None, int]:
        _, body = await pool.run(("echo", "xin chào"))
        return body.whole, len(pool._idle)  # before the body is read

    whole, idle = anyio.run(small)
    assert whole == "xin chào!".encode()
    assert idle == LIMITS.size


def test_a_big_answer_is_streamed_as_it_comes(pool: WorkerPool) -> None:
    async def big() -> tuple[bytes | None, bytes]:
        _, body = await pool.run(("big", str(3 * BATCH_BYTES)))
        return body.whole, b"".join([chunk async for chunk in body])

    whole, received = anyio.run(big)
    assert whole is None
    assert received == b"x" * (3 * BATCH_BYTES)
    assert run(pool, ("echo", "next"))[1] == b"next!"  # the worker came back after the last chunk


def test_quick_queries_go_before_slow_ones_that_wait() -> None:
    """One worker, busy; a query known to be slow waits, then a quick one comes: the quick one runs first."""
    pool = WorkerPool(open_nothing, handle, PoolLimits(size=1, timeout_s=5, wait_s=5, memory_bytes=None))
    pool.start()
    order: list[str] = []

    async def queue() -> None:
        await answer(pool, ("nap", "0.3"), key="slow")  # teaches the pool how long each takes
        await answer(pool, ("echo", ""), key="quick")

        async def one(name: str, job: tuple[str, str]) -> None:
            await answer(pool, job, key=name)
            order.append(name)

        async with anyio.create_task_group() as group:
            group.start_soon(one, "busy", ("nap", "0.5"))
            await anyio.sleep(0.1)
            group.start_soon(one, "slow", ("nap", "0.1"))
            await anyio.sleep(0.1)
            group.start_soon(one, "quick", ("echo", ""))

    try:
        anyio.run(queue)
    finally:
        pool.close()
    assert order == ["busy", "quick", "slow"]
    assert pool.expected_s("quick") < pool.expected_s("slow")


def test_a_slow_query_is_passed_over_for_a_bounded_time_only() -> None:
    """Quick queries that come `MAX_HOLD_S` after a slow one no longer go before it."""
    pool = WorkerPool(open_nothing, handle, PoolLimits(size=1, timeout_s=5, wait_s=5, memory_bytes=None))
    pool.start()
    pool._took["slow"] = 100.0  # as if it had run for 100 s
    order: list[str] = []

    async def queue() -> None:
        async def one(name: str, job: tuple[str, str]) -> None:
            await answer(pool, job, key=name)
            order.append(name)

        async with anyio.create_task_group() as group:
            group.start_soon(one, "busy", ("nap", str(MAX_HOLD_S + 0.6)))
            await anyio.sleep(0.1)
            group.start_soon(one, "slow", ("echo", ""))
            await anyio.sleep(MAX_HOLD_S + 0.2)
            group.start_soon(one, "quick", ("echo", ""))

    try:
        anyio.run(queue)
    finally:
        pool.close()
    assert order == ["busy", "slow", "quick"]


def test_a_request_that_stops_waiting_leaves_no_trace() -> None:
    pool = WorkerPool(open_nothing, handle, PoolLimits(size=1, timeout_s=5, wait_s=5, memory_bytes=None))
    pool.start()

    async def give_up() -> bytes:
        async with anyio.create_task_group() as group:
            group.start_soon(answer, pool, ("nap", "0.4"))
            await anyio.sleep(0.1)
            with anyio.move_on_after(0.1):  # the client hangs up while waiting
                await answer(pool, ("echo", "never"))
        return (await answer(pool, ("echo", "after")))[1]

    try:
        assert anyio.run(give_up) == b"after!"
        assert pool._waiting == 0 and len(pool._idle) == 1
    finally:
        pool.close()


def test_a_replacement_worker_goes_to_the_request_waiting_for_it(tmp_path: Path) -> None:
    """The only worker is killed at the time limit; its replacement, started in a thread, serves the
    request that waited meanwhile."""
    pool = WorkerPool(open_nothing, handle, PoolLimits(size=1, timeout_s=0.5, wait_s=30, memory_bytes=None))
    pool.start()
    outcomes: dict[str, object] = {}

    async def both() -> None:
        async def one(name: str, job: tuple[str, str]) -> None:
            try:
                outcomes[name] = (await answer(pool, job))[1]
            except QueryTimeout as error:
                outcomes[name] = error

        async with anyio.create_task_group() as group:
            group.start_soon(one, "spin", ("spin", str(tmp_path / "pid")))
            await anyio.sleep(0.1)
            group.start_soon(one, "waits", ("echo", "served"))

    try:
        anyio.run(both)
    finally:
        pool.close()
    assert isinstance(outcomes["spin"], QueryTimeout)
    assert outcomes["waits"] == b"served!"


def test_a_worker_that_dies_while_idle_costs_one_request_and_no_cpu() -> None:
    pool = WorkerPool(open_nothing, handle, PoolLimits(size=1, timeout_s=5, wait_s=30, memory_bytes=None))
    pool.start()

    async def die_idle() -> tuple[float, type[BaseException] | None, bytes]:
        head, _ = await answer(pool, ("echo", ""))  # the loop now watches the worker's pipe
        os.kill(head["pid"], signal.SIGKILL)  # type: ignore[index]
        started = time.process_time()
        await anyio.sleep(0.5)  # its pipe is readable (closed): the loop must not spin on it
        spent = time.process_time() - started
        try:
            await answer(pool, ("echo", ""))
            failed = None
        except WorkerFailed as error:
            failed = type(error)
        return spent, failed, (await answer(pool, ("echo", "replaced")))[1]

    try:
        spent, failed, after = anyio.run(die_idle)
    finally:
        pool.close()
    assert spent < 0.2
    assert failed is WorkerFailed
    assert after == b"replaced!"

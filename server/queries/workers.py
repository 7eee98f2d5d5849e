"""Worker processes that evaluate the queries clients send, so that no client query runs in the server.

A query that runs past its time is stopped by killing its process (pyoxigraph cannot be interrupted,
and in-engine cancellation misses joins and cross products), then a fresh worker takes its place; a
worker that crashes (a native fault, its memory limit) costs the one request it was serving. The
event loop only waits: it hands a job to an idle worker and relays the messages coming back.

Long queries take their own lane, so that they cannot starve short ones: a query still running after
`long_after_s` becomes long, and its worker is reniced (the kernel then gives short queries the CPU
first); at most `long_slots` queries may be long at once, and one that would be one too many is
stopped there with a 503. With more workers than long slots, short queries always find a worker.

A worker runs `handle(resource, job)`, a generator of messages: first the response's head (any
picklable value), then the body in `bytes` chunks. The worker sends them in batches of about
`BATCH_BYTES` (a small answer is one batch: head, body and end), one pickle per batch. The event loop
watches each worker's pipe itself (no thread; the watch stays from job to job, so a short query costs
no system call to register it) and reads a batch when one is awaited; a batch nobody awaits yet (a
client reading a long answer slowly) stays in the pipe, which holds the worker back. An answer that
came whole with its head frees its worker at once and is handed over as one `bytes` (`Body.whole`), so
the server can send it with a length instead of streaming it. An `HttpError` the handler raises reaches
the caller as it is; anything else becomes a `WorkerFailed`.

Requests wait for a worker on the event loop (no thread per waiting request). Quick queries go
first: the pool remembers how long recent jobs of each `key` (the query's text) took, and a waiting
request is served in the order of its arrival plus `PRIORITY_FACTOR` times that time (at most
`MAX_HOLD_S`; a key not seen yet counts as `UNKNOWN_S`). So a lookup that arrives behind a queue of
aggregates waits for the next free worker, not for all of them, and a slow query waits at most
`MAX_HOLD_S` longer than in arrival order (it is never starved). A worker that comes free, or a
replacement started in a thread, goes straight to the first request in that order.
"""

import asyncio
import heapq
import itertools
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from server.http.errors import HttpError, QueryTimeout, ServiceBusy

SPAWN = multiprocessing.get_context("spawn")  # never fork a process that runs threads
READY, DONE = "ready", "done"
BROKEN: list[object] = []  # what `_next_batch` gives for a worker that died (compared by identity)
BATCH_BYTES = 64 * 1024  # body bytes a worker gathers before it sends a batch
LONG_NICE = 10  # how much nicer than the server a worker running a long query is
PRIORITY_FACTOR = 4.0  # a waiting request's place: arrival + this x how long its key's jobs took ...
MAX_HOLD_S = 0.5  # ... at most this much later than its arrival
UNKNOWN_S = 0.01  # what a key not seen yet counts as
REMEMBERED_KEYS = 4096  # job times kept (the oldest entries go first)
Handler = Callable[[Any, Any], Iterable[object]]
HINTS = {"query": "; narrow it (LIMIT, more specific patterns) and try again"}  # after a timeout, by kind of job


class WorkerFailed(HttpError):
    """The worker died or failed unexpectedly while serving this request (the service goes on)."""

    status = 500


@dataclass(frozen=True, slots=True)
class PoolLimits:
    size: int  # worker processes; the cores of the machine by default
    timeout_s: float  # per query, from the moment a worker takes it
    wait_s: float  # longest wait for an idle worker
    memory_bytes: int | None  # address-space limit of each worker (RLIMIT_AS)
    long_after_s: float = float("inf")  # a query running longer is long ...
    long_slots: int = 1  # ... and at most this many may be long at once


class LongQueriesBusy(ServiceBusy):
    """The query ran long while every long-query slot was taken: it was stopped to keep room for short ones."""

    retry_after = 5


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    jobs: int = field(default=0)
    loop: asyncio.AbstractEventLoop | None = None  # the loop watching `conn` (see `_watch`)
    inbox: "asyncio.Future[list[object] | None] | None" = None  # where the next batch goes, while one is awaited


@dataclass(eq=False)
class _Waiter:
    """A request waiting for a worker: `woken` is set on its loop once `worker` was handed to it."""

    loop: asyncio.AbstractEventLoop
    woken: asyncio.Future[None]
    worker: _Worker | None = None
    gone: bool = False  # gave up waiting (timeout, cancelled): skipped when its turn comes


@dataclass(eq=False)
class _Job:
    worker: _Worker
    started: float  # time.monotonic()
    deadline: float  # the loop's clock
    long_at: float
    key: Hashable | None
    long: bool = False
    pending: deque[object] = field(default_factory=deque)  # received, not yet taken


class WorkerPool:
    """`size` workers, each opened with `open_resource()` once, serving one job at a time; `kind` names their
    jobs in errors (a client's query, a page)."""

    def __init__(self, open_resource: Callable[[], Any], handle: Handler, limits: PoolLimits, kind: str = "query") -> None:
        self._open = open_resource
        self._handle = handle
        self.limits = limits
        self.kind = kind
        self._idle: list[_Worker] = []
        self._waiters: list[tuple[float, int, _Waiter]] = []  # a heap: (place, arrival number, waiter)
        self._waiting = 0  # waiters not gone
        self._arrivals = itertools.count()
        self._lock = threading.Lock()  # `_idle` and `_waiters`: workers also come back from threads
        self._took: dict[Hashable, float] = {}  # key -> how long its recent jobs took (s, smoothed)
        self._closed = False
        self.long_running = 0  # queries past `long_after_s` now
        self._niceness = os.getpriority(os.PRIO_PROCESS, 0)  # the workers', as the server's

    def start(self) -> None:
        """Starts every worker and waits until each has opened its resource (raises if one cannot)."""
        threads = [threading.Thread(target=self._add_worker) for _ in range(self.limits.size)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if len(self._idle) != self.limits.size:
            self.close()
            raise RuntimeError(f"a {self.kind} worker failed to start; see the log above")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            _stop(worker)

    async def run(self, job: object, key: Hashable | None = None) -> tuple[object, "Body"]:
        """The head of the answer to `job`, and its body as it arrives (a `Body`). `key` names what the
        job does (jobs with one key take about as long): quick ones are served first.

        Raises `ServiceBusy`, `QueryTimeout`, `WorkerFailed` or the `HttpError` the handler raised."""
        worker = await self._acquire(key)
        now = asyncio.get_running_loop().time()
        running = _Job(worker, time.monotonic(), now + self.limits.timeout_s, now + self.limits.long_after_s, key)
        try:
            try:
                worker.conn.send_bytes(_pickle(job))
            except OSError:  # it died while idle
                raise WorkerFailed(f"the {self.kind} worker had stopped; try again") from None
            head = await self._receive(running)
        except BaseException:
            self._finish(running, healthy=False)
            raise
        if isinstance(head, BaseException):  # an error answer: the worker is fine and free again
            self._finish(running, await self._receive(running) == DONE)
            raise head
        chunks = list(running.pending)
        if chunks and chunks.pop() == DONE and all(isinstance(chunk, bytes) for chunk in chunks):
            self._finish(running, True)  # the whole answer came with its head
            return head, Body(b"".join(chunks))  # type: ignore[arg-type]
        return head, Body(None, self._body(running))

    async def _body(self, running: _Job) -> AsyncIterator[bytes]:
        finished = False
        try:
            while (message := await self._receive(running)) != DONE:
                if isinstance(message, BaseException):  # failed mid-answer: the client sees a cut body
                    raise message
                assert isinstance(message, bytes)
                yield message
            finished = True
        finally:  # a client that hangs up mid-answer leaves a worker mid-job: replace it
            self._finish(running, finished)

    def expected_s(self, key: Hashable | None) -> float:
        """How long a job with `key` is expected to take: its recent jobs' time, else `UNKNOWN_S`."""
        return self._took.get(key, UNKNOWN_S) if key is not None else UNKNOWN_S

    def _took_s(self, key: Hashable | None, seconds: float) -> None:
        if key is None:
            return
        before = self._took.pop(key, None)  # re-inserted: the dict's order is the order of use
        self._took[key] = seconds if before is None else 0.5 * (before + seconds)
        if len(self._took) > REMEMBERED_KEYS:
            del self._took[next(iter(self._took))]

    async def _acquire(self, key: Hashable | None = None) -> _Worker:
        with self._lock:
            if self._idle and not self._waiting:
                return self._idle.pop()
            loop = asyncio.get_running_loop()
            waiter = _Waiter(loop, loop.create_future())
            place = loop.time() + min(PRIORITY_FACTOR * self.expected_s(key), MAX_HOLD_S)
            heapq.heappush(self._waiters, (place, next(self._arrivals), waiter))
            self._waiting += 1
        waited = False
        try:
            async with asyncio.timeout(self.limits.wait_s):
                await waiter.woken
            waited = True
        except TimeoutError:
            waited = True
        finally:
            with self._lock:
                worker, waiter.worker = waiter.worker, None
                if worker is None:
                    waiter.gone = True
                    self._waiting -= 1
            if worker is not None and not waited:  # cancelled as a worker came: it goes to the next
                self._release(worker)
        if worker is None:
            raise ServiceBusy(f"all {self.limits.size} {self.kind} workers are busy; try again shortly")
        return worker

    def _release(self, worker: _Worker) -> None:
        """`worker` is free: to the first waiting request, else idle (stopped once the pool is closed). Any
        thread may call it."""
        if self._closed:  # a job that ended after `close`, or a replacement that came up after it
            _stop(worker)
            return
        while True:
            with self._lock:
                while self._waiters and self._waiters[0][2].gone:
                    heapq.heappop(self._waiters)
                if not self._waiters:
                    self._idle.append(worker)
                    return
                waiter = heapq.heappop(self._waiters)[2]
                waiter.worker = worker
                self._waiting -= 1
            if _wake(waiter):
                return
            with self._lock:  # its loop is gone: the next waiter, if any
                worker, waiter.worker = waiter.worker, None
            if worker is None:
                return

    async def _receive(self, running: _Job) -> object:
        if not running.pending:
            running.pending.extend(await self._receive_batch(running))
        message = running.pending.popleft()
        if isinstance(message, tuple) and message[:1] == ("raise",):
            return message[1]
        return message

    async def _receive_batch(self, running: _Job) -> list[object]:
        while True:
            until = running.deadline if running.long else min(running.deadline, running.long_at)
            batch = await _next_batch(running.worker, until)
            if batch is BROKEN:
                raise WorkerFailed(
                    f"the {self.kind} worker stopped unexpectedly (out of memory?); the {self.kind} was abandoned"
                )
            if batch is not None:
                return batch
            if asyncio.get_running_loop().time() >= running.deadline:
                raise QueryTimeout(
                    f"the {self.kind} ran longer than {self.limits.timeout_s:g} s and was stopped"
                    + HINTS.get(self.kind, "")
                )
            self._make_long(running)

    def _make_long(self, running: _Job) -> None:
        with self._lock:
            if self.long_running >= self.limits.long_slots:
                raise LongQueriesBusy(
                    f"the query ran longer than {self.limits.long_after_s:g} s while {self.limits.long_slots} "
                    "other long queries were running, and was stopped; try again shortly"
                )
            self.long_running += 1
        running.long = True
        _renice(running.worker, self._niceness + LONG_NICE)

    def _finish(self, running: _Job, healthy: bool) -> None:
        """The worker is free again if `healthy` (and its priority restored), else it is replaced."""
        self._took_s(running.key, time.monotonic() - running.started)
        if running.long:
            with self._lock:
                self.long_running -= 1
            healthy = healthy and _renice(running.worker, self._niceness)
        if not healthy:
            self._discard(running.worker)
            return
        running.worker.jobs += 1
        self._release(running.worker)

    def _discard(self, worker: _Worker) -> None:
        """Kills the worker (it may be burning CPU) and starts another in the background."""
        _stop(worker)
        if not self._closed:
            threading.Thread(target=self._add_worker, daemon=True).start()

    def _add_worker(self) -> None:
        parent, child = SPAWN.Pipe()
        process = SPAWN.Process(
            target=_serve, args=(child, self._open, self._handle, self.limits.memory_bytes, self.kind), daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(60) or _recv_or_none(parent) != READY or self._closed:
            _stop(worker)
            return
        self._release(worker)


class Body:
    """An answer's body: an async iterator of `bytes` chunks. `whole` is the complete body when it came
    with the head (its worker is already free again), else None: it is still arriving."""

    __slots__ = ("_chunks", "whole")

    def __init__(self, whole: bytes | None, chunks: AsyncIterator[bytes] | None = None) -> None:
        self.whole = whole
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks if self._chunks is not None else _once(self.whole or b"")


async def _once(data: bytes) -> AsyncIterator[bytes]:
    if data:
        yield data


async def _next_batch(worker: _Worker, until: float) -> list[object] | None:
    """The next batch from `worker` (`BROKEN` if it died), or None once the loop's clock reaches `until`."""
    loop = asyncio.get_running_loop()
    if until <= loop.time():
        return None
    inbox: asyncio.Future[list[object] | None] = loop.create_future()
    worker.inbox = inbox
    _watch(worker, loop)
    timer = loop.call_at(until, _set, inbox, None)
    try:
        return await inbox
    finally:
        timer.cancel()
        worker.inbox = None


def _watch(worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
    """Has `loop` call `_batch_ready` whenever the worker's pipe can be read. It stays so from job to
    job (registering a file with the loop costs system calls), until nobody awaits a batch when one comes."""
    if worker.loop is loop:
        return
    _unwatch(worker)
    loop.add_reader(worker.conn.fileno(), _batch_ready, worker)
    os.set_blocking(worker.conn.fileno(), True)  # the loop may have made it non-blocking: batches are read whole
    worker.loop = loop


def _unwatch(worker: _Worker) -> None:
    """Stops watching the worker's pipe (on the loop's thread, or once that loop is closed)."""
    loop, worker.loop = worker.loop, None
    if loop is not None and not loop.is_closed():
        loop.remove_reader(worker.conn.fileno())


def _batch_ready(worker: _Worker) -> None:
    """The worker's pipe can be read: the batch goes to the job awaiting it. When none is (a client reading
    a long answer slowly, a worker that died while idle), the pipe is left alone and no longer watched: the
    worker waits, and a dead one is found out when it is next given a job."""
    inbox = worker.inbox
    if inbox is None or inbox.done():
        _unwatch(worker)
        return
    worker.inbox = None
    try:
        batch = worker.conn.recv()
    except Exception:  # noqa: BLE001 - closed (EOFError, OSError) or garbled: the worker is replaced
        _unwatch(worker)
        batch = BROKEN
    inbox.set_result(batch)  # type: ignore[arg-type]


def _wake(waiter: _Waiter) -> bool:
    """Wakes the request waiting on `waiter` (from its loop's thread or any other); False if its loop is gone."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is waiter.loop:
        _set(waiter.woken)
        return True
    try:
        waiter.loop.call_soon_threadsafe(_set, waiter.woken)
    except RuntimeError:  # closed
        return False
    return True


def _set(future: asyncio.Future[Any], value: object = None) -> None:
    if not future.done():  # e.g. a waiter that gave up (timeout, cancel) takes its worker anyway, or passes it on
        future.set_result(value)


def _pickle(message: object) -> bytes:
    """What `Connection.send` sends, without its per-message `ForkingPickler` (only needed for
    sockets and other resources, which no message holds); `Connection.recv` reads it."""
    return pickle.dumps(message, pickle.HIGHEST_PROTOCOL)


def _recv_or_none(conn: Connection) -> object:
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None


def _renice(worker: _Worker, niceness: int) -> bool:
    """Sets the worker's niceness; False when not allowed (only root may raise a process' priority again)."""
    if worker.process.pid is None:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, worker.process.pid, niceness)
    except (PermissionError, ProcessLookupError):
        return False
    return True


def _stop(worker: _Worker) -> None:
    _unwatch(worker)
    worker.process.kill()
    worker.process.join(5)
    worker.conn.close()


def _serve(
    conn: Connection, open_resource: Callable[[], Any], handle: Handler, memory_bytes: int | None, kind: str
) -> None:
    """The worker process: open the resource once, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops us
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    opened = open_resource()
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        batch: list[object] = []
        size = 0
        try:
            for message in handle(opened, job):
                batch.append(message)
                size += len(message) if isinstance(message, bytes) else 0
                if size >= BATCH_BYTES:
                    conn.send_bytes(_pickle(batch))
                    batch, size = [], 0
        except HttpError as error:
            batch.append(("raise", error))
        except Exception as error:  # noqa: BLE001 - reported to the client, the worker lives on
            batch.append(("raise", WorkerFailed(f"the {kind} failed: {type(error).__name__}: {error}")))
        conn.send_bytes(_pickle([*batch, DONE]))

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
`BATCH_BYTES` (a small answer is one batch: head, body and end), and the event loop waits for a batch
on the pipe itself, not in a thread: the relay costs little next to a short query. An `HttpError` it raises reaches the caller as
it is; anything else becomes a `WorkerFailed`.
"""

import multiprocessing
import os
import resource
import signal
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import anyio
import anyio.to_thread

from server.errors import HttpError, QueryTimeout, ServiceBusy

SPAWN = multiprocessing.get_context("spawn")  # never fork a process that runs threads
READY, DONE = "ready", "done"
BATCH_BYTES = 64 * 1024  # body bytes a worker gathers before it sends a batch
LONG_NICE = 10  # how much nicer than the server a worker running a long query is
Handler = Callable[[Any, Any], Iterable[object]]


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


@dataclass(eq=False)
class _Job:
    worker: _Worker
    deadline: float
    long_at: float
    long: bool = False
    pending: deque[object] = field(default_factory=deque)  # received, not yet taken


class WorkerPool:
    """`size` workers, each opened with `open_resource()` once, serving one job at a time."""

    def __init__(self, open_resource: Callable[[], Any], handle: Handler, limits: PoolLimits) -> None:
        self._open = open_resource
        self._handle = handle
        self.limits = limits
        self._idle: list[_Worker] = []
        self._available = threading.Semaphore(0)  # counts idle workers
        self._lock = threading.Lock()
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
            raise RuntimeError("a query worker failed to start; see the log above")

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            _stop(worker)

    async def run(self, job: object) -> tuple[object, AsyncIterator[bytes]]:
        """The head of the answer to `job`, and its body as it arrives.

        Raises `ServiceBusy`, `QueryTimeout`, `WorkerFailed` or the `HttpError` the handler raised."""
        worker = await self._acquire()
        now = anyio.current_time()
        running = _Job(worker, now + self.limits.timeout_s, now + self.limits.long_after_s)
        try:
            worker.conn.send(job)
            head = await self._receive(running)
        except BaseException:
            self._finish(running, healthy=False)
            raise
        if isinstance(head, BaseException):  # an error answer: the worker is fine and free again
            self._finish(running, await self._receive(running) == DONE)
            raise head
        return head, self._body(running)

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

    async def _acquire(self) -> _Worker:
        acquired = self._available.acquire(blocking=False) or await anyio.to_thread.run_sync(
            self._available.acquire, True, self.limits.wait_s
        )
        if not acquired:
            raise ServiceBusy(f"all {self.limits.size} query workers are busy; try again shortly")
        with self._lock:
            return self._idle.pop()

    async def _receive(self, running: _Job) -> object:
        if not running.pending:
            running.pending.extend(await self._receive_batch(running))
        message = running.pending.popleft()
        if isinstance(message, tuple) and message[:1] == ("raise",):
            return message[1]
        return message

    async def _receive_batch(self, running: _Job) -> list[object]:
        conn = running.worker.conn
        while True:
            until = running.deadline if running.long else min(running.deadline, running.long_at)
            remaining = until - anyio.current_time()
            if remaining > 0:
                with anyio.move_on_after(remaining):
                    await anyio.wait_readable(conn.fileno())
                    break
            if anyio.current_time() >= running.deadline:
                raise QueryTimeout(
                    f"the query ran longer than {self.limits.timeout_s:g} s and was stopped; "
                    "narrow it (LIMIT, more specific patterns) and try again"
                )
            self._make_long(running)
        os.set_blocking(conn.fileno(), True)  # the event loop's wait left it non-blocking: read a batch whole
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            raise WorkerFailed("the query worker stopped unexpectedly (out of memory?); the query was abandoned") from None
        assert isinstance(batch, list)
        return batch

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
        if running.long:
            with self._lock:
                self.long_running -= 1
            healthy = healthy and _renice(running.worker, self._niceness)
        if not healthy:
            self._discard(running.worker)
            return
        running.worker.jobs += 1
        with self._lock:
            self._idle.append(running.worker)
        self._available.release()

    def _discard(self, worker: _Worker) -> None:
        """Kills the worker (it may be burning CPU) and starts another in the background."""
        _stop(worker)
        if not self._closed:
            threading.Thread(target=self._add_worker, daemon=True).start()

    def _add_worker(self) -> None:
        parent, child = SPAWN.Pipe()
        process = SPAWN.Process(
            target=_serve, args=(child, self._open, self._handle, self.limits.memory_bytes), daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(60) or _recv_or_none(parent) != READY:
            _stop(worker)
            return
        with self._lock:
            if self._closed:
                _stop(worker)
                return
            self._idle.append(worker)
        self._available.release()


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
    worker.process.kill()
    worker.process.join(5)
    worker.conn.close()


def _serve(conn: Connection, open_resource: Callable[[], Any], handle: Handler, memory_bytes: int | None) -> None:
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
                    conn.send(batch)
                    batch, size = [], 0
        except HttpError as error:
            batch.append(("raise", error))
        except Exception as error:  # noqa: BLE001 - reported to the client, the worker lives on
            batch.append(("raise", WorkerFailed(f"the query failed: {type(error).__name__}: {error}")))
        conn.send([*batch, DONE])

"""The build's on-disk pyoxigraph store, loaded as rendered graphs stream in, and checked afterwards.

Every graph goes in as a named graph, and every triple once more into the default graph: the
deduplicated union, stored once (DESIGN.md "Measured facts": the store's union-default-graph mode
made joins ~150x slower, so the build never relies on it). Text goes to pyoxigraph's bulk loader in
batches of about `LOAD_BATCH` bytes, so memory stays bounded however big the corpus; a thread of its own
loads one batch while the next one fills (the loader does not hold the GIL), so the build goes on
taking chunks from its workers meanwhile.

Each batch lands on disk as new sorted files (one per index) that overlap all the earlier ones, and
RocksDB merges them in the background: left alone, its compaction threads merged the whole store again
every couple of batches, as much CPU as the loading itself and more the bigger the store. While the
build streams, those threads run at idle priority (Linux `SCHED_IDLE`): they take only CPU nobody else
wants, the files pile up, and `close` compacts them once (`Store.optimize`), at normal priority again.
The pile is bounded by the files the process may open (compacting an index opens all its files at once):
near that limit, compaction runs at normal priority until it has merged them. Only OPEN_FILES files are
kept open meanwhile, since each holds its index in memory.
The text is loaded unchecked (`lenient`): the build writes it, and every IRI in it was checked when the
dumps were rendered (mappings/emission/line_formats.py).
"""
from __future__ import annotations

import contextlib
import os
import queue
import resource
import threading
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store

LOAD_BATCH = 16 << 20  # bulk loading takes ~8x its input in memory; 8 MB made twice the files, for no less at 100k
OPEN_FILES = 256  # store files kept open while the build writes
_BACKGROUND = "rocksdb:"  # names of RocksDB's background threads (compaction, flushes)


class BuildCheckError(RuntimeError):
    """A partial build does not hold what was written into it; it must not be published."""


@dataclass(frozen=True, slots=True)
class StoreCounts:
    graphs: int
    quads: int  # named-graph quads: each graph's distinct triples, summed over graphs
    union_triples: int  # distinct triples over all graphs (the default graph)


class StoreWriter:
    """A new store at `path`, filled with N-Quads text; `close` compacts it and closes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._store: Store | None = _open(path)
        self._loader = _Loader(self._store, path)
        self._pending: list[bytes] = []
        self._size = 0
        self._empty: list[str] = []   # graphs without quads: named once everything is loaded

    def add(self, nquads: bytes, empty_graphs: tuple[str, ...] = ()) -> None:
        """Quads to load (soon); `empty_graphs` are named graphs without any."""
        self._opened()
        self._empty += empty_graphs
        if nquads:
            self._pending.append(nquads)
            self._size += len(nquads)
        if self._size >= LOAD_BATCH:
            self._send()

    def flush(self) -> None:
        """Everything added so far loaded."""
        self._send()
        self._loader.wait()
        store = self._opened()
        for graph in self._empty:
            store.add_graph(NamedNode(graph))
        self._empty = []

    def __contains__(self, quad: Quad) -> bool:
        self.flush()
        return quad in self._opened()

    def close(self, optimize: bool = True) -> None:
        """Load what is pending, compact, and close (pyoxigraph has no close(): the last reference does it)."""
        if self._store is None:
            return
        try:
            if optimize:
                self.flush()
                _background_priority(idle=False)
                self._store.flush()
                self._store.optimize()
        finally:
            self._loader.stop()
            _background_priority(idle=False)
            self._store = None

    def _send(self) -> None:
        if self._pending:
            self._loader.load(b"".join(self._pending))
            self._pending, self._size = [], 0

    def _opened(self) -> Store:
        if self._store is None:
            raise ValueError(f"{self.path}: the store is closed")
        return self._store


class _Loader:
    """A thread that bulk-loads one batch at a time; `load` waits while one is loading, and raises what a
    failed batch raised (the first error ends the loading)."""

    def __init__(self, store: Store, path: Path) -> None:
        self._store, self._path = store, path
        self._files = 0  # at most this many files in any one index (each batch adds one to each)
        self._most_files = _open_files_allowed() - OPEN_FILES - 128  # what compacting one index may open
        self._batches: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self._idle = threading.Event()
        self._idle.set()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="vankien-store-loader", daemon=True)
        self._thread.start()

    def load(self, nquads: bytes) -> None:
        self.wait()
        self._idle.clear()
        self._batches.put(nquads)

    def wait(self) -> None:
        self._idle.wait()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """End the thread once the batch it loads (if any) is in; nothing more is loaded."""
        if self._thread.is_alive():
            self._idle.wait()
            self._batches.put(None)
            self._thread.join()

    def _run(self) -> None:
        while (batch := self._batches.get()) is not None:
            if self._error is None:
                try:
                    self._store.bulk_load(input=batch, format=RdfFormat.N_QUADS, lenient=True)
                    self._files += 1
                    if self._files > self._most_files:  # count them: compactions may have merged some
                        self._files = _files_per_index(self._path)
                    # the threads exist once a batch is loaded; too many files to merge at once: merge now
                    _background_priority(idle=self._files <= self._most_files)
                except BaseException as error:  # noqa: BLE001 - handed to the build's thread
                    self._error = error
            del batch
            self._idle.set()


def _background_priority(*, idle: bool) -> None:
    """Put RocksDB's background threads at idle priority (or back to normal). Linux only; best effort: an
    unprivileged process may not be allowed back to normal (RLIMIT_NICE), and then compacts when idle."""
    if not hasattr(os, "sched_setscheduler"):
        return
    policy = os.SCHED_IDLE if idle else os.SCHED_OTHER
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError):
                with open(f"/proc/self/task/{task}/comm", encoding="utf-8") as comm:
                    if not comm.read().startswith(_BACKGROUND):
                        continue
                if os.sched_getscheduler(int(task)) != policy:
                    os.sched_setscheduler(int(task), policy, os.sched_param(0))


def _open(path: Path) -> Store:
    """A new store that keeps at most about OPEN_FILES of its files open. RocksDB keeps every file it opened
    open, with its index in memory (~25 KB), as many as the limit on open files allows when the store is
    opened: with thousands of files piled up, that was 200 MB at 100k articles. The limit is lowered for the
    opening, then raised as far as allowed: the final compaction opens all the piled-up files at once."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ValueError, OSError):
        return Store(str(path))
    opening = OPEN_FILES + 48  # oxigraph keeps 48 for other uses
    if soft != resource.RLIM_INFINITY and soft < opening:
        opening = soft
    try:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (opening, hard))
        return Store(str(path))
    finally:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft if hard == resource.RLIM_INFINITY else max(soft, hard), hard))


def _open_files_allowed() -> int:
    try:
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    except (ValueError, OSError):
        return 1 << 20
    return 1 << 20 if hard == resource.RLIM_INFINITY else hard


def _files_per_index(path: Path) -> int:
    """About the most files one column family of the store has (a store has ten that grow alike)."""
    try:
        return sum(1 for name in os.listdir(path) if name.endswith(".sst")) // 8
    except OSError:
        return 0


def check_store(path: Path, counts: StoreCounts) -> None:
    """Reopen the store read-only: it must open, and hold every graph the build wrote."""
    store = Store.read_only(str(path))
    graphs = sum(1 for _ in store.named_graphs())
    if graphs != counts.graphs:
        raise BuildCheckError(f"{path}: the store holds {graphs} named graphs, the build wrote {counts.graphs}")

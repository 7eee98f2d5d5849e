"""The build's on-disk pyoxigraph store, loaded as rendered graphs stream in, and checked afterwards.

Every graph goes in as a named graph, and every triple once more into the default graph: the
deduplicated union, stored once (DESIGN.md "Measured facts": the store's union-default-graph mode
made joins ~150x slower, so the build never relies on it). Text goes to pyoxigraph's bulk loader in
batches of about `LOAD_BATCH` bytes, so memory stays bounded however big the corpus.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Store

LOAD_BATCH = 16 << 20  # bulk loading takes ~3x its input in memory


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
        self._store: Store | None = Store(str(path))
        self._pending: list[bytes] = []
        self._size = 0

    def add(self, nquads: bytes, empty_graphs: tuple[str, ...] = ()) -> None:
        """Quads to load (soon); `empty_graphs` are named graphs without any."""
        for graph in empty_graphs:
            self._opened().add_graph(NamedNode(graph))
        self._pending.append(nquads)
        self._size += len(nquads)
        if self._size >= LOAD_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._opened().bulk_load(input=b"".join(self._pending), format=RdfFormat.N_QUADS)
            self._pending, self._size = [], 0

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
                self._store.flush()
                self._store.optimize()
        finally:
            self._store = None

    def _opened(self) -> Store:
        if self._store is None:
            raise ValueError(f"{self.path}: the store is closed")
        return self._store


def check_store(path: Path, counts: StoreCounts) -> None:
    """Reopen the store read-only: it must open, and hold every graph the build wrote."""
    store = Store.read_only(str(path))
    graphs = sum(1 for _ in store.named_graphs())
    if graphs != counts.graphs:
        raise BuildCheckError(f"{path}: the store holds {graphs} named graphs, the build wrote {counts.graphs}")

"""Values computed once per published build: the search index, class orders, VoID counts.

A published build never changes, so a value is kept until the store serves another build id;
several keys (one per class ...) can share one `PerBuild`.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from server.data.store import GraphStore

V = TypeVar("V")


class PerBuild(Generic[V]):
    def __init__(self, compute: Callable[..., V]) -> None:
        self._compute = compute  # compute(store, *key)
        self._lock = threading.Lock()  # first uses arrive together from worker threads: compute once
        self._build: str | None = None
        self._values: dict[tuple[Hashable, ...], V] = {}

    def get(self, store: GraphStore, *key: Hashable) -> V:
        """`compute(store, *key)` for the store's build, computed on first use (call it in a worker thread)."""
        build = store.build_id
        with self._lock:
            if build != self._build:
                self._build, self._values = build, {}
            if key not in self._values:
                self._values[key] = self._compute(store, *key)
            return self._values[key]

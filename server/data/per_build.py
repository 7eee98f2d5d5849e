"""Values computed once per published build: the search index, class orders, VoID counts.

A published build never changes, so a value is kept for as long as its build is served. While a running
server switches builds, requests on the old one and on the new one run side by side: the values of the
`BUILDS` most recent builds are kept, so neither side makes the other compute again. Several keys (one
per class ...) can share one `PerBuild`.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from server.data.store import GraphStore

V = TypeVar("V")
BUILDS = 2  # the build being retired and the one taking over


class PerBuild(Generic[V]):
    def __init__(self, compute: Callable[..., V]) -> None:
        self._compute = compute  # compute(store, *key)
        self._lock = threading.Lock()  # first uses arrive together from worker threads: compute once
        self._builds: OrderedDict[str, dict[tuple[Hashable, ...], V]] = OrderedDict()

    def get(self, store: GraphStore, *key: Hashable) -> V:
        """`compute(store, *key)` for the store's build, computed on first use (call it in a worker thread)."""
        build = store.build_id
        with self._lock:
            values = self._builds.get(build)
            if values is None:
                values = self._builds[build] = {}
                while len(self._builds) > BUILDS:
                    self._builds.popitem(last=False)
            if key not in values:
                values[key] = self._compute(store, *key)
            return values[key]

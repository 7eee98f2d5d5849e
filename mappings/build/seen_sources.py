"""What phase 1 made of each source in the last published build, so that a file not touched since is not read again;
and the records each web archive holds.

A source is known by its file's path, size, modification and change times (nanoseconds) and inode, and its place
in the file (a web archive's record): the way git's index tells an unchanged file without reading it. Phase 1
costs a `stat` for such a file, not a read, an extraction cache lookup and a story fingerprint. The record is
written once a build is published (a failed build may have taken back cache entries it names), and an entry
whose cache entry is gone is not used.
"""
from __future__ import annotations

import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mappings.reading.archives import Index, index_archive
from mappings.reading.sources import RECORD, Source

FILE, ARCHIVES = "sources.pickle", "archives.pickle"
StatKey = tuple[Any, ...]


def stat_key(source: Source) -> StatKey | None:
    """The source as its file is now; None if it cannot be stat'ed (phase 1 then says why)."""
    found = _file_key(source.path)
    return None if found is None else (source.name, source.kind, source.offset if source.kind == RECORD else 0,
                                       source.uri, *found)


def _file_key(path: Path) -> StatKey | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


class KnownArchives:
    """`index_archive` remembered per file (by its stat key): a crawl's archive is not read through at every build
    to list its records, only once it changed. `save` once the build is published."""

    def __init__(self, cache: Path) -> None:
        self._cache = cache
        self._known: dict[StatKey, Index] = _load(cache / ARCHIVES)
        self._now: dict[StatKey, Index] = {}

    def __call__(self, path: Path) -> Index:
        key = _file_key(path)
        index = self._known.get(key) if key is not None else None
        if index is None:
            index = index_archive(path)
        if key is not None:
            self._now[key] = index
        return index

    def save(self) -> None:
        if self._now or self._known:
            _save(self._cache / ARCHIVES, self._now)


def load_seen(cache: Path) -> dict[StatKey, Any]:
    """stat key → what phase 1 made of it (`ReadArticle`), from the cache directory; empty when unreadable."""
    return _load(cache / FILE)


def save_seen(cache: Path, seen: Iterable[tuple[StatKey, Any]]) -> None:
    _save(cache / FILE, dict(seen))


def _load(path: Path) -> dict[StatKey, Any]:
    try:
        known = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, ImportError):
        return {}
    return known if isinstance(known, dict) else {}


def _save(path: Path, known: dict[StatKey, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(path)

"""What phase 1 made of each source in the last published build, so that a file not touched since is not read again.

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

from mappings.reading.sources import RECORD, Source

FILE = "sources.pickle"
StatKey = tuple[Any, ...]


def stat_key(source: Source) -> StatKey | None:
    """The source as its file is now; None if it cannot be stat'ed (phase 1 then says why)."""
    try:
        info = os.stat(source.path)
    except OSError:
        return None
    return (str(source.path), source.name, source.kind, source.offset if source.kind == RECORD else 0, source.uri,
            info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def load_seen(cache: Path) -> dict[StatKey, Any]:
    """stat key → what phase 1 made of it (`ReadArticle`), from the cache directory; empty when unreadable."""
    try:
        seen = pickle.loads((cache / FILE).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, ImportError):
        return {}
    return seen if isinstance(seen, dict) else {}


def save_seen(cache: Path, seen: Iterable[tuple[StatKey, Any]]) -> None:
    temporary = cache / f"{FILE}.{os.getpid()}.tmp"
    temporary.write_bytes(pickle.dumps(dict(seen), protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(cache / FILE)

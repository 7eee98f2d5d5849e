"""The page data a build prepared (`mappings.publishing.page_data`): a few rows per page instead of queries
over the whole store. Opened with its build (`GraphStore.published`), read-only, one per build served.

A build without it (made before it existed, of another version or cut), a `--dataset` file and a remote
`--store` have none: `GraphStore.page_data` is None, and pages compute the same per request.
"""

import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from mappings.publishing.page_data import (
    FILE,
    MAX_EVIDENCE,
    NOT_INCOMING,
    PAGE_SIZE,
    choose_quotes,
    constants,
)
from mappings.publishing.page_queries import NEIGHBOURS
from mappings.publishing.quotes import decode

__all__ = ["MAX_EVIDENCE", "NEIGHBOURS", "NOT_INCOMING", "PAGE_SIZE", "PageData", "choose_quotes"]
LOG = logging.getLogger("uvicorn.error")
Term = NamedNode | Literal
Fact = tuple[NamedNode, NamedNode, Term]


class PageData:
    """One build's `pages.sqlite`, shared by the request threads (SQLite serialises them; each read is a few
    index lookups)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, build_dir: Path) -> "PageData | None":
        """The build's page data, or None when it has none this server can read (it then computes per request)."""
        path = build_dir / FILE
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            meta = dict(db.execute("SELECT key, value FROM meta"))
        except sqlite3.Error as error:
            LOG.warning("%s: not read (%s); pages are computed per request", path, error)
            return None
        meta.pop("quads", None)
        if meta != constants():
            LOG.warning("%s: made for another version of the pages; they are computed per request", path)
            db.close()
            return None
        return cls(db)

    def close(self) -> None:
        self._db.close()

    @staticmethod
    def covers(iri: str) -> bool:
        """Whether the rows describe `iri` (every resource; not the statements inside an article graph)."""
        return "#" not in iri

    def incoming(self, iri: str) -> list[tuple[str, int, tuple[NamedNode, ...]]]:
        """(property, how many links, the subjects of the first page), by property IRI."""
        rows = self._all("SELECT predicate, count, first FROM incoming WHERE resource = ? ORDER BY predicate", iri)
        return [(p, n, tuple(NamedNode(s) for s in first.split("\n"))) for p, n, first in rows]

    def neighbours(self, iri: str, cls: str, name: str) -> tuple[tuple[NamedNode, ...], int]:
        """The items the page draws of one kind, and how many more there are."""
        rows = self._all("SELECT items, more FROM neighbours WHERE resource = ? AND kind = ?", iri, f"{cls} {name}")
        if not rows:
            return (), 0
        items, more = rows[0]
        return tuple(NamedNode(item[1:-1]) for item in items.split("\n")), more

    def evidence(self, facts: Iterable[Fact]) -> dict[Fact, tuple[int, list[Triple]]]:
        """Per fact reported: how many stories report it, and what the page shows of the statements quoted."""
        found: dict[Fact, tuple[int, bytes]] = {}
        with self._lock:
            for fact in facts:
                s, p, o = fact
                row = self._db.execute(
                    "SELECT reported, quoted FROM evidence WHERE subject = ? AND predicate = ? AND object = ?",
                    (s.value, p.value, str(o)),
                ).fetchone()
                if row is not None:
                    found[fact] = row
        return {fact: (reported, decode(quoted)) for fact, (reported, quoted) in found.items()}

    def _all(self, sql: str, *args: str) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()


"""The full-text search index (`search.sqlite`, search_index.py) of a build made from the previous one,
brought up to date instead of written whole.

A build made from the previous one brings its index up to date (`update_search_index`) in time proportional
to the change: the entries of the resources it touches (the subjects of its quads, the articles whose graph
changed, the entries reading what changed: `READS`) are removed, then written again by the code that writes a
whole index, which runs its queries bound to those resources. A contentless FTS5 row is removed by giving the
values it was made of again: `indexed` keeps each entry's folded names and texts, and an article's body is
made again from `bodies`.
"""
from __future__ import annotations

import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from itertools import chain
from pathlib import Path

from pyoxigraph import NamedNode, Quad, Store

from mappings.publishing.search_index import (
    FILE,
    PREFIXES,
    VERSION,
    VK,
    Entry,
    answers,
    body_form,
    read_entries,
    sync,
    write_bodies,
    write_entries,
    write_search_index,
)

# What the queries of search_index.py read of resources other than the entry's own: a property (the key) of the resources
# at the end of a path from the entry. A change of that property there changes the entries at the other end.
READS = {
    "http://www.w3.org/2000/01/rdf-schema#label": ("a", "vk:province|vk:heldIn", "org:hasMembership",
                                                  "org:hasMembership/org:organization/vk:province"),
    "http://www.w3.org/ns/org#organization": ("org:hasMembership",),
    VK + "province": ("org:hasMembership/org:organization",),
}
READERS = PREFIXES + "SELECT DISTINCT ?s WHERE {{ ?s {path} ?x }}"


def update_search_index(previous: Path, build: Path, base: str, removed: Iterable[Quad], added: Iterable[Quad],
                        bodies: Iterable[tuple[str, str]], *,
                        all_bodies: Callable[[], Iterable[tuple[str, str]]]) -> Path:
    """`build/search.sqlite` for the store in `build/store`, made from `previous/search.sqlite` and the change
    from previous's store to this one: `removed` and `added` hold the quads of the default graph (the union,
    which the index reads) and of the named graphs (whose names tell which articles changed).

    The entries of the resources the change touches are made again (`_touched`); `bodies` are the (article IRI,
    body text) of the articles added or changed, which may come one by one; an article touched but not among
    them keeps the body the previous index had, and an article whose graph was removed loses its entry. The
    index finds exactly what `write_search_index(build, base, every body)` would (row numbers differ). When the
    previous index cannot be updated (missing, of another VERSION, or older than updates), the index is
    written whole from `all_bodies()`. The file is complete and synced when this returns."""
    source = previous / FILE
    if not _updatable(source):
        return write_search_index(build, base, all_bodies())
    store = Store.read_only(str(build / "store"))
    touched = _touched(store, base, removed, added)
    entries = read_entries(store, base, touched)
    partial = build / f"{FILE}.partial"
    try:
        shutil.copyfile(source, partial)
        db = sqlite3.connect(partial)
        try:
            db.execute("PRAGMA journal_mode = OFF")  # a copy: thrown away, not rolled back, when the update fails
            _rewrite(db, touched, entries, bodies)
            db.commit()  # no 'optimize': it rewrites the FTS index (220 ms at 4,000 articles, more than the update
            # itself); FTS5's automerge keeps the segments few
        finally:
            db.close()
        sync(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial.replace(build / FILE)


def _updatable(path: Path) -> bool:
    """Whether `path` is an index of this VERSION, with the `indexed` rows an update removes entries by."""
    if not path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            indexed = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'indexed'").fetchone()
    except sqlite3.Error:
        return False
    return bool(version == VERSION and indexed)


def _touched(store: Store, base: str, removed: Iterable[Quad], added: Iterable[Quad]) -> set[str]:
    """The resources whose entries a change may alter: the subjects of the default graph's changed quads, the
    articles whose graph changed (their body may have) and the entries reading a changed property (READS)."""
    touched: set[str] = set()
    changed: defaultdict[str, set[str]] = defaultdict(set)  # a property read → the resources where it changed
    for quad in chain(removed, added):
        if isinstance(quad.graph_name, NamedNode):
            touched.add(quad.graph_name.value)
        elif isinstance(quad.subject, NamedNode):  # the build mints no blank nodes
            touched.add(quad.subject.value)
            if quad.predicate.value in READS:
                changed[quad.predicate.value].add(quad.subject.value)
    for prop, resources in changed.items():
        for path in READS[prop]:  # one query a path: a UNION of them took 160 ms where these take 3
            touched.update(row["s"].value for row in answers(store, READERS.format(path=path), base, ("?x", resources)))
    return {iri for iri in touched if iri.startswith(f"{base}id/")}


def _rewrite(db: sqlite3.Connection, touched: set[str], entries: dict[str, Entry],
             bodies: Iterable[tuple[str, str]]) -> None:
    """The rows of the resources `touched` removed and their `entries` written again, under new numbers."""
    first = db.execute("SELECT coalesce(max(id), 0) + 1 FROM entries").fetchone()[0]
    old = _remove_entries(db, touched)
    waiting = write_entries(db, entries, first)
    write_bodies(db, waiting, chain(bodies, _kept_bodies(db, waiting, old)))
    db.executemany("DELETE FROM bodies WHERE id = ?", ((number,) for number in old.values()))


def _remove_entries(db: sqlite3.Connection, iris: Iterable[str]) -> dict[str, int]:
    """The rows of the entries of `iris` removed, but for their bodies (an article may keep its own): their numbers."""
    old = {}
    for iri in iris:
        if (row := db.execute("SELECT id FROM entries WHERE iri = ?", (iri,)).fetchone()) is not None:
            old[iri] = row[0]
    for number in old.values():  # a contentless FTS row is removed by giving the values it was made of again
        names, texts = db.execute("SELECT names, texts FROM indexed WHERE id = ?", (number,)).fetchone()
        body = db.execute("SELECT text FROM bodies WHERE id = ?", (number,)).fetchone()
        db.execute("INSERT INTO search(search, rowid, names, texts, body) VALUES ('delete', ?, ?, ?, ?)",
                   (number, names, texts, body_form(body[0]) if body else ""))
    for table in ("entries", "classes", "exact", "texts", "indexed"):
        db.executemany(f"DELETE FROM {table} WHERE id = ?", ((number,) for number in old.values()))
    return old


def _kept_bodies(db: sqlite3.Connection, waiting: dict[str, tuple[int, str, str]],
                 old: dict[str, int]) -> Iterator[tuple[str, str]]:
    """The previous bodies of the articles still waiting once the new bodies are written (what they read changed,
    their text did not). A generator, chained after the new bodies: it looks at `waiting` only then."""
    for iri in [iri for iri in waiting if iri in old]:
        if (row := db.execute("SELECT text FROM bodies WHERE id = ?", (old[iri],)).fetchone()) is not None:
            yield iri, row[0]

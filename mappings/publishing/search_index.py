"""The build's full-text search index, `search.sqlite` beside the store: SQLite FTS5, written once the store is.

Every resource under the build's `id/` is one row of the FTS5 table `search`, in three columns ranked with
bm25 at different weights: `names` (labels and names in every language, and a document's symbol in the
spellings people type: `39-CT/TW`, `CT 39`, `Chỉ thị 39`, `Chỉ thị số 39`, `Directive 39`), `texts` (other
labels, a document's title, an official's posts and provinces) and `body` (an article's whole text, from the
extraction cache: the build passes the bodies one by one, the index never holds the corpus). Texts are
folded before SQLite sees them (marks removed, đ → d, lower case, numbers without leading zeros: SQLite's
`remove_diacritics` keeps đ), so a query is folded the same way:

>>> folded("Chỉ thị số 05-CT/TW, Đảng bộ Thanh Hoá")
'chi thi so 5 ct tw dang bo thanh hoa'

`entries` holds what a result shows without asking the store: its classes, labels, the parts of its
description line (class, date, province, title, posts: namesakes are told apart by these) and a boost by
class (a document before an article that mentions it); `exact` holds each name folded whole (and a symbol's
parts sorted), so the resource named exactly as asked comes first; `texts` and `bodies` keep the original
texts, to show what matched. The server opens the file read-only (server/data/fulltext.py).

A build made from the previous one brings its index up to date (`update_search_index`) in time proportional
to the change: the entries of the resources it touches (the subjects of its quads, the articles whose graph
changed, the entries reading what changed: `READS`) are removed, then written again by the code that writes a
whole index, which runs its queries bound to those resources. A contentless FTS5 row is removed by giving the
values it was made of again: `indexed` keeps each entry's folded names and texts, and an article's body is
made again from `bodies`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from pyoxigraph import NamedNode, Quad, QuerySolutions, Store

from mappings.reading.text import fold, match_form, nfc

FILE = "search.sqlite"
VERSION = 1  # PRAGMA user_version: a server reads only the version it knows
NAMES, TEXTS, BODY = range(3)  # the FTS columns; also the kind of a text in `texts`
WEIGHTS = (12.0, 3.0, 1.0)  # bm25 weight of each column
SYMBOL_KIND = 3  # a symbol among the names (`texts.kind`), shown as what matched
BOOSTS = {"Province": 4.0, "Organization": 3.0, "Official": 3.0, "Meeting": 2.0, "Article": 1.0}
DOCUMENT_BOOST = 3.5  # every subclass of vk:Document
OTHER_BOOST = 1.5
WORD = re.compile(r"[^\W_]+")
# An article's body is only made ready for SQLite's tokenizer, which folds case and marks itself (unicode61,
# remove_diacritics 2) but keeps đ: folding it here cost a build of 2,000 articles 8 s (and str.translate 1.7 s), this 0.6 s.
_ZEROS = re.compile(r"\b0+(?=\d+\b)")
_NUMBER = re.compile(r"\d+")
_VALUES = re.compile(r"VALUES (\?\w+) \{([^}]*)\}")

_VK = "https://w3id.org/vankien/ontology#"
_PREFIXES = f"""PREFIX vk: <{_VK}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
_OWN = "FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?base)))"
_TEXTS = "VALUES ?p { rdfs:label foaf:name skos:prefLabel vk:symbol skos:altLabel vk:title }"
# From the resources with texts: the evidence nodes, most of the typed ones, have none.
TYPES = _PREFIXES + f"SELECT DISTINCT ?s ?class WHERE {{ {_TEXTS} ?s ?p ?text {_OWN} ?s a ?class }}"
CLASS_LABELS = _PREFIXES + "SELECT ?class ?label WHERE { ?class rdfs:label ?label }"  # bound to the classes found
NAMED = _PREFIXES + f"SELECT ?s ?p ?text WHERE {{ {_TEXTS} ?s ?p ?text {_OWN} FILTER(isLITERAL(?text)) }}"
DATES = _PREFIXES + f"SELECT ?s ?date WHERE {{ VALUES ?p {{ vk:issuedOn vk:heldOn vk:published }} ?s ?p ?date {_OWN} }}"
PLACES = _PREFIXES + f"""SELECT ?s ?place ?label WHERE {{
  VALUES ?p {{ vk:province vk:heldIn }} ?s ?p ?place {_OWN} ?place rdfs:label ?label }}"""
POST_PLACES = _PREFIXES + f"""SELECT ?s ?place ?label WHERE {{
  ?s org:hasMembership ?post {_OWN} ?post org:organization ?body . ?body vk:province ?place . ?place rdfs:label ?label }}"""
POSTS = _PREFIXES + f"SELECT ?s ?post WHERE {{ ?s org:hasMembership/rdfs:label ?post {_OWN} }}"
# What the queries above read of resources other than the entry's own: a property (the key) of the resources
# at the end of a path from the entry. A change of that property there changes the entries at the other end.
READS = {
    "http://www.w3.org/2000/01/rdf-schema#label": ("a", "vk:province|vk:heldIn", "org:hasMembership",
                                                  "org:hasMembership/org:organization/vk:province"),
    "http://www.w3.org/ns/org#organization": ("org:hasMembership",),
    _VK + "province": ("org:hasMembership/org:organization",),
}
READERS = _PREFIXES + "SELECT DISTINCT ?s WHERE {{ ?s {path} ?x }}"
SCHEMA = f"""
CREATE VIRTUAL TABLE search USING fts5(names, texts, body, tokenize = 'unicode61 remove_diacritics 2',
                                       content = '', detail = 'column');
CREATE TABLE entries (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, classes TEXT NOT NULL,
                      labels TEXT NOT NULL, description TEXT NOT NULL, boost REAL NOT NULL);
CREATE TABLE classes (class TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (class, id)) WITHOUT ROWID;
CREATE INDEX classes_of ON classes (id);
CREATE TABLE exact (key TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID;
CREATE INDEX exact_of ON exact (id);
CREATE TABLE texts (id INTEGER NOT NULL, kind INTEGER NOT NULL, value TEXT NOT NULL);
CREATE INDEX texts_of ON texts (id);
CREATE TABLE bodies (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE indexed (id INTEGER PRIMARY KEY, names TEXT NOT NULL, texts TEXT NOT NULL);
PRAGMA user_version = {VERSION};
"""


def words(text: str) -> list[str]:
    """The folded words of a text; numbers lose their leading zeros (`03-KH/TW` is `3 kh tw`)."""
    out = []
    for word in WORD.findall(fold(match_form(nfc(text)))):
        out.append(word.lstrip("0") or "0" if word.isdigit() else word)
    return out


def folded(text: str) -> str:
    return " ".join(words(text))


def body_form(text: str) -> str:
    """A long text as the tokenizer is to read it: the same words as `words`, found much faster.

    >>> body_form("Đảng bộ, Chỉ thị 05-CT/TW, 000km2")
    'Dảng bộ, Chỉ thị 5-CT/TW, 000km2'
    """
    for letter, plain in (("đ", "d"), ("Đ", "D"), ("\u00d0", "D"), ("\u00f0", "d")):  # Ð, ð: eth written for Đ
        text = text.replace(letter, plain)
    return _ZEROS.sub("", text)


def match_expression(text: str) -> str | None:
    """The FTS5 query for every folded word of `text` (each quoted: no operator can be typed), or None."""
    found = words(text)
    return " ".join(f'"{word}"' for word in dict.fromkeys(found)) if found else None


def exact_keys(text: str) -> tuple[str, str]:
    """The keys of `exact` a query looks up: its words in order, and sorted (a symbol's parts in any order)."""
    found = words(text)
    return " ".join(found), "~" + " ".join(sorted(found))


@dataclass(slots=True)
class _Entry:
    classes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # class → its vi, en labels
    texts: list[tuple[int, str, str | None]] = field(default_factory=list)  # (kind, value, property's local name)
    labels: dict[str, str] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)
    places: dict[str, dict[str, str]] = field(default_factory=dict)  # province IRI → language → label
    posts: set[str] = field(default_factory=set)


def write_search_index(build: Path, base: str, bodies: Iterable[tuple[str, str]] = ()) -> Path:
    """Write `build/search.sqlite` from the store in `build/store` (written and closed) and the articles'
    `(IRI, body text)`, which may come one by one; the file is complete and synced when this returns."""
    entries = _entries(Store.read_only(str(build / "store")), base)
    path = build / FILE
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        waiting = _write_entries(db, entries, 1)  # a contentless FTS row is written once: articles wait for their body
        del entries
        _write_bodies(db, waiting, bodies)
        db.execute("INSERT INTO search(search) VALUES ('optimize')")
        db.commit()
    finally:
        db.close()
    _sync(path)
    return path


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
    entries = _entries(store, base, touched)
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
        _sync(partial)
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


def _sync(path: Path) -> None:
    with path.open("rb") as written:
        os.fsync(written.fileno())


def _rows(store: Store, query: str, base: str, bound: tuple[str, Collection[str]] | None = None) -> QuerySolutions:
    """The answers to `query`; `bound`, a variable and IRIs, keeps them to those IRIs: a VALUES block of them
    comes first and the query's own VALUES become FILTERs (oxigraph joins two VALUES blocks over the whole
    store: NAMED for the 65 resources of an article took 190 ms so, 1.3 ms with a FILTER)."""
    query = query.replace("?base", f'"{base}id/"')
    if bound is not None:
        variable, iris = bound
        query = _VALUES.sub(lambda found: f"FILTER({found[1]} IN ({', '.join(found[2].split())}))", query)
        values = " ".join(str(NamedNode(iri)) for iri in iris)
        query = query.replace("WHERE {", f"WHERE {{ VALUES {variable} {{ {values} }}", 1)
    rows = store.query(query)
    assert isinstance(rows, QuerySolutions)
    return rows


def _entries(store: Store, base: str, subjects: Collection[str] | None = None) -> dict[str, _Entry]:
    """The entries of the resources `subjects` (of every resource when None) that have texts."""
    def rows(query: str) -> QuerySolutions:
        return _rows(store, query, base, None if subjects is None else ("?s", subjects))

    entries: defaultdict[str, _Entry] = defaultdict(_Entry)
    _add_classes(entries, [(row["s"].value, row["class"].value) for row in rows(TYPES)], store, base)
    for row in rows(NAMED):
        entry, prop, text = entries[row["s"].value], row["p"].value, row["text"]
        local = prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        kind = NAMES if local in ("label", "name", "prefLabel") else SYMBOL_KIND if local == "symbol" else TEXTS
        entry.texts.append((kind, text.value, local))
        if kind == NAMES:
            lang = getattr(text, "language", None) or ""
            entry.labels[lang] = min(entry.labels.get(lang, text.value), text.value)
    for row in rows(DATES):
        entries[row["s"].value].dates.add(row["date"].value)
    for row in (*rows(PLACES), *rows(POST_PLACES)):
        label = row["label"]
        entries[row["s"].value].places.setdefault(row["place"].value, {})[label.language or ""] = label.value
    for row in rows(POSTS):
        entries[row["s"].value].posts.add(row["post"].value)
    return {iri: entry for iri, entry in entries.items() if entry.texts}


def _add_classes(entries: defaultdict[str, _Entry], types: list[tuple[str, str]], store: Store, base: str) -> None:
    """Each resource's classes (`types`: resource, class) with their labels in vi and en."""
    labels: defaultdict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows(store, CLASS_LABELS, base, ("?class", {class_ for _, class_ in types})):
        labels[row["class"].value][row["label"].language or ""] = row["label"].value
    for resource, class_ in types:
        entries[resource].classes[class_] = (labels[class_].get("vi"), labels[class_].get("en"))


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
            touched.update(row["s"].value for row in _rows(store, READERS.format(path=path), base, ("?x", resources)))
    return {iri for iri in touched if iri.startswith(f"{base}id/")}


def _rewrite(db: sqlite3.Connection, touched: set[str], entries: dict[str, _Entry],
             bodies: Iterable[tuple[str, str]]) -> None:
    """The rows of the resources `touched` removed and their `entries` written again, under new numbers."""
    first = db.execute("SELECT coalesce(max(id), 0) + 1 FROM entries").fetchone()[0]
    old = _remove_entries(db, touched)
    waiting = _write_entries(db, entries, first)
    _write_bodies(db, waiting, chain(bodies, _kept_bodies(db, waiting, old)))
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


def _write_entries(db: sqlite3.Connection, entries: dict[str, _Entry], first: int) -> dict[str, tuple[int, str, str]]:
    """Every entry written, numbered from `first`, and the FTS rows of the articles (by IRI), which wait for their bodies."""
    waiting: dict[str, tuple[int, str, str]] = {}
    for number, (iri, entry) in enumerate(sorted(entries.items()), start=first):
        names, texts, keys = _columns(entry)
        classes = sorted(entry.classes)
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                   (number, iri, json.dumps(classes), json.dumps(entry.labels, ensure_ascii=False),
                    json.dumps(_description(entry), ensure_ascii=False), _boost(classes)))
        db.execute("INSERT INTO indexed VALUES (?, ?, ?)", (number, names, texts))
        if _VK + "Article" in entry.classes:
            waiting[iri] = (number, names, texts)
        else:
            db.execute("INSERT INTO search(rowid, names, texts, body) VALUES (?, ?, ?, '')", (number, names, texts))
        db.executemany("INSERT OR IGNORE INTO classes VALUES (?, ?)", ((c, number) for c in classes))
        db.executemany("INSERT OR IGNORE INTO exact VALUES (?, ?)", ((key, number) for key in keys if key))
        shown = [(SYMBOL_KIND if kind == SYMBOL_KIND else kind, value) for kind, value, _ in entry.texts]
        shown += [(TEXTS, post) for post in sorted(entry.posts)]
        db.executemany("INSERT INTO texts VALUES (?, ?, ?)", ((number, kind, value) for kind, value in shown))
    return waiting


def _write_bodies(db: sqlite3.Connection, waiting: dict[str, tuple[int, str, str]],
                  bodies: Iterable[tuple[str, str]]) -> None:
    """The FTS rows of the articles `waiting`, each with its body if `bodies` has it (others are not in the store)."""
    for iri, text in bodies:
        if (row := waiting.pop(iri, None)) is not None:
            db.execute("INSERT INTO search(rowid, names, texts, body) VALUES (?, ?, ?, ?)", (*row, body_form(text)))
            db.execute("INSERT INTO bodies VALUES (?, ?)", (row[0], text))
    db.executemany("INSERT INTO search(rowid, names, texts, body) VALUES (?, ?, ?, '')", waiting.values())


def _columns(entry: _Entry) -> tuple[str, str, set[str]]:
    """The folded `names` and `texts` columns of a resource, and its `exact` keys."""
    names = [value for kind, value, _ in entry.texts if kind == NAMES]
    for kind, symbol, _ in entry.texts:
        if kind == SYMBOL_KIND:
            names += symbol_spellings(symbol, [labels for c, labels in entry.classes.items() if c != _VK + "Document"])
    keys = {folded(name) for name in names}
    keys |= {"~" + " ".join(sorted(words(v))) for kind, v, _ in entry.texts if kind == SYMBOL_KIND}
    others = [value for kind, value, _ in entry.texts if kind == TEXTS] + sorted(entry.posts)
    others += [label for labels in entry.places.values() for label in labels.values()]
    return " ; ".join(map(folded, names)), " ; ".join(map(folded, others)), keys


def symbol_spellings(symbol: str, class_labels: Iterable[tuple[str | None, str | None]]) -> Iterator[str]:
    """The ways people write a document's symbol: as is, its code and number, its type's name and number.

    >>> list(symbol_spellings("39-CT/TW", [("Chỉ thị", "Directive")]))
    ['39-CT/TW', 'CT 39', 'Chỉ thị 39', 'Chỉ thị số 39', 'Chỉ thị số 39-CT/TW', 'Directive 39', 'Directive 39-CT/TW']
    """
    yield symbol
    number = _NUMBER.search(symbol)
    if number is None:
        return
    code = re.split(r"[-/\s]+", symbol[number.end():].strip("-/ "))[0]
    if code:
        yield f"{code} {number.group()}"
    for vi, en in class_labels:
        if vi:
            yield from (f"{vi} {number.group()}", f"{vi} số {number.group()}", f"{vi} số {symbol}")
        if en:
            yield from (f"{en} {number.group()}", f"{en} {symbol}")


def _description(entry: _Entry) -> dict[str, object]:
    """The parts of a result's description line: date, provinces (per language), title, posts."""
    title = next((value for kind, value, local in entry.texts if local == "title"), None)
    return {"date": max(entry.dates, default=None), "places": [entry.places[p] for p in sorted(entry.places)],
            "title": title, "posts": sorted(entry.posts)}


def _boost(classes: list[str]) -> float:
    names = [c.removeprefix(_VK) for c in classes if c.startswith(_VK)]
    if "Document" in names:
        return DOCUMENT_BOOST
    return max((BOOSTS.get(name, OTHER_BOOST) for name in names), default=1.0)

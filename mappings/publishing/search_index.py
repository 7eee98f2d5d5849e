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

A build made from the previous one brings its index up to date (`search_index_update`) with the code here that
writes a whole index.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, QuerySolutions, Store

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

VK = "https://w3id.org/vankien/ontology#"
PREFIXES = f"""PREFIX vk: <{VK}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
_OWN = "FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?base)))"
_TEXTS = "VALUES ?p { rdfs:label foaf:name skos:prefLabel vk:symbol skos:altLabel vk:title }"
# From the resources with texts: the evidence nodes, most of the typed ones, have none.
TYPES = PREFIXES + f"SELECT DISTINCT ?s ?class WHERE {{ {_TEXTS} ?s ?p ?text {_OWN} ?s a ?class }}"
CLASS_LABELS = PREFIXES + "SELECT ?class ?label WHERE { ?class rdfs:label ?label }"  # bound to the classes found
NAMED = PREFIXES + f"SELECT ?s ?p ?text WHERE {{ {_TEXTS} ?s ?p ?text {_OWN} FILTER(isLITERAL(?text)) }}"
DATES = PREFIXES + f"SELECT ?s ?date WHERE {{ VALUES ?p {{ vk:issuedOn vk:heldOn vk:published }} ?s ?p ?date {_OWN} }}"
PLACES = PREFIXES + f"""SELECT ?s ?place ?label WHERE {{
  VALUES ?p {{ vk:province vk:heldIn }} ?s ?p ?place {_OWN} ?place rdfs:label ?label }}"""
POST_PLACES = PREFIXES + f"""SELECT ?s ?place ?label WHERE {{
  ?s org:hasMembership ?post {_OWN} ?post org:organization ?body . ?body vk:province ?place . ?place rdfs:label ?label }}"""
POSTS = PREFIXES + f"SELECT ?s ?post WHERE {{ ?s org:hasMembership/rdfs:label ?post {_OWN} }}"
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
class Entry:
    classes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # class → its vi, en labels
    texts: list[tuple[int, str, str | None]] = field(default_factory=list)  # (kind, value, property's local name)
    labels: dict[str, str] = field(default_factory=dict)
    dates: set[str] = field(default_factory=set)
    places: dict[str, dict[str, str]] = field(default_factory=dict)  # province IRI → language → label
    posts: set[str] = field(default_factory=set)


def write_search_index(build: Path, base: str, bodies: Iterable[tuple[str, str]] = ()) -> Path:
    """Write `build/search.sqlite` from the store in `build/store` (written and closed) and the articles'
    `(IRI, body text)`, which may come one by one; the file is complete and synced when this returns."""
    entries = read_entries(Store.read_only(str(build / "store")), base)
    path = build / FILE
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        waiting = write_entries(db, entries, 1)  # a contentless FTS row is written once: articles wait for their body
        del entries
        write_bodies(db, waiting, bodies)
        db.execute("INSERT INTO search(search) VALUES ('optimize')")
        db.commit()
    finally:
        db.close()
    sync(path)
    return path


def sync(path: Path) -> None:
    with path.open("rb") as written:
        os.fsync(written.fileno())


def answers(store: Store, query: str, base: str, bound: tuple[str, Collection[str]] | None = None) -> QuerySolutions:
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


def read_entries(store: Store, base: str, subjects: Collection[str] | None = None) -> dict[str, Entry]:
    """The entries of the resources `subjects` (of every resource when None) that have texts."""
    def rows(query: str) -> QuerySolutions:
        return answers(store, query, base, None if subjects is None else ("?s", subjects))

    entries: defaultdict[str, Entry] = defaultdict(Entry)
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


def _add_classes(entries: defaultdict[str, Entry], types: list[tuple[str, str]], store: Store, base: str) -> None:
    """Each resource's classes (`types`: resource, class) with their labels in vi and en."""
    labels: defaultdict[str, dict[str, str]] = defaultdict(dict)
    for row in answers(store, CLASS_LABELS, base, ("?class", {class_ for _, class_ in types})):
        labels[row["class"].value][row["label"].language or ""] = row["label"].value
    for resource, class_ in types:
        entries[resource].classes[class_] = (labels[class_].get("vi"), labels[class_].get("en"))


def write_entries(db: sqlite3.Connection, entries: dict[str, Entry], first: int) -> dict[str, tuple[int, str, str]]:
    """Every entry written, numbered from `first`, and the FTS rows of the articles (by IRI), which wait for their bodies."""
    waiting: dict[str, tuple[int, str, str]] = {}
    for number, (iri, entry) in enumerate(sorted(entries.items()), start=first):
        names, texts, keys = _columns(entry)
        classes = sorted(entry.classes)
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                   (number, iri, json.dumps(classes), json.dumps(entry.labels, ensure_ascii=False),
                    json.dumps(_description(entry), ensure_ascii=False), _boost(classes)))
        db.execute("INSERT INTO indexed VALUES (?, ?, ?)", (number, names, texts))
        if VK + "Article" in entry.classes:
            waiting[iri] = (number, names, texts)
        else:
            db.execute("INSERT INTO search(rowid, names, texts, body) VALUES (?, ?, ?, '')", (number, names, texts))
        db.executemany("INSERT OR IGNORE INTO classes VALUES (?, ?)", ((c, number) for c in classes))
        db.executemany("INSERT OR IGNORE INTO exact VALUES (?, ?)", ((key, number) for key in keys if key))
        shown = [(SYMBOL_KIND if kind == SYMBOL_KIND else kind, value) for kind, value, _ in entry.texts]
        shown += [(TEXTS, post) for post in sorted(entry.posts)]
        db.executemany("INSERT INTO texts VALUES (?, ?, ?)", ((number, kind, value) for kind, value in shown))
    return waiting


def write_bodies(db: sqlite3.Connection, waiting: dict[str, tuple[int, str, str]],
                  bodies: Iterable[tuple[str, str]]) -> None:
    """The FTS rows of the articles `waiting`, each with its body if `bodies` has it (others are not in the store)."""
    for iri, text in bodies:
        if (row := waiting.pop(iri, None)) is not None:
            db.execute("INSERT INTO search(rowid, names, texts, body) VALUES (?, ?, ?, ?)", (*row, body_form(text)))
            db.execute("INSERT INTO bodies VALUES (?, ?)", (row[0], text))
    db.executemany("INSERT INTO search(rowid, names, texts, body) VALUES (?, ?, ?, '')", waiting.values())


def _columns(entry: Entry) -> tuple[str, str, set[str]]:
    """The folded `names` and `texts` columns of a resource, and its `exact` keys."""
    names = [value for kind, value, _ in entry.texts if kind == NAMES]
    for kind, symbol, _ in entry.texts:
        if kind == SYMBOL_KIND:
            names += symbol_spellings(symbol, [labels for c, labels in entry.classes.items() if c != VK + "Document"])
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


def _description(entry: Entry) -> dict[str, object]:
    """The parts of a result's description line: date, provinces (per language), title, posts."""
    title = next((value for kind, value, local in entry.texts if local == "title"), None)
    return {"date": max(entry.dates, default=None), "places": [entry.places[p] for p in sorted(entry.places)],
            "title": title, "posts": sorted(entry.posts)}


def _boost(classes: list[str]) -> float:
    names = [c.removeprefix(VK) for c in classes if c.startswith(VK)]
    if "Document" in names:
        return DOCUMENT_BOOST
    return max((BOOSTS.get(name, OTHER_BOOST) for name in names), default=1.0)

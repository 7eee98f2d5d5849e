"""What every resource page asks for, prepared once per build: `builds/<id>/pages.sqlite` (issue 17).

A page's first visit used to compute, from the whole store, what grows with the corpus: how many links come
into the resource by each property (a directive cited by every article), how many articles report each fact
and which few to quote, and the neighbours a page draws (a province's documents and meetings). Here the build
computes them for every resource in a few passes over its store, and the server reads a few rows per page
(`server.data.page_data`), with what it shows of the statements it quotes (most of a page's reads, made once
here); the rest of a page (the resource's own triples, labels) is bounded and still read from the store. A build
without the file (older builds, `--dataset`, `--store`) is served by the per-request queries, which compute the
same (tests/test_page_data.py renders pages both ways).

Tables, each keyed by the resource or the fact it describes, so that an incremental build can rewrite the rows
of what changed alone:

    incoming(resource, predicate, count, first)       links into `resource` by `predicate` (not those tying
                                                      evidence: rdf:subject, rdf:object, oa:hasSource), and
                                                      the subjects of the first page (by IRI, newline-separated)
    neighbours(resource, kind, more, items)           the items a page draws of each kind (`NEIGHBOURS`), as the
                                                      page keeps them, and how many more there are
    evidence(subject, predicate, object, reported, quoted)
                                                      per fact (the object in N-Triples): how many stories report
                                                      it (copies of one story, vk:sameStoryAs, count once) and
                                                      what the page shows of the statements quoted
                                                      (`choose_quotes`; `quotes.encode` of their triples, read
                                                      with `quotes.QuoteReader`)
    reports(subject, predicate, object, statement, published, story)
                                                      per fact, each statement of it with its article's date and
                                                      story: what `evidence` is made of, kept so that a fact many
                                                      articles report is counted again from its rows here, not
                                                      from the store
    meta(key, value)                                  `VERSION`, the constants the rows were cut with, quads

Resources are the IRIs without a fragment (`#`): the statements and evidence nodes inside an article graph
have no page of their own, and a page asked for one is computed per request.

An incremental build brings these rows up to date (`page_data_update`) with the queries and the row-making
code here.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from heapq import nsmallest
from itertools import chain, groupby
from pathlib import Path
from typing import TypeGuard

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QuerySolutions, Store

from mappings.publishing.page_queries import NEIGHBOURS, OA, PREFIXES, RDF, STATEMENTS
from mappings.publishing.quotes import QuoteReader, StoreReads, packed_quotes
from mappings.publishing.store import BuildCheckError

FILE = "pages.sqlite"
VERSION = "3"
PAGE_SIZE = 25  # incoming links per property on a page
MAX_EVIDENCE = 5  # statements quoted per fact
NOT_INCOMING = frozenset({RDF + "subject", RDF + "object", OA + "hasSource"})  # evidence, shown as quotes
TYPE = RDF + "type"
IS_A = NamedNode(TYPE)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE incoming (resource TEXT NOT NULL, predicate TEXT NOT NULL, count INTEGER NOT NULL,
  first TEXT NOT NULL, PRIMARY KEY (resource, predicate)) WITHOUT ROWID;
CREATE TABLE neighbours (resource TEXT NOT NULL, kind TEXT NOT NULL, more INTEGER NOT NULL, items TEXT NOT NULL,
  PRIMARY KEY (resource, kind)) WITHOUT ROWID;
CREATE TABLE evidence (subject TEXT NOT NULL, predicate TEXT NOT NULL, object TEXT NOT NULL,
  reported INTEGER NOT NULL, quoted BLOB NOT NULL, PRIMARY KEY (subject, predicate, object)) WITHOUT ROWID;
CREATE TABLE reports (subject TEXT NOT NULL, predicate TEXT NOT NULL, object TEXT NOT NULL, statement TEXT NOT NULL,
  published TEXT NOT NULL, story TEXT NOT NULL, PRIMARY KEY (subject, predicate, object, statement)) WITHOUT ROWID;
"""
Fact = tuple[str, str, str]  # subject and predicate IRIs, the object in N-Triples
WHERE = re.compile(r"\bWHERE\s*\{")
INSERT = {"incoming": "INSERT INTO incoming VALUES (?, ?, ?, ?)",
          "neighbours": "INSERT INTO neighbours VALUES (?, ?, ?, ?)",
          "evidence": "INSERT INTO evidence VALUES (?, ?, ?, ?, ?)",
          # a statement comes once per copy of its article (and per date): its row keeps the first date and story
          "reports": "INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subject, predicate, object, statement)"
                     " DO UPDATE SET published = min(published, excluded.published), story = min(story, excluded.story)"}


def constants() -> dict[str, str]:
    """What the rows were cut with: a server whose page shows another cut reads none of them."""
    limits = {f"{cls} {name}": limit for cls, kinds in NEIGHBOURS.items() for name, _, limit in kinds}
    return {"version": VERSION, "page_size": str(PAGE_SIZE), "max_evidence": str(MAX_EVIDENCE),
            "neighbours": json.dumps(limits, sort_keys=True)}


def choose_quotes(statements: Mapping[str, tuple[str, str]], limit: int = MAX_EVIDENCE) -> tuple[int, list[str]]:
    """How many stories report a fact, and which statements to quote: statement IRI → (its article's
    publication date, "" if unknown; its story, the first IRI among the article and its copies). One statement
    per story (the most recently published, then the first by IRI in N-Triples), the most recent first, at most
    `limit`.

    >>> choose_quotes({"s1": ("2024-01-02", "a"), "s2": ("2024-03-01", "a"), "s3": ("2023-05-05", "c")})
    (2, ['s2', 's3'])
    """
    ordered = sorted(sorted(statements, key=lambda st: f"<{st}>"), key=lambda st: statements[st][0], reverse=True)
    stories: dict[str, str] = {}
    for statement in ordered:
        stories.setdefault(statements[statement][1], statement)
    return len(stories), list(stories.values())[:limit]


def write_page_data(build: Path) -> Path:
    """Writes `build/pages.sqlite` from the build's store (closed, complete), durably; returns its path."""
    store = Store.read_only(str(build / "store"))

    def fill(db: sqlite3.Connection) -> None:
        db.executescript(SCHEMA)
        db.executemany(INSERT["incoming"], incoming_rows(_links_to_pages(store)))
        db.executemany(INSERT["neighbours"], neighbour_rows(store))
        db.executemany(INSERT["reports"], report_rows(store))
        db.executemany(INSERT["evidence"], evidence_rows(db, store))
        db.executemany("INSERT INTO meta VALUES (?, ?)", sorted({**constants(), "quads": str(len(store))}.items()))

    return write_file(build, fill)


def check_page_data(build: Path, quads: int) -> None:
    """The page data must open, be of this version and cut, and have been made from this store."""
    try:
        db = sqlite3.connect(f"file:{build / FILE}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta"))
            rows = db.execute("SELECT (SELECT COUNT(*) FROM incoming) + (SELECT COUNT(*) FROM evidence)").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as error:
        raise BuildCheckError(f"{build / FILE}: cannot be read: {error}") from error
    expected = {**constants(), "quads": str(quads)}
    if meta != expected:
        raise BuildCheckError(f"{build / FILE}: made for {meta}, not {expected}")
    if quads and not rows:
        raise BuildCheckError(f"{build / FILE}: no rows for a store of {quads} quads")


def write_file(build: Path, fill: Callable[[sqlite3.Connection], None], start: Path | None = None) -> Path:
    """Writes `build/pages.sqlite` with `fill` (into a copy of `start`, if given), durably; returns its path."""
    path, partial = build / FILE, build / (FILE + ".partial")
    partial.unlink(missing_ok=True)
    if start is not None:
        shutil.copyfile(start, partial)
    db = sqlite3.connect(partial)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        with db:
            fill(db)
    finally:
        db.close()
    with open(partial, "rb+") as file:
        os.fsync(file.fileno())
    os.replace(partial, path)
    return path


def incoming_rows(links: Iterable[Quad]) -> Iterator[tuple[str, str, int, str]]:
    """Per resource and property: how many links, and the first page of their subjects (by IRI). The links of one
    resource and property come together, as the store gives them (a property's by object: its POS index), so
    each row is written when the next begins and the build holds one group's subjects, not every resource's. A
    resource and property that came twice would make two rows, which the table's key refuses."""
    for (obj, predicate), group in groupby(links, key=lambda quad: (quad.object, quad.predicate)):
        if links_to_page(obj, predicate):
            subjects = [subject.value for subject, _, _, _ in group]
            yield obj.value, predicate.value, len(subjects), "\n".join(nsmallest(PAGE_SIZE, subjects))


def links_to_page(obj: object, predicate: NamedNode) -> TypeGuard[NamedNode]:
    """Whether a triple links to the page of its object (a resource; not a link that ties evidence)."""
    return type(obj) is NamedNode and "#" not in obj.value and predicate.value not in NOT_INCOMING


def _links_to_pages(store: Store) -> Iterator[Quad]:
    """The union's quads of the properties that link to a page at all: those whose every object is a literal or a
    fragment (types, evidence, offsets: most of the union) are passed over in the store, not in Python."""
    predicates = [row["p"] for row in store.query("SELECT DISTINCT ?p { ?s ?p ?o }")]   # type: ignore[union-attr]
    for predicate in predicates:
        ask = f'ASK {{ ?s <{predicate.value}> ?o FILTER(isIRI(?o) && !CONTAINS(STR(?o), "#")) }}'
        if predicate.value not in NOT_INCOMING and store.query(ask):
            yield from store.quads_for_pattern(None, predicate, None, DefaultGraph())


def bulk(items: str, cls: str, resource: NamedNode | None = None) -> str:
    """An items query for every resource of `cls` at once, grouped by resource (its own order within each); or
    for `resource` alone, bound at the start of each WHERE (a subquery's too)."""
    where = items.index("{", items.index("WHERE"))
    order = items.index("ORDER BY") + len("ORDER BY")
    text = items[: where + 1] + f" ?resource a <{cls}> ." + items[where + 1 : order] + " ?resource" + items[order:]
    return prologue() + (text if resource is None else with_values(text, f"VALUES ?resource {{ {resource} }}"))


def neighbour_rows(
    store: Store, reached: Mapping[tuple[str, str], Collection[NamedNode]] | None = None
) -> Iterator[tuple[str, str, int, str]]:
    """Per resource and kind: the items its page keeps (the resource itself first) and how many more; of every
    resource, or of those `reached`, by (class, kind), one at a time (Oxigraph joins a long VALUES by hash,
    evaluating the rest of the query over the whole store)."""
    for cls, kinds in NEIGHBOURS.items():
        for name, items, limit in kinds:
            queries = [bulk(items, cls)] if reached is None else [
                bulk(items, cls, r) for r in reached[(cls, name)] if Quad(r, IS_A, NamedNode(cls)) in store]
            rows = chain.from_iterable(select(store, query) for query in queries)
            for resource, group in groupby(rows, key=lambda row: row["resource"]):
                listed = list(dict.fromkeys(row["item"] for row in group))
                kept = sorted(listed, key=lambda item: item != resource)[:limit]
                if isinstance(resource, NamedNode) and "#" not in resource.value and kept:
                    yield resource.value, f"{cls} {name}", len(listed) - len(kept), "\n".join(str(k) for k in kept)


def report_rows(store: Store, statements: Iterable[NamedNode] | None = None) -> Iterator[tuple[str, ...]]:
    """Per fact and statement (of every one, or of `statements`): its article's publication date ("" if unknown)
    and story (the first IRI among the article and its copies). A statement whose article has copies or several
    dates comes once for each, as the store answers: `INSERT["reports"]` keeps the first date and the first story
    of its rows, in SQLite, so that the build holds no statement in memory (4 million at 100,000 articles)."""
    bound = "" if statements is None else f"VALUES ?statement {{ {_terms(statements)} }}"
    for row in select(store, prologue() + with_values(STATEMENTS, bound)):
        s, p = row["s"], row["p"]
        if isinstance(s, NamedNode) and isinstance(p, NamedNode):
            day = row["published"].value if row["published"] is not None else ""
            yield s.value, p.value, str(row["o"]), row["statement"].value, day, _story(row["article"], row["copy"])


def evidence_rows(
    db: sqlite3.Connection, store: Store, facts: Iterable[Fact] | None = None
) -> Iterator[tuple[str, str, str, int, bytes]]:
    """Per fact (of every one, or of `facts`), from its reports: how many stories report it, and what the page
    shows of the statements to quote (`choose_quotes`), read from `store` by one reader (the facts come by
    subject, and a subject's facts are often said by the same sentences)."""
    select = "SELECT subject, predicate, object, statement, published, story FROM reports"
    if facts is None:
        rows: Iterable[tuple[str, ...]] = db.execute(select + " ORDER BY subject, predicate, object")
    else:
        where = " WHERE subject = ? AND predicate = ? AND object = ?"
        rows = chain.from_iterable(db.execute(select + where, fact) for fact in sorted(facts))
    reader = QuoteReader(StoreReads(store))
    for fact, group in groupby(rows, key=lambda row: row[:3]):
        reported, kept = choose_quotes({row[3]: (row[4], row[5]) for row in group})
        yield fact[0], fact[1], fact[2], reported, packed_quotes(reader, kept)


def _story(article: object, copy: object) -> str:
    """The story an article belongs to: the first IRI among the article and its copies."""
    name = getattr(article, "value", "")
    return min(name, copy.value) if isinstance(copy, NamedNode) else name


def with_values(query: str, values: str) -> str:
    """`query` with `values` first in each WHERE (a subquery's too)."""
    return WHERE.sub(lambda found: f"{found.group(0)} {values}", query)


def select(store: Store, sparql: str) -> QuerySolutions:
    rows = store.query(sparql)
    assert isinstance(rows, QuerySolutions)
    return rows


def _terms(terms: Iterable[NamedNode | Literal]) -> str:
    """Terms written into a query's VALUES (`str` gives their N-Triples form, escaped)."""
    return " ".join(str(term) for term in terms)


def prologue() -> str:
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())

"""The page data of an incremental build (issue 15): `update_page_data` brings the previous `pages.sqlite` up to
date instead of writing it whole (page_data.py holds the tables, their queries and the rows they make).

An incremental build (a copy of the previous store, some quads removed, some added) brings the previous page
data up to date with `update_page_data`, in time proportional to the change: every query reads the union (the
default graph) alone, so only a change to the union can alter a row, and each table says which of its rows a
changed union quad can reach: the link it is (incoming: its count and first page follow from the old row, or
are counted again when a subject of the first page goes), the resources whose items it reaches (`LISTERS`,
neighbours), the statements it touches (reports), and their facts (evidence). Those rows are computed again by
the queries of the full pass restricted with VALUES, and the rows that no longer exist are deleted.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from itertools import product
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from mappings.publishing.page_data import (
    FILE,
    INSERT,
    PAGE_SIZE,
    TYPE,
    Fact,
    constants,
    evidence_rows,
    incoming_rows,
    links_to_page,
    neighbour_rows,
    prologue,
    report_rows,
    select,
    with_values,
    write_file,
    write_page_data,
)
from mappings.publishing.page_queries import NEIGHBOURS, OA, PREFIXES, RDF, VK

# Which resources' items a change reaches, per kind. A changed union quad that the items query reads (`_read_by`)
# reaches the resources among its terms, and through each lister whose properties it has, the resources found
# from its subject or object (`?t`): those whose items are or were linked through it. A solution that held
# before the change and used a removed quad has a path from its resource to the first removed quad, still in the
# store: so a lister follows every prefix of its items' paths back from ?t (a replaces chain from any of its
# documents, a province's units from any unit or event), and a date reaches every resource that lists its item.
LISTERS: dict[tuple[str, str], tuple[tuple[frozenset[str], str], ...]] = {  # (class, kind): (properties, query)...
    (VK + "Document", "lineage"): (
        (frozenset({VK + "replaces", VK + "issuedOn"}),
         "SELECT ?resource WHERE { ?resource (vk:replaces|^vk:replaces)* ?t }"),
        (frozenset({VK + "issuedOn"}),
         ("SELECT ?resource WHERE { ?resource vk:replaces|vk:implements|vk:basedOn|^vk:replaces|^vk:implements"
          "|^vk:basedOn ?t }")),
    ),
    (VK + "Document", "meetings"): (
        (frozenset({VK + "heldOn"}), "SELECT ?resource WHERE { ?t vk:about ?resource }"),),
    (VK + "Province", "events"): (
        (frozenset({VK + "absorbed", VK + "province", VK + "heldIn"}),
         "SELECT ?resource WHERE { ?resource vk:absorbed* ?t }"),
        (frozenset({VK + "issuedOn", VK + "heldOn", TYPE}),
         "SELECT ?resource WHERE { ?t vk:province|vk:heldIn ?place . ?resource vk:absorbed* ?place }"),
    ),
    (VK + "Official", "positions"): (
        (frozenset({VK + "attestedOn"}), "SELECT ?resource WHERE { ?resource org:hasMembership ?t }"),),
    (VK + "Official", "meetings"): (
        (frozenset({VK + "heldOn"}), "SELECT ?resource WHERE { ?t vk:chairedBy|vk:participant ?resource }"),),
    (VK + "Official", "namesakes"): (  # ?t: a name
        (frozenset({PREFIXES["foaf"] + "name"}), "SELECT ?resource WHERE { ?resource foaf:name ?t }"),),
}
# What a changed union quad touches of STATEMENTS and of what a page shows of a statement quoted (`quotes`), by
# its property: its subject is a statement, an evidence node, a selector or an article, whose statements are
# reported again (an article's new copy changes its stories) and their quotes read again.
OF_STATEMENT = frozenset({RDF + "subject", RDF + "predicate", RDF + "object", VK + "evidence",
                          *(VK + name for name in ("rule", "spanStart", "spanEnd", "spanText"))})
OF_EVIDENCE = frozenset({OA + "hasSource", OA + "hasSelector"})
OF_SELECTOR = frozenset({OA + "start", OA + "end", OA + "exact"})
OF_ARTICLE = frozenset({VK + "published", VK + "sameStoryAs", PREFIXES["rdfs"] + "label"})
DELETE = {"incoming": "DELETE FROM incoming WHERE resource = ? AND predicate = ?",
          "neighbours": "DELETE FROM neighbours WHERE resource = ? AND kind = ?",
          "evidence": "DELETE FROM evidence WHERE subject = ? AND predicate = ? AND object = ?",
          "reports": "DELETE FROM reports WHERE subject = ? AND predicate = ? AND object = ? AND statement = ?"}


def update_page_data(previous: Path, build: Path, removed: Iterable[Quad], added: Iterable[Quad]) -> Path:
    """`build/pages.sqlite` for `build/store` (complete, closed), made from `previous/pages.sqlite` (the page data of
    the store that `removed` and `added` turned into this one): only the rows of what the change touches are
    computed again. The result holds exactly the rows write_page_data(build) would write.

    The change is exact: `removed` were quads of the previous store, taken out first, and `added` were then put
    in, none of them there already (a quad in both was taken out and put back). Its cost grows with the change
    and the rows it reaches, not with the store. Without previous page data of this version and cut, the page
    data is written whole (`write_page_data`). Raises ValueError when the store's union is not what the change
    leads to (a quad added that it lacks, or one removed that it holds)."""
    quads = _made_from(previous / FILE)
    if quads is None:
        return write_page_data(build)
    store = Store.read_only(str(build / "store"))
    gone, new = set(removed), set(added)
    taken, given = ([q for q in side if isinstance(q.graph_name, DefaultGraph)] for side in (gone - new, new - gone))
    _check_change(store, taken, given)

    def fill(db: sqlite3.Connection) -> None:  # every query reads the union alone
        _update_incoming(db, store, taken, given)
        _update_neighbours(db, store, taken + given)
        _update_evidence(db, store, taken + given)
        db.execute("UPDATE meta SET value = ? WHERE key = 'quads'", (str(quads - len(gone) + len(new)),))

    return write_file(build, fill, previous / FILE)


def _made_from(page_data: Path) -> int | None:
    """The number of quads of the store `page_data` was made from; None when it is missing, unreadable or of
    another version or cut."""
    try:
        db = sqlite3.connect(f"file:{page_data}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta"))
        finally:
            db.close()
    except sqlite3.Error:
        return None
    quads = meta.pop("quads", "")
    return int(quads) if meta == constants() and quads.isdigit() else None


def _check_change(store: Store, taken: Iterable[Quad], given: Iterable[Quad]) -> None:
    """The union must be what the change leads to (what it was before cannot be checked)."""
    for quad in given:
        if quad not in store:
            raise ValueError(f"the store lacks a quad the change adds: {quad}")
    for quad in taken:
        if quad in store:
            raise ValueError(f"the store holds a quad the change removes: {quad}")


def _replace(db: sqlite3.Connection, table: str, keys: Iterable[tuple[str, ...]], rows: Iterable[tuple]) -> None:
    """The rows of `keys` are those of `rows` now (each row's key among them), or none."""
    db.executemany(DELETE[table], keys)
    db.executemany(INSERT[table], rows)


def _update_incoming(db: sqlite3.Connection, store: Store, taken: Iterable[Quad], given: Iterable[Quad]) -> None:
    """Each link taken or given changes its (resource, property) row: the count by one, the first page by its
    subject; a first page that loses a subject when there are more is counted again from the store."""
    links: dict[tuple[str, str], tuple[set[str], set[str]]] = {}  # → (subjects taken, subjects given)
    for side, quads in enumerate((taken, given)):
        for subject, predicate, obj, _ in quads:
            if links_to_page(obj, predicate):
                links.setdefault((obj.value, predicate.value), (set(), set()))[side].add(subject.value)
    rows, again = [], []
    for key, (out, into) in links.items():
        old = db.execute("SELECT count, first FROM incoming WHERE resource = ? AND predicate = ?", key).fetchone()
        count, first = (old[0], set(old[1].split("\n"))) if old else (0, set())
        if count > len(first) and not out.isdisjoint(first):
            again.append(key)
        elif count + len(into) - len(out):
            rows.append((*key, count + len(into) - len(out), "\n".join(sorted(first - out | into)[:PAGE_SIZE])))
    _replace(db, "incoming", links, rows + list(incoming_rows(_links_into(store, again))))


def _links_into(store: Store, links: Iterable[tuple[str, str]]) -> Iterator[Quad]:
    """The union's quads of each (resource, property)."""
    for resource, predicate in links:
        yield from store.quads_for_pattern(None, NamedNode(predicate), NamedNode(resource), DefaultGraph())


def _update_neighbours(db: sqlite3.Connection, store: Store, changed: Collection[Quad]) -> None:
    reached = _reached(store, changed)
    keys = [(r.value, f"{cls} {name}") for (cls, name), resources in reached.items() for r in resources]
    _replace(db, "neighbours", keys, neighbour_rows(store, reached))


def _reached(store: Store, changed: Collection[Quad]) -> dict[tuple[str, str], set[NamedNode]]:
    """Per (class, kind): the resources whose items the changed union quads may change (`LISTERS`)."""
    reached = {}
    for cls, kinds in NEIGHBOURS.items():
        for name, items, _ in kinds:
            names = _read_by(items) | {cls}
            read = [q for q in changed if _reads(names, q)]
            found: set[object] = {t for q in read for t in (q.subject, q.object)}
            for properties, lister in LISTERS[(cls, name)]:
                terms = {t for q in read if q.predicate.value in properties for t in (q.subject, q.object)}
                for t in terms:  # one at a time, as in `neighbour_rows`
                    if isinstance(t, NamedNode | Literal):
                        bound = with_values(lister, f"VALUES ?t {{ {t} }}")
                        found.update(row["resource"] for row in select(store, prologue() + bound))
            reached[(cls, name)] = {r for r in found if isinstance(r, NamedNode) and "#" not in r.value}
    return reached


def _reads(read: set[str], quad: Quad) -> bool:
    """Whether a query that names `read` reads `quad`."""
    return quad.predicate.value in read and (quad.predicate.value != TYPE or str(quad.object)[1:-1] in read)


def _read_by(query: str) -> set[str]:
    """The properties and classes a query names (and rdf:type: `bulk` adds it): a quad of another property, or
    typing a node with another class, changes none of its results."""
    names = re.findall(r"\b(" + "|".join(PREFIXES) + r"):([A-Za-z_][\w-]*)", query)
    return {TYPE} | {PREFIXES[prefix] + local for prefix, local in names}


def _update_evidence(db: sqlite3.Connection, store: Store, changed: Collection[Quad]) -> None:
    """The statements the change touches are reported again, and the facts they were or are of counted and
    quoted again."""
    statements = _statements_touched(store, changed)
    facts = _facts_of(store, statements, changed)
    db.executemany(DELETE["reports"], [(*fact, st.value) for st in statements for fact in facts[st]])
    db.executemany(INSERT["reports"], report_rows(store, statements) if statements else ())
    touched = set().union(*facts.values())
    _replace(db, "evidence", touched, evidence_rows(db, store, touched))


def _statements_touched(store: Store, changed: Collection[Quad]) -> set[NamedNode]:
    """The statements whose reports or quotes the changed union quads change: a statement's own quads, its
    evidence's source and selector, the selector's quads, its article's title, date and copies. (A link taken out
    is itself a change: what it linked is reached through it.)"""
    statements = {q.subject for q in changed if q.predicate.value in OF_STATEMENT}
    evidence = {q.subject for q in changed if q.predicate.value in OF_EVIDENCE}
    selectors = {q.subject for q in changed if q.predicate.value in OF_SELECTOR}
    articles = {q.subject for q in changed if q.predicate.value in OF_ARTICLE}
    evidence |= {q.subject for s in selectors for q in _quads(store, None, OA + "hasSelector", s)}
    evidence |= {q.subject for a in articles for q in _quads(store, None, OA + "hasSource", a)}
    statements |= {q.subject for e in evidence for q in _quads(store, None, VK + "evidence", e)}
    return {st for st in statements if isinstance(st, NamedNode)}


def _facts_of(store: Store, statements: Iterable[NamedNode], changed: Iterable[Quad]) -> dict[NamedNode, set[Fact]]:
    """The facts each statement was or is of: its subjects, predicates and objects in the store and in the
    change (a statement's old values are the ones taken out)."""
    was: dict[tuple[object, str], set[object]] = {}  # (statement, property) → objects the change took or gave
    for q in changed:
        was.setdefault((q.subject, q.predicate.value), set()).add(q.object)
    facts = {}
    for statement in statements:
        parts = ({q.object for q in _quads(store, statement, part, None)} | was.get((statement, part), set())
                 for part in (RDF + "subject", RDF + "predicate", RDF + "object"))
        facts[statement] = {(s.value, p.value, str(o)) for s, p, o in product(*parts) if isinstance(s, NamedNode)
                            and isinstance(p, NamedNode) and isinstance(o, NamedNode | Literal)}
    return facts


def _quads(store: Store, subject: object, predicate: str, obj: object) -> Iterator[Quad]:
    return store.quads_for_pattern(subject, NamedNode(predicate), obj, DefaultGraph())  # type: ignore[arg-type]

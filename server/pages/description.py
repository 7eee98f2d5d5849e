"""One description of a resource: every triple its page shows and its RDF forms carry, so the two
never disagree (trifid's DESCRIBE, widened).

It holds the resource's own triples with the labels of what they link to, one page of incoming
links per property (with the count of all of them), the evidence of each fact shown (the
`rdf:Statement`s of the article graphs, see docs/graph-model.md) and, for documents, provinces and
officials, the neighbourhood their pictures draw. Everything is read from the default graph.

What grows with the corpus (incoming links counted per property with their first page, the statements of each
fact counted and chosen, the neighbours drawn) comes from the rows the build prepared
(`server.data.page_data`) when the build has them, else from the same queries here; both give the same page.
Copies of one story (`vk:sameStoryAs`) count once among the articles reporting a fact, and one of them is quoted.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, QuerySolutions, QueryTriples, Triple

from server.data.page_data import MAX_EVIDENCE, NOT_INCOMING, PAGE_SIZE, PageData, choose_quotes
from server.data.remote import RemoteTriples
from server.data.store import GraphStore
from server.http.errors import NotFound
from server.http.namespaces import PREFIXES, RDF_TYPE
from server.pages.lookups import Lookups
from server.pages.neighbourhoods import NEIGHBOURHOODS, Neighbourhood
from server.pages.paging import Page, numbers, page_of

VK, RDF, OA = PREFIXES["vk"], PREFIXES["rdf"], PREFIXES["oa"]

OUTGOING = """
CONSTRUCT { ?resource ?p ?o . ?o rdfs:label ?label . ?p rdfs:label ?name }
WHERE { ?resource ?p ?o OPTIONAL { ?o rdfs:label ?label } OPTIONAL { ?p rdfs:label ?name } }
"""
# Links that tie evidence to the resource are left out: the page shows them as quotes instead.
INCOMING_COUNTS = """
SELECT ?resource ?p (COUNT(*) AS ?n)
WHERE {{ ?s ?p ?resource FILTER(?p NOT IN ({excluded})) }}
GROUP BY ?resource ?p ORDER BY ?p
""".format(excluded=", ".join(f"<{p}>" for p in sorted(NOT_INCOMING)))
INCOMING_PAGE = """
SELECT ?resource ?property ?s WHERE {{ ?s ?property ?resource }} ORDER BY ?s LIMIT {limit} OFFSET {offset}
"""
LABELS = """
CONSTRUCT {{ ?node rdfs:label ?label }} WHERE {{ VALUES ?node {{ {nodes} }} ?node rdfs:label ?label }}
"""
# The statements of the facts in VALUES, when their articles were published and their other copies, to choose
# which to quote ...
STATEMENTS = """
SELECT ?resource ?s ?p ?o ?statement ?article ?published ?copy WHERE {
  { ?statement rdf:subject ?resource ; rdf:predicate ?p ; rdf:object ?o BIND(?resource AS ?s) }
  UNION { ?statement rdf:object ?resource ; rdf:subject ?s ; rdf:predicate ?p BIND(?resource AS ?o) }
  ?statement vk:evidence ?evidence . ?evidence oa:hasSource ?article .
  OPTIONAL { ?article vk:published ?published }
  OPTIONAL { ?article vk:sameStoryAs ?copy }
}
"""
# ... and then those chosen, with their sentence and the article's title and date. One pattern per OPTIONAL:
# Oxigraph evaluates a group OPTIONAL over the whole store before joining (10-100x slower).
EVIDENCE = """
CONSTRUCT {{
  ?statement a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; vk:evidence ?evidence ;
    vk:rule ?rule ; vk:spanStart ?from ; vk:spanEnd ?to ; vk:spanText ?text .
  ?evidence a vk:Evidence ; oa:hasSource ?article ; oa:hasSelector ?selector .
  ?selector oa:start ?start ; oa:end ?end ; oa:exact ?sentence .
  ?article rdfs:label ?title ; vk:published ?published .
}} WHERE {{
  VALUES ?statement {{ {statements} }}
  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; vk:evidence ?evidence .
  ?evidence oa:hasSource ?article ; oa:hasSelector ?selector .
  ?selector oa:start ?start ; oa:end ?end ; oa:exact ?sentence .
  OPTIONAL {{ ?statement vk:rule ?rule }}
  OPTIONAL {{ ?statement vk:spanStart ?from }}
  OPTIONAL {{ ?statement vk:spanEnd ?to }}
  OPTIONAL {{ ?statement vk:spanText ?text }}
  OPTIONAL {{ ?article rdfs:label ?title }}
  OPTIONAL {{ ?article vk:published ?published }}
}}
"""


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page of which property's incoming links a request asks for (`?in=vk:mentions&page=2`)."""

    predicate: str
    page: int

    @classmethod
    def parse(cls, predicate: str | None, page: str | None) -> "Paging | None":
        """`?in=` as a compact or full IRI, `?page=` a whole number from 1; no `?in=`, no paging.

        >>> Paging.parse("vk:mentions", "2")
        Paging(predicate='https://w3id.org/vankien/ontology#mentions', page=2)
        """
        if predicate is None:
            return None
        prefix, colon, local = predicate.partition(":")
        iri = PREFIXES[prefix] + local if colon and prefix in PREFIXES else predicate
        return cls(iri, numbers(page, None, PAGE_SIZE)[0])


@dataclass(frozen=True, slots=True)
class Incoming:
    """The links into the resource by one property: how many, and the subjects of one page."""

    predicate: str
    count: int
    page: Page
    subjects: tuple[NamedNode, ...]


@dataclass(frozen=True, slots=True)
class Shown:
    """The items of a neighbourhood that the page shows (best first) and how many were left out."""

    items: tuple[NamedNode, ...]
    more: int


Term = NamedNode | Literal
Fact = tuple[NamedNode, NamedNode, Term]


class Graph:
    """Triples indexed both ways, to read a description as a page does."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.triples = tuple(sorted(set(triples), key=str))  # so each subject's values of a property are in term order
        out: dict[Term, dict[str, list[Term]]] = {}
        into: dict[Term, dict[str, list[NamedNode]]] = {}
        for s, p, o in self.triples:
            if isinstance(s, NamedNode) and isinstance(o, (NamedNode, Literal)):  # all of ours
                out.setdefault(s, {}).setdefault(p.value, []).append(o)
                into.setdefault(o, {}).setdefault(p.value, []).append(s)
        self._out, self._in = out, into

    def objects(self, subject: Term | None, predicate: str) -> list[Term]:
        return self._out.get(subject, {}).get(predicate, []) if subject is not None else []

    def subjects(self, predicate: str, obj: Term) -> list[NamedNode]:
        return self._in.get(obj, {}).get(predicate, [])

    def value(self, subject: Term | None, predicate: str) -> Term | None:
        """The first value in term order (so always the same one), or None."""
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def about(self, subject: NamedNode) -> list[Fact]:
        return [
            (subject, NamedNode(p), o) for p, objects in self._out.get(subject, {}).items() for o in objects
        ]

    def statements(self, fact: Fact) -> list[NamedNode]:
        """The statements of a fact, the most recently published article first (then by IRI)."""
        found = set(self.subjects(RDF + "subject", fact[0])) & set(self.subjects(RDF + "object", fact[2]))
        statements = sorted((st for st in found if self.value(st, RDF + "predicate") == fact[1]), key=str)
        return sorted(statements, key=self._published, reverse=True)

    def _published(self, statement: NamedNode) -> str:
        article = self.value(self.value(statement, VK + "evidence"), OA + "hasSource")
        published = self.value(article, VK + "published")
        return published.value if published else ""  # ISO dates compare as text


@dataclass(frozen=True)
class Description:
    iri: str
    graph: Graph
    incoming: tuple[Incoming, ...]
    neighbourhoods: dict[str, Shown]
    reported: dict[Fact, int]  # how many articles report each fact (some are not quoted)

    @property
    def node(self) -> NamedNode:
        return NamedNode(self.iri)

    def types(self) -> set[str]:
        return {o.value for o in self.graph.objects(self.node, RDF_TYPE)}


def describe(store: GraphStore, iri: str, paging: Paging | None = None, own: list[Triple] | None = None) -> Description:
    """The description of `iri` (blocking: run it with `store.run`); `own`: its triples, when already read."""
    data = store.page_data if store.page_data is not None and store.page_data.covers(iri) else None
    node = NamedNode(iri)
    reads = Lookups(store) if store.indexed else _Queries(store)
    triples = reads.outgoing(store.triples(node) if own is None else own, iri)
    incoming = _incoming(store, iri, paging, data)
    shown: list[NamedNode] = [s for group in incoming for s in group.subjects]
    triples += [Triple(s, NamedNode(g.predicate), node) for g in incoming for s in g.subjects]
    triples += reads.labels(shown, [NamedNode(g.predicate) for g in incoming])
    neighbourhoods: dict[str, Shown] = {}
    types = {t.object.value for t in triples if t.subject == node and t.predicate.value == RDF_TYPE}
    for cls, kind in ((cls, k) for cls, kinds in NEIGHBOURHOODS.items() if cls in types for k in kinds):
        picked = data.neighbours(iri, cls, kind.name) if data is not None else _items(store, iri, kind)
        neighbourhoods[kind.name], found = _neighbourhood(reads, cls, iri, kind, *picked)
        triples += found
    evidence, reported = _evidence(store, reads, iri, _facts(triples, node), data)
    return Description(iri, Graph(triples + evidence), incoming, neighbourhoods, reported)


class _Queries:
    """The reads of a description as queries (`OUTGOING`, `LABELS`, `EVIDENCE`), for a store that answers only
    queries (a remote one: a request each); the embedded store's are index lookups (`server.pages.lookups`)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def outgoing(self, own: list[Triple], iri: str) -> list[Triple]:
        return _construct(self.store, OUTGOING, resource=iri)

    def labels(self, nodes: Sequence[NamedNode], vocabulary: Sequence[NamedNode] = ()) -> list[Triple]:
        both = dict.fromkeys([*nodes, *vocabulary])
        return _construct(self.store, LABELS.format(nodes=_terms(both))) if both else []

    def evidence(self, statements: Sequence[NamedNode]) -> list[Triple]:
        return _construct(self.store, EVIDENCE.format(statements=_terms(statements)))

    def neighbourhood(self, cls: str, kind: Neighbourhood, iri: str, items: Sequence[NamedNode]) -> list[Triple]:
        bound = {"resource": iri} if "?resource" in kind.construct else {}  # pyoxigraph refuses unused ones
        return _construct(self.store, kind.construct.format(items=_terms(items)), **bound)


def _facts(triples: Iterable[Triple], node: NamedNode) -> list[Fact]:
    """The triples about or into `node` that an article may report (types are not reported), in term order."""
    found = {
        t for t in triples
        if node in (t.subject, t.object) and t.predicate.value != RDF_TYPE
        and isinstance(t.subject, NamedNode) and isinstance(t.object, NamedNode | Literal)
    }
    return [(t.subject, t.predicate, t.object) for t in sorted(found, key=str)]  # type: ignore[misc]


def _incoming(store: GraphStore, iri: str, asked: Paging | None, data: PageData | None) -> tuple[Incoming, ...]:
    """Each property's first page of links into `iri`, or the page asked for (past the last: 404)."""
    groups = []
    if data is not None:
        counted = data.incoming(iri)
    else:
        counted = [(row["p"].value, int(row["n"].value), None) for row in _select(store, INCOMING_COUNTS, resource=iri)]
    for predicate, count, first in counted:
        number = asked.page if asked and asked.predicate == predicate else 1
        page = page_of(number, PAGE_SIZE, count)
        if first is not None and page.offset == 0:
            subjects = first
        else:
            query = INCOMING_PAGE.format(limit=page.size, offset=page.offset)
            subjects = tuple(r["s"] for r in _select(store, query, resource=iri, property=predicate))
        groups.append(Incoming(predicate, count, page, subjects))
    if asked and asked.page > 1 and all(group.predicate != asked.predicate for group in groups):
        raise NotFound(f"no links into {iri} by {asked.predicate}")
    return tuple(groups)


def _items(store: GraphStore, iri: str, kind: Neighbourhood) -> tuple[tuple[NamedNode, ...], int]:
    """The first `kind.limit` items (the resource itself first when it is one: its own lineage), and how many
    more there are."""
    items = list(dict.fromkeys(row["item"] for row in _select(store, kind.items, resource=iri)))
    kept = sorted(items, key=lambda item: item != NamedNode(iri))[: kind.limit]
    return tuple(kept), len(items) - len(kept)


def _neighbourhood(
    reads: "Lookups | _Queries", cls: str, iri: str, kind: Neighbourhood, kept: tuple[NamedNode, ...], more: int
) -> tuple[Shown, list[Triple]]:
    """What the page shows of the items kept."""
    if not kept:
        return Shown((), 0), []
    return Shown(kept, more), reads.neighbourhood(cls, kind, iri, kept)


def _evidence(
    store: GraphStore, reads: "Lookups | _Queries", iri: str, facts: Sequence[Fact], data: PageData | None
) -> tuple[list[Triple], dict[Fact, int]]:
    """The statements of `facts` quoted (`choose_quotes`: one per story, the most recently published first, then
    by IRI, at most `MAX_EVIDENCE` per fact), with their sentences and articles; and how many stories report each
    fact (copies of one story, `vk:sameStoryAs`, count once).

    A fact reported by hundreds of articles is common (a central directive): only the statements quoted are
    read whole, the others only counted. With page data, the build read them (`mappings.publishing.quotes`)."""
    if not facts:
        return [], {}
    if data is not None:
        found = data.evidence(facts)
        reported = {fact: found[fact][0] if fact in found else 0 for fact in facts}
        return [triple for fact in facts if fact in found for triple in found[fact][1]], reported
    chosen = _chosen(store, iri)
    reported = {fact: chosen[fact][0] if fact in chosen else 0 for fact in facts}
    kept = [statement for fact in facts if fact in chosen for statement in chosen[fact][1]]
    return (reads.evidence(kept) if kept else []), reported


def _chosen(store: GraphStore, iri: str) -> dict[Fact, tuple[int, list[NamedNode]]]:
    """Per fact about or into `iri`: how many stories report it and the statements to quote."""
    found: defaultdict[Fact, dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in _select(store, STATEMENTS, resource=iri):
        date, copy = row["published"], row["copy"]
        statements = found[(row["s"], row["p"], row["o"])]
        day = date.value if date else ""
        story = min(row["article"].value, copy.value) if isinstance(copy, NamedNode) else row["article"].value
        known = statements.get(row["statement"].value)
        statements[row["statement"].value] = (min(known[0], day), min(known[1], story)) if known else (day, story)
    chosen = {}
    for fact, statements in found.items():
        reported, kept = choose_quotes(statements, MAX_EVIDENCE)
        chosen[fact] = (reported, [NamedNode(statement) for statement in kept])
    return chosen


def _terms(terms: Iterable[NamedNode | Literal]) -> str:
    """Terms written into a query's VALUES (`str` gives their N-Triples form, escaped)."""
    return " ".join(str(term) for term in terms)


def _construct(store: GraphStore, sparql: str, **iris: str) -> list[Triple]:
    triples = store.select(sparql, **iris)
    assert isinstance(triples, QueryTriples | RemoteTriples)
    return list(triples)


def _select(store: GraphStore, sparql: str, **iris: str) -> QuerySolutions:
    rows = store.select(sparql, **iris)
    assert isinstance(rows, QuerySolutions)
    return rows

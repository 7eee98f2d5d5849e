"""A description's reads as triple-pattern lookups on the embedded store: each is an index lookup, with no query
to parse and plan, and each gives the triples of the query in `server.pages.description` it stands for
(`OUTGOING`, `LABELS`, `EVIDENCE`): `tests/test_lookups.py` renders every page both ways.

A remote store answers queries only (one request each), so its pages keep the queries. Labels and articles' dates,
which many pages share (properties, classes, provinces, the articles quoted), are kept (`GraphStore.kept`).
"""

from collections.abc import Iterable

from pyoxigraph import BlankNode, NamedNode, Triple

from server.data.store import GraphStore
from server.http.namespaces import PREFIXES, RDF_TYPE, RDFS_LABEL

VK, RDF, OA = PREFIXES["vk"], PREFIXES["rdf"], PREFIXES["oa"]
LABEL, TYPE = NamedNode(RDFS_LABEL), NamedNode(RDF_TYPE)
SUBJECT, PREDICATE, OBJECT = NamedNode(RDF + "subject"), NamedNode(RDF + "predicate"), NamedNode(RDF + "object")
STATEMENT, EVIDENCE_CLASS = NamedNode(RDF + "Statement"), NamedNode(VK + "Evidence")
EVIDENCE, SOURCE, SELECTOR = NamedNode(VK + "evidence"), NamedNode(OA + "hasSource"), NamedNode(OA + "hasSelector")
SELECTED = (NamedNode(OA + "start"), NamedNode(OA + "end"), NamedNode(OA + "exact"))  # all three, or no quote
OPTIONAL_OF_STATEMENT = tuple(NamedNode(VK + name) for name in ("rule", "spanStart", "spanEnd", "spanText"))
PUBLISHED = NamedNode(VK + "published")


class Lookups:
    """The reads of one description."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def outgoing(self, own: list[Triple], iri: str) -> list[Triple]:
        """`OUTGOING`: the resource's own triples, the labels of what they point to and of their properties."""
        return [*own, *self.labels([t.object for t in own], [t.predicate for t in own])]

    def labels(self, nodes: Iterable[object], vocabulary: Iterable[NamedNode] = ()) -> list[Triple]:
        """`LABELS`: the `rdfs:label`s of `nodes` and of `vocabulary` (properties and classes)."""
        found: list[Triple] = []
        for node in dict.fromkeys([*nodes, *vocabulary]):
            if isinstance(node, NamedNode | BlankNode):
                found += self.store.kept(node, LABEL)
        return found

    def evidence(self, statements: Iterable[NamedNode]) -> list[Triple]:
        """`EVIDENCE`: each statement with its evidence, selector and article, when it has a subject, a predicate,
        an object and an evidence with a source and a selector that has a start, an end and a sentence."""
        found: list[Triple] = []
        for statement in dict.fromkeys(statements):
            found += self._statement(statement)
        return found

    def _statement(self, statement: NamedNode) -> list[Triple]:
        values: dict[str, list[Triple]] = {}
        for triple in self.store.triples(statement):
            values.setdefault(triple.predicate.value, []).append(triple)
        quoted = [found for triple in values.get(EVIDENCE.value, ()) if (found := self._evidence(triple))]
        if not quoted or not all(values.get(p.value) for p in (SUBJECT, PREDICATE, OBJECT)):
            return []
        found = [Triple(statement, TYPE, STATEMENT)]
        for predicate in (SUBJECT, PREDICATE, OBJECT, *OPTIONAL_OF_STATEMENT):
            found += values.get(predicate.value, ())
        for evidence in quoted:
            found += evidence
        return found

    def _evidence(self, link: Triple) -> list[Triple]:
        """The statement's `vk:evidence` link and what the page reads of it, or [] when it quotes nothing."""
        evidence = link.object
        if not isinstance(evidence, NamedNode | BlankNode):
            return []
        values: dict[str, list[Triple]] = {}
        for triple in self.store.triples(evidence):
            values.setdefault(triple.predicate.value, []).append(triple)
        sources = values.get(SOURCE.value, [])
        selectors = [(t, found) for t in values.get(SELECTOR.value, ()) if (found := self._selector(t.object))]
        if not sources or not selectors:
            return []
        found = [link, Triple(evidence, TYPE, EVIDENCE_CLASS), *sources]
        for triple, selected in selectors:
            found += [triple, *selected]
        for source in dict.fromkeys(t.object for t in sources):
            if isinstance(source, NamedNode | BlankNode):
                found += self.store.kept(source, LABEL)
                found += self.store.kept(source, PUBLISHED)
        return found

    def _selector(self, selector: object) -> list[Triple]:
        """A selector's start, end and sentence, or [] when one of them is missing."""
        if not isinstance(selector, NamedNode | BlankNode):
            return []
        values: dict[str, list[Triple]] = {}
        for triple in self.store.triples(selector):
            values.setdefault(triple.predicate.value, []).append(triple)
        if not all(values.get(p.value) for p in SELECTED):
            return []
        return [triple for p in SELECTED for triple in values[p.value]]

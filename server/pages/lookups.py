"""A description's reads as triple-pattern lookups on the embedded store: each is an index lookup, with no query
to parse and plan, and each gives the triples of the query it stands for (`OUTGOING`, `LABELS`, `EVIDENCE` in
`server.pages.description`, the neighbourhoods' CONSTRUCTs in `server.pages.neighbourhoods`):
`tests/test_lookups.py` renders every page both ways.

A remote store answers queries only (one request each), so its pages keep the queries. Labels and articles' dates,
which many pages share (properties, classes, provinces, the articles quoted), are kept (`GraphStore.kept`).
"""

from collections.abc import Iterable, Sequence

from pyoxigraph import BlankNode, NamedNode, Triple

from mappings.publishing.quotes import QuoteReader
from server.data.store import GraphStore
from server.http.namespaces import PREFIXES, RDF_TYPE, RDFS_LABEL
from server.pages.neighbourhoods import Neighbourhood

VK = PREFIXES["vk"]
LABEL, TYPE = NamedNode(RDFS_LABEL), NamedNode(RDF_TYPE)
ORG = PREFIXES["org"]
ISSUED_ON, PROVINCE, ABOUT = NamedNode(VK + "issuedOn"), NamedNode(VK + "province"), NamedNode(VK + "about")
HELD_ON, HELD_IN, MEETING = NamedNode(VK + "heldOn"), NamedNode(VK + "heldIn"), NamedNode(VK + "Meeting")
ATTESTED_ON, ABSORBED = NamedNode(VK + "attestedOn"), NamedNode(VK + "absorbed")
ORGANIZATION, ROLE, MEMBERSHIP = NamedNode(ORG + "organization"), NamedNode(ORG + "role"), NamedNode(ORG + "hasMembership")
LINEAGE = tuple(NamedNode(VK + name) for name in ("replaces", "implements", "basedOn"))
ROLES = (NamedNode(VK + "chairedBy"), NamedNode(VK + "participant"))
EVENTS = ((PROVINCE, NamedNode(VK + "Document"), ISSUED_ON), (HELD_IN, MEETING, HELD_ON))  # (where, class, when)
NEIGHBOURHOODS = {  # (class of the page's resource, neighbourhood): the method that reads what is shown of an item
    (VK + "Document", "lineage"): "_lineage", (VK + "Document", "meetings"): "_meetings_about",
    (VK + "Province", "events"): "_place_events",
    (VK + "Official", "positions"): "_positions", (VK + "Official", "meetings"): "_meetings_attended",
    (VK + "Official", "namesakes"): "_namesakes",
}


class Lookups:
    """The reads of one description."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._places: set[object] | None = None  # `_absorbed`
        self._quotes = QuoteReader(store)

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
        """`EVIDENCE`: what the page shows of each statement quoted (`mappings.publishing.quotes`)."""
        return self._quotes.statements(statements)

    def neighbourhood(self, cls: str, kind: Neighbourhood, iri: str, items: Sequence[NamedNode]) -> list[Triple]:
        """The CONSTRUCT of a neighbourhood (`server.pages.neighbourhoods`): what the page shows of each item.
        Each value is read once; the query's OPTIONALs multiplied them (a post's days by its body's labels)."""
        show = getattr(self, NEIGHBOURHOODS[(cls, kind.name)])
        resource = NamedNode(iri)
        return [triple for item in items for triple in show(resource, item, items)]

    def _lineage(self, resource: NamedNode, item: NamedNode, items: Sequence[NamedNode]) -> list[Triple]:
        """`LINEAGE`: the relations among the items, each item's labels, date, province and its labels."""
        found = [t for relation in LINEAGE for t in self._values(item, relation) if t.object in items]
        return found + self._values(item, LABEL) + self._values(item, ISSUED_ON) + self._linked(item, PROVINCE)

    def _meetings_about(self, resource: NamedNode, item: NamedNode, items: Sequence[NamedNode]) -> list[Triple]:
        """`MEETINGS_ABOUT`: a meeting about the resource, its labels, day, place and the place's labels."""
        about = [t for t in self._values(item, ABOUT) if t.object == resource]
        if not about:
            return []
        return [*about, Triple(item, TYPE, MEETING), *self._values(item, LABEL), *self._values(item, HELD_ON),
                *self._linked(item, HELD_IN)]

    def _place_events(self, resource: NamedNode, item: NamedNode, items: Sequence[NamedNode]) -> list[Triple]:
        """`PLACE_EVENTS`: a document of the province (or of a unit it absorbed) or a meeting held there, with its
        labels and date, and the place's labels."""
        places = self._absorbed(resource)
        classes = {t.object for t in self._values(item, TYPE)}
        found: list[Triple] = []
        for where, cls, when in EVENTS:
            at = [t for t in self._values(item, where) if t.object in places] if cls in classes else []
            if at:
                found += [*at, Triple(item, TYPE, cls), *self._values(item, LABEL), *self._values(item, when)]
                found += [label for t in at for label in self._labels_of(t.object)]
        return found

    def _positions(self, resource: NamedNode, item: NamedNode, items: Sequence[NamedNode]) -> list[Triple]:
        """`POSITIONS`: a post's labels, days, body and role, and their labels."""
        return [*self._values(item, LABEL), *self._values(item, ATTESTED_ON), *self._linked(item, ORGANIZATION),
                *self._linked(item, ROLE)]

    def _namesakes(self, resource: NamedNode, item: NamedNode, items: Sequence[NamedNode]) -> list[Triple]:
        """`NAMESAKES`: another person's labels, posts and their labels."""
        return [*self._values(item, LABEL), *self._linked(item, MEMBERSHIP)]

    def _meetings_attended(self, resource: NamedNode, item: NamedNode, items: Sequence[NamedNode]) -> list[Triple]:
        """`MEETINGS_ATTENDED`: a meeting the resource chaired or attended, its labels, day, place and documents,
        and their labels."""
        roles = [t for role in ROLES for t in self._values(item, role) if t.object == resource]
        if not roles:
            return []
        return [*roles, Triple(item, TYPE, MEETING), *self._values(item, LABEL), *self._values(item, HELD_ON),
                *self._linked(item, HELD_IN), *self._linked(item, ABOUT)]

    def _values(self, node: NamedNode, predicate: NamedNode) -> list[Triple]:
        return list(self.store.kept(node, predicate)) if predicate == LABEL else self.store.triples(node, predicate)

    def _linked(self, node: NamedNode, predicate: NamedNode) -> list[Triple]:
        """The node's values of `predicate`, with their labels."""
        found = self._values(node, predicate)
        return found + [label for t in found for label in self._labels_of(t.object)]

    def _labels_of(self, node: object) -> tuple[Triple, ...]:
        return self.store.kept(node, LABEL) if isinstance(node, NamedNode | BlankNode) else ()

    def _absorbed(self, resource: NamedNode) -> set[object]:
        """The resource and what it absorbed, and they absorbed, ... (`vk:absorbed*`)."""
        if self._places is None:
            self._places, todo = {resource}, [resource]
            while todo:
                for t in self.store.triples(todo.pop(), ABSORBED):
                    if t.object not in self._places:
                        self._places.add(t.object)
                        if isinstance(t.object, NamedNode | BlankNode):
                            todo.append(t.object)
        return self._places

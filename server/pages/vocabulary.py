"""The ontology's classes as pages show them: labels in both languages, names in URLs, counts.

Read from the store once per build: the ontology is part of every build's default graph. A store
without it (a hand-made dataset) still lists the `vk:` classes its resources use.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import QuerySolutions

from mappings.reading.text import fold
from server.data.per_build import PerBuild
from server.data.store import GraphStore
from server.http.namespaces import PREFIXES, curie
from server.pages import labels

VK = PREFIXES["vk"]
TERM_LABELS = """
SELECT ?term ?label WHERE {
  ?term rdfs:label ?label
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), STR(vk:)))
}"""
DECLARED = "SELECT ?class WHERE { ?class a owl:Class FILTER(STRSTARTS(STR(?class), STR(vk:))) }"
ANCESTORS = """
SELECT ?class ?ancestor WHERE {
  ?class a owl:Class ; rdfs:subClassOf+ ?ancestor
  FILTER(STRSTARTS(STR(?class), STR(vk:)) && isIRI(?ancestor))
}"""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    labels: dict[str, dict[str, str]]  # vk: term → language → label
    ancestors: dict[str, frozenset[str]]  # vk: class → every class it specialises
    counts: dict[str, int]  # vk: class → how many resources it has (classes with none are absent)
    classes: tuple[str, ...]  # every vk: class, declared or used, by name

    def label(self, iri: str, lang: str) -> str:
        return labels.pick(self.labels.get(iri, {}), lang) or curie(iri)

    def named(self, name: str) -> str | None:
        """The class a URL names (`Directive` → `vk:Directive`), if there is one."""
        return VK + name if VK + name in self.classes else None

    def names(self) -> list[str]:
        return [name(c) for c in self.classes]

    def choices(self, lang: str) -> list[tuple[str, str]]:
        """`(name, label)` of every class, by label: what a class filter offers."""
        return sorted(((name(c), self.label(c, lang)) for c in self.classes), key=lambda pair: fold(pair[1]))

    def lineage(self, iri: str) -> list[str]:
        """The class, then what it specialises (`vk:Directive`, `vk:Document` ...)."""
        return [iri, *sorted(self.ancestors.get(iri, ()))]

    def most_specific(self, types: Iterable[str]) -> str | None:
        """The type of a resource that none of its other types specialises; `vk:` classes first.

        >>> Vocabulary({}, {VK + "Directive": frozenset({VK + "Document"})}, {}, ()).most_specific(
        ...     [VK + "Document", VK + "Directive", "http://xmlns.com/foaf/0.1/Document"])
        'https://w3id.org/vankien/ontology#Directive'
        """
        kinds = set(types)
        specific = [t for t in kinds if not any(t in self.ancestors.get(other, ()) for other in kinds)]
        return min(specific, key=lambda t: (not t.startswith(VK), t), default=None)


def name(iri: str) -> str:
    """The name of a `vk:` class in URLs: `vk:Directive` → `Directive`."""
    return iri.removeprefix(VK)


def load(store: GraphStore) -> Vocabulary:
    term_labels: dict[str, dict[str, str]] = {}
    for row in _rows(store, TERM_LABELS):
        labels.add(term_labels, row["term"].value, row["label"].value, row["label"].language)
    ancestors: defaultdict[str, set[str]] = defaultdict(set)
    for row in _rows(store, ANCESTORS):
        ancestors[row["class"].value].add(row["ancestor"].value)
    counts = {c.iri: c.count for c in store.counts()}
    declared = {row["class"].value for row in _rows(store, DECLARED)}
    return Vocabulary(
        labels=term_labels,
        ancestors={c: frozenset(a) for c, a in ancestors.items()},
        counts=counts,
        classes=tuple(sorted(declared | set(counts), key=name)),
    )


VOCABULARY = PerBuild(load)


def vocabulary(store: GraphStore) -> Vocabulary:
    """The build's vocabulary (blocking on first use: call it in a worker thread)."""
    return VOCABULARY.get(store)


def _rows(store: GraphStore, sparql: str) -> QuerySolutions:
    rows = store.select(sparql)
    assert isinstance(rows, QuerySolutions)
    return rows

"""One article's named graph as N-Triples terms: what the build validates and publishes, with no rdflib graph.

Terms are N-Triples text (mappings/emission/ntriples.py), so adding a triple is a tuple in a dict, where an rdflib
`Graph.add` runs through its store's indexes and events (~25 µs). Each literal's parts are kept: the SHACL
checks get rdflib values for the literals they read, and callers that want one get an rdflib `Graph`.

    >>> graph = ArticleGraph("http://example.org/a")
    >>> graph.add("<http://example.org/a>", "<http://example.org/p>", graph.literal("Thanh Hóa", language="vi"))
    >>> graph.text().lines
    ['<http://example.org/a> <http://example.org/p> "Thanh Hóa"@vi .\\n']
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from mappings.emission.graph_text import GraphText
from mappings.emission.ntriples import Terms, lines


class LiteralParts(NamedTuple):
    lexical: str
    language: str | None = None
    datatype: str | None = None   # IRI

    def rdflib(self) -> Literal:
        return Literal(self.lexical, lang=self.language, datatype=URIRef(self.datatype) if self.datatype else None)


class ArticleGraph:
    """Distinct triples of N-Triples terms, built up by `add`; `literal` gives a literal's term."""

    __slots__ = ("_triples", "iri", "literals")

    def __init__(self, iri: str) -> None:
        self.iri = iri
        self._triples: dict[Terms, None] = {}
        self.literals: dict[str, LiteralParts] = {}   # each literal's term → its parts

    def add(self, s: str, p: str, o: str) -> None:
        self._triples[s, p, o] = None

    def literal(self, lexical: str, language: str | None = None, datatype: str | None = None) -> str:
        """The term of a literal; the lexical form must be what rdflib writes for the value (tests/test_emit.py)."""
        if language:
            text = str(ox.Literal(lexical, language=language))
        elif datatype:
            text = str(ox.Literal(lexical, datatype=ox.NamedNode(datatype)))
        else:
            text = str(ox.Literal(lexical))
        self.literals[text] = LiteralParts(lexical, language, datatype)
        return text

    @property
    def triples(self) -> list[Terms]:
        return list(self._triples)

    def without(self, triples: set[Terms]) -> ArticleGraph:
        """The same graph less `triples` (a new graph; this one is unchanged)."""
        graph = ArticleGraph(self.iri)
        graph._triples = {triple: None for triple in self._triples if triple not in triples}
        graph.literals = self.literals
        return graph

    def text(self) -> GraphText:
        """The lines the store and the dumps hold (an article graph has no blank nodes to label)."""
        return GraphText(self.iri, lines(self._triples))

    def rdflib_literals(self) -> dict[str, Literal]:
        """Each literal's term → its rdflib literal, made when first read (what SHACL checks compare)."""
        return _RdflibLiterals(self.literals)

    def graph(self) -> Graph:
        """The same triples as an rdflib graph named by the article IRI."""
        graph = Graph(identifier=URIRef(self.iri))
        for triple in self._triples:
            graph.add((self._node(triple[0]), self._node(triple[1]), self._node(triple[2])))
        return graph

    def _node(self, text: str) -> URIRef | Literal:
        return self.literals[text].rdflib() if text[0] == '"' else URIRef(text[1:-1])


class _RdflibLiterals(dict[str, Literal]):
    """Term → rdflib literal, each made when a check first reads it."""

    def __init__(self, parts: dict[str, LiteralParts]) -> None:
        super().__init__()
        self._parts = parts

    def __missing__(self, text: str) -> Literal:
        self[text] = literal = _rdflib_literal(self._parts[text])
        return literal


@lru_cache(maxsize=1 << 16)
def _rdflib_literal(parts: LiteralParts) -> Literal:
    """Shared by the graphs of a process: the same offsets, labels and dates recur from article to article."""
    return parts.rdflib()

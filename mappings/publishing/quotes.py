"""What a page shows of a quoted statement: the statement with its fact and rule, its evidence (a sentence of an
article: the source and the selector's start, end and text) and the article's title and date; nothing when it
quotes nothing (no evidence with a source and a complete selector).

The build reads it once per statement quoted into the page data (`page_data`, kept as zlib'd N-Triples:
`encode`, `decode`), and a server without page data reads it per request (`server.pages.lookups`): both with
`QuoteReader`, so that the two give the same triples. `tests/test_page_data.py` renders pages both ways.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Protocol

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, RdfFormat, Store, Triple, parse, serialize

from mappings.publishing.page_queries import OA, PREFIXES, RDF, VK

TYPE, LABEL = NamedNode(RDF + "type"), NamedNode(PREFIXES["rdfs"] + "label")
SUBJECT, PREDICATE, OBJECT = NamedNode(RDF + "subject"), NamedNode(RDF + "predicate"), NamedNode(RDF + "object")
STATEMENT, EVIDENCE_CLASS = NamedNode(RDF + "Statement"), NamedNode(VK + "Evidence")
EVIDENCE, SOURCE, SELECTOR = NamedNode(VK + "evidence"), NamedNode(OA + "hasSource"), NamedNode(OA + "hasSelector")
SELECTED = (NamedNode(OA + "start"), NamedNode(OA + "end"), NamedNode(OA + "exact"))  # all three, or no quote
OPTIONAL_OF_STATEMENT = tuple(NamedNode(VK + name) for name in ("rule", "spanStart", "spanEnd", "spanText"))
PUBLISHED = NamedNode(VK + "published")
OF_SOURCE = (LABEL, PUBLISHED)
KEPT = 1 << 16  # titles and dates a build keeps while it reads quotes
# Sentences a reader keeps: a fact's statements come from a few sentences, which often say other facts of the same
# subject, read next (a build reads the facts by subject): 23 -> 14 s of reading at 3k.
SENTENCES_KEPT = 10_000
# What a quote's triples have in common, given to zlib as a dictionary: a row is a few statements, too short to
# teach zlib their properties, classes and datatypes itself (a fifth smaller with it, at 3k articles).
SHARED = "".join(
    f"<{node.value}> " for node in (
        TYPE, STATEMENT, EVIDENCE_CLASS, SUBJECT, PREDICATE, OBJECT, *OPTIONAL_OF_STATEMENT, EVIDENCE, SOURCE,
        SELECTOR, *SELECTED, *OF_SOURCE)
).encode() + b'"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"^^<http://www.w3.org/2001/XMLSchema#date> .\n'


class Reads(Protocol):
    """The union's triples, as the build's store and the server's (`server.data.store.GraphStore`) give them."""

    def triples(self, subject: NamedNode | BlankNode, predicate: NamedNode | None = None) -> list[Triple]: ...

    def kept(self, subject: NamedNode | BlankNode, predicate: NamedNode) -> Sequence[Triple]:
        """`triples(subject, predicate)`, which a server keeps: the titles and dates many pages read."""
        ...


class StoreReads:
    """A build's store, read as `Reads`: articles' titles and dates kept, as a server keeps them (an article
    reports many facts)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.kept = lru_cache(maxsize=KEPT)(self._kept)

    def triples(self, subject: NamedNode | BlankNode, predicate: NamedNode | None = None) -> list[Triple]:
        return [quad.triple for quad in self._store.quads_for_pattern(subject, predicate, None, DefaultGraph())]

    def _kept(self, subject: NamedNode | BlankNode, predicate: NamedNode) -> Sequence[Triple]:
        return tuple(self.triples(subject, predicate))


class QuoteReader:
    """Reads what pages show of statements; a sentence that several of them quote is read once (of the last
    `SENTENCES_KEPT`: a build reads a whole corpus's quotes with one reader)."""

    def __init__(self, reads: Reads) -> None:
        self._reads = reads
        self._sentences: dict[NamedNode | BlankNode, list[Triple]] = {}

    def statements(self, statements: Iterable[NamedNode]) -> list[Triple]:
        """Each statement with its evidence, selector and article, when it has a subject, a predicate, an object
        and an evidence with a source and a selector that has a start, an end and a sentence."""
        return [triple for statement in dict.fromkeys(statements) for triple in self._statement(statement)]

    def _statement(self, statement: NamedNode) -> list[Triple]:
        values = self._by_predicate(statement)
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
        if evidence not in self._sentences:
            if len(self._sentences) >= SENTENCES_KEPT:
                self._sentences.clear()
            self._sentences[evidence] = self._sentence(evidence)
        read = self._sentences[evidence]
        return [link, *read] if read else []

    def _sentence(self, evidence: NamedNode | BlankNode) -> list[Triple]:
        """An evidence node's source and complete selectors, the source's title and date; [] when it has no
        source or no complete selector."""
        values = self._by_predicate(evidence)
        sources = values.get(SOURCE.value, [])
        selectors = [(t, found) for t in values.get(SELECTOR.value, ()) if (found := self._selector(t.object))]
        if not sources or not selectors:
            return []
        found = [Triple(evidence, TYPE, EVIDENCE_CLASS), *sources]
        for triple, selected in selectors:
            found += [triple, *selected]
        for source in dict.fromkeys(t.object for t in sources):
            if isinstance(source, NamedNode | BlankNode):
                found += [triple for predicate in OF_SOURCE for triple in self._reads.kept(source, predicate)]
        return found

    def _selector(self, selector: object) -> list[Triple]:
        """A selector's start, end and sentence, or [] when one of them is missing."""
        if not isinstance(selector, NamedNode | BlankNode):
            return []
        values = self._by_predicate(selector)
        if not all(values.get(p.value) for p in SELECTED):
            return []
        return [triple for p in SELECTED for triple in values[p.value]]

    def _by_predicate(self, node: NamedNode | BlankNode) -> dict[str, list[Triple]]:
        values: dict[str, list[Triple]] = {}
        for triple in self._reads.triples(node):
            values.setdefault(triple.predicate.value, []).append(triple)
        return values


def packed_quotes(reader: QuoteReader, statements: Iterable[str]) -> bytes:
    """What a page shows of `statements` (IRIs), as the page data keeps it."""
    return encode(reader.statements(NamedNode(statement) for statement in statements))


def encode(triples: Iterable[Triple]) -> bytes:
    """Triples as zlib'd N-Triples, in their order."""
    packer = zlib.compressobj(9, zdict=SHARED)
    return packer.compress(serialize(triples, format=RdfFormat.N_TRIPLES) or b"") + packer.flush()


def decode(data: bytes) -> list[Triple]:
    """The triples `encode` packed, in their order."""
    unpacker = zlib.decompressobj(zdict=SHARED)
    text = unpacker.decompress(data) + unpacker.flush()
    return [quad.triple for quad in parse(text, format=RdfFormat.N_TRIPLES)]

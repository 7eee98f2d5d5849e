"""What a page shows of a statement quoted (`mappings/publishing/quotes.py`): read from a store with every piece
the page needs, or nothing when a piece is missing; and kept in the page data as zlib'd N-Triples that come back
the same, in their order."""
from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store, Triple

from mappings.publishing import quotes
from mappings.publishing.quotes import QuoteReader, StoreReads, decode, encode

VK, OA = "https://w3id.org/vankien/ontology#", "http://www.w3.org/ns/oa#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ARTICLE = NamedNode("http://localhost:8000/id/article/a1")
XSD = "http://www.w3.org/2001/XMLSchema#"
DAY = Literal("2024-05-02", datatype=NamedNode(XSD + "date"))
SENTENCE = Literal("Tỉnh ủy ban hành Chỉ thị 39-CT/TW để thực hiện Kết luận 21.", language="vi")


def node(local: str) -> NamedNode:
    return NamedNode(f"{ARTICLE.value}#{local}")


def statement_triples(name: str, *, with_end: bool = True) -> list[Triple]:
    """A statement of the article, its evidence and selector (without its end when `with_end` is false)."""
    st, evidence, selector = node(name), node(f"{name}-e"), node(f"{name}-sel")
    triples = [
        Triple(st, NamedNode(RDF + "subject"), NamedNode("http://localhost:8000/id/doc/ct-39-tw")),
        Triple(st, NamedNode(RDF + "predicate"), NamedNode(VK + "implements")),
        Triple(st, NamedNode(RDF + "object"), NamedNode("http://localhost:8000/id/doc/kl-21-tw")),
        Triple(st, NamedNode(VK + "rule"), Literal("citation-implements")),
        Triple(st, NamedNode(VK + "evidence"), evidence),
        Triple(evidence, NamedNode(OA + "hasSource"), ARTICLE),
        Triple(evidence, NamedNode(OA + "hasSelector"), selector),
        Triple(selector, NamedNode(OA + "start"), Literal("10", datatype=NamedNode(XSD + "integer"))),
        Triple(selector, NamedNode(OA + "exact"), SENTENCE),
    ]
    if with_end:
        triples.append(Triple(selector, NamedNode(OA + "end"), Literal("70", datatype=NamedNode(XSD + "integer"))))
    return triples


@pytest.fixture
def store() -> Store:
    found = Store()
    triples = [*statement_triples("st1"), *statement_triples("st2", with_end=False),
               Triple(ARTICLE, LABEL, Literal("Tỉnh ủy học tập Kết luận 21", language="vi")),
               Triple(ARTICLE, NamedNode(VK + "published"), DAY)]
    found.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    return found


def test_a_statement_with_its_evidence_sentence_and_article(store: Store) -> None:
    quoted = QuoteReader(StoreReads(store)).statements([node("st1")])
    assert set(quoted) - set(statement_triples("st1")) == {
        Triple(node("st1"), NamedNode(RDF + "type"), NamedNode(RDF + "Statement")),
        Triple(node("st1-e"), NamedNode(RDF + "type"), NamedNode(VK + "Evidence")),
        Triple(ARTICLE, LABEL, Literal("Tỉnh ủy học tập Kết luận 21", language="vi")),
        Triple(ARTICLE, NamedNode(VK + "published"), DAY),
    }
    assert set(statement_triples("st1")) <= set(quoted)


def test_a_statement_whose_selector_lacks_its_end_quotes_nothing(store: Store) -> None:
    reader = QuoteReader(StoreReads(store))
    assert reader.statements([node("st2")]) == []
    assert reader.statements([node("st2"), node("st1"), node("st1")]) == reader.statements([node("st1")])


def test_quotes_come_back_from_the_page_data_as_they_went_in(store: Store) -> None:
    quoted = QuoteReader(StoreReads(store)).statements([node("st1")])
    packed = encode(quoted)
    assert decode(packed) == quoted
    assert len(packed) < len("".join(f"{t} .\n" for t in quoted).encode()) / 3
    assert decode(encode([])) == []


def test_a_reader_that_forgets_its_sentences_reads_them_again(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build reads every quote of a corpus with one reader, which keeps only the last sentences it read."""
    keeping = QuoteReader(StoreReads(store))
    first = [keeping.statements([node(name)]) for name in ("st1", "st2", "st1")]
    monkeypatch.setattr(quotes, "SENTENCES_KEPT", 1)
    forgetting = QuoteReader(StoreReads(store))
    assert [forgetting.statements([node(name)]) for name in ("st1", "st2", "st1")] == first
    assert first[0] == first[2] != []

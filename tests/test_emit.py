"""mappings/emission/to_rdf.py writes N-Triples terms directly: they must be exactly what rdflib would have written."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from mappings.emission.article_graph import LiteralParts
from mappings.emission.ntriples import terms
from mappings.emission.to_rdf import PUBLISHED, _rdflib_n3, emit
from mappings.linking.iris import Minter, known_years
from mappings.linking.records import ArticleRecord
from mappings.reading.article import Article
from mappings.validation import validate
from mappings.validation.validate import Report, validate_article_graphs
from tests.conftest import BASE

TEXT = st.text(alphabet=st.sampled_from('ab "\\\n\rđ“”\t'), max_size=12)


@given(TEXT, st.sampled_from([(None, None), ("vi", None), (None, str(XSD.date)), (None, str(XSD.integer))]))
def test_statement_iris_hash_rdflibs_n3_of_the_object(lexical: str, kind: tuple[str | None, str | None]) -> None:
    language, datatype = kind
    literal = Literal(lexical, lang=language, datatype=URIRef(datatype) if datatype else None, normalize=False)
    assert _rdflib_n3(LiteralParts(lexical, language, datatype)) == literal.n3()


def test_emitted_terms_are_rdflibs_terms_of_the_same_values(seed_records: dict[str, tuple[Article, ArticleRecord]]) -> None:
    """Every literal written as rdflib would normalise it, so the rdflib graph gives back the same terms."""
    minter = Minter(BASE, known_years(record for _, record in seed_records.values()))
    for article, record in seed_records.values():
        graph = emit(record, article.text, minter)
        assert set(terms(graph.graph())[0]) == set(graph.triples)
        assert len(graph.triples) == len(graph.graph())


def test_to_graph_binds_the_prefixes(seed_graphs: dict[str, Graph]) -> None:
    graph = next(iter(seed_graphs.values()))
    assert {"vk", "oa", "org", "foaf", "dcterms"} <= {prefix for prefix, _ in graph.namespaces()}


def test_emitted_graphs_validate_as_pyshacl_validates_their_rdflib_graphs(
        seed_records: dict[str, tuple[Article, ArticleRecord]], monkeypatch: pytest.MonkeyPatch) -> None:
    minter = Minter(BASE, known_years(record for _, record in seed_records.values()))
    graphs = {key: emit(record, article.text, minter) for key, (article, record) in seed_records.items()}
    broken = next(iter(graphs.values()))
    broken.add(f"<{broken.iri}>", PUBLISHED, broken.literal("not a date"))

    def reports() -> dict[str, Report]:
        return validate_article_graphs(graphs)

    compiled = reports()
    monkeypatch.setattr(validate, "compiled_shapes", lambda: None)  # the shapes need pySHACL
    assert reports() == compiled
    assert [key for key, report in compiled.items() if not report.conforms] == [next(iter(graphs))]

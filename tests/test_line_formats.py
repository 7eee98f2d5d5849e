"""Turtle, TriG and JSON-LD written from N-Triples lines (mappings/emission/line_formats.py) read back as the same triples."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld as pyld
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from mappings.emission.line_formats import NODE_SEPARATOR, Names, jsonld, trig, turtle
from mappings.publishing.dumps import context_prefixes
from mappings.publishing.publish import load_context

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
CONTEXT = load_context(ROOT / "ontology" / "context.jsonld")
PREFIXES = context_prefixes(CONTEXT)
VK = "https://w3id.org/vankien/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = "http://localhost:8000/id/article/000_a"


def tricky_lines() -> list[str]:
    """Distinct sorted N-Triples lines, as the build holds them: every kind of term and of escape."""
    article, other = NamedNode(GRAPH), NamedNode("http://localhost:8000/id/document/tw/2014/chi-thi/39")
    first, second = BlankNode("n1"), BlankNode("n2")
    literals = [
        Literal('Chỉ thị "về tăng cường"\nbài\tmột \\ hai'), Literal("\x01\x7f\x1f control"),
        Literal("😀 ngoài BMP", language="vi"), Literal("Thanh Hoa", language="en"),
        Literal("Thanh Hóa", language="zh-Hant-TW"), Literal("42", datatype=NamedNode(XSD + "integer")),
        Literal("2014-08-18", datatype=NamedNode(XSD + "date")),
        Literal("x", datatype=NamedNode("http://example.org/dt/with.dot")), Literal(""), Literal("'single'"),
    ]
    predicates = [NamedNode(VK + "title"), NamedNode(VK + "label"), NamedNode("http://example.org/no-prefix"),
                  NamedNode(VK + "9starts-with-a-digit"), NamedNode(VK + "with.dot"), NamedNode(VK + "per%20cent")]
    triples = [Triple(article, RDF_TYPE, NamedNode(VK + "Article")), Triple(article, RDF_TYPE, Literal("a literal type")),
               Triple(article, NamedNode(VK + "mentions"), other), Triple(article, NamedNode(VK + "mentions"), first),
               Triple(first, NamedNode(VK + "next"), second), Triple(second, NamedNode(VK + "of"), article),
               Triple(other, NamedNode(VK + "symbol"), Literal("39-CT/TW"))]
    triples += [Triple(article, predicate, literal) for predicate in predicates for literal in literals]
    return sorted({f"{t} .\n" for t in triples})


def triples_of(lines: list[str]) -> set[str]:
    return {str(q.triple) for q in parse("".join(lines), RdfFormat.N_TRIPLES)}


def test_turtle_reads_back_as_the_lines_with_pyoxigraph_and_rdflib() -> None:
    lines, names = tricky_lines(), Names(PREFIXES)
    text = names.header() + turtle(lines, names)
    assert {str(q.triple) for q in parse(text, RdfFormat.TURTLE)} == triples_of(lines)
    assert isomorphic(Graph().parse(data=text, format="turtle"), Graph().parse(data="".join(lines), format="nt"))
    assert "\ta \"a literal type\" ,\n\t\tvk:Article" in text and '"42"^^xsd:integer' in text and "vk:title" in text
    assert f"<{VK}with.dot>" in text and f"<{VK}9starts-with-a-digit>" in text  # left whole: no escapes needed


def test_trig_blocks_read_back_as_the_quads() -> None:
    lines, names = tricky_lines(), Names(PREFIXES)
    text = names.header() + trig(GRAPH, lines, names) + trig("http://localhost:8000/graph/empty", [], names)
    expected = {(GRAPH, triple) for triple in triples_of(lines)}
    assert {(q.graph_name.value, str(q.triple)) for q in parse(text, RdfFormat.TRIG)} == expected
    dataset = Dataset().parse(data=text, format="trig")
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == len(expected)


def test_jsonld_nodes_expand_with_pyld_and_pyoxigraph_to_the_lines() -> None:
    lines = tricky_lines()
    half = len(lines) // 2  # two members: a subject's lines split between them, as in the dumps' shared part
    nodes = NODE_SEPARATOR.join([jsonld(lines[:half]), jsonld(lines[half:])])
    document = json.loads('{"@context": ' + json.dumps(CONTEXT) + ', "@graph": [' + nodes + "]}")
    expected = Graph().parse(data="".join(lines), format="nt")

    def no_network(url: str, options: object = None) -> None:
        raise AssertionError(f"pyld was made to fetch {url}")

    expanded = pyld.to_rdf(document, {"format": "application/n-quads", "documentLoader": no_network})
    assert isomorphic(Graph().parse(data=expanded, format="nt"), expected)
    by_pyoxigraph = {str(q.triple) for q in parse(json.dumps(document), RdfFormat.JSON_LD)}
    assert len(by_pyoxigraph) == len(expected)


@pytest.mark.parametrize("iri", ["http://exa mple.org/a", "no-scheme", "http://example.org/{a}"])
def test_an_invalid_iri_is_refused(iri: str) -> None:
    line = f"<{iri}> <{VK}p> \"x\" .\n"
    with pytest.raises(ValueError, match="not a valid IRI"):
        turtle([line], Names(PREFIXES))

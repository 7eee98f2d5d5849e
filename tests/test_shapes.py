"""ontology/shapes.ttl, checked through mappings.validation.validate on the cases of tests/shape_cases/.

Each case file holds a small data graph and its expected results (format: shape_cases/README.md).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from mappings.emission.vocab import VK
from mappings.validation.validate import SHAPES_PATH, Report, validate, validate_many

CASES_DIR = Path(__file__).parent / "shape_cases"
CASES = sorted(CASES_DIR.glob("*.ttl"))
EXPECT_LINE = re.compile(r"^#\s*expect:\s*(.*?)\s*$", re.MULTILINE)
PREFIXED_NAME = re.compile(r"[A-Za-z][\w-]*:[\w-]*")
SHAPES = Graph().parse(SHAPES_PATH, format="turtle")
# Parameters that attach a shape's own constraints or describe it, as opposed to constraints.
NOT_CONSTRAINTS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property,
                   SH.severity, SH.message, SH.name, SH.description, SH.deactivated, RDF.type}

Result = tuple[str, str, str]  # focus node, path ("-" when none), constraint component


def load_case(path: Path) -> tuple[Graph, list[Result]]:
    """The case's data graph and its expected results, sorted; [] for `# expect: conforms`."""
    text = path.read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    lines = EXPECT_LINE.findall(text)
    assert lines, f"{path.name}: no '# expect:' line"
    if lines == ["conforms"]:
        return graph, []
    return graph, sorted(_expected(graph, line, path.name) for line in lines)


def _expected(graph: Graph, line: str, name: str) -> Result:
    parts = line.split()
    assert len(parts) == 3, f"{name}: expected 'focus path component', got {line!r}"
    focus, path, component = parts
    expand = graph.namespace_manager.expand_curie
    path = PREFIXED_NAME.sub(lambda name: str(expand(name.group())), path)  # keeps ^ / | and -
    return str(expand(focus)), path, str(expand(component))


def found(report: Report) -> list[Result]:
    return sorted((v.focus_node, v.path or "-", v.component) for v in report.results)


def messages(shape: Node) -> dict[str | None, str]:
    return {m.language: str(m) for m in SHAPES.objects(shape, SH.message) if isinstance(m, Literal)}


def reporting_shapes() -> set[Node]:
    """Shapes whose own constraints produce results: property shapes of node shapes, node shapes
    with constraints of their own, SPARQL constraints. (Shapes nested in sh:or report through these.)"""
    node_shapes = set(SHAPES.subjects(RDF.type, SH.NodeShape))
    property_shapes = {p for shape in node_shapes for p in SHAPES.objects(shape, SH.property)}
    own = {s for s in node_shapes if set(SHAPES.predicates(s)) - NOT_CONSTRAINTS}
    return property_shapes | own | set(SHAPES.objects(None, SH.sparql))


ENGLISH_MESSAGES = {messages(shape).get("en") for shape in reporting_shapes()}


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_case(case: Path) -> None:
    graph, expected = load_case(case)
    report = validate(graph)
    assert found(report) == expected
    assert report.conforms == (not expected)
    for violation in report.results:
        assert violation.message in ENGLISH_MESSAGES
        assert violation.severity == str(SH.Violation)


@pytest.mark.parametrize("shape", sorted(reporting_shapes(), key=str), ids=str)
def test_constraint_has_plain_words_in_english_and_vietnamese(shape: Node) -> None:
    assert set(messages(shape)) == {"en", "vi"}
    assert SHAPES.value(shape, SH.severity) == SH.Violation or (None, SH.sparql, shape) in SHAPES


@pytest.mark.parametrize("shape", sorted(SHAPES.subjects(RDF.type, SH.NodeShape), key=str), ids=str)
def test_every_node_shape_has_cases(shape: URIRef) -> None:
    """At least one conforming and one failing case per node shape (file names: see README)."""
    stem = shape.split("#")[-1].removesuffix("Shape").lower()
    names = [path.name for path in CASES]
    assert any(name.startswith(f"{stem}-ok") for name in names), f"no {stem}-ok*.ttl"
    assert any(name.startswith(f"{stem}-bad") for name in names), f"no {stem}-bad*.ttl"


def test_validate_many_equals_validate_per_graph() -> None:
    """All cases in one batch, although they reuse node names, give the same report per case."""
    graphs = {case.stem: load_case(case)[0] for case in CASES}
    assert validate_many(graphs) == {name: validate(graph) for name, graph in graphs.items()}


PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix vk: <https://w3id.org/vankien/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""


def article(name: str, document: str, *, mentions: str = "ex:ct39") -> Graph:
    """An article graph that mentions `mentions` and describes ex:ct39 by `document`."""
    return Graph().parse(data=PREFIXES + f"""
        ex:{name} a vk:Article ; dcterms:identifier "{name}" ; rdfs:label "{name}"@vi ;
            vk:mentions {mentions} .
        ex:ct39 a vk:Document , vk:Directive ; rdfs:label "Chỉ thị 39"@vi ; {document} .
        """, format="turtle")


def test_validate_many_reports_a_shared_node_for_each_article_with_the_bad_data() -> None:
    ex = "http://example.org/"
    graphs = {
        # Each gives one date: together two, yet neither article is wrong on its own.
        "a": article("a", 'vk:symbol "39-CT/TW" ; vk:issuedOn "2014-08-18"^^xsd:date'),
        "b": article("b", 'vk:symbol "39-CT/TW" ; vk:issuedOn "2014-08-19"^^xsd:date'),
        # Neither symbol nor number here; that "a" and "b" give the symbol must not hide it.
        "c": article("c", 'vk:issuedOn "2014-08-18"^^xsd:date', mentions='ex:ct39, "Chỉ thị 39"'),
        "d": article("d", 'vk:title "về công tác ..."@vi'),
    }
    reports = validate_many(graphs)
    assert reports["a"].conforms and reports["b"].conforms
    no_symbol = (f"{ex}ct39", f"{VK.symbol}|{VK.number}", str(SH.MinCountConstraintComponent))
    not_an_iri = (f"{ex}c", str(VK.mentions), str(SH.NodeKindConstraintComponent))
    assert found(reports["c"]) == [not_an_iri, no_symbol]
    assert found(reports["d"]) == [no_symbol]

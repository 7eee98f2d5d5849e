"""mappings/validation/shacl.py: the compiled shapes give exactly pySHACL's results, on good graphs and broken ones."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH

from mappings.validation.shacl import Unsupported, compile_shapes
from mappings.validation.validate import SHAPES_PATH, compiled_shapes, validate_many

CASES = sorted((Path(__file__).parent / "shape_cases").glob("*.ttl"))
VK = "https://w3id.org/vankien/ontology#"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
ORDERED = ("start", "end", "Start", "End")  # sh:lessThanOrEquals cannot compare a blank node (pySHACL raises)


def test_the_shipped_shapes_compile() -> None:
    assert compiled_shapes() is not None


def test_shape_cases_give_pyshacls_results() -> None:
    graphs = {case.stem: Graph().parse(case, format="turtle") for case in CASES}
    assert validate_many(graphs) == validate_many(graphs, engine="pyshacl")


def test_seed_graphs_and_broken_copies_give_pyshacls_results(seed_graphs: dict[str, Graph]) -> None:
    rng = random.Random(11)
    graphs = dict(seed_graphs)
    for copy in range(6):
        graphs |= {f"{key}~{copy}": _broken(graph, rng) for key, graph in seed_graphs.items()}
    reports = validate_many(graphs)
    assert reports == validate_many(graphs, engine="pyshacl")
    assert sum(not report.conforms for report in reports.values()) > len(graphs) // 2  # the copies do break


def test_integers_written_every_way_give_pyshacls_results(seed_graphs: dict[str, Graph]) -> None:
    """Spans and offsets are read from their text when it is a plain xsd:integer; every other form goes through
    rdflib, and either way the answer is pySHACL's (an ill-typed one makes both raise)."""
    def with_offsets(form: str) -> dict[str, Graph]:
        copy = Graph()
        copy += graph
        for s, p, o in ordered[:: 7]:
            copy.remove((s, p, o))
            copy.add((s, p, Literal(form, datatype=XSD_INTEGER)))
        return {form: copy}

    graph = next(iter(seed_graphs.values()))
    ordered = sorted((s, p, o) for s, p, o in graph if str(p).endswith(ORDERED))
    for form in ("+3", "007", "-0", "-1", "٣", " 4", "99999999999999999999"):
        graphs = with_offsets(form)
        assert validate_many(graphs) == validate_many(graphs, engine="pyshacl"), form
    assert not validate_many(with_offsets("-1"))["-1"].conforms
    for form in ("3.0", "1e2", ""):
        for engine in ("auto", "pyshacl"):
            with pytest.raises(TypeError):
                validate_many(with_offsets(form), engine=engine)


def _broken(graph: Graph, rng: random.Random) -> Graph:
    """A copy with a few triples removed or added: wrong values, types, languages, kinds and counts."""
    copy = Graph()
    copy += graph
    triples = sorted(graph)
    for _ in range(rng.randint(1, 6)):
        s, p, o = rng.choice(triples)
        bad = [Literal("x y"), Literal("2024-13-45", datatype=XSD_DATE), Literal(rng.randint(-5, 5)),
               Literal("nhãn", lang=rng.choice(["vi", "en", "fr", "vi-VN"]))]
        if not str(p).endswith(ORDERED):
            bad.append(BNode())
        change = rng.randrange(5)
        if change == 0:
            copy.remove((s, p, o))
        elif change == 1:
            copy.add((s, p, rng.choice(bad)))
        elif change == 2:
            copy.add((s, RDFS.label, Literal("nhãn", lang=rng.choice(["vi", "en", "fr"]))))
        elif change == 3 and isinstance(o, URIRef):
            copy.add((o, p, s))  # cycles: replaces, implements, basedOn
        else:
            copy.add((s, RDF.type, URIRef(rng.choice([VK + "Province", VK + "Meeting", "http://example.org/C"]))))
    return copy


@pytest.mark.parametrize("extra", [
    (SH.sparql, BNode()),
    (SH.closed, Literal(True)),
    (SH.node, URIRef("http://example.org/shape")),
    (SH.pattern, Literal("^a")),  # a second sh:pattern
])
def test_a_construct_the_compiler_lacks_makes_it_refuse_rather_than_skip(extra: tuple[URIRef, object]) -> None:
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    shape = URIRef("https://w3id.org/vankien/shapes#Document-symbol")
    shapes.add((shape, SH.targetClass, URIRef(VK + "Document")))
    shapes.add((shape, *extra))
    with pytest.raises(Unsupported):
        compile_shapes(shapes)


OTHER_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:s1 sh:targetSubjectsOf ex:p ; sh:path ex:p ; sh:nodeKind sh:BlankNodeOrIRI ; sh:message "m1" .
ex:s2 sh:targetObjectsOf ex:p ; sh:path ( ex:q ex:r ) ; sh:maxCount 1 ; sh:message "m2" .
ex:s3 sh:targetNode ex:a ; sh:path ex:label ; sh:uniqueLang true ; sh:message "m3" .
ex:s4 sh:targetNode ex:b ; sh:path [ sh:alternativePath ( ex:q [ sh:inversePath ex:p ] ) ] ;
    sh:qualifiedValueShape [ sh:nodeKind sh:IRI ] ; sh:qualifiedMaxCount 1 ; sh:message "m4" .
ex:s5 sh:targetClass ex:C ; sh:path ex:n ; sh:datatype xsd:integer ; sh:minInclusive 2 ; sh:message "m5" .
"""

OTHER_DATA = """
@prefix ex: <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:a ex:p ex:b , "literal" , [ ex:q ex:c ] ; ex:label "x"@vi , "y"@VI , "z"@en .
ex:b ex:q ex:c , ex:d ; ex:r ex:e .
ex:c ex:r ex:e , ex:f . ex:d ex:r ex:g .
ex:D rdfs:subClassOf ex:C . ex:i a ex:D ; ex:n 1 , "3" , 5 .
"""


def test_other_targets_paths_and_components_give_pyshacls_results() -> None:
    from pyshacl import validate as pyshacl

    from mappings.emission.ntriples import terms
    from mappings.validation.shacl import Data, check

    shapes, data = Graph().parse(data=OTHER_SHAPES, format="turtle"), Graph().parse(data=OTHER_DATA, format="turtle")
    ours = {(f.focus, f.component, f.message) for f in check(compile_shapes(shapes), Data(*terms(data)))}
    _, results, _ = pyshacl(data, shacl_graph=shapes, inference="none")
    theirs = {(str(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceConstraintComponent)),
               str(results.value(r, SH.resultMessage))) for r in results.objects(None, SH.result)}
    assert ours == theirs and len({message for _, _, message in ours}) == 5

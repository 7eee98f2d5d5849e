"""ontology/vankien.ttl and ontology/context.jsonld agree with mappings/emission/vocab.py."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef, namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, DefinedNamespaceMeta

from mappings.emission.vocab import VK, VK_IRI

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_PATH = ROOT / "ontology" / "vankien.ttl"
CONTEXT_PATH = ROOT / "ontology" / "context.jsonld"
ONTOLOGY = Graph().parse(ONTOLOGY_PATH, format="turtle")
CONTEXT: dict[str, Any] = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]

VK_TERMS = sorted(URIRef(term) for term in dir(VK))
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
DOCUMENT_TYPES = ("Directive", "Conclusion", "Regulation", "Decision", "Resolution", "Guideline", "Plan",
                  "Rules", "Notice", "Program", "Project", "OfficialLetter", "Decree", "Law")
# Standard namespaces whose terms rdflib enumerates: a context term there must name a real term.
# (SDO and XSD stay behind `namespace.`: pytest probes module globals and those two warn when probed.)
CLOSED_NAMESPACES: tuple[DefinedNamespaceMeta, ...] = (
    DCTERMS, FOAF, ORG, PROV, RDF, RDFS, namespace.SDO, SKOS)


def languages(subject: URIRef, predicate: URIRef) -> set[str | None]:
    return {o.language for o in ONTOLOGY.objects(subject, predicate) if isinstance(o, Literal)}


def test_ontology_header() -> None:
    (ontology,) = ONTOLOGY.subjects(RDF.type, OWL.Ontology)
    assert {"en", "vi"} <= languages(ontology, DCTERMS.title)
    assert ONTOLOGY.value(ontology, OWL.versionInfo) is not None
    assert ONTOLOGY.value(ontology, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


@pytest.mark.parametrize("term", VK_TERMS, ids=lambda t: t.removeprefix(VK_IRI))
def test_vocab_term_is_declared_in_both_languages(term: URIRef) -> None:
    kinds = set(ONTOLOGY.objects(term, RDF.type)) & set(KINDS)
    assert len(kinds) == 1, f"{term}: not exactly one of owl:Class, owl:ObjectProperty, owl:DatatypeProperty"
    assert {"en", "vi"} <= languages(term, RDFS.label)
    assert {"en", "vi"} <= languages(term, RDFS.comment)


@pytest.mark.parametrize("kind", (OWL.ObjectProperty, OWL.DatatypeProperty), ids=("object", "datatype"))
def test_properties_have_domain_and_fitting_range(kind: URIRef) -> None:
    for prop in ONTOLOGY.subjects(RDF.type, kind):
        assert ONTOLOGY.value(prop, RDFS.domain) is not None, prop
        range_ = ONTOLOGY.value(prop, RDFS.range)
        assert range_ is not None, prop
        is_datatype = (range_ == RDF.langString or range_.startswith(str(namespace.XSD))
                       or (range_, RDF.type, RDFS.Datatype) in ONTOLOGY)
        assert is_datatype == (kind == OWL.DatatypeProperty), f"{prop}: range {range_}"


def test_ontology_declares_only_vocab_terms() -> None:
    declared = {s for s in ONTOLOGY.subjects() if isinstance(s, URIRef) and s.startswith(VK_IRI)}
    assert declared == set(VK_TERMS)


@pytest.mark.parametrize("name", DOCUMENT_TYPES)
def test_document_types_are_documents(name: str) -> None:
    assert (VK[name], RDFS.subClassOf, VK.Document) in ONTOLOGY


def test_context_is_local() -> None:
    """Every context is inline: nothing can make a JSON-LD processor fetch one."""
    text = CONTEXT_PATH.read_text(encoding="utf-8")
    assert '"@import"' not in text and text.count('"@context"') == 1
    assert CONTEXT["@version"] == 1.1


def expand(value: str) -> str:
    prefix, _, local = value.partition(":")
    return CONTEXT[prefix] + local if isinstance(CONTEXT.get(prefix), str) else value


def context_terms() -> dict[str, str]:
    """Short name -> IRI, leaving out keywords and the prefix definitions."""
    terms = {}
    for name, definition in CONTEXT.items():
        if name.startswith("@"):
            continue
        iri = definition if isinstance(definition, str) else definition["@id"]
        if not iri.startswith("http"):
            terms[name] = expand(iri)
    return terms


@pytest.mark.parametrize("name", sorted(context_terms()))
def test_context_term_names_a_known_term(name: str) -> None:
    iri = URIRef(context_terms()[name])
    if iri.startswith(VK_IRI):
        assert iri in VK_TERMS
        assert name == iri.removeprefix(VK_IRI), "vk short names are the local names"
    else:
        closed = [ns for ns in CLOSED_NAMESPACES if iri.startswith(str(ns))]
        assert all(iri in ns for ns in closed), f"{iri} is not a term of its vocabulary"


def test_context_covers_every_vocab_term() -> None:
    assert set(VK_TERMS) <= {URIRef(iri) for iri in context_terms().values()}


ARTICLE_JSONLD = {
    "@id": "http://localhost:8000/id/document/tw/2014/chi-thi/39",
    "@type": ["Document", "Directive"],
    "label": {"vi": "Chỉ thị 39-CT/TW"},
    "symbol": "39-CT/TW",
    "issuedOn": "2014-08-18",
    "issuedBy": "http://localhost:8000/id/org/bo-chinh-tri",
    "title": {"vi": "về tăng cường công tác ..."},
    "unresolved": "true",
}
ARTICLE_TURTLE = """
@prefix vk: <https://w3id.org/vankien/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://localhost:8000/id/document/tw/2014/chi-thi/39> a vk:Document , vk:Directive ;
    rdfs:label "Chỉ thị 39-CT/TW"@vi ;
    vk:symbol "39-CT/TW" ;
    vk:issuedOn "2014-08-18"^^xsd:date ;
    vk:issuedBy <http://localhost:8000/id/org/bo-chinh-tri> ;
    vk:title "về tăng cường công tác ..."@vi ;
    vk:unresolved "true"^^xsd:boolean .
"""


def test_context_reads_a_document_as_the_graph_model_says() -> None:
    document = json.dumps({"@context": CONTEXT, **ARTICLE_JSONLD})
    read = Graph().parse(data=document, format="json-ld")
    expected = Graph().parse(data=ARTICLE_TURTLE, format="turtle")
    assert set(read) == set(expected)

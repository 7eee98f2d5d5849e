"""The reference data the project ships (provinces and other units, central bodies, roles) as one RDF graph.

>>> graph = reference_graph("http://localhost:8000/")
>>> (URIRef("http://localhost:8000/id/province/thanh-hoa"), RDF.type, VK.Province) in graph
True
"""
from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDF, RDFS, SKOS

from mappings.emission.vocab import ORG, VK, VK_IRI
from mappings.extraction.reference import Body, Unit, load_bodies, load_units
from mappings.linking.iris import Minter
from mappings.linking.roles import load_roles


def reference_graph(base: str) -> Graph:
    """The shipped units (`<base>id/province/<key>`) and central bodies (`<base>id/org/<key>`) as RDF."""
    if not base.endswith("/"):
        raise ValueError(f"base must end with '/': {base!r}")
    graph = Graph()
    graph.bind("vk", Namespace(VK_IRI))
    graph.bind("skos", SKOS)
    minter = Minter(base, {})
    for unit in load_units():
        _add_unit(graph, minter, unit)
    for body in load_bodies():
        _add_body(graph, minter, body)
    for role in load_roles().roles:
        graph.add((minter.role(role.key), RDF.type, ORG.Role))
        graph.add((minter.role(role.key), RDFS.label, RdfLiteral(role.vi, lang="vi")))
        graph.add((minter.role(role.key), RDFS.label, RdfLiteral(role.en, lang="en")))
    return graph


def _add_unit(graph: Graph, minter: Minter, unit: Unit) -> None:
    node = minter.province(unit.key)
    _add_labels(graph, node, VK.Province, unit.name, unit.en, unit.aliases)
    graph.add((node, VK.code, RdfLiteral(unit.code)))
    for key in unit.absorbed:
        graph.add((node, VK.absorbed, minter.province(key)))
    for predicate, day in ((VK.validFrom, unit.valid_from), (VK.validUntil, unit.valid_until)):
        if day is not None:
            graph.add((node, predicate, RdfLiteral(day)))  # typed xsd:date


def _add_body(graph: Graph, minter: Minter, body: Body) -> None:
    node = minter.org(body.key)
    _add_labels(graph, node, VK.Organization, body.name, body.en, body.aliases)
    if body.issuer_code:
        graph.add((node, VK.issuerCode, RdfLiteral(body.issuer_code)))


def _add_labels(graph: Graph, node: URIRef, cls: URIRef, vi: str, en: str, aliases: Iterable[str]) -> None:
    graph.add((node, RDF.type, cls))
    graph.add((node, RDFS.label, RdfLiteral(vi, lang="vi")))
    graph.add((node, RDFS.label, RdfLiteral(en, lang="en")))
    for alias in aliases:
        graph.add((node, SKOS.altLabel, RdfLiteral(alias, lang="vi")))

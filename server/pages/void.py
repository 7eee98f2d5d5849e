"""The dataset described in VoID and DCAT (`/.well-known/void`): what it is, its licence, its size per
class and property, its dumps with checksums, and the SPARQL endpoint. Every URL is absolute, from the
address the server is reached at; the counts are the store's, taken once per build.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Triple

from server.data.per_build import PerBuild
from server.data.store import Dump, GraphStore, QueryResult
from server.http.i18n import LANGUAGES, translate
from server.http.namespaces import PREFIXES
from server.http.urls import Urls

# The graph is CC BY 4.0, as the ontology is (pyproject's Apache-2.0 covers the code); the source articles' texts
# stay their publishers' (dcterms:rights says so, `void.rights`): the graph quotes a sentence per fact as evidence.
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DCT, RDF, XSD, FOAF = PREFIXES["dcterms"], PREFIXES["rdf"], PREFIXES["xsd"], PREFIXES["foaf"]
IANA = "https://www.iana.org/assignments/media-types/"
ONTOLOGY = "https://w3id.org/vankien/ontology"
VIETNAMESE = "http://publications.europa.eu/resource/authority/language/VIE"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"

TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ENTITIES = """
SELECT ?base (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?base))) } GROUP BY ?base"""
CLASSES = "SELECT ?key (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?key FILTER(isIRI(?key)) } GROUP BY ?key"
PROPERTIES = "SELECT ?key (COUNT(*) AS ?n) WHERE { ?s ?key ?o } GROUP BY ?key"


@dataclass(frozen=True, slots=True)
class Statistics:
    triples: int  # in the default graph, the union of the articles' graphs
    entities: int  # subjects under the URI space
    classes: dict[str, int]  # class → resources
    properties: dict[str, int]  # property → triples


def statistics(store: GraphStore, id_base: str) -> Statistics:
    return Statistics(
        triples=_single(store.select(TRIPLES)),
        entities=_single(store.select(ENTITIES, base=id_base)),
        classes=_grouped(store.select(CLASSES)),
        properties=_grouped(store.select(PROPERTIES)),
    )


STATISTICS = PerBuild(statistics)


def description(stats: Statistics, store: GraphStore, urls: Urls, license_iri: str) -> Iterator[Triple]:
    """The triples of the description: the server's URLs at the address it is reached at, the IRIs of
    its resources (`void:uriSpace`) as the dataset publishes them."""
    site = urls.base
    dataset, service = NamedNode(site + ".well-known/void#dataset"), NamedNode(site + ".well-known/void#sparql")
    endpoint = NamedNode(site + "sparql")
    yield from _about(dataset, {
        RDF + "type": [NamedNode(VOID + "Dataset"), NamedNode(DCAT + "Dataset")],
        DCT + "title": [Literal(translate(lang, "void.title"), language=lang) for lang in LANGUAGES],
        DCT + "description": [Literal(translate(lang, "void.description"), language=lang) for lang in LANGUAGES],
        DCT + "license": [NamedNode(license_iri)],
        DCT + "rights": [Literal(translate(lang, "void.rights"), language=lang) for lang in LANGUAGES],
        DCT + "modified": [Literal(str(store.manifest["created"]), datatype=NamedNode(XSD + "dateTime"))],
        DCT + "identifier": [Literal(str(store.manifest["build_id"]))],
        DCT + "language": [NamedNode(VIETNAMESE)],
        FOAF + "homepage": [NamedNode(site)],
        DCAT + "landingPage": [NamedNode(site)],
        VOID + "uriSpace": [Literal(urls.id_base)],
        VOID + "vocabulary": [NamedNode(ONTOLOGY)],
        VOID + "sparqlEndpoint": [endpoint],
        VOID + "triples": [_count(stats.triples)],
        VOID + "entities": [_count(stats.entities)],
        VOID + "classes": [_count(len(stats.classes))],
        VOID + "properties": [_count(len(stats.properties))],
        VOID + "dataDump": [NamedNode(site + "dumps/" + d.name) for d in store.dumps],
    })
    yield from _partitions(dataset, "classPartition", "class", "entities", stats.classes)
    yield from _partitions(dataset, "propertyPartition", "property", "triples", stats.properties)
    for dump in store.dumps:
        yield from _distribution(dataset, dump, site)
    yield from _about(service, {
        RDF + "type": [NamedNode(DCAT + "DataService")],
        DCT + "title": [Literal(translate(lang, "void.endpoint"), language=lang) for lang in LANGUAGES],
        DCAT + "endpointURL": [endpoint],
        DCAT + "servesDataset": [dataset],
        DCT + "conformsTo": [NamedNode(SPARQL_PROTOCOL)],
    })


def _partitions(dataset: NamedNode, link: str, key: str, measure: str, counts: dict[str, int]) -> Iterator[Triple]:
    for iri, count in sorted(counts.items()):
        part = BlankNode()
        yield Triple(dataset, NamedNode(VOID + link), part)
        yield from _about(part, {VOID + key: [NamedNode(iri)], VOID + measure: [_count(count)]})


def _distribution(dataset: NamedNode, dump: Dump, site: str) -> Iterator[Triple]:
    url = NamedNode(site + "dumps/" + dump.name)
    distribution, checksum = BlankNode(), BlankNode()
    yield Triple(dataset, NamedNode(DCAT + "distribution"), distribution)
    yield from _about(distribution, {
        RDF + "type": [NamedNode(DCAT + "Distribution")],
        DCT + "title": [Literal(dump.name)],
        DCAT + "downloadURL": [url],
        DCAT + "accessURL": [url],
        DCAT + "mediaType": [NamedNode(IANA + dump.media_type)],
        DCAT + "compressFormat": [NamedNode(IANA + "application/gzip")] if dump.encoding == "gzip" else [],
        DCAT + "byteSize": [Literal(str(dump.bytes), datatype=NamedNode(XSD + "nonNegativeInteger"))],
        SPDX + "checksum": [checksum],
    })
    yield from _about(checksum, {
        RDF + "type": [NamedNode(SPDX + "Checksum")],
        SPDX + "algorithm": [NamedNode(SPDX + "checksumAlgorithm_sha256")],
        SPDX + "checksumValue": [Literal(dump.sha256, datatype=NamedNode(XSD + "hexBinary"))],
    })


def _about(subject: NamedNode | BlankNode, facts: dict[str, list[NamedNode | BlankNode | Literal]]) -> (
    Iterator[Triple]
):
    for predicate, objects in facts.items():
        for obj in objects:
            yield Triple(subject, NamedNode(predicate), obj)


def _count(n: int) -> Literal:
    return Literal(str(n), datatype=NamedNode(XSD + "integer"))


def _single(rows: QueryResult) -> int:
    assert isinstance(rows, QuerySolutions)
    return int(next(rows)["n"].value)


def _grouped(rows: QueryResult) -> dict[str, int]:
    assert isinstance(rows, QuerySolutions)
    return {row["key"].value: int(row["n"].value) for row in rows}

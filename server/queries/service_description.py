"""The endpoint described for programs in the SPARQL 1.1 Service Description vocabulary
(https://www.w3.org/TR/sparql11-service-description/): what a bare GET of `/sparql` answers.

Formats are named by their W3C IRIs (https://www.w3.org/ns/formats/); graph sizes by `void:triples`;
the limits a client runs into are stated in words, in Vietnamese and English. The prefixes a query may
use without declaring them (`prefixes.KNOWN`) are given as SHACL prefix declarations
(`sh:declare [ sh:prefix "vk" ; sh:namespace "…"^^xsd:anyURI ]`, https://www.w3.org/TR/shacl/#sparql-prefixes):
the Service Description vocabulary has no term for them, and SHACL's is the W3C's one for prefixes
that SPARQL text may use undeclared.
"""

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from server.data.store import LISTED_GRAPHS, DatasetSummary
from server.http.i18n import LANGUAGES, translate
from server.http.namespaces import PREFIXES, RDF_TYPE
from server.queries.prefixes import KNOWN

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
SH = "http://www.w3.org/ns/shacl#"
SD_PREFIXES = {**PREFIXES, "sd": SD, "formats": FORMATS, "void": VOID, "sh": SH}  # for the Turtle it is sent in
XSD_ANY_URI = NamedNode(PREFIXES["xsd"] + "anyURI")
VOID_TRIPLES = NamedNode(VOID + "triples")
RDFS_COMMENT = NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
A = NamedNode(RDF_TYPE)
RESULT_FORMATS = (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
)
INPUT_FORMATS = ("TriG", "N-Quads", "Turtle", "N-Triples", "RDF_XML")  # what `vankien serve --dataset` reads


def sd(term: str) -> NamedNode:
    return NamedNode(SD + term)


def describe(
    endpoint: str, summary: DatasetSummary, union_default_graph: bool, limits: dict[str, str]
) -> list[Triple]:
    """The service at `endpoint` (the URL the request reached) and the dataset it queries by default;
    `limits` are `Settings.stated_limits()`."""
    service, dataset = BlankNode(), BlankNode()
    triples = [
        Triple(service, A, sd("Service")),
        Triple(service, sd("endpoint"), NamedNode(endpoint)),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        *(Triple(service, sd("resultFormat"), NamedNode(FORMATS + f)) for f in RESULT_FORMATS),
        *(Triple(service, sd("inputFormat"), NamedNode(FORMATS + f)) for f in INPUT_FORMATS),
        *_said(service, RDFS_LABEL, "query.sd_label"),
        *_said(service, RDFS_COMMENT, "query.sd_limits", **limits),
        *_said(service, RDFS_COMMENT, "query.sd_read_only"),
        *_said(service, RDFS_COMMENT, "query.sd_prefixes"),
        *_known_prefixes(service),
        Triple(service, sd("defaultDataset"), dataset),
        *_dataset(dataset, summary),
    ]
    if union_default_graph:
        triples.append(Triple(service, sd("feature"), sd("UnionDefaultGraph")))
    return triples


def _known_prefixes(service: BlankNode) -> list[Triple]:
    triples = []
    for prefix, namespace in KNOWN.items():
        declaration = BlankNode()
        triples += [
            Triple(service, NamedNode(SH + "declare"), declaration),
            Triple(declaration, NamedNode(SH + "prefix"), Literal(prefix)),
            Triple(declaration, NamedNode(SH + "namespace"), Literal(namespace, datatype=XSD_ANY_URI)),
        ]
    return triples


def _dataset(dataset: BlankNode, summary: DatasetSummary) -> list[Triple]:
    default = BlankNode()
    triples = [
        Triple(dataset, A, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default),
        *_graph(default, summary.default_triples),
        *_said(dataset, RDFS_COMMENT, "query.sd_named_graphs", total=summary.named_total, listed=LISTED_GRAPHS),
    ]
    for size in summary.named:
        named, graph = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, sd("namedGraph"), named),
            Triple(named, A, sd("NamedGraph")),
            Triple(named, sd("name"), NamedNode(size.name)),
            Triple(named, sd("graph"), graph),
            *_graph(graph, size.triples),
        ]
    return triples


def _graph(graph: BlankNode, triples: int) -> list[Triple]:
    return [Triple(graph, A, sd("Graph")), Triple(graph, VOID_TRIPLES, Literal(triples))]


def _said(subject: BlankNode, predicate: NamedNode, key: str, **values: object) -> list[Triple]:
    """The message `key` in every page language, as language-tagged literals."""
    return [Triple(subject, predicate, Literal(translate(lang, key, **values), language=lang)) for lang in LANGUAGES]

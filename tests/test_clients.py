"""Two common SPARQL clients, used as their documentation shows, against `/sparql` over the seeds build:
SPARQLWrapper and rdflib's SPARQLStore (each sends its own Accept headers and parameters)."""

import pytest
import rdflib
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

VK = "https://w3id.org/vankien/ontology#"
DIRECTIVE = URIRef("http://localhost:8000/id/document/tw/2014/chi-thi/39")
PREFIXES = f"PREFIX vk: <{VK}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT = PREFIXES + 'SELECT ?document ?label WHERE { ?document vk:symbol "39-CT/TW" ; rdfs:label ?label }'
ASK = PREFIXES + 'ASK { ?document vk:symbol "39-CT/TW" }'
ASK_NOT = PREFIXES + 'ASK { ?document vk:symbol "0-XX/TW" }'
CONSTRUCT = PREFIXES + 'CONSTRUCT { ?document vk:symbol ?symbol } WHERE { ?document vk:symbol "39-CT/TW", ?symbol }'
DESCRIBE = f"DESCRIBE <{DIRECTIVE}>"
LABEL = Literal("Chỉ thị 39-CT/TW", lang="vi")
SYMBOL = (DIRECTIVE, URIRef(VK + "symbol"), Literal("39-CT/TW"))


def wrapper(url: str, query: str, return_format: str, method: str | None = None) -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/sparql", returnFormat=return_format)
    client.setQuery(query)
    if method:
        client.setMethod(POST)
        client.setRequestMethod(method)
    return client


@pytest.mark.parametrize("method", [None, "urlencoded", POSTDIRECTLY], ids=["GET", "POST form", "POST direct"])
def test_sparqlwrapper_select_json(seeds_server: str, method: str | None) -> None:
    bindings = wrapper(seeds_server, SELECT, JSON, method).queryAndConvert()["results"]["bindings"]
    assert [(b["document"]["value"], b["label"]["value"]) for b in bindings] == [(str(DIRECTIVE), str(LABEL))]


def test_sparqlwrapper_select_xml(seeds_server: str) -> None:
    document = wrapper(seeds_server, SELECT, XML).queryAndConvert()
    assert [node.firstChild.data for node in document.getElementsByTagName("uri")] == [str(DIRECTIVE)]


@pytest.mark.parametrize("return_format", [CSV, TSV])
def test_sparqlwrapper_select_csv_tsv(seeds_server: str, return_format: str) -> None:
    text = wrapper(seeds_server, SELECT, return_format).queryAndConvert().decode()
    assert str(DIRECTIVE) in text and str(LABEL) in text


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(seeds_server: str, return_format: str) -> None:
    def answer(query: str) -> bool:
        converted = wrapper(seeds_server, query, return_format).queryAndConvert()
        if return_format == JSON:
            return bool(converted["boolean"])
        return converted.getElementsByTagName("boolean")[0].firstChild.data == "true"

    assert answer(ASK) is True and answer(ASK_NOT) is False


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # inside rdflib's parsers
@pytest.mark.parametrize("return_format", [XML, RDFXML, TURTLE, N3, JSONLD])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_graphs(seeds_server: str, query: str, return_format: str) -> None:
    client = wrapper(seeds_server, query, return_format)
    converted = client.queryAndConvert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format="turtle")
    assert SYMBOL in graph


def test_sparqlwrapper_default_graph(seeds_server: str) -> None:
    article = _articles(seeds_server)[0]
    client = wrapper(seeds_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON)
    client.addParameter("default-graph-uri", article)
    restricted = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
    everything = wrapper(seeds_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON).queryAndConvert()
    assert 0 < restricted < int(everything["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_queries(seeds_server: str, method: str) -> None:
    graph = Graph(store=SPARQLStore(seeds_server + "/sparql", method=method))
    assert [(row[0], row[1]) for row in graph.query(SELECT)] == [(DIRECTIVE, LABEL)]  # type: ignore[index]
    assert graph.query(ASK).askAnswer is True and graph.query(ASK_NOT).askAnswer is False
    assert SYMBOL in graph.query(CONSTRUCT).graph  # type: ignore[operator]
    assert SYMBOL in graph.query(DESCRIBE).graph  # type: ignore[operator]


def test_rdflib_sparqlstore_as_a_graph(seeds_server: str) -> None:
    graph = Graph(store=SPARQLStore(seeds_server + "/sparql"))
    assert graph.value(DIRECTIVE, rdflib.RDFS.label) == LABEL
    assert SYMBOL in graph
    assert len(graph) > 1000


def test_rdflib_sparqlstore_named_graph(seeds_server: str) -> None:
    """A graph with an IRI is queried through `default-graph-uri`: only that article's facts."""
    store = SPARQLStore(seeds_server + "/sparql")
    article = URIRef(_articles(seeds_server)[0])
    assert article in set(store.contexts())
    named, union = Graph(store=store, identifier=article), Graph(store=store)
    assert 0 < len(named) < len(union)
    assert (article, rdflib.RDF.type, URIRef(VK + "Article")) in named


def _articles(url: str) -> list[str]:
    client = wrapper(url, f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g a <{VK}Article> }} }} ORDER BY ?g", JSON)
    return [b["g"]["value"] for b in client.queryAndConvert()["results"]["bindings"]]

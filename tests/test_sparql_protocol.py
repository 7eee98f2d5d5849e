"""`/sparql` over HTTP against real servers: a small TriG file served with `vankien serve --dataset`
(graphs whose contents say which graph answered) and the seeds build (a union default graph)."""

import hashlib
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.query import Result

from mappings.validation.validate import single_valued
from server.queries.query_page import EXAMPLES
from tests.serving import ROOT, VANKIEN, running_server

EX = "http://example.org/"
G1, G2, G3 = EX + "g1", EX + "g2", EX + "g3"
DATASET = f"""@prefix ex: <{EX}> .
ex:s0 ex:p "default" .
ex:g1 {{ ex:s1 ex:p "one" . }}
ex:g2 {{ ex:s2 ex:p "two" . }}
ex:g3 {{ ex:s3 ex:p "three"@en . }}
"""
PREFIX = f"PREFIX ex: <{EX}>\n"
VALUES = PREFIX + "SELECT ?o WHERE { ?s ex:p ?o }"
GRAPHS = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
CONSTRUCT = PREFIX + "CONSTRUCT { ?s ex:q ?o } WHERE { ?s ex:p ?o }"
DESCRIBE = PREFIX + "DESCRIBE ex:s0"
ASK = PREFIX + 'ASK { ex:s0 ex:p "default" }'

JSON, XML = "application/sparql-results+json", "application/sparql-results+xml"
CSV, TSV, HTML = "text/csv", "text/tab-separated-values", "text/html"
TURTLE, NTRIPLES, JSONLD, RDFXML = "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"
FORM, DIRECT, UPDATE = "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"
RESULT_PARSERS = {JSON: "json", XML: "xml", CSV: "csv", TSV: "tsv"}
RDF_PARSERS = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld", RDFXML: "xml"}
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = "http://www.w3.org/ns/formats/"


@pytest.fixture(scope="module")
def dataset_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dataset") / "small.trig"
    path.write_text(DATASET)
    return path


@pytest.fixture(scope="module")
def url(dataset_file: Path) -> Iterator[str]:
    with running_server(dataset=dataset_file, row_limit="50", query_timeout_s="7", long_query_s="1.5",
                        long_queries="1", workers="3", client_rate="900", client_burst="1800",
                        client_concurrency="64", queue_wait_s="4") as server:
        yield server


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


def sparql(url: str, query: str | None = None, accept: str | None = None, **params: str | list[str]) -> httpx.Response:
    """GET /sparql; `params` are sent as given (a list repeats the parameter)."""
    pairs = ([("query", query)] if query is not None else []) + [
        (name.replace("_", "-"), value) for name, values in params.items()
        for value in (values if isinstance(values, list) else [values])
    ]
    return httpx.get(f"{url}/sparql?{urlencode(pairs)}", headers={"Accept": accept} if accept else {})


def values(response: httpx.Response) -> set[str]:
    """The values of the first variable in a SPARQL JSON answer."""
    assert response.status_code == 200, response.text
    answer = response.json()
    first = answer["head"]["vars"][0]
    return {b[first]["value"] for b in answer["results"]["bindings"] if first in b}


# 1. The three ways to send a query, and the dataset they may name.

def test_select_by_get_form_and_direct_post(url: str) -> None:
    by_get = values(sparql(url, VALUES))
    by_form = values(httpx.post(url + "/sparql", data={"query": VALUES}))
    by_direct = values(httpx.post(url + "/sparql", content=VALUES.encode(), headers={"Content-Type": DIRECT}))
    assert by_get == by_form == by_direct == {"default"}


def test_named_graphs_are_queryable_by_name(url: str) -> None:
    assert values(sparql(url, GRAPHS)) == {G1, G2, G3}
    assert values(sparql(url, PREFIX + "SELECT ?o { GRAPH ex:g2 { ?s ex:p ?o } }")) == {"two"}


def test_default_graph_uris_by_get_form_and_direct_post(url: str) -> None:
    graphs = [("default-graph-uri", G1), ("default-graph-uri", G2)]
    by_get = values(httpx.get(f"{url}/sparql?{urlencode([('query', VALUES), *graphs])}"))
    by_form = values(httpx.post(url + "/sparql", content=urlencode([("query", VALUES), *graphs]),
                                headers={"Content-Type": FORM}))
    by_direct = values(httpx.post(f"{url}/sparql?{urlencode(graphs)}", content=VALUES.encode(),
                                  headers={"Content-Type": DIRECT}))
    assert by_get == by_form == by_direct == {"one", "two"}


DATASETS = {  # (query, protocol dataset, values): the protocol's graphs replace FROM / FROM NAMED
    "file's default graph": (VALUES, {}, {"default"}),
    "FROM": (PREFIX + "SELECT ?o FROM ex:g3 { ?s ex:p ?o }", {}, {"three"}),
    "default-graph-uri over FROM": (PREFIX + "SELECT ?o FROM ex:g3 { ?s ex:p ?o }", {"default_graph_uri": G1}, {"one"}),
    "FROM NAMED": (PREFIX + "SELECT ?g FROM NAMED ex:g3 { GRAPH ?g { ?s ?p ?o } }", {}, {G3}),
    "named-graph-uri over FROM NAMED": (
        PREFIX + "SELECT ?g FROM NAMED ex:g3 { GRAPH ?g { ?s ?p ?o } }", {"named_graph_uri": G1}, {G1}
    ),
    "named graphs only: empty default graph": (VALUES, {"named_graph_uri": [G1, G2]}, set()),
    "named graphs only: those named": (GRAPHS, {"named_graph_uri": [G1, G2]}, {G1, G2}),
    "default graphs only: no named graphs": (GRAPHS, {"default_graph_uri": G1}, set()),
    "both": (VALUES, {"default_graph_uri": G3, "named_graph_uri": G1}, {"three"}),
    "a graph the dataset lacks": (VALUES, {"default_graph_uri": EX + "none"}, set()),
}


@pytest.mark.parametrize(("query", "dataset", "expected"), DATASETS.values(), ids=DATASETS.keys())
def test_protocol_dataset(url: str, query: str, dataset: dict[str, str | list[str]], expected: set[str]) -> None:
    assert values(sparql(url, query, **dataset)) == expected


class Recorder(BaseHTTPRequestHandler):
    """A web server that notes every request it gets: the endpoint must send it none."""

    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        self.wfile.write(f'<{EX}s> <{EX}p> "fetched" .'.encode())


def test_from_names_local_graphs_and_fetches_nothing(url: str) -> None:
    recorder = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=recorder.serve_forever, daemon=True).start()
    remote = f"http://127.0.0.1:{recorder.server_address[1]}/data.ttl"
    try:
        assert values(sparql(url, f"SELECT ?o FROM <{remote}> {{ ?s ?p ?o }}")) == set()
        assert values(sparql(url, f"SELECT ?g FROM NAMED <{remote}> {{ GRAPH ?g {{ ?s ?p ?o }} }}")) == set()
        assert values(sparql(url, VALUES, default_graph_uri=remote)) == set()
    finally:
        recorder.shutdown()
    assert Recorder.paths == []


def test_relative_iris_resolve_against_the_endpoint(url: str) -> None:
    turtle = sparql(url, "CONSTRUCT { <s> <p> 1 } WHERE {}", TURTLE).text
    subjects = {str(s) for s in rdflib.Graph().parse(data=turtle, format="turtle").subjects()}
    assert subjects == {url + "/s"}


# 2. Requests that are refused, each with a message saying why.

def qs(*pairs: tuple[str, str]) -> str:
    return urlencode(pairs)


REFUSED = {  # (method, query string, content type, body, status, part of the message)
    "syntax error": ("GET", qs(("query", "SELECT WHERE {")), None, None, 400, "syntax error at line 1, column"),
    "two queries": ("GET", qs(("query", ASK), ("query", VALUES)), None, None, 400, "one query"),
    "query in URL and body": ("POST", qs(("query", ASK)), DIRECT, ASK.encode(), 400, "one query"),
    "two queries in a form": ("POST", "", FORM, qs(("query", ASK), ("query", ASK)).encode(), 400, "one query"),
    "graphs but no query": ("GET", qs(("default-graph-uri", G1)), None, None, 400, "without a query"),
    "named graphs but no query": ("GET", qs(("named-graph-uri", G1)), None, None, 400, "without a query"),
    "form with graphs, no query": ("POST", "", FORM, b"default-graph-uri=urn%3Ax", 400, "without a query"),
    "empty form": ("POST", "", FORM, b"", 400, "no `query`"),
    "wrong content type": ("POST", "", "text/plain", ASK.encode(), 400, "text/plain"),
    "no content type": ("POST", "", None, b"query=ASK%20%7B%7D", 400, "no content type"),
    "UTF-16 direct": ("POST", "", DIRECT + "; charset=UTF-16", "ASK {}".encode("utf-16"), 400, "UTF-8"),
    "not UTF-8, no charset": ("POST", "", DIRECT, b'ASK { ?s ?p "\xe9" }', 400, "UTF-8"),
    "form not UTF-8": ("POST", "", FORM, b"query=ASK%20%7B%7D%FF", 400, "UTF-8"),
    "URL not UTF-8": ("GET", "query=ASK%20%7B%7D%FF", None, None, 400, "UTF-8"),
    "not a graph IRI": ("GET", qs(("query", ASK), ("default-graph-uri", "not an iri")), None, None, 400, "graph IRI"),
    "SERVICE": ("GET", qs(("query", f"SELECT * {{ SERVICE <{EX}sparql> {{ ?s ?p ?o }} }}")), None, None, 400, "SERVICE"),
    "update by GET": ("GET", qs(("update", "CLEAR ALL")), None, None, 403, "read-only"),
    "update in a form": ("POST", "", FORM, b"update=CLEAR%20ALL", 403, "read-only"),
    "update posted": ("POST", "", UPDATE, b"CLEAR ALL", 403, "read-only"),
    "using-graph-uri": ("POST", qs(("using-graph-uri", G1)), UPDATE, b"CLEAR ALL", 403, "read-only"),
}


@pytest.mark.parametrize(("method", "query", "content_type", "body", "status", "says"), REFUSED.values(), ids=REFUSED.keys())
def test_refused(
    url: str, method: str, query: str, content_type: str | None, body: bytes | None, status: int, says: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = httpx.request(method, f"{url}/sparql?{query}", headers=headers, content=body)
    assert response.status_code == status
    assert media_type(response) == "text/plain" and says in response.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "PROPFIND"])
def test_other_methods_are_not_allowed(url: str, method: str) -> None:
    response = httpx.request(method, f"{url}/sparql?{urlencode({'query': ASK})}", content=ASK)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}


def test_options_and_head(url: str) -> None:
    options = httpx.options(url + "/sparql")
    assert options.status_code == 204 and "POST" in options.headers["allow"]
    head = httpx.head(f"{url}/sparql?{urlencode({'query': ASK})}")
    assert head.status_code == 200 and media_type(head) == JSON and head.content == b""


def test_any_origin_may_query(url: str) -> None:
    simple = httpx.get(f"{url}/sparql?{urlencode({'query': ASK})}", headers={"Origin": "https://elsewhere.example"})
    assert simple.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(url + "/sparql", headers={
        "Origin": "https://elsewhere.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    })
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()


# 3. Result formats, and which one a request gets.

@pytest.mark.parametrize("accept", [JSON, XML, CSV, TSV])
def test_select_in_every_results_format(url: str, accept: str) -> None:
    response = sparql(url, VALUES, accept, default_graph_uri=[G1, G3])
    assert media_type(response) == accept and response.headers["vary"].startswith("Accept")
    result = Result.parse(BytesIO(response.content), format=RESULT_PARSERS[accept])
    assert {str(row[0]) for row in result} == {"one", "three"}  # type: ignore[index]


@pytest.mark.parametrize("accept", [JSON, XML])
def test_ask_in_json_and_xml(url: str, accept: str) -> None:
    for query, answer in ((ASK, True), (PREFIX + "ASK { ex:s0 ex:p 'none' }", False)):
        result = Result.parse(BytesIO(sparql(url, query, accept).content), format=RESULT_PARSERS[accept])
        assert result.askAnswer is answer


@pytest.mark.parametrize("accept", [CSV, TSV])
def test_ask_in_csv_and_tsv(url: str, accept: str) -> None:
    response = sparql(url, ASK, accept)
    assert media_type(response) == accept and response.text.strip() == "true"


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # inside rdflib's JSON-LD parser
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("accept", [TURTLE, NTRIPLES, JSONLD, RDFXML])
def test_graphs_in_every_rdf_format(url: str, query: str, accept: str) -> None:
    response = sparql(url, query, accept)
    assert media_type(response) == accept
    graph = rdflib.Graph().parse(data=response.content, format=RDF_PARSERS[accept])
    subject = rdflib.URIRef(EX + "s0")
    assert set(graph.objects(subject, None)) == {rdflib.Literal("default")}


ACCEPT = {  # (Accept header, SELECT gets, CONSTRUCT gets, a bare GET gets)
    "none": (None, JSON, TURTLE, TURTLE),
    "curl */*": ("*/*", JSON, TURTLE, TURTLE),
    "Firefox": (FIREFOX, HTML, HTML, HTML),
    "Chrome": (CHROME, HTML, HTML, HTML),
    "SPARQLWrapper JSON": (
        "application/sparql-results+json,application/json,text/javascript,application/javascript", JSON, JSONLD, JSONLD
    ),
    "SPARQLWrapper XML": (XML, XML, TURTLE, TURTLE),
    "SPARQLWrapper RDF/XML": (RDFXML, JSON, RDFXML, RDFXML),
    "SPARQLWrapper N3": (
        "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3", JSON, TURTLE, TURTLE
    ),
    "SPARQLWrapper JSON-LD": ("application/ld+json,application/x-json+ld", JSON, JSONLD, JSONLD),
    "rdflib SPARQLStore": (f"{XML}, {RDFXML}", XML, RDFXML, RDFXML),
    "rdflib SPARQLStore, other order": (f"{RDFXML}, {XML}", XML, RDFXML, RDFXML),
    "Comunica": (f"{JSON};q=1.0,{XML};q=0.7", JSON, TURTLE, TURTLE),
    "Comunica graphs": (f"{NTRIPLES},{TURTLE};q=0.9", JSON, NTRIPLES, NTRIPLES),
    "YASGUI": (f"{JSON},*/*;q=0.9", JSON, TURTLE, TURTLE),
    "YASGUI graphs": (f"{TURTLE},*/*;q=0.9", JSON, TURTLE, TURTLE),
    "q-values": (f"{CSV};q=0.5, {TSV}, {TURTLE};q=0.4, {NTRIPLES}", TSV, NTRIPLES, NTRIPLES),
    "HTML refused": ("*/*;q=0.1, text/html;q=0", JSON, TURTLE, TURTLE),
    "nothing we have": ("image/png", JSON, TURTLE, TURTLE),
}


@pytest.mark.parametrize(("accept", "select", "construct", "bare"), ACCEPT.values(), ids=ACCEPT.keys())
def test_negotiation(url: str, accept: str | None, select: str, construct: str, bare: str) -> None:
    assert media_type(sparql(url, VALUES, accept)) == select
    assert media_type(sparql(url, CONSTRUCT, accept)) == construct
    assert media_type(sparql(url, None, accept)) == bare


FORMAT_PARAMETER = {  # (query, format values, Accept, gets): `format` first, then Accept
    "csv for a browser": (VALUES, ["csv"], FIREFOX, CSV),
    "html for curl": (VALUES, ["html"], "*/*", HTML),
    "SPARQLWrapper's TSV": (VALUES, ["tsv", TSV], TSV, TSV),
    "SPARQLWrapper's n3": (CONSTRUCT, ["n3"], "application/turtle,text/turtle", TURTLE),
    "json for a graph": (CONSTRUCT, ["json"], "*/*", JSONLD),
    "a media type": (CONSTRUCT, [NTRIPLES], None, NTRIPLES),
    "unknown: Accept decides": (VALUES, ["xls"], XML, XML),
    "bare GET, Turtle": (None, ["ttl"], FIREFOX, TURTLE),
}


@pytest.mark.parametrize(("query", "formats", "accept", "expected"), FORMAT_PARAMETER.values(), ids=FORMAT_PARAMETER.keys())
def test_format_parameter(url: str, query: str | None, formats: list[str], accept: str, expected: str) -> None:
    assert media_type(sparql(url, query, accept, format=formats)) == expected


# 4. The service description.

def described(url: str, accept: str = TURTLE) -> rdflib.Graph:
    response = sparql(url, None, accept)
    assert response.status_code == 200 and response.headers["vary"].startswith("Accept")
    return rdflib.Graph().parse(data=response.content, format=RDF_PARSERS[media_type(response)])


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")
@pytest.mark.parametrize("accept", [TURTLE, NTRIPLES, JSONLD, RDFXML])
def test_service_description_in_every_rdf_format(url: str, accept: str) -> None:
    assert isomorphic(described(url, accept), described(url, TURTLE))


def test_service_description_of_a_dataset_file(url: str) -> None:
    graph = described(url)
    service = graph.value(predicate=SD.endpoint, object=rdflib.URIRef(url + "/sparql"))
    assert service is not None and (service, rdflib.RDF.type, SD.Service) in graph
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert {str(f).removeprefix(FORMATS) for f in graph.objects(service, SD.resultFormat)} == {
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
    }
    assert rdflib.URIRef(FORMATS + "TriG") in set(graph.objects(service, SD.inputFormat))
    assert (service, SD.feature, SD.UnionDefaultGraph) not in graph  # the file's default graph is its own
    comments = " ".join(str(c) for c in graph.objects(service, rdflib.RDFS.comment) if c.language == "en")
    assert_states_the_limits(comments)
    dataset = graph.value(service, SD.defaultDataset)
    assert graph.value(graph.value(dataset, SD.defaultGraph), VOID.triples).toPython() == 1
    sizes = {
        str(graph.value(named, SD.name)): graph.value(graph.value(named, SD.graph), VOID.triples).toPython()
        for named in graph.objects(dataset, SD.namedGraph)
    }
    assert sizes == {G1: 1, G2: 1, G3: 1}


def test_service_description_of_a_build(seeds_server: str) -> None:
    graph = described(seeds_server)
    service = graph.value(predicate=SD.endpoint, object=rdflib.URIRef(seeds_server + "/sparql"))
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    dataset = graph.value(service, SD.defaultDataset)
    default_size = graph.value(graph.value(dataset, SD.defaultGraph), VOID.triples).toPython()
    assert default_size == count(seeds_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    named = list(graph.objects(dataset, SD.namedGraph))
    assert named
    for node in named:
        name = graph.value(node, SD.name)
        size = graph.value(graph.value(node, SD.graph), VOID.triples).toPython()
        assert size == count(seeds_server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")


def test_service_description_lists_a_bounded_number_of_graphs(tmp_path: Path) -> None:
    dataset = tmp_path / "many.trig"
    dataset.write_text("".join(f"<{EX}g{i:03}> {{ <{EX}s> <{EX}p> {i} . }}\n" for i in range(105)))
    with running_server(dataset=dataset) as server:
        graph = described(server)
    assert len(set(graph.subjects(rdflib.RDF.type, SD.NamedGraph))) == 100
    assert any("105 named graphs" in str(c) for c in graph.objects(None, rdflib.RDFS.comment))


def count(url: str, query: str) -> int:
    return int(values(sparql(url, query)).pop())


# 5. The union default graph of a build, and its named graphs.

def test_build_default_graph_is_the_union_of_its_graphs(seeds_server: str) -> None:
    """Every triple of the default graph is in a graph; a triple of a graph left out of it is a second value of a
    property the shapes allow one of, whose best attested value the default graph holds."""
    outside = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
    assert count(seeds_server, outside) == 0 < count(seeds_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    left_out = sparql(seeds_server, "SELECT DISTINCT ?p (EXISTS { ?s ?p ?other } AS ?kept) "
                                    "{ GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }")
    rows = left_out.json()["results"]["bindings"]
    assert {row["p"]["value"] for row in rows} <= set(single_valued())
    assert all(row["kept"]["value"] == "true" for row in rows)


def test_build_named_graph_by_name_and_by_protocol(seeds_server: str) -> None:
    article = min(values(sparql(seeds_server, "SELECT DISTINCT ?g { GRAPH ?g { ?g a ?type } }")))
    by_name = count(seeds_server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{article}> {{ ?s ?p ?o }} }}")
    response = sparql(seeds_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph_uri=article)
    assert int(values(response).pop()) == by_name > 0


# 6. The query page.

class Page(HTMLParser):
    """What a test needs of a page: elements by tag with their attributes, texts, inline code."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}  # tag → texts directly inside it
        self.inline_scripts = 0
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._open:
            self.texts.setdefault(self._open[-1], []).append(data)
            self.inline_scripts += self._open[-1] == "script" and bool(data.strip())

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def text(self, tag: str) -> str:
        return " ".join(self.texts.get(tag, []))


def page(url: str, query: str | None = None, status: int = 200, **params: str) -> Page:
    response = sparql(url, query, FIREFOX, **params)
    assert response.status_code == status and media_type(response) == HTML
    return Page(response.text)


def test_query_page_has_an_editor_and_works_without_inline_code(url: str) -> None:
    html = page(url)
    assert html.all("form", id="query-form", method="get", action="/sparql")
    assert html.all("textarea", name="query") and html.all("select", name="format")
    assert html.all("button", type="submit")
    assert html.all("script", src="/static/query.js") and html.inline_scripts == 0
    assert html.all("link", rel="stylesheet", href="/static/query.css")
    assert not [a for _, a in html.elements if "style" in a]


def test_query_page_in_vietnamese_then_english(url: str) -> None:
    assert "Truy vấn SPARQL" in page(url).text("h1")
    assert "SPARQL query" in page(url, lang="en").text("h1")


def test_query_page_states_the_limits(url: str) -> None:
    assert_states_the_limits(page(url, lang="en").text("p"))


def assert_states_the_limits(text: str) -> None:
    """The limits the `url` fixture set, in words."""
    for said in ("7 s at most", "50 rows", "longer than 1.5 s", "1 long queries run at once",
                 "900 queries per second", "bursts of 1800", "64 at once", "4 s"):
        assert said in text, f"{said!r} not in {text!r}"


def test_static_files_of_the_page(url: str) -> None:
    assert "javascript" in httpx.get(url + "/static/query.js").headers["content-type"]
    assert httpx.get(url + "/static/query.css").headers["content-type"].startswith("text/css")


def examples(url: str) -> list[dict[str, str]]:
    found = page(url).all("a", **{"class": "example"})
    assert len(found) >= 5
    return found


EMPTY_ON_SEEDS = {e.key for e in EXAMPLES if not e.rows_on_seeds}


def test_every_example_runs_on_the_seeds(seeds_server: str) -> None:
    for example in examples(seeds_server):
        query = example["data-query"]
        assert query.startswith("# ")  # says what it asks, in the page language
        assert "PREFIX" not in query  # the known prefixes are added
        response = sparql(seeds_server, query, f"{JSON}, {TURTLE}")
        assert response.status_code == 200, (query, response.text)
        if example["data-key"] in EMPTY_ON_SEEDS:  # the seeds hold none (tests/test_query_help.py)
            continue
        assert response.content.count(b"value") + response.content.count(b"\n") > 1, query
        rows = Page(httpx.get(seeds_server + example["href"], headers={"Accept": FIREFOX}).text).all("tr")
        assert len(rows) > 1, example["href"]  # the header row and at least one answer, without JavaScript


def test_results_as_a_table_for_a_browser(url: str) -> None:
    html = page(url, VALUES, default_graph_uri=G3)
    assert "?o" in html.text("th") and "three" in html.text("span") and "@en" in html.text("span")
    assert html.all("textarea", name="query") and VALUES in html.text("textarea")


def test_graph_as_a_table_for_a_browser(url: str) -> None:
    html = page(url, CONSTRUCT)
    assert html.text("th").split() == ["?subject", "?predicate", "?object"]
    assert {"/doc/", EX + "s0"} & {a["href"] for a in html.all("a")}


def test_ask_answer_for_a_browser(url: str) -> None:
    assert "true" in page(url, ASK).text("p")


def test_errors_show_on_the_page_next_to_the_query(url: str) -> None:
    html = page(url, "SELECT * WHERE {", status=400)
    assert "line 1, column 17" in html.text("pre") and "SELECT * WHERE {" in html.text("textarea")


def test_the_page_escapes_the_query(url: str) -> None:
    query = "SELECT * { ?s ?p '</textarea><script>alert(1)</script>' }"
    html = page(url, query)
    assert len(html.all("script")) == 1 and html.inline_scripts == 0 and query in html.text("textarea")


# 7. `vankien serve --dataset FILE` and the default `vankien serve`.

QUADS = [ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("từ tệp"), ox.NamedNode(G1))]
TRIPLES = [ox.Triple(q.subject, q.predicate, q.object) for q in QUADS]


@pytest.mark.parametrize("fmt", [ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE,
                                 ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML], ids=lambda f: f.name)
def test_dataset_file_by_extension(tmp_path: Path, fmt: ox.RdfFormat) -> None:
    dataset = tmp_path / f"data.{fmt.file_extension}"
    ox.serialize(QUADS if fmt.supports_datasets else TRIPLES, str(dataset), fmt)
    query = "SELECT ?o { GRAPH ?g { ?s ?p ?o } }" if fmt.supports_datasets else "SELECT ?o { ?s ?p ?o }"
    with running_server(dataset=dataset) as server:
        assert values(sparql(server, query)) == {"từ tệp"}
        health = httpx.get(server + "/healthz").json()
        assert health["build_id"] == "sha256-" + hashlib.sha256(dataset.read_bytes()).hexdigest()[:16]
        assert httpx.get(server + "/", headers={"Accept": HTML}).status_code == 200
        assert httpx.get(server + "/dumps/" + dataset.name).status_code == 404  # the file itself is not served


@pytest.mark.parametrize(("name", "text", "says"), [
    ("broken.ttl", '<http://example.org/s> <http://example.org/p> "open .\n', "broken.ttl"),
    ("broken.trig", "<http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 .\n", "broken.trig"),
    ("data.json", "{}", "unknown RDF file extension"),
])
def test_dataset_file_that_cannot_be_read(tmp_path: Path, name: str, text: str, says: str) -> None:
    (tmp_path / name).write_text(text)
    done = subprocess.run([*VANKIEN, "serve", "--dataset", str(tmp_path / name), "--port", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert says in done.stderr and str(tmp_path) in done.stderr


def test_serve_builds_the_seeds_when_there_is_no_build(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", log_dir=tmp_path) as server:
        assert count(server, "SELECT (COUNT(*) AS ?n) { ?s a <https://w3id.org/vankien/ontology#Article> }") > 0
    assert (tmp_path / "data" / "current" / "manifest.json").is_file()


def test_an_answer_over_the_row_cap_is_cut_and_says_so(url: str) -> None:
    over = sparql(url, "SELECT * { VALUES ?n { " + "1 " * 51 + "} }", "application/sparql-results+json")
    assert over.status_code == 200
    assert over.headers["X-SPARQL-MaxRows"] == "50"
    assert len(over.json()["results"]["bindings"]) == 50
    at = sparql(url, "SELECT * { VALUES ?n { " + "1 " * 50 + "} }", "application/sparql-results+json")
    assert "X-SPARQL-MaxRows" not in at.headers and len(at.json()["results"]["bindings"]) == 50


def test_a_small_answer_has_a_length_and_a_big_one_is_streamed(url: str) -> None:
    small = sparql(url, "SELECT * { VALUES ?n { 1 2 3 } }", JSON)
    assert small.status_code == 200 and "transfer-encoding" not in small.headers
    assert int(small.headers["content-length"]) == len(small.content)
    # 10 kB a row: 51 rows are several of a worker's batches, and one over the cap (50)
    big_query = (
        "SELECT ?n ?text { VALUES ?n { " + " ".join(map(str, range(51))) + " } "
        f'BIND("{"x" * 100}" AS ?a) BIND(CONCAT(?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a, ?a) AS ?b) '
        "BIND(CONCAT(?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b, ?b) AS ?text) }"
    )
    big = sparql(url, big_query, JSON)
    assert big.status_code == 200 and big.headers["transfer-encoding"] == "chunked"
    assert big.headers["X-SPARQL-MaxRows"] == "50"
    rows = big.json()["results"]["bindings"]
    assert len(rows) == 50 and {len(row["text"]["value"]) for row in rows} == {10_000}


def test_a_refused_query_is_refused_every_time_and_a_passed_one_still_runs(url: str) -> None:
    refused = f"SELECT * {{ SERVICE <{EX}sparql> {{ ?s ?p ?o }} }}"
    assert [sparql(url, refused, JSON).status_code for _ in range(3)] == [400, 400, 400]
    assert [values(sparql(url, VALUES, JSON)) for _ in range(3)] == [values(sparql(url, VALUES, JSON))] * 3


def test_the_base_iri_is_the_endpoint_as_each_request_reached_it(url: str) -> None:
    query = urlencode({"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"})
    for host in ("one.example", "two.example:8080", "one.example"):
        turtle = httpx.get(f"{url}/sparql?{query}", headers={"Accept": TURTLE, "Host": host}).text
        subjects = {str(s) for s in rdflib.Graph().parse(data=turtle, format="turtle").subjects()}
        assert subjects == {f"http://{host}/s"}

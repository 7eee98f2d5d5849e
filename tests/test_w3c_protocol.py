"""The W3C SPARQL 1.1 Protocol and Service Description tests (tests/w3c/README.md), read from their
manifests and run over HTTP against `vankien serve --dataset` with each test's graphs."""

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection

from tests.serving import running_server

W3C = Path(__file__).parent / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
STATUS_CLASS = "http://www.w3.org/2011/http-statusCodes#StatusCode"  # + "2xx", "4xx" ...
RESULTS_TYPES = {
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"
}
RDF_TYPES = {
    "text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SRX = "{http://www.w3.org/2005/sparql-results#}"
Graphs = tuple[tuple[str, str], ...]  # (graph name, data file) pairs


@dataclass(frozen=True)
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]  # "2xx", "3xx", "4xx" ...
    result_format: str | None  # "boolean", "tabular" or "RDF"
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graphs: Graphs
    exchanges: tuple[Exchange, ...]


def load_manifest(path: Path) -> tuple[rdflib.Graph, list[rdflib.URIRef]]:
    manifest = rdflib.Graph().parse(path, format="turtle")
    entries = manifest.value(predicate=RDF.type, object=MF.Manifest)
    return manifest, list(Collection(manifest, manifest.value(entries, MF.entries)))


def protocol_tests() -> list[ProtocolTest]:
    manifest, entries = load_manifest(W3C / "protocol" / "manifest.ttl")
    tests = []
    for entry in entries:
        graphs = sorted(
            (str(manifest.value(data, RDFS.label)), Path(str(manifest.value(data, UT.graph))).name)
            for data in manifest.objects(entry, UT.graphData)
        )
        action = manifest.value(entry, MF.action)
        requests = Collection(manifest, manifest.value(action, HT.requests))
        exchanges = tuple(_exchange(manifest, request) for request in requests)
        name = str(entry).rpartition("#")[2]
        tests.append(ProtocolTest(name, str(manifest.value(entry, MF.name)), tuple(graphs), exchanges))
    return tests


def _exchange(manifest: rdflib.Graph, request: rdflib.term.Node) -> Exchange:
    headers_list = manifest.value(request, HT.headers)
    headers = {
        str(manifest.value(h, HT.fieldName)): str(manifest.value(h, HT.fieldValue))
        for h in (Collection(manifest, headers_list) if headers_list else [])
    }
    body_node = manifest.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(manifest.value(body_node, CNT.characterEncoding))
        body = str(manifest.value(body_node, CNT.chars)).encode(encoding)
    response = manifest.value(request, HT.resp)
    expected_format = manifest.value(response, MF.expectedFormat)
    expected_boolean = manifest.value(response, MF.expectedBoolean)
    return Exchange(
        method=str(manifest.value(request, HT.methodName)),
        path=str(manifest.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
        headers=headers,
        body=body,
        statuses=frozenset(str(s).removeprefix(STATUS_CLASS) for s in manifest.objects(response, MF.expectedStatus)),
        result_format=None if expected_format is None else str(expected_format),
        boolean=None if expected_boolean is None else bool(expected_boolean.toPython()),
    )


PROTOCOL_TESTS = protocol_tests()
UPDATES = [t for t in PROTOCOL_TESTS if t.name.startswith("update_")]
RUNNABLE = [t for t in PROTOCOL_TESTS if not t.name.startswith("update_")]


class Servers:
    """One `vankien serve --dataset` per set of graphs the tests name, started when first needed."""

    def __init__(self, stack: ExitStack, directory: Path) -> None:
        self._stack, self._directory = stack, directory
        self._urls: dict[Graphs, str] = {}

    def url(self, graphs: Graphs) -> str:
        if graphs not in self._urls:
            dataset = self._directory / f"dataset-{len(self._urls)}.trig"
            dataset.write_text("".join(
                f"<{name}> {{\n{(W3C / 'protocol' / file).read_text()}}}\n" for name, file in graphs
            ))
            self._urls[graphs] = self._stack.enter_context(running_server(dataset=dataset))
        return self._urls[graphs]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with ExitStack() as stack:
        yield Servers(stack, tmp_path_factory.mktemp("w3c"))


@pytest.mark.parametrize("test", RUNNABLE, ids=[t.name for t in RUNNABLE])
def test_protocol(servers: Servers, test: ProtocolTest) -> None:
    url = servers.url(test.graphs)
    for exchange in test.exchanges:
        response = _send(url, exchange)
        assert f"{response.status_code // 100}xx" in exchange.statuses, f"{test.title}: {response.text}"
        if exchange.result_format:
            check_result(response, exchange.result_format, exchange.boolean)


@pytest.mark.parametrize("test", UPDATES, ids=[t.name for t in UPDATES])
def test_update_is_out_of_scope_and_refused(servers: Servers, test: ProtocolTest) -> None:
    assert _send(servers.url(test.graphs), test.exchanges[0]).status_code == 403


def test_every_manifest_entry_is_run() -> None:
    assert len(RUNNABLE) + len(UPDATES) == len(PROTOCOL_TESTS) == 34
    assert {t.name for t in UPDATES} == {
        "update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
        "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri",
    }


def _send(url: str, exchange: Exchange) -> httpx.Response:
    return httpx.request(exchange.method, url + exchange.path, headers=exchange.headers, content=exchange.body)


def check_result(response: httpx.Response, result_format: str, boolean: bool | None) -> None:
    """The body is of the expected kind, and an ASK answer has the expected value."""
    media_type = response.headers["content-type"].split(";")[0]
    if result_format == "RDF":
        assert media_type in RDF_TYPES
        rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])
        return
    assert media_type in RESULTS_TYPES
    if result_format == "boolean":
        assert media_type in ("application/sparql-results+json", "application/sparql-results+xml")
        answer = _boolean(response, media_type)
        assert boolean is None or answer is boolean


def _boolean(response: httpx.Response, media_type: str) -> bool:
    if media_type == "application/sparql-results+json":
        value = json.loads(response.content)["boolean"]
        assert isinstance(value, bool)
        return value
    element = ElementTree.fromstring(response.content).find(f"{SRX}boolean")
    assert element is not None and element.text in ("true", "false")
    return element.text == "true"


# Service description: the manifest names the tests; the conformance criteria say what each checks.
SD_ACCEPT = "application/rdf+xml, text/turtle;q=0.9, application/n-triples;q=0.8, application/ld+json;q=0.7"
SD_TESTS = [str(entry).rpartition("#")[2] for entry in load_manifest(W3C / "service-description" / "manifest.ttl")[1]]


@pytest.fixture(scope="module", params=["dataset", "build"])
def described(
    request: pytest.FixtureRequest, servers: Servers
) -> tuple[str, httpx.Response]:
    """A bare GET of the endpoint, as an RDF client sends it, to a `--dataset` server and to a build."""
    if request.param == "dataset":
        graphs = next(t.graphs for t in PROTOCOL_TESTS if len(t.graphs) == 3)
        url = servers.url(graphs)
    else:
        url = request.getfixturevalue("seeds_server")
    return url + "/sparql", httpx.get(url + "/sparql", headers={"Accept": SD_ACCEPT})


def returns_rdf(endpoint: str, response: httpx.Response) -> None:
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in RDF_TYPES
    assert len(rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])) > 0


def has_endpoint_triple(endpoint: str, response: httpx.Response) -> None:
    assert (None, SD.endpoint, rdflib.URIRef(endpoint)) in _graph(response)


def conforms_to_schema(endpoint: str, response: httpx.Response) -> None:
    graph = _graph(response)
    named = list(graph.subjects(RDF.type, SD.NamedGraph))
    assert named, "the description lists no named graph: nothing was checked"
    assert all(isinstance(graph.value(n, SD.name), rdflib.URIRef) for n in named)


SD_CHECKS = {"returns-rdf": returns_rdf, "has-endpoint-triple": has_endpoint_triple, "conforms-to-schema": conforms_to_schema}


@pytest.mark.parametrize("name", SD_TESTS)
def test_service_description(described: tuple[str, httpx.Response], name: str) -> None:
    SD_CHECKS[name](*described)


def test_every_service_description_test_has_a_check() -> None:
    assert sorted(SD_TESTS) == sorted(SD_CHECKS)


def _graph(response: httpx.Response) -> rdflib.Graph:
    media_type = response.headers["content-type"].split(";")[0]
    return rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])

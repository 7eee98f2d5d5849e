"""The server over HTTP: a real uvicorn process over a tiny build written by hand in the published
layout (`current -> builds/<id>` with `store/`, `dumps/`, `manifest.json`), independent of the build code."""

import gzip
import hashlib
import json
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from tests.serving import running_server

BASE = "http://localhost:8000/id/"
VK = "https://w3id.org/vankien/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DOC = BASE + "document/tw/2014/chi-thi/39"
ORG = BASE + "org/bo-chinh-tri"
PROVINCE = BASE + "province/thanh-hoa"
EVIL = BASE + "person/xss-000000"
EVIL_LABEL = "<script>alert(1)</script>"
ARTICLES = (BASE + "article/000_a", BASE + "article/001_b")
DUMP = "vankien.nq.gz"

RESULTS_JSON = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
PREFIX = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT = PREFIX + f"SELECT ?label WHERE {{ <{DOC}> rdfs:label ?label }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{DOC}> ?p ?o }}"
UPDATE = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"


Spo = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def vk(term: str) -> ox.NamedNode:
    return ox.NamedNode(VK + term)


def vi(text: str) -> ox.Literal:
    return ox.Literal(text, language="vi")


SHARED: list[Spo] = [  # descriptions every article graph repeats
    (n(DOC), RDF_TYPE, vk("Document")),
    (n(DOC), RDF_TYPE, vk("Directive")),
    (n(DOC), LABEL, vi("Chỉ thị 39-CT/TW")),
    (n(DOC), vk("symbol"), ox.Literal("39-CT/TW")),
    (n(DOC), vk("issuedOn"), ox.Literal("2014-08-18", datatype=n("http://www.w3.org/2001/XMLSchema#date"))),
    (n(DOC), vk("issuedBy"), n(ORG)),
    (n(ORG), RDF_TYPE, vk("Organization")),
    (n(ORG), LABEL, vi("Bộ Chính trị")),
    (n(ORG), LABEL, ox.Literal("Politburo", language="en")),
]
GRAPHS: dict[str, list[Spo]] = {
    ARTICLES[0]: [
        (n(ARTICLES[0]), RDF_TYPE, vk("Article")),
        (n(ARTICLES[0]), LABEL, vi("Tổng kết 10 năm thực hiện Chỉ thị 39")),
        (n(ARTICLES[0]), vk("mentions"), n(DOC)),
        (n(ARTICLES[0]), vk("mentions"), n(PROVINCE)),
        (n(PROVINCE), RDF_TYPE, vk("Province")),
        (n(PROVINCE), LABEL, vi("Thanh Hóa")),
        *SHARED,
    ],
    ARTICLES[1]: [
        (n(ARTICLES[1]), RDF_TYPE, vk("Article")),
        (n(ARTICLES[1]), vk("mentions"), n(DOC)),
        (n(ARTICLES[1]), vk("mentions"), n(EVIL)),
        (n(EVIL), RDF_TYPE, vk("Official")),
        (n(EVIL), LABEL, vi(EVIL_LABEL)),
        *SHARED,
    ],
}
UNION = {t for triples in GRAPHS.values() for t in triples}


def write_build(out: Path) -> None:
    """OUT/current -> builds/test-build holding store/, dumps/ and manifest.json."""
    build = out / "builds" / "test-build"
    build.mkdir(parents=True)
    quads = [ox.Quad(*t, n(g)) for g, triples in GRAPHS.items() for t in triples]
    quads += [ox.Quad(*t) for t in sorted(UNION, key=str)]
    store = ox.Store(str(build / "store"))
    store.extend(quads)
    store.flush()
    del store  # closes it: the server opens it read-only
    manifest: dict[str, object] = {"build_id": "test-build", "created": "2025-01-01T00:00:00Z", "meta": {}}
    manifest |= {"dumps": [write_dump(build / "dumps", quads)], "counts": {"quads": len(quads)}}
    (build / "manifest.json").write_text(json.dumps(manifest))
    (out / "current").symlink_to(Path("builds") / "test-build")


def write_dump(directory: Path, quads: list[ox.Quad]) -> dict[str, object]:
    """The gzipped N-Quads dump, its SHA256SUMS and a stray file; returns the dump's manifest entry."""
    directory.mkdir()
    nquads = BytesIO()
    ox.serialize(quads, nquads, ox.RdfFormat.N_QUADS)
    dump = gzip.compress(nquads.getvalue())
    (directory / DUMP).write_bytes(dump)
    sha256 = hashlib.sha256(dump).hexdigest()
    (directory / "SHA256SUMS").write_text(f"{sha256}  {DUMP}\n")
    (directory / "secret.txt").write_text("not in the manifest\n")
    entry = {"file": f"dumps/{DUMP}", "media_type": "application/n-quads", "encoding": "gzip"}
    return entry | {"bytes": len(dump), "sha256": sha256}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    write_build(out)
    return out


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[httpx.Client]:
    with running_server(data_dir, row_limit="100") as url, httpx.Client(base_url=url) as http:
        yield http


def sparql(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


class Case(NamedTuple):
    method: str
    path: str
    status: int
    content_type: str | None  # expected; None: not checked
    accept: str | None = None
    send: tuple[str, str] | None = None  # (content type, body) of a POST

    def request(self, client: httpx.Client) -> httpx.Response:
        headers = {"Accept": self.accept} if self.accept else {}
        if self.send:
            headers["Content-Type"] = self.send[0]
        return client.request(self.method, self.path, headers=headers, content=self.send and self.send[1])


HTML, TEXT, JSON = "text/html", "text/plain", RESULTS_JSON
TURTLE, NTRIPLES, JSONLD = "text/turtle", "application/n-triples", "application/ld+json"
XML_RESULTS, TSV = "application/sparql-results+xml", "text/tab-separated-values"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DIRECT, UPDATE_TYPE = "application/sparql-query", "application/sparql-update"
SERVICE = "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
DOC_PATH = "/doc/document/tw/2014/chi-thi/39"
ROUTES = {
    "home": Case("GET", "/", 200, HTML),
    "healthz": Case("GET", "/healthz", 200, "application/json"),
    "select json": Case("GET", sparql(SELECT), 200, JSON),
    "ask xml": Case("GET", sparql(f"ASK {{ <{DOC}> ?p ?o }}"), 200, XML_RESULTS, XML_RESULTS),
    "select csv": Case("GET", sparql(SELECT), 200, "text/csv", "text/csv"),
    "select tsv": Case("GET", sparql(SELECT), 200, TSV, TSV),
    "construct turtle": Case("GET", sparql(CONSTRUCT), 200, TURTLE, TURTLE),
    "construct n-triples": Case("GET", sparql(CONSTRUCT), 200, NTRIPLES, NTRIPLES),
    "post form": Case("POST", "/sparql", 200, JSON, send=(FORM, urlencode({"query": SELECT}))),
    "post direct": Case("POST", "/sparql", 200, JSON, send=(DIRECT, SELECT)),
    "service description": Case("GET", "/sparql", 200, TURTLE),
    "graphs but no query": Case("GET", "/sparql?default-graph-uri=urn:x", 400, TEXT),
    "syntax error": Case("GET", sparql("SELECT WHERE {"), 400, TEXT),
    "update by get": Case("GET", sparql(UPDATE), 400, TEXT),
    "update direct": Case("POST", "/sparql", 403, TEXT, send=(UPDATE_TYPE, UPDATE)),
    "update form": Case("POST", "/sparql", 403, TEXT, send=(FORM, urlencode({"update": UPDATE}))),
    "service": Case("GET", sparql(SERVICE), 400, TEXT),
    "over row limit (cut)": Case("GET", sparql("SELECT * { ?a ?b ?c . ?d ?e ?f }"), 200, RESULTS_JSON),
    "id redirects": Case("GET", "/id/document/tw/2014/chi-thi/39", 303, None),
    "doc html": Case("GET", DOC_PATH, 200, HTML, HTML),
    "doc browser": Case("GET", DOC_PATH, 200, HTML, BROWSER),
    "doc turtle": Case("GET", DOC_PATH, 200, TURTLE, TURTLE),
    "doc n-triples": Case("GET", DOC_PATH, 200, NTRIPLES, NTRIPLES),
    "doc json-ld": Case("GET", DOC_PATH, 200, JSONLD, JSONLD),
    "doc rdf/xml": Case("GET", DOC_PATH, 200, "application/rdf+xml", "application/rdf+xml"),
    "doc .html": Case("GET", DOC_PATH + ".html", 200, HTML, TURTLE),
    "doc .ttl": Case("GET", DOC_PATH + ".ttl", 200, TURTLE, HTML),
    "doc .nt": Case("GET", DOC_PATH + ".nt", 200, NTRIPLES),
    "doc .jsonld": Case("GET", DOC_PATH + ".jsonld", 200, JSONLD),
    "doc ?format": Case("GET", DOC_PATH + "?format=nt", 200, NTRIPLES, HTML),
    "doc bad ?format": Case("GET", DOC_PATH + "?format=xls", 400, TEXT),
    "unknown": Case("GET", "/doc/document/tw/2099/chi-thi/1", 404, TEXT),
    "unknown for a browser": Case("GET", "/doc/nothing/here", 404, HTML, BROWSER),
    "unknown .ttl": Case("GET", "/doc/nothing/here.ttl", 404, TEXT),
    "dumps": Case("GET", "/dumps/", 200, HTML),
    "dump": Case("GET", "/dumps/" + DUMP, 200, "application/gzip"),
    "not in manifest": Case("GET", "/dumps/secret.txt", 404, TEXT),
    "checksums beside the dumps": Case("GET", "/dumps/SHA256SUMS", 200, TEXT),
    "manifest itself": Case("GET", "/dumps/..%2Fmanifest.json", 404, None),
    "dumps json": Case("GET", "/dumps/?format=json", 200, "application/json"),
    "query page": Case("GET", "/sparql", 200, HTML, BROWSER),
    "results for a browser": Case("GET", sparql(SELECT), 200, HTML, BROWSER),
    "construct json-ld": Case("GET", sparql(CONSTRUCT), 200, JSONLD, JSONLD),
    "construct rdf/xml": Case("GET", sparql(CONSTRUCT), 200, "application/rdf+xml", "application/rdf+xml"),
    "sparql put": Case("PUT", "/sparql", 405, None),
    "sparql delete": Case("DELETE", "/sparql", 405, None),
    "search page": Case("GET", "/search", 200, HTML),
    "search": Case("GET", "/search?q=chi+thi+39", 200, HTML),
    "search json": Case("GET", "/search?q=chi+thi+39&format=json", 200, "application/json"),
    "search csv": Case("GET", "/search?q=thanh+hoa&format=csv", 200, "text/csv"),
    "search bad page": Case("GET", "/search?q=x&page=-1", 400, HTML),
    "search bad page json": Case("GET", "/search?q=x&page=-1&format=json", 400, None),
    "classes": Case("GET", "/class/", 200, HTML),
    "class list": Case("GET", "/class/Directive", 200, HTML),
    "class list json": Case("GET", "/class/Directive?format=json", 200, "application/json"),
    "class list csv": Case("GET", "/class/Official?format=csv", 200, "text/csv"),
    "unknown class": Case("GET", "/class/Nothing", 404, TEXT),
    "void": Case("GET", "/.well-known/void", 200, TURTLE),
    "void json-ld": Case("GET", "/.well-known/void", 200, JSONLD, JSONLD),
    "void head": Case("HEAD", "/.well-known/void", 200, TURTLE),
    "favicon": Case("GET", "/favicon.ico", 301, None),
    "favicon svg": Case("GET", "/static/favicon.svg", 200, "image/svg+xml"),
    "stylesheet": Case("GET", "/static/style.css", 200, "text/css"),
    "query script": Case("GET", "/static/query.js", 200, None),
    "english home": Case("GET", "/?lang=en", 200, HTML),
}


@pytest.mark.parametrize("case", ROUTES.values(), ids=ROUTES.keys())
def test_route(client: httpx.Client, case: Case) -> None:
    response = case.request(client)
    assert response.status_code == case.status, response.text
    if case.content_type:
        assert response.headers["content-type"].split(";")[0] == case.content_type


def test_id_redirects_to_its_doc(client: httpx.Client) -> None:
    response = client.get("/id/province/thanh-hoa")
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/province/thanh-hoa"


@pytest.mark.parametrize(
    ("accept", "location"), [("text/html", DOC_PATH + ".html"), ("text/turtle", DOC_PATH + ".ttl")]
)
def test_negotiated_doc_says_what_it_chose(client: httpx.Client, accept: str, location: str) -> None:
    response = client.get(DOC_PATH, headers={"Accept": accept})
    assert "Accept" in vary(response)
    assert response.headers["content-location"] == location


def vary(response: httpx.Response) -> set[str]:
    return {field.strip() for field in response.headers.get("vary", "").split(",")}


def test_suffix_doc_does_not_vary(client: httpx.Client) -> None:
    response = client.get(DOC_PATH + ".ttl")
    assert "Accept" not in vary(response)
    assert response.headers["content-location"] == DOC_PATH + ".ttl"


def parsed(client: httpx.Client, suffix: str, rdflib_format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=client.get(DOC_PATH + suffix).text, format=rdflib_format)


def test_turtle_holds_the_resource_and_the_labels_of_its_objects(client: httpx.Client) -> None:
    graph = parsed(client, ".ttl", "turtle")
    own = {(s, p, o) for s, p, o in graph if str(s) == DOC}
    assert {(str(p), str(o)) for _, p, o in own} == {
        (t[1].value, t[2].value) for t in SHARED if t[0] == n(DOC)
    }
    assert (rdflib.URIRef(ORG), rdflib.RDFS.label, rdflib.Literal("Bộ Chính trị", lang="vi")) in graph


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # inside rdflib's JSON-LD parser
@pytest.mark.parametrize(
    ("suffix", "rdflib_format"), [(".nt", "nt"), (".jsonld", "json-ld"), (".rdf", "xml")]
)
def test_every_rdf_form_holds_the_same_graph(client: httpx.Client, suffix: str, rdflib_format: str) -> None:
    assert set(parsed(client, suffix, rdflib_format)) == set(parsed(client, ".ttl", "turtle"))


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.languages: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script" and dict(attrs).get("type") != "application/ld+json"  # data is fine
        self.links += [value or "" for name, value in attrs if tag == "a" and name == "href"]
        self.languages |= {value or "" for name, value in attrs if name == "lang"}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(client: httpx.Client, path: str) -> PageParser:
    parser = PageParser()
    parser.feed(client.get(path, headers={"Accept": "text/html"}).text)
    return parser


def test_resource_page_shows_labels_and_links(client: httpx.Client) -> None:
    parser = page(client, DOC_PATH)
    text = "".join(parser.text)
    assert "Chỉ thị 39-CT/TW" in text and "Bộ Chính trị" in text and "vk:symbol" in text
    assert "/doc/org/bo-chinh-tri" in parser.links and DOC_PATH + ".ttl" in parser.links
    assert parser.languages == {"vi", "en"}


def test_resource_page_escapes_markup_in_labels(client: httpx.Client) -> None:
    parser = page(client, "/doc/person/xss-000000")
    assert EVIL_LABEL in "".join(parser.text)
    assert parser.scripts == 0


def test_home_counts_resources_per_class(client: httpx.Client) -> None:
    text = " ".join(page(client, "/").text)
    assert "vk:Article" in text and "vk:Official" in text


@pytest.mark.parametrize(
    ("method", "headers", "body"),
    [
        ("GET", {}, None),
        ("POST", {"Content-Type": FORM}, urlencode({"query": SELECT})),
        ("POST", {"Content-Type": "application/sparql-query"}, SELECT),
    ],
)
def test_sparql_select_round_trip(
    client: httpx.Client, method: str, headers: dict[str, str], body: str
) -> None:
    path = sparql(SELECT) if method == "GET" else "/sparql"
    bindings = client.request(method, path, headers=headers, content=body).json()["results"]["bindings"]
    assert bindings == [{"label": {"type": "literal", "value": "Chỉ thị 39-CT/TW", "xml:lang": "vi"}}]


def test_sparql_reads_the_union_default_graph(client: httpx.Client) -> None:
    count = client.get(sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")).json()
    assert int(count["results"]["bindings"][0]["n"]["value"]) == len(UNION)


def test_syntax_error_carries_the_parser_message(client: httpx.Client) -> None:
    assert "error at" in client.get(sparql("SELECT WHERE {")).text


def test_dump_download_matches_the_manifest(client: httpx.Client, data_dir: Path) -> None:
    entry = json.loads((data_dir / "current" / "manifest.json").read_text())["dumps"][0]
    body = client.get("/dumps/" + DUMP).content
    assert (len(body), hashlib.sha256(body).hexdigest()) == (entry["bytes"], entry["sha256"])
    assert entry["sha256"] in client.get("/dumps/").text
    dataset = ox.Dataset(ox.parse(gzip.decompress(body), format=ox.RdfFormat.N_QUADS))
    assert len(dataset) == len(UNION) + sum(len(set(triples)) for triples in GRAPHS.values())


def test_a_query_over_the_time_limit_is_abandoned_without_blocking(data_dir: Path) -> None:
    slow = sparql("SELECT (COUNT(*) AS ?n) { " + " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(6)) + " }")
    with running_server(data_dir, query_timeout_s="0.5") as url:
        started = time.monotonic()
        assert httpx.get(url + slow, timeout=30).status_code == 503
        assert time.monotonic() - started < 5
        assert httpx.get(url + "/healthz", timeout=2).status_code == 200


def test_route_dependencies_are_coroutines() -> None:
    """FastAPI runs a plain function dependency in a worker thread: a thread hop per request for nothing."""
    import inspect
    from typing import get_args

    from server.routes import deps

    for annotated in (deps.StoreDep, deps.PoolDep, deps.UrlsDep):
        assert inspect.iscoroutinefunction(get_args(annotated)[1].dependency)

"""Browsing a real server of the seeds: the home page, class lists (HTML, JSON, CSV), downloads and the
VoID description, each checked against the store through `/sparql` or against the files on disk."""

import csv
import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from mappings.reading.text import fold
from tests.serving import BASE_URI, running_server
from tests.test_search import FORMULAS, write_tiny_build

VK = "https://w3id.org/vankien/ontology#"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
CLASS_COUNTS = f"""SELECT ?key (COUNT(DISTINCT ?s) AS ?n)
WHERE {{ ?s a ?key FILTER(STRSTARTS(STR(?key), "{VK}")) }} GROUP BY ?key"""


def get(server: str, path: str, accept: str | None = None, **params: Any) -> httpx.Response:
    """A request without a cookie jar: `?lang=en` in one test never leaks into the next."""
    headers = {"Accept": accept} if accept else {}
    return httpx.get(server + path, params=params, headers=headers, timeout=30)


def select(server: str, query: str) -> list[dict[str, str]]:
    response = get(server, "/sparql", "application/sparql-results+json", query=query)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def class_counts(server: str) -> dict[str, int]:
    return {row["key"].removeprefix(VK): int(row["n"]) for row in select(server, CLASS_COUNTS)}


class Page(HTMLParser):
    """The links of a page, and the rows of its tables: each row's cell texts and links."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows: list[tuple[list[str], list[str]]] = []  # (cells, links)
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
            if self.rows:
                self.rows[-1][1].append(self.links[-1])
        elif tag == "tr":
            self.rows.append(([], []))
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][0].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self.rows.append(([], []))  # links after a table belong to no row

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse_page(html: str) -> Page:
    parser = Page()
    parser.feed(html)
    return parser


# --- home ------------------------------------------------------------------------------------------

def test_home_counts_equal_sparql_counts(seeds_server: str) -> None:
    page = parse_page(get(seeds_server, "/").text)
    shown = {
        links[0].removeprefix("/class/"): int(cells[-1].replace(".", ""))  # 12.345 in Vietnamese
        for cells, links in page.rows
        if cells and links and links[0].startswith("/class/")
    }
    assert shown == class_counts(seeds_server)


def test_home_lists_the_latest_articles_newest_first(seeds_server: str) -> None:
    articles = select(seeds_server, f"SELECT ?s ?date WHERE {{ ?s a <{VK}Article> OPTIONAL {{ ?s <{VK}published> ?date }} }}")
    links = [href for href in parse_page(get(seeds_server, "/").text).links if href.startswith("/doc/article/")]
    expected = {BASE_URI + href.removeprefix("/doc/").join(("id/", "")) for href in links}
    assert expected == {row["s"] for row in articles}
    newest = max((row for row in articles if "date" in row), key=lambda row: row["date"])
    assert links[0] == "/doc/" + newest["s"].removeprefix(BASE_URI + "id/")


def test_home_links_the_ways_in_and_names_the_build(seeds_server: str, seeds_build: Path) -> None:
    page = get(seeds_server, "/")
    links = set(parse_page(page.text).links)
    assert {"/search", "/sparql", "/dumps/", "/.well-known/void", "/class/"} <= links
    manifest = json.loads((seeds_build / "current" / "manifest.json").read_text())
    assert manifest["build_id"] in page.text and manifest["created"][:10] in page.text
    assert 'action="/search"' in page.text


def test_home_in_english(seeds_server: str) -> None:
    page = get(seeds_server, "/", lang="en").text
    assert "Latest articles" in page and ">Province</a>" in page and 'lang="en"' in page


# --- class lists -----------------------------------------------------------------------------------

def members(server: str, name: str, size: int = 100, **params: Any) -> dict[str, Any]:
    response = get(server, f"/class/{name}", format="json", size=size, **params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_the_class_index_counts_equal_sparql_counts(seeds_server: str) -> None:
    listed = get(seeds_server, "/class/", format="json").json()["classes"]
    counts = class_counts(seeds_server)
    assert {c["name"]: c["count"] for c in listed if c["count"]} == counts
    assert {"Law", "Decree"} <= {c["name"] for c in listed if not c["count"]}  # declared, none yet


def test_a_class_list_pages_through_every_member_once(seeds_server: str) -> None:
    expected = {row["s"] for row in select(seeds_server, f"SELECT ?s WHERE {{ ?s a <{VK}Province> }}")}
    first = members(seeds_server, "Province", size=20)
    pages = [first] + [members(seeds_server, "Province", size=20, page=n) for n in range(2, first["pages"] + 1)]
    seen = [m["iri"] for p in pages for m in p["members"]]
    assert (len(seen), set(seen), first["total"]) == (len(expected), expected, len(expected))
    labels = [fold(m["label"]) for p in pages for m in p["members"]]
    assert labels == sorted(labels)  # provinces by name
    assert get(seeds_server, "/class/Province", size=20, page=first["pages"] + 1).status_code == 404


def test_documents_come_newest_first_with_their_key_facts(seeds_server: str) -> None:
    listed = members(seeds_server, "Document")
    rows = select(seeds_server, f"SELECT ?s ?symbol WHERE {{ ?s a <{VK}Document> ; <{VK}symbol> ?symbol }}")
    assert {m["iri"]: m["symbol"] for m in listed["members"]} == {row["s"]: [row["symbol"]] for row in rows}
    dates = [max(m["issued"], default="") for m in listed["members"]]
    assert dates == sorted(dates, reverse=True) and dates[-1] == ""  # undated last
    directive = next(m for m in listed["members"] if m["iri"].endswith("/tw/2014/chi-thi/39"))
    assert directive["issuer"] == [{"iri": BASE_URI + "id/org/bo-chinh-tri", "label": "Bộ Chính trị"}]


def test_a_class_list_as_json_csv_and_html_agree(seeds_server: str) -> None:
    data = members(seeds_server, "Directive")
    response = get(seeds_server, "/class/Directive", "text/csv", size=100)
    assert response.headers["content-type"].startswith("text/csv") and "Accept" in response.headers["vary"]
    rows = list(csv.DictReader(StringIO(response.text)))
    assert [(r["iri"], r["label"], r["symbol"]) for r in rows] == [
        (m["iri"], m["label"], "; ".join(m["symbol"])) for m in data["members"]
    ]
    page = parse_page(get(seeds_server, "/class/Directive").text)
    assert [links[0] for cells, links in page.rows if cells and links] == [m["href"] for m in data["members"]]


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/class/Nothing", {}, 404, "no class called 'Nothing'"),
        ("/class/Province", {"page": "0"}, 400, "page"),
        ("/class/Province", {"size": "x"}, 400, "size"),
        ("/class/Province", {"format": "xls"}, 400, "format"),
    ],
)
def test_bad_list_requests(seeds_server: str, path: str, params: dict[str, str], status: int, says: str) -> None:
    response = get(seeds_server, path, "text/plain", **params)
    assert response.status_code == status and says in response.text


@pytest.fixture(scope="module")
def formula_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(write_tiny_build(tmp_path_factory.mktemp("formulas"), FORMULAS)) as url:
        yield url


def test_a_class_list_csv_quotes_formulas(formula_server: str) -> None:
    rows = list(csv.DictReader(StringIO(get(formula_server, "/class/Official", format="csv").text)))
    assert sorted(r["label"] for r in rows) == sorted("'" + label for label in FORMULAS)


# --- downloads -------------------------------------------------------------------------------------

def test_dumps_json_sizes_and_checksums_match_the_files(seeds_server: str, seeds_build: Path) -> None:
    listed = get(seeds_server, "/dumps/", "application/json").json()
    manifest = json.loads((seeds_build / "current" / "manifest.json").read_text())
    assert listed["build_id"] == manifest["build_id"]
    assert [d["name"] for d in listed["dumps"]] == [Path(d["file"]).name for d in manifest["dumps"]]
    for dump in listed["dumps"]:
        body = (seeds_build / "current" / "dumps" / dump["name"]).read_bytes()
        assert (dump["bytes"], dump["sha256"]) == (len(body), hashlib.sha256(body).hexdigest())
        assert get(seeds_server, dump["href"]).content == body
    page = get(seeds_server, "/dumps/").text
    assert all(d["sha256"] in page and d["name"] in page for d in listed["dumps"])


# --- VoID ------------------------------------------------------------------------------------------

def void_graph(server: str, accept: str, rdflib_format: str) -> rdflib.Graph:
    response = get(server, "/.well-known/void", accept)
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    return rdflib.Graph().parse(data=response.text, format=rdflib_format)


@pytest.fixture(scope="module")
def void(seeds_server: str) -> rdflib.Graph:
    return void_graph(seeds_server, "text/turtle", "turtle")


def dataset(graph: rdflib.Graph) -> rdflib.term.Node:
    (node,) = graph.subjects(rdflib.RDF.type, VOID.Dataset)
    assert (node, rdflib.RDF.type, DCAT.Dataset) in graph
    return node


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # inside rdflib's JSON-LD parser
@pytest.mark.parametrize(
    ("accept", "rdflib_format"), [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")]
)
def test_void_forms_hold_one_graph(seeds_server: str, void: rdflib.Graph, accept: str, rdflib_format: str) -> None:
    assert isomorphic(void_graph(seeds_server, accept, rdflib_format), void)


def test_void_parses_with_pyoxigraph(seeds_server: str, void: rdflib.Graph) -> None:
    body = get(seeds_server, "/.well-known/void", format="nt").content
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == len(void)


def test_void_counts_match_the_store(seeds_server: str, void: rdflib.Graph) -> None:
    node = dataset(void)
    (triples,) = select(seeds_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert void.value(node, VOID.triples).toPython() == int(triples["n"])
    partitions = {
        str(void.value(part, VOID["class"])): void.value(part, VOID.entities).toPython()
        for part in void.objects(node, VOID.classPartition)
    }
    everything = select(seeds_server, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    assert partitions == {row["c"]: int(row["n"]) for row in everything}
    by_property = {
        str(void.value(part, VOID.property)): void.value(part, VOID.triples).toPython()
        for part in void.objects(node, VOID.propertyPartition)
    }
    assert sum(by_property.values()) == int(triples["n"])


def test_void_describes_licence_endpoint_and_every_dump(void: rdflib.Graph, seeds_build: Path) -> None:
    node = dataset(void)
    assert str(void.value(node, rdflib.DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"
    rights = {lit.language: str(lit) for lit in void.objects(node, rdflib.DCTERMS.rights)}
    assert set(rights) == {"vi", "en"} and "publishers'" in rights["en"]
    assert {lit.language for lit in void.objects(node, rdflib.DCTERMS.title)} == {"vi", "en"}
    assert str(void.value(node, VOID.sparqlEndpoint)) == BASE_URI + "sparql"
    assert str(void.value(node, VOID.uriSpace)) == BASE_URI + "id/"
    (service,) = void.subjects(rdflib.RDF.type, DCAT.DataService)
    assert str(void.value(service, DCAT.endpointURL)) == BASE_URI + "sparql"
    manifest = json.loads((seeds_build / "current" / "manifest.json").read_text())
    modified = void.value(node, rdflib.DCTERMS.modified).toPython()
    assert modified == datetime.fromisoformat(manifest["created"])
    described = {}
    for distribution in void.objects(node, DCAT.distribution):
        checksum = void.value(distribution, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        described[str(void.value(distribution, DCAT.downloadURL))] = (
            void.value(distribution, DCAT.byteSize).toPython(), str(void.value(checksum, SPDX.checksumValue))
        )
    assert described == {
        BASE_URI + "dumps/" + Path(d["file"]).name: (d["bytes"], d["sha256"]) for d in manifest["dumps"]
    }
    assert set(described) == {str(url) for url in void.objects(node, VOID.dataDump)}


def test_void_negotiates(seeds_server: str) -> None:
    assert get(seeds_server, "/.well-known/void").headers["content-type"].startswith("text/turtle")
    assert get(seeds_server, "/.well-known/void", format="jsonld").headers["content-type"].startswith(
        "application/ld+json"
    )
    assert get(seeds_server, "/.well-known/void", format="csv").status_code == 400

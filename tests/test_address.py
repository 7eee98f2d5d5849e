"""A build served at another address than the one it was made for: pages, links, canonical URLs, VoID and
dump links use the address served (or `--base-uri` behind a proxy), the RDF keeps the dataset's IRIs.
And `serve --dataset` on the build's own dumps: gzipped, any format, its empty default graph the union."""

import gzip
import re
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from mappings.publishing.publish import PublishedBuild, publish
from tests.serving import ROOT, VANKIEN, running_server

BUILT_FOR = "http://vankien.example/"  # the base the build was made with
VK = "https://w3id.org/vankien/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PROVINCE, ARTICLE = NamedNode(BUILT_FOR + "id/province/thanh-hoa"), NamedNode(BUILT_FOR + "id/article/a1")


def small_build(out: Path) -> PublishedBuild:
    article = [Triple(ARTICLE, RDF_TYPE, NamedNode(VK + "Article")), Triple(ARTICLE, LABEL, Literal("Bài", language="vi")),
               Triple(ARTICLE, NamedNode(VK + "mentions"), PROVINCE)]
    reference = [Triple(PROVINCE, RDF_TYPE, NamedNode(VK + "Province")),
                 Triple(PROVINCE, LABEL, Literal("Thanh Hóa", language="vi"))]
    graphs = sorted([(ARTICLE.value, article), (BUILT_FOR + "graph/reference", reference)])
    return publish(out, graphs, meta={"base_uri": BUILT_FOR}, context=ROOT / "ontology" / "context.jsonld")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> PublishedBuild:
    return small_build(tmp_path_factory.mktemp("address") / "out")


def canonical(html: str) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def void_of(url: str) -> str:
    return httpx.get(url + "/.well-known/void", headers={"Accept": "application/n-triples"}).text


def test_a_build_is_served_at_the_address_it_is_reached_at(built: PublishedBuild) -> None:
    with running_server(built.path.parents[1], base_uri=None) as url:
        assert httpx.get(url + "/id/province/thanh-hoa").headers["location"] == "/doc/province/thanh-hoa"
        page = httpx.get(url + "/doc/province/thanh-hoa", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert canonical(page.text) == url + "/doc/province/thanh-hoa"
        assert PROVINCE.value in page.text  # the IRI as published
        assert 'href="/doc/article/a1"' in page.text  # a link into the dataset stays on this server
        turtle = httpx.get(url + "/doc/province/thanh-hoa.nt").text
        assert f"<{PROVINCE.value}> <{LABEL.value}>" in turtle  # the RDF keeps the dataset's IRIs
        void = void_of(url)
        assert f'<{url}/.well-known/void#dataset> <http://rdfs.org/ns/void#sparqlEndpoint> <{url}/sparql>' in void
        assert f'<http://rdfs.org/ns/void#uriSpace> "{BUILT_FOR}id/"' in void
        assert f"<{url}/dumps/vankien.nq.gz>" in void
        assert "localhost:8000" not in void + page.text
        found = httpx.get(url + "/search", params={"q": "thanh hoa", "format": "json"}).json()
        assert PROVINCE.value in str(found)


def test_behind_a_proxy_the_public_address_is_given(built: PublishedBuild) -> None:
    public = "https://public.example/"
    with running_server(built.path.parents[1], base_uri=public) as url:
        page = httpx.get(url + "/doc/province/thanh-hoa", headers={"Accept": "text/html"}).text
        assert canonical(page) == public + "doc/province/thanh-hoa"
        assert f"<{public}dumps/vankien.nq.gz>" in void_of(url)


@pytest.mark.parametrize(("flags", "says"), [
    (["--base-uri", "http://example.org/vankien/"], "root of an address"),
    (["--base-uri", "ftp://example.org/"], "http(s) address"),
    (["--dataset-base", "http://localhost:8000/"], f"made for the IRIs {BUILT_FOR}id/"),
])
def test_an_address_that_cannot_work_is_refused_at_start(built: PublishedBuild, flags: list[str], says: str) -> None:
    done = subprocess.run([*VANKIEN, "serve", "--data", str(built.path.parents[1]), "--port", "1", *flags],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr


def count(url: str, query: str) -> int:
    answer = httpx.get(url + "/sparql?" + urlencode({"query": query}), headers={"Accept": "application/sparql-results+json"})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("dump", ["vankien.nq.gz", "vankien.trig.gz", "vankien.nq", "vankien.jsonld.gz"])
def test_serve_dataset_takes_the_builds_own_dumps(built: PublishedBuild, tmp_path: Path, dump: str) -> None:
    path = built.path / "dumps" / dump
    if not path.exists():  # the decompressed dump
        path = tmp_path / dump
        path.write_bytes(gzip.decompress((built.path / "dumps" / (dump + ".gz")).read_bytes()))
    with running_server(dataset=path, base_uri=None, options=("--dataset-base", BUILT_FOR), log_dir=tmp_path) as url:
        assert count(url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == 5  # the union, as the build serves it
        home = httpx.get(url + "/", headers={"Accept": "text/html"}).text
        assert "/class/Province" in home and "/class/Article" in home
        assert httpx.get(url + "/doc/province/thanh-hoa").status_code == 200


def test_serve_dataset_can_keep_the_files_own_empty_default_graph(built: PublishedBuild, tmp_path: Path) -> None:
    path = built.path / "dumps" / "vankien.trig.gz"
    with running_server(dataset=path, options=("--keep-default-graph",), log_dir=tmp_path) as url:
        assert count(url, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") == 0
        assert count(url, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }") == 5


def test_a_union_dump_parses_as_served(built: PublishedBuild) -> None:
    nt = gzip.decompress((built.path / "dumps" / "vankien.nt.gz").read_bytes())
    assert len(list(parse(nt, format=RdfFormat.N_TRIPLES))) == 5

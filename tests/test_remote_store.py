"""The remote store mode against real stores on loopback (Oxigraph server, Virtuoso): the seeds published
with `vankien build --store`, served with `vankien serve --store`, answer as the embedded store does, with
the same limits; a publish that fails leaves the store's published graphs as they were."""

import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from mappings.publishing import remote
from mappings.publishing.remote import publish_remote, published_graphs, published_manifest
from mappings.publishing.sparql_http import Endpoint, StoreError
from tests.serving import BASE_URI, ROOT, SEEDS, VANKIEN, running_server
from tests.stores import RemoteStoreUrls, oxigraph_server, select, virtuoso_server

UNION = f"{BASE_URI}graph/union"  # Virtuoso's default graph (its own default is every graph, as a bag)
STORES: dict[str, Callable[[Path], AbstractContextManager[RemoteStoreUrls]]] = {
    "oxigraph": oxigraph_server,
    "virtuoso": lambda directory: virtuoso_server(directory, default_graph=UNION),
}
QUERIES = [  # answers compared as sets of rows (or graphs): lookups, joins, paths, aggregates, filters
    "SELECT ?s ?label WHERE { ?s a vk:Province ; rdfs:label ?label } ORDER BY ?s ?label",
    "SELECT ?d ?n WHERE { ?d a vk:Directive ; vk:symbol ?n }",
    "SELECT ?a ?b WHERE { ?a a vk:Document ; (vk:replaces|vk:implements|vk:basedOn)+ ?b }",
    "SELECT ?m ?who ?when WHERE { ?m a vk:Meeting ; vk:chairedBy/rdfs:label ?who OPTIONAL { ?m vk:heldOn ?when } }",
    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    'SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "tỉnh ủy")) }',
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), STR(vkid:))) } GROUP BY ?g",
    "ASK { ?s a vk:Meeting }",
    "CONSTRUCT { ?m ?p ?o } WHERE { ?m a vk:Meeting ; ?p ?o }",
]
PREFIXES = ("PREFIX vk: <https://w3id.org/vankien/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"PREFIX vkid: <{BASE_URI}id/> ")


@dataclass(frozen=True)
class Served:
    store: RemoteStoreUrls
    out: Path  # the local build directory the store was published from
    remote: str  # `vankien serve --store`
    embedded: str  # `vankien serve --data out`: the same build


def publish(store: RemoteStoreUrls, articles: Path, out: Path) -> subprocess.CompletedProcess[str]:
    union = ["--store-union-graph", UNION] if store.name == "virtuoso" else []
    return subprocess.run(
        [*VANKIEN, "build", "--articles", str(articles), "--out", str(out), "--base-uri", BASE_URI,
         "--store", store.query, "--store-update", store.update, *union],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )


@pytest.fixture(scope="module", params=sorted(STORES))
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp(request.param)
    with STORES[request.param](directory) as store:
        published = publish(store, SEEDS, directory / "out")
        assert published.returncode == 0, published.stderr
        with running_server(store=store.query, log_dir=directory, dumps_cache=str(directory / "cache"),
                            row_limit="500", query_timeout_s="4") as remote, \
             running_server(directory / "out", row_limit="500", query_timeout_s="4") as embedded:
            yield Served(store, directory / "out", remote, embedded)


def get(url: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(url + path, headers=headers, timeout=60)


def sparql(url: str, query: str, accept: str = "application/sparql-results+json") -> httpx.Response:
    return get(url, "/sparql?" + urlencode({"query": PREFIXES + query}), accept=accept)


def resource_paths(store: RemoteStoreUrls) -> list[str]:
    """Pages of a spread of resources: every 12th typed resource, by IRI (read from the store itself)."""
    rows = select(store, PREFIXES + "SELECT DISTINCT ?s WHERE { ?s a ?c "
                  "FILTER(STRSTARTS(STR(?s), STR(vkid:)) && !CONTAINS(STR(?s), '#')) } ORDER BY ?s")
    iris = [row["s"]["value"] for row in rows]
    assert len(iris) > 50
    return ["/doc/" + iri.removeprefix(BASE_URI + "id/") for iri in iris[::12]]


def same_page(served: Served, path: str) -> None:
    remote, embedded = get(served.remote, path), get(served.embedded, path)
    assert (remote.status_code, remote.headers.get("etag")) == (embedded.status_code, embedded.headers.get("etag"))
    assert remote.text.replace(served.remote, "") == embedded.text.replace(served.embedded, ""), path


def test_pages_and_lists_are_the_embedded_stores(served: Served) -> None:
    paths = ["/", "/?lang=en", "/class/Province", "/class/Directive", "/class/Official?lang=en",
             *resource_paths(served.store)]
    for path in paths:
        same_page(served, path)


def test_search_from_a_store_finds_names_and_labels(served: Served) -> None:
    """A --store server has no build directory, so no full-text index of article bodies: it searches names, labels
    and symbols (docs/remote-store.md), and finds there what the embedded one finds first."""
    for query in ("chi thi 39", "Bí thư"):
        remote = get(served.remote, f"/search?q={query}&format=json").json()
        embedded = get(served.embedded, f"/search?q={query}&format=json").json()
        assert remote["results"] and remote["results"][0]["iri"] in {hit["iri"] for hit in embedded["results"][:5]}


FILE_BYTES = {rdflib.URIRef("http://spdx.org/rdf/terms#checksumValue"), rdflib.DCAT.byteSize}


def test_descriptions_and_void_in_rdf_are_the_same_graphs(served: Served) -> None:
    """The same graphs, but for the dumps' bytes: a replica writes its own gzip members of the same quads."""
    for path in resource_paths(served.store)[:8] + ["/.well-known/void"]:
        graphs = [rdflib.Graph().parse(data=get(url, path, accept="text/turtle").text, format="turtle")
                  for url in (served.remote, served.embedded)]
        for graph in graphs:
            for predicate in FILE_BYTES:
                graph.remove((None, predicate, None))
        assert len(graphs[0]) > 0 and isomorphic(*graphs), path


@pytest.mark.parametrize("query", QUERIES)
def test_sparql_answers_are_the_same(served: Served, query: str) -> None:
    accept = "application/n-triples" if query.startswith("CONSTRUCT") else "application/sparql-results+json"
    remote, embedded = sparql(served.remote, query, accept), sparql(served.embedded, query, accept)
    assert remote.status_code == embedded.status_code == 200, remote.text
    if query.startswith("CONSTRUCT"):
        graphs = [rdflib.Graph().parse(data=r.text, format="nt") for r in (remote, embedded)]
        assert len(graphs[1]) > 0 and isomorphic(*graphs)
    elif query.startswith("ASK"):
        assert remote.json()["boolean"] is embedded.json()["boolean"] is True
    else:
        rows = [sorted(json.dumps(b, sort_keys=True) for b in r.json()["results"]["bindings"]) for r in (remote, embedded)]
        assert rows[1] and rows[0] == rows[1]


def test_dumps_hold_the_same_quads(served: Served) -> None:
    for name in ("vankien.nq.gz", "vankien.nt.gz", "vankien.ttl.gz", "vankien.trig.gz", "vankien.jsonld.gz"):
        remote, embedded = (gzip.decompress(get(url, f"/dumps/{name}").content) for url in (served.remote, served.embedded))
        assert remote == embedded and remote, name


def test_the_limits_hold_on_the_remote_store(served: Served) -> None:
    capped = sparql(served.remote, "SELECT * WHERE { ?s ?p ?o }")
    assert capped.status_code == 200 and capped.headers["X-SPARQL-MaxRows"] == "500"
    assert len(capped.json()["results"]["bindings"]) == 500
    refused = sparql(served.remote, f"SELECT * WHERE {{ SERVICE <{served.store.query}> {{ ?s ?p ?o }} }}")
    assert refused.status_code == 400 and "SERVICE" in refused.text
    slow = sparql(served.remote, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert slow.status_code == 503 and slow.headers["Retry-After"].isdigit()
    assert sparql(served.remote, "ASK { ?s ?p ?o }").status_code == 200
    assert get(served.remote, "/healthz").status_code == 200


# --- publishing into the store: only what changed, and nothing published is lost when it fails

def store_quads(store: RemoteStoreUrls) -> set[tuple[str, ...]]:
    graphs = published_graphs(Endpoint(store.query), BASE_URI)
    rows = select(store, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {tuple(json.dumps(row[k], sort_keys=True) for k in "gspo") for row in rows if row["g"]["value"] in graphs}


@pytest.fixture(params=sorted(STORES))
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RemoteStoreUrls]:
    with STORES[request.param](tmp_path) as store:
        yield store


def changed_seeds(directory: Path) -> Path:
    """The seeds with one article left out and another one changed."""
    shutil.copytree(SEEDS, directory)
    files = sorted(directory.glob("*.txt"))
    files[0].unlink()
    files[1].write_text(files[1].read_text("utf-8") + "\nHội nghị quán triệt Chỉ thị số 35-CT/TW của Bộ Chính trị.\n", "utf-8")
    return directory


def test_a_new_build_sends_only_the_articles_that_changed(fresh_store: RemoteStoreUrls, tmp_path: Path) -> None:
    first = publish(fresh_store, SEEDS, tmp_path / "out")
    assert first.returncode == 0, first.stderr
    assert "7 graphs sent, 0 unchanged, 0 dropped" in first.stdout
    second = publish(fresh_store, changed_seeds(tmp_path / "articles"), tmp_path / "out")
    assert second.returncode == 0, second.stderr
    sent, unchanged, dropped = map(int, re.findall(r"(\d+) graphs sent, (\d+) unchanged, (\d+) dropped", second.stdout)[0])
    assert dropped == 1 and sent >= 1 and unchanged >= 3 and sent + unchanged == 6  # the changed one is sent
    manifest = published_manifest(Endpoint(fresh_store.query), BASE_URI)
    assert manifest is not None and manifest["meta"]["articles"] == 4  # type: ignore[index]


def test_a_failed_publish_leaves_the_published_graphs_as_they_were(
        fresh_store: RemoteStoreUrls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert publish(fresh_store, SEEDS, tmp_path / "out").returncode == 0
    before = store_quads(fresh_store)
    old = published_manifest(Endpoint(fresh_store.query), BASE_URI)
    new = subprocess.run([*VANKIEN, "build", "--articles", str(changed_seeds(tmp_path / "articles")),
                          "--out", str(tmp_path / "new"), "--base-uri", BASE_URI], cwd=ROOT, check=True)
    assert new.returncode == 0
    build_dir = (tmp_path / "new" / "current").resolve()
    endpoint = Endpoint(fresh_store.query, fresh_store.update)
    real_update = remote.post_update

    def fail_at_the_switch(at: Endpoint, update: str) -> None:
        if "MOVE" in update:
            raise StoreError("the store went away", 503)
        real_update(at, update)

    monkeypatch.setattr(remote, "post_update", fail_at_the_switch)
    union = UNION if fresh_store.name == "virtuoso" else None
    with pytest.raises(StoreError):
        publish_remote(build_dir, endpoint, BASE_URI, union)
    assert store_quads(fresh_store) == before
    assert published_manifest(Endpoint(fresh_store.query), BASE_URI) == old
    staged = select(fresh_store, 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:vankien:staging:")) }')
    assert staged, "the failed publish left its staged graphs (the next one drops them)"

    monkeypatch.setattr(remote, "post_update", real_update)
    done = publish_remote(build_dir, endpoint, BASE_URI, union)
    assert done.dropped == 1
    assert not select(fresh_store, 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:vankien:staging:")) }')
    assert published_manifest(Endpoint(fresh_store.query), BASE_URI)["build_id"] == build_dir.name  # type: ignore[index]


def test_serving_a_store_with_nothing_published_names_the_store(fresh_store: RemoteStoreUrls, tmp_path: Path) -> None:
    result = subprocess.run([*VANKIEN, "serve", "--store", fresh_store.query, "--port", "1"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and fresh_store.query in result.stderr and "vankien build --store" in result.stderr


def test_an_unreachable_store_is_a_clear_error_and_nothing_local_is_lost(tmp_path: Path) -> None:
    result = subprocess.run([*VANKIEN, "build", "--articles", str(SEEDS), "--out", str(tmp_path / "out"),
                             "--store", "http://127.0.0.1:9/sparql"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "http://127.0.0.1:9/sparql" in result.stderr
    assert "keeps the graphs it held before" in result.stderr
    assert (tmp_path / "out" / "current" / "manifest.json").is_file()


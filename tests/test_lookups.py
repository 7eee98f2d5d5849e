"""A description read as index lookups (`server/pages/lookups.py`, the embedded store) is the one its queries give
(`OUTGOING`, `LABELS`, `EVIDENCE` in `server/pages/description.py`, which a remote store answers): every page of the
seeds and of a generated corpus with copies of stories, in both languages, and its RDF (issue 17)."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.corpus import write_corpus
from mappings.build.pipeline import build
from server.data.store import GraphStore
from server.http.config import Settings
from server.http.urls import Urls
from server.pages import rendering
from server.pages.description import Paging, describe

RESOURCES = """SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "%s") && !CONTAINS(STR(?s), "#")) }
ORDER BY ?s"""


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 40 articles, one published again with a byline (a copy of a story)."""
    work = tmp_path_factory.mktemp("lookups")
    articles = write_corpus(40, work / "corpus", seed=7)
    original = min(articles.glob("*.txt"))
    (articles / f"{original.stem}-copy.txt").write_text(original.read_text("utf-8") + "\nẢnh: Minh Hà.\n", "utf-8")
    build(articles, work / "out", jobs=1, report=lambda line: None)
    return work / "out"


def pages_both_ways(out: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Describes and renders every resource of the build with lookups and with queries; they must be equal."""
    store = GraphStore.published(out, Settings())
    try:
        assert store.indexed
        urls = Urls("http://example.org/", store.dataset_base)
        iris = [row["s"].value for row in store.select(RESOURCES % (store.id_base,))]
        assert iris
        for iri in iris:
            path = iri.removeprefix(store.id_base)
            shown = []
            for indexed in (True, False):
                monkeypatch.setattr(GraphStore, "indexed", indexed)
                found = describe(store, iri, None, store.own(iri) if indexed else None)
                shown.append((found.graph.triples, found.incoming, found.neighbourhoods, found.reported,
                              rendering.resource_page(found, path, urls, "vi"),
                              rendering.resource_page(found, path, urls, "en")))
            assert shown[0] == shown[1], iri
        return len(iris)
    finally:
        monkeypatch.undo()
        store.release()


def test_every_seed_page_is_the_same_read_by_lookups(seeds_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert pages_both_ways(seeds_build, monkeypatch) > 20


def test_every_page_of_a_generated_corpus_is_the_same_read_by_lookups(
    corpus_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert pages_both_ways(corpus_build, monkeypatch) > 100


def test_a_later_page_of_incoming_links_is_the_same_read_by_lookups(
    corpus_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page asked for is read by its own query both ways; what the lookups read around it is the same."""
    store = GraphStore.published(corpus_build, Settings())
    try:
        busiest = next(iter(store.select(
            "SELECT ?o ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?o)) } GROUP BY ?o ?p ORDER BY DESC(?n) LIMIT 1"
        )))
        assert int(busiest["n"].value) > 20, "a resource with a second page of incoming links"
        paging = Paging(busiest["p"].value, 2)
        found = []
        for indexed in (True, False):
            monkeypatch.setattr(GraphStore, "indexed", indexed)
            found.append(describe(store, busiest["o"].value, paging).graph.triples)
        assert found[0] == found[1]
    finally:
        monkeypatch.undo()
        store.release()


def test_an_unknown_resource_has_no_triples_and_a_replaced_one_its_replacements(seeds_build: Path) -> None:
    store = GraphStore.published(seeds_build, Settings())
    try:
        assert store.own(store.id_base + "document/nothing/here") == []
        assert store.replacements(store.id_base + "document/nothing/here") == []
        assert store.replacements(store.id_base + "province/thanh-hoa") == []
    finally:
        store.release()

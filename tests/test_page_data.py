"""The page data a build prepares (`mappings/publishing/page_data.py`, issue 17): every page it serves is the one
the per-request queries give, on the seeds and on a generated corpus with copies of stories; a build without it
is served per request; copies of one story count once among the articles reporting a fact."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from mappings.build.pipeline import build
from mappings.publishing.page_data import FILE, check_page_data, choose_quotes
from mappings.publishing.publish import current_build
from mappings.publishing.store import BuildCheckError
from server.data.store import GraphStore
from server.http.config import Settings
from server.http.urls import Urls
from server.pages import rendering
from server.pages.description import describe

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BASE = "http://localhost:8000/"
RESOURCES = """SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "%s") && !CONTAINS(STR(?s), "#")) }
ORDER BY ?s"""
SAME_STORY = "https://w3id.org/vankien/ontology#sameStoryAs"
DOCUMENT = "SELECT ?d WHERE { ?resource vk:mentions ?d . ?d a vk:Document } ORDER BY ?d"
REPORTING = "SELECT DISTINCT ?a WHERE {{ ?st rdf:subject {s} ; rdf:predicate {p} ; rdf:object {o} ; vk:evidence/oa:hasSource ?a }}"


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 60 articles, two of them published again with a byline (copies of one story)."""
    work = tmp_path_factory.mktemp("page-data")
    articles = write_corpus(60, work / "corpus", seed=3)
    for original in sorted(articles.glob("*.txt"))[:2]:
        text = original.read_text("utf-8")
        (articles / f"{original.stem}-copy.txt").write_text(text + "\nẢnh: Minh Hà.\n", "utf-8")
    build(articles, work / "out", jobs=1, report=lambda line: None)
    return work / "out"


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("page-data-seeds") / "out"
    build(SEEDS, out, jobs=1, report=lambda line: None)
    return out


def pages_both_ways(out: Path) -> int:
    """Renders every resource page of the build with its page data and per request; they must be equal."""
    store = GraphStore.published(out, Settings())
    try:
        data = store.page_data
        assert data is not None, "the build has page data"
        urls = Urls("http://example.org/", store.dataset_base)
        iris = [row["s"].value for row in store.select(RESOURCES % (store.id_base,))]
        assert iris
        for iri in iris:
            path = iri.removeprefix(store.id_base)
            shown = []
            for page_data in (data, None):
                store.page_data = page_data
                found = describe(store, iri, None)
                shown.append((found.graph.triples, found.incoming, found.neighbourhoods, found.reported,
                              rendering.resource_page(found, path, urls, "vi"),
                              rendering.resource_page(found, path, urls, "en")))
            assert shown[0] == shown[1], iri
        store.page_data = data
        return len(iris)
    finally:
        store.release()


def test_every_seed_page_is_the_same_with_the_page_data(seeds_out: Path) -> None:
    assert pages_both_ways(seeds_out) > 20


def test_every_page_of_a_generated_corpus_is_the_same_with_the_page_data(corpus_build: Path) -> None:
    assert pages_both_ways(corpus_build) > 200


def test_copies_of_a_story_count_once(corpus_build: Path) -> None:
    store = GraphStore.published(corpus_build, Settings())
    try:
        pairs = {(row["a"].value, row["b"].value) for row in store.select(f"SELECT ?a ?b WHERE {{ ?a <{SAME_STORY}> ?b }}")}
        assert pairs, "the byline copies are found as copies of their stories"
        original, copy = min(pairs)
        document = next(iter(store.select(DOCUMENT, resource=original)))["d"].value
        found = describe(store, document, None)
        checked = 0
        for fact, reported in found.reported.items():
            articles = {row["a"].value for row in store.select(
                REPORTING.format(s=fact[0], p=fact[1], o=fact[2]))}
            if {original, copy} <= articles:
                stories = {min({a} | {b for x, b in pairs if x == a}) for a in articles}
                assert reported == len(stories) < len(articles)  # an original and its copy: one story
                assert len(found.graph.statements(fact)) == min(reported, 5)  # one of the two quoted
                checked += 1
        assert checked
    finally:
        store.release()


def test_a_build_without_page_data_is_served_per_request(seeds_out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(seeds_out, copy, symlinks=True)
    build_dir = current_build(copy)
    assert build_dir is not None
    (build_dir / FILE).unlink()
    store = GraphStore.published(copy, Settings())
    try:
        assert store.page_data is None
        iri = next(iter(store.select(RESOURCES % (store.id_base,))))["s"].value
        assert describe(store, iri, None).iri == iri
    finally:
        store.release()


def test_page_data_of_another_store_or_version_fails_the_check(seeds_out: Path, tmp_path: Path) -> None:
    build_dir = current_build(seeds_out)
    assert build_dir is not None
    manifest_quads = GraphStore.published(seeds_out, Settings())
    manifest_quads.release()
    quads = int(dict(sqlite3.connect(build_dir / FILE).execute("SELECT key, value FROM meta"))["quads"])
    check_page_data(build_dir, quads)
    with pytest.raises(BuildCheckError):
        check_page_data(build_dir, quads + 1)
    copy = tmp_path / "build"
    copy.mkdir()
    shutil.copy(build_dir / FILE, copy / FILE)
    with sqlite3.connect(copy / FILE) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    with pytest.raises(BuildCheckError):
        check_page_data(copy, quads)


def test_quotes_are_one_per_story_the_most_recent_first() -> None:
    statements = {"s1": ("2024-01-02", "a"), "s2": ("2024-03-01", "a"), "s3": ("2023-05-05", "c"), "s4": ("", "d")}
    assert choose_quotes(statements, 2) == (3, ["s2", "s3"])
    assert choose_quotes({"b": ("", "x"), "a": ("", "y")}) == (2, ["a", "b"])

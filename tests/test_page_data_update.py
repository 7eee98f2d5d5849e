"""The page data of an incremental build (`update_page_data`): made from the previous build's page data and the
change to its store, it must hold exactly the rows `write_page_data` writes from the changed store, table by
table, whatever the change: article graphs taken out and put in (the union following), at random and chained,
and the edits that reach furthest (a date, a replaces chain, a name, a copy of a story, a new property, a type,
a province absorbed)."""
from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, QuerySolutions, Store, Triple

from bench.corpus import write_corpus
from mappings.build.pipeline import build
from mappings.publishing.page_data import FILE, write_page_data
from mappings.publishing.page_data_update import LISTERS, update_page_data
from mappings.publishing.page_queries import NEIGHBOURS, PREFIXES
from mappings.publishing.publish import current_build

FOAF_NAME = NamedNode("http://xmlns.com/foaf/0.1/name")
OA_SOURCE = NamedNode("http://www.w3.org/ns/oa#hasSource")
OA_EXACT = NamedNode("http://www.w3.org/ns/oa#exact")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
EDIT_GRAPH = NamedNode("http://localhost:8000/graph/edit")
TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TABLES = ("incoming", "neighbours", "evidence", "reports", "meta")
HELD_OUT = 16  # articles of the corpus left out of the first build, put in by the changes
Change = tuple[list[Quad], list[Quad]]  # (removed, added)


class Corpus:
    """A built corpus (with copies of stories) and a first build that lacks some of its articles."""

    def __init__(self, full: Store, first: Path) -> None:
        self.full, self.first = full, first
        self.articles = articles_in(full)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    work = tmp_path_factory.mktemp("page-data-update")
    articles = write_corpus(80, work / "corpus", seed=5)
    for original in sorted(articles.glob("*.txt"))[:4]:  # copies of a story: vk:sameStoryAs
        text = original.read_text("utf-8")
        (articles / f"{original.stem}-copy.txt").write_text(text + "\nẢnh: Minh Hà.\n", "utf-8")
    build(articles, work / "out", jobs=1, report=lambda line: None)
    built = current_build(work / "out")
    assert built is not None
    full = Store.read_only(str(built / "store"))
    held_out = random.Random(5).sample(articles_in(full), HELD_OUT)
    first = work / "first"
    copy_store(full, first)
    store = Store(str(first / "store"))
    apply(store, graph_change(store, full, remove=held_out, add=[]))
    del store
    write_page_data(first)
    return Corpus(full, first)


def articles_in(store: Store) -> list[NamedNode]:
    """The article graphs of the store that hold a quad (a graph emptied stays named)."""
    return sorted(g for g in store.named_graphs()  # type: ignore[misc]
                  if "/article/" in g.value and next(store.quads_for_pattern(None, None, None, g), None))


def graph_change(store: Store, source: Store, remove: Iterable[NamedNode], add: Iterable[NamedNode]) -> Change:
    """The quads that taking the graphs `remove` out of `store` and putting those `add` of `source` in change, the
    default graph staying the union of the graphs (a triple goes when no graph left states it)."""
    remove, add = set(remove), set(add)
    removed = [q for g in remove for q in store.quads_for_pattern(None, None, None, g)]
    added = [q for g in add for q in source.quads_for_pattern(None, None, None, g)]
    kept = {q.triple for q in added}
    for triple in {q.triple for q in removed} - kept:
        stated = {q.graph_name for q in stating(store, triple)}
        if DefaultGraph() in stated and not stated - remove - {DefaultGraph()}:
            removed.append(in_graph(triple, DefaultGraph()))
    added += [quad for quad in (in_graph(t, DefaultGraph()) for t in kept) if quad not in store]
    return removed, added


def edit(store: Store, remove: Iterable[Triple], add: Iterable[Triple], graph: NamedNode) -> Change:
    """The quads that taking triples out of every graph and the union, and stating others in `graph`, change."""
    removed = [q for t in remove for q in stating(store, t)]
    added = [in_graph(t, g) for t in add for g in (graph, DefaultGraph())]
    return removed, [q for q in added if q not in store]


def stating(store: Store, triple: Triple) -> list[Quad]:
    return list(store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None))


def in_graph(triple: Triple, graph: NamedNode | DefaultGraph) -> Quad:
    return Quad(triple.subject, triple.predicate, triple.object, graph)


def copy_store(store: Store, build_dir: Path) -> None:
    build_dir.mkdir(parents=True)
    store.backup(str(build_dir / "store"))


def apply(store: Store, change: Change) -> None:
    removed, added = change
    for quad in removed:
        store.remove(quad)
    store.extend(added)
    store.flush()


def rows(path: Path) -> dict[str, set[tuple]]:
    db = sqlite3.connect(path)
    try:
        return {table: set(db.execute(f"SELECT * FROM {table}")) for table in TABLES}
    finally:
        db.close()


def step(previous: Path, build_dir: Path, change: Callable[[Store], Change]) -> Path:
    """A build made from `previous` by `change`: its page data updated must be the page data written whole."""
    copy_store(Store.read_only(str(previous / "store")), build_dir)
    store = Store(str(build_dir / "store"))
    removed, added = change(store)
    apply(store, (removed, added))
    del store
    update_page_data(previous, build_dir, iter(removed), iter(added))
    updated = rows(build_dir / FILE)
    (build_dir / FILE).rename(build_dir / "updated.sqlite")
    written = rows(write_page_data(build_dir))
    for table in TABLES:
        assert updated[table] == written[table], (
            f"{table}: rows only updated {sorted(updated[table] - written[table])[:5]}, "
            f"only written {sorted(written[table] - updated[table])[:5]}")
    (build_dir / "updated.sqlite").replace(build_dir / FILE)  # the next step starts from what was updated
    return build_dir


def rows_changed(previous: Path, build_dir: Path) -> bool:
    before, after = rows(previous / FILE), rows(build_dir / FILE)
    return any(before[table] != after[table] for table in TABLES if table != "meta")


def select(store: Store, sparql: str) -> QuerySolutions:
    rows = store.query("".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items()) + sparql)
    assert isinstance(rows, QuerySolutions)
    return rows


def first_solution(store: Store, where: str) -> dict[str, Any]:
    """The first solution (by its terms, in the order of their names) of `SELECT * WHERE {where}`."""
    rows = select(store, f"SELECT * WHERE {{ {where} }}")
    names = sorted(variable.value for variable in rows.variables)
    found = [{name: row[name] for name in names} for row in rows]
    assert found, where
    return min(found, key=lambda row: [str(term) for term in row.values()])


def vk(local: str) -> NamedNode:
    return NamedNode(PREFIXES["vk"] + local)


def day(text: str) -> Literal:
    return Literal(text, datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date"))


@pytest.mark.parametrize("seed", range(12))
def test_random_article_graphs_taken_out_and_put_in(corpus: Corpus, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)

    def change(store: Store, taken_out: int) -> Change:
        present = articles_in(store)
        absent = sorted(set(corpus.articles) - set(present))
        out = rng.sample(present, taken_out)
        return graph_change(store, corpus.full, remove=out, add=rng.sample(absent, rng.randint(0, 4)))

    first = step(corpus.first, tmp_path / "b1", lambda store: change(store, rng.randint(1, 4)))
    step(first, tmp_path / "b2", lambda store: change(store, rng.randint(0, 4)))


def test_an_article_that_cites_a_known_document_put_in_then_taken_out(corpus: Corpus, tmp_path: Path) -> None:
    first = Store.read_only(str(corpus.first / "store"))
    present = set(articles_in(first))
    article = next(g for g in corpus.articles if g not in present and any(
        in_graph(Triple(q.object, TYPE, vk("Document")), DefaultGraph()) in first  # type: ignore[arg-type]
        for q in corpus.full.quads_for_pattern(None, vk("mentions"), None, g)))
    added = step(corpus.first, tmp_path / "in", lambda s: graph_change(s, corpus.full, remove=[], add=[article]))
    step(added, tmp_path / "out", lambda s: graph_change(s, corpus.full, remove=[article], add=[]))


# Each edit: the terms it is made of (a pattern over the first build; its first solution by term) and the triples
# it takes out (from every graph) and puts in (stated by one graph): the edits that reach furthest.
EDITS: dict[str, tuple[str, Callable[..., tuple[list[Triple], list[Triple]]]]] = {
    "a document's date": (
        "?d a vk:Document ; vk:issuedOn ?on . ?other vk:implements|vk:basedOn ?d",
        lambda d, on, **_: ([Triple(d, vk("issuedOn"), on)], [Triple(d, vk("issuedOn"), day("2001-01-01"))])),
    "a replaces edge extending a chain (undone: cutting it)": (
        ("?a vk:replaces ?b . ?c a vk:Document FILTER(?c != ?a && ?c != ?b)"
         " FILTER NOT EXISTS { ?c vk:replaces|^vk:replaces ?other }"),
        lambda b, c, **_: ([], [Triple(b, vk("replaces"), c)])),
    "a replaces edge joining two lineages": (
        "?a a vk:Document ; vk:implements ?x . ?b a vk:Document ; vk:basedOn ?y FILTER(?a != ?b && ?x != ?b)",
        lambda a, b, **_: ([], [Triple(a, vk("replaces"), b)])),
    "a person's name that another has": (  # namesakes made (and unmade, undone)
        "?p a vk:Official ; foaf:name ?name . ?other a vk:Official ; foaf:name ?o FILTER(?o != ?name)",
        lambda p, name, o, **_: ([Triple(p, FOAF_NAME, name)], [Triple(p, FOAF_NAME, o)])),
    "a copy of a story, of two articles that report a fact": (
        ("?sa rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; vk:evidence/oa:hasSource ?a ."
         " ?sb rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; vk:evidence/oa:hasSource ?b"
         " FILTER(STR(?a) < STR(?b))"
         " FILTER NOT EXISTS { ?a vk:sameStoryAs ?x } FILTER NOT EXISTS { ?b vk:sameStoryAs ?y }"),
        lambda a, b, **_: ([], [Triple(a, vk("sameStoryAs"), b), Triple(b, vk("sameStoryAs"), a)])),
    "a copy of a story no longer one": (
        "?a vk:sameStoryAs ?b", lambda a, b: ([Triple(a, vk("sameStoryAs"), b)], [])),
    "a new property linking pages": (
        "?a vk:mentions ?d", lambda a, d: ([], [Triple(a, vk("recalls"), d), Triple(d, vk("recalls"), a)])),
    "an article's date": (
        "?a vk:published ?on",
        lambda a, on: ([Triple(a, vk("published"), on)], [Triple(a, vk("published"), day("2030-01-01"))])),
    "a meeting's date, about a document met on before": (  # the last meeting first: the first last
        "?m vk:heldOn ?on ; vk:about ?d . ?earlier vk:about ?d ; vk:heldOn ?before FILTER(?before < ?on)",
        lambda m, on, **_: ([Triple(m, vk("heldOn"), on)], [Triple(m, vk("heldOn"), day("1900-01-01"))])),
    "a meeting's date, chaired by one who chaired before": (
        "?m vk:heldOn ?on ; vk:chairedBy ?p . ?earlier vk:chairedBy ?p ; vk:heldOn ?before FILTER(?before < ?on)",
        lambda m, on, **_: ([Triple(m, vk("heldOn"), on)], [Triple(m, vk("heldOn"), day("1900-01-01"))])),
    "a meeting's date taken out, attended by one who attended before": (
        ("?m vk:heldOn ?on ; vk:participant ?p . ?earlier vk:participant ?p ; vk:heldOn ?before"
         " FILTER(?before < ?on)"),
        lambda m, on, **_: ([Triple(m, vk("heldOn"), on)], [])),
    "an evidence's source taken out": (
        "?st vk:evidence ?e . ?e oa:hasSource ?a", lambda e, a, **_: ([Triple(e, OA_SOURCE, a)], [])),
    "an evidence's source moved to another article reporting the fact": (
        ("?sa rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; vk:evidence ?e . ?e oa:hasSource ?a ."
         " ?sb rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; vk:evidence/oa:hasSource ?b FILTER(?a != ?b)"
         " FILTER NOT EXISTS { ?a vk:sameStoryAs ?x } FILTER NOT EXISTS { ?b vk:sameStoryAs ?y }"),
        lambda e, a, b, **_: ([Triple(e, OA_SOURCE, a)], [Triple(e, OA_SOURCE, b)])),
    "a document no longer a document": (
        "?d a vk:Document ; vk:province ?p", lambda d, **_: ([Triple(d, TYPE, vk("Document"))], [])),
    "a province absorbed by another": (
        "?a a vk:Province . ?b a vk:Province . ?x vk:heldIn ?b FILTER(?a != ?b)",
        lambda a, b, **_: ([], [Triple(a, vk("absorbed"), b)])),
    "a province's absorption undone": (
        "?a vk:absorbed ?b . ?x vk:heldIn ?b", lambda a, b, **_: ([Triple(a, vk("absorbed"), b)], [])),
    "a post's first day, before the official's first post": (
        ("?p org:hasMembership ?m, ?later . ?m vk:attestedOn ?on"
         " FILTER NOT EXISTS { ?later vk:attestedOn ?before FILTER(?before <= ?on) }"),
        lambda later, **_: ([], [Triple(later, vk("attestedOn"), day("1900-01-01"))])),
    "a participant taken out of a meeting": (
        "?m vk:participant ?p", lambda m, p: ([Triple(m, vk("participant"), p)], [])),
    # what a page shows of a statement quoted, and nothing else: the quote is read again
    "the sentence an evidence quotes": (
        "?st vk:evidence/oa:hasSelector ?selector . ?selector oa:exact ?text",
        lambda selector, text, **_: ([Triple(selector, OA_EXACT, text)],
                                     [Triple(selector, OA_EXACT, Literal("Một câu khác.", language="vi"))])),
    "the title of an article quoted": (
        "?st vk:evidence/oa:hasSource ?a . ?a rdfs:label ?title",
        lambda a, title, **_: ([Triple(a, LABEL, title)], [Triple(a, LABEL, Literal("Tiêu đề khác", language="vi"))])),
    "the rule that read a statement": (
        ("?st vk:evidence/oa:hasSelector/oa:exact ?text ; vk:rule ?rule ; rdf:subject ?s ; rdf:predicate ?p ;"
         " rdf:object ?o FILTER NOT EXISTS { ?other rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o"
         " FILTER(?other != ?st) }"),
        lambda st, rule, **_: ([Triple(st, vk("rule"), rule)], [Triple(st, vk("rule"), Literal("another-rule"))])),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_that_reaches_far_and_its_undoing(corpus: Corpus, tmp_path: Path, name: str) -> None:
    pattern, triples = EDITS[name]
    made: list[Change] = []

    def change(store: Store) -> Change:
        remove, add = triples(**first_solution(store, pattern))
        made.append(edit(store, remove, add, EDIT_GRAPH))
        return made[0]

    edited = step(corpus.first, tmp_path / "edited", change)
    assert rows_changed(corpus.first, edited), "the edit changes rows"
    step(edited, tmp_path / "undone", lambda store: (made[0][1], made[0][0]))


def test_a_long_replaces_chain_made_dated_and_cut(corpus: Corpus, tmp_path: Path) -> None:
    """A lineage follows vk:replaces both ways, transitively: a date or an edge four documents away changes it."""
    first = Store.read_only(str(corpus.first / "store"))
    docs = [row["d"] for row in select(first, "SELECT ?d WHERE { ?d a vk:Document ; vk:issuedOn ?on"
                                              " FILTER NOT EXISTS { ?d vk:replaces|^vk:replaces ?o } }"
                                              " ORDER BY ?on ?d LIMIT 5")]
    chain = [Triple(newer, vk("replaces"), older) for newer, older in pairwise(docs)]  # the last: the latest
    last = [q.triple for q in first.quads_for_pattern(docs[-1], vk("issuedOn"), None, DefaultGraph())]
    made = step(corpus.first, tmp_path / "made", lambda store: edit(store, [], chain, EDIT_GRAPH))
    dated = step(made, tmp_path / "dated", lambda store: edit(
        store, last, [Triple(docs[-1], vk("issuedOn"), day("1900-01-01"))], EDIT_GRAPH))
    cut = step(dated, tmp_path / "cut", lambda store: edit(store, chain[-1:], [], EDIT_GRAPH))
    assert [rows_changed(*pair) for pair in pairwise([corpus.first, made, dated, cut])] == [True] * 3


def test_a_meeting_held_two_absorptions_away(corpus: Corpus, tmp_path: Path) -> None:
    """A province's events are those of the units it absorbed, transitively: a meeting held in a unit that a unit
    it absorbed had absorbed is among them, and then no longer."""
    first = Store.read_only(str(corpus.first / "store"))
    found = first_solution(first, "?a vk:absorbed ?b . ?m vk:heldIn ?b . ?c a vk:Province FILTER(?c != ?a && ?c != ?b)"
                                  " FILTER NOT EXISTS { ?c vk:absorbed|^vk:absorbed ?x }")
    absorbs, held = Triple(found["c"], vk("absorbed"), found["a"]), Triple(found["m"], vk("heldIn"), found["b"])
    made = step(corpus.first, tmp_path / "made", lambda store: edit(store, [], [absorbs], EDIT_GRAPH))
    moved = step(made, tmp_path / "moved", lambda store: edit(store, [held], [], EDIT_GRAPH))
    assert rows_changed(corpus.first, made) and rows_changed(made, moved)


def test_every_kind_of_neighbour_has_its_listers() -> None:
    assert set(LISTERS) == {(cls, name) for cls, kinds in NEIGHBOURS.items() for name, _, _ in kinds}


def test_without_previous_page_data_it_is_written_whole(corpus: Corpus, tmp_path: Path) -> None:
    copy_store(Store.read_only(str(corpus.first / "store")), tmp_path / "b")
    (tmp_path / "previous").mkdir()
    update_page_data(tmp_path / "previous", tmp_path / "b", [], [])
    assert rows(tmp_path / "b" / FILE) == rows(corpus.first / FILE)
    (tmp_path / "previous" / FILE).write_bytes((corpus.first / FILE).read_bytes())
    with sqlite3.connect(tmp_path / "previous" / FILE) as db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
        db.execute("DELETE FROM incoming")
    update_page_data(tmp_path / "previous", tmp_path / "b", [], [])
    assert rows(tmp_path / "b" / FILE) == rows(corpus.first / FILE)


def test_a_change_that_does_not_lead_to_the_store_is_refused(corpus: Corpus, tmp_path: Path) -> None:
    first = Store.read_only(str(corpus.first / "store"))
    copy_store(first, tmp_path / "b")
    quad = Quad(NamedNode("http://example.org/a"), vk("unheardOf"), Literal("x"), DefaultGraph())
    with pytest.raises(ValueError, match="lacks"):
        update_page_data(corpus.first, tmp_path / "b", [], [quad])
    present = next(first.quads_for_pattern(None, None, None, DefaultGraph()))
    with pytest.raises(ValueError, match="holds"):
        update_page_data(corpus.first, tmp_path / "b", [present], [])

"""The search index brought up to date by a change of the store (`update_search_index`) finds what the index
written anew for the new store finds: the same entries (by IRI, with the same classes, labels, description,
boost, folded columns, shown texts, exact keys and body), the same FTS vocabulary and bm25 statistics, and
the same answers to a set of searches (results, order, scores, what matched). The change is a corpus built
again with articles removed, added and rewritten (its removed and added quads are the difference of the
two stores), or edits of what other entries read (a province's label, a class's, a post's, an organization's
province, a post's organization)."""
from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.corpus import generate
from mappings.build.pipeline import build
from mappings.publishing.publish import current_build
from mappings.publishing.search_index import (
    FILE,
    exact_keys,
    match_expression,
    write_search_index,
)
from mappings.publishing.search_index_update import update_search_index
from server.data.fulltext import RANKED, WITHIN, FullText

BASE = "http://localhost:8000/"
ARTICLES = 80
PAGE = 20  # results shown in full
VK = "https://w3id.org/vankien/ontology#"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ORG = "http://www.w3.org/ns/org#"
Bodies = list[tuple[str, str]]


# --- builds and changes ------------------------------------------------------------------------------

def build_files(folder: Path, files: dict[str, str]) -> Path:
    """The build of the articles `files` (stem → text) written under `folder`: its directory."""
    articles = folder / "articles"
    articles.mkdir(parents=True)
    for stem, text in files.items():
        (articles / f"{stem}.txt").write_text(text, encoding="utf-8")
    assert build(articles, folder / "out", base=BASE, jobs=1, report=lambda line: None).ok
    found = current_build(folder / "out")
    assert found is not None
    return found


def article(stem: str) -> str:
    return f"{BASE}id/article/{stem}"


def bodies_of(build_dir: Path) -> Bodies:
    """Every (article IRI, body) the build's own index holds: what the build read from its cache."""
    with closing(sqlite3.connect(f"{(build_dir / FILE).as_uri()}?mode=ro", uri=True)) as db:
        return sorted(db.execute("SELECT iri, text FROM bodies JOIN entries USING (id)"))


def difference(before: Path, after: Path) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The quads of the store `before` not in `after` (removed), and those of `after` not in `before` (added)."""
    old, new = set(ox.Store.read_only(str(before))), set(ox.Store.read_only(str(after)))
    return old - new, new - old


def graphs(quads: Iterable[ox.Quad]) -> set[str]:
    return {quad.graph_name.value for quad in quads if isinstance(quad.graph_name, ox.NamedNode)}


def beside(folder: Path, store: Path) -> Path:
    """A build directory of its own over `store`, with no index yet."""
    folder.mkdir()
    (folder / "store").symlink_to(store.resolve())
    return folder


def never() -> Bodies:
    raise AssertionError("the index was written anew where it was to be updated")


def updated(previous: Path, store: Path, folder: Path, removed: Iterable[ox.Quad], added: Iterable[ox.Quad],
            bodies: Bodies, all_bodies: Callable[[], Bodies] = never) -> Path:
    """`update_search_index` from `previous` for `store`, into `folder`: the index written; `previous` untouched."""
    digest = hashlib.sha256((previous / FILE).read_bytes()).hexdigest() if (previous / FILE).is_file() else None
    path = update_search_index(previous, beside(folder, store), BASE, removed, added, bodies, all_bodies=all_bodies)
    assert path == folder / FILE and not (folder / f"{FILE}.partial").exists()
    if digest is not None:
        assert hashlib.sha256((previous / FILE).read_bytes()).hexdigest() == digest
    return path


# --- what an index finds -----------------------------------------------------------------------------

def contents(path: Path) -> dict[str, tuple[object, ...]]:
    """Every entry by IRI, with every row the index holds of it (row numbers left out)."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        def rows(sql: str, number: int) -> list[tuple[object, ...]]:
            return sorted(db.execute(sql, (number,)))
        out = {}
        for number, iri, *entry in db.execute("SELECT * FROM entries").fetchall():
            out[iri] = (*entry, rows("SELECT names, texts FROM indexed WHERE id = ?", number),
                        rows("SELECT kind, value FROM texts WHERE id = ?", number),
                        rows("SELECT class FROM classes WHERE id = ?", number),
                        rows("SELECT key FROM exact WHERE id = ?", number),
                        rows("SELECT text FROM bodies WHERE id = ?", number))
        return out


def vocabulary(path: Path) -> tuple[object, ...]:
    """What bm25 counts: each term's rows and occurrences per column, and the totals (rows, tokens per column)."""
    with closing(sqlite3.connect(path)) as db:  # fts5vocab is made in the temp schema: the file is not written
        db.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, search, 'col')")
        terms = db.execute("SELECT term, col, doc, cnt FROM temp.vocabulary ORDER BY term, col").fetchall()
        totals = db.execute("SELECT block FROM search_data WHERE id = 1").fetchone()  # the averages record
        db.execute("INSERT INTO search(search, rank) VALUES ('integrity-check', 0)")  # raises if the index is corrupt
        return terms, totals


def answers(path: Path, queries: list[tuple[str, str | None]]) -> list[object]:
    """For each (query, class or None): every result's IRI with its rank keys (named exactly, named, score),
    and the first page of results as the server shows them (labels, description, what matched)."""
    index, out = FullText(path), list[object]()
    db = index._db()
    for text, within in queries:
        expression = match_expression(text)
        assert expression is not None
        sql = RANKED.format(within=WITHIN if within else "")
        parameters = (*exact_keys(text), f"{{names}} : ({expression})", expression, *((within,) if within else ()))
        ranked = db.execute(sql, parameters).fetchall()
        iris = dict(db.execute(f"SELECT id, iri FROM entries WHERE id IN ({','.join('?' * len(ranked))})",
                               [row[0] for row in ranked]))
        shown = index.found([row[0] for row in ranked[:PAGE]], text)
        out.append((text, within, [(iris[row[0]], *row[1:]) for row in ranked], shown))
    return out


def queries_for(path: Path, seed: int, bodies: Bodies) -> list[tuple[str, str | None]]:
    """Searches that reach many entries: labels of a sample of them (some within one of their classes), words
    of every class, and runs of words of the articles' bodies."""
    rng = random.Random(seed)
    entries = contents(path)
    sample = rng.sample(sorted(entries), min(60, len(entries)))
    queries: list[tuple[str, str | None]] = []
    for iri in sample:
        classes, labels = json.loads(str(entries[iri][0])), json.loads(str(entries[iri][1]))
        for label in labels.values():
            queries.append((label[:60], rng.choice([None, *classes])))
    queries += [(word, None) for word in ("chi thi", "thanh hoa", "ban thuong vu", "nghi quyet", "hoi nghi", "39")]
    for _, text in rng.sample(bodies, min(10, len(bodies))):
        words = text.split()
        at = rng.randrange(max(1, len(words) - 3))
        queries.append((" ".join(words[at:at + rng.choice([1, 2, 3])]), None))
    return [(text, within) for text, within in queries if match_expression(text)]


def assert_same_index(updated_path: Path, anew: Path, seed: int) -> None:
    expected, got = contents(anew), contents(updated_path)
    assert sorted(got) == sorted(expected)
    assert [iri for iri in expected if got[iri] != expected[iri]] == []
    assert vocabulary(updated_path) == vocabulary(anew)
    queries = queries_for(anew, seed, bodies_of(anew.parent))
    assert answers(updated_path, queries) == answers(anew, queries)


# --- a corpus built again ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return {stem: text for stem, text, _ in generate(ARTICLES, 1)}


@pytest.fixture(scope="module")
def others() -> list[str]:
    """Texts of articles the corpus does not have."""
    return [text for _, text, _ in generate(12, 99)]


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory, corpus: dict[str, str]) -> Path:
    return build_files(tmp_path_factory.mktemp("before"), corpus)


def changed(corpus: dict[str, str], others: list[str], seed: int) -> tuple[dict[str, str], set[str]]:
    """The corpus with two articles removed, two added and one rewritten (chosen by `seed`): the files, and the
    stems of the articles added or rewritten."""
    rng = random.Random(seed)
    files = dict(corpus)
    gone = rng.sample(sorted(files), 3)
    for stem in gone[:2]:
        del files[stem]
    texts = rng.sample(others, 3)
    files[gone[2]] = texts[0]
    new = {f"new-{seed}-{n}" for n in (1, 2)}
    files.update(zip(sorted(new), texts[1:], strict=True))
    return files, {gone[2], *new}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_update_finds_what_an_index_written_anew_finds(tmp_path: Path, before: Path, corpus: dict[str, str],
                                                         others: list[str], seed: int) -> None:
    files, rewritten = changed(corpus, others, seed)
    after = build_files(tmp_path / "after", files)  # its index is written anew by the build
    removed, added = difference(before / "store", after / "store")
    bodies = [(iri, text) for iri, text in bodies_of(after) if iri in {article(stem) for stem in rewritten}]
    assert len(bodies) == 3
    path = updated(before, after / "store", tmp_path / "updated", removed, added, bodies)
    assert_same_index(path, after / FILE, seed)


def test_an_update_again_and_back_finds_what_the_first_index_finds(tmp_path: Path, before: Path,
                                                                  corpus: dict[str, str], others: list[str]) -> None:
    files, rewritten = changed(corpus, others, 4)
    after = build_files(tmp_path / "after", files)
    removed, added = difference(before / "store", after / "store")
    every = {iri: text for iri, text in bodies_of(after)}
    forth = updated(before, after / "store", tmp_path / "forth", removed, added,
                    [(article(stem), every[article(stem)]) for stem in sorted(rewritten)]).parent
    back_bodies = [(iri, text) for iri, text in bodies_of(before) if iri in graphs(removed)]  # those added again
    back = updated(forth, before / "store", tmp_path / "back", added, removed, back_bodies)
    assert_same_index(back, before / FILE, 4)


# --- edits of what other entries read ----------------------------------------------------------------

def first(store: ox.Store, query: str) -> ox.NamedNode:
    rows = store.query(f"PREFIX vk: <{VK}> PREFIX org: <{ORG}> {query} LIMIT 1")
    assert isinstance(rows, ox.QuerySolutions)
    node = next(iter(rows))[0]
    assert isinstance(node, ox.NamedNode)
    return node


def replaced(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode,
             value: Callable[[object], ox.NamedNode | ox.Literal]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The default graph's quads of `subject` and `predicate`, and the same with `value(object)` as object."""
    old = list(store.quads_for_pattern(subject, predicate, None, ox.DefaultGraph()))
    assert old
    return old, [ox.Quad(q.subject, q.predicate, value(q.object), q.graph_name) for q in old]


def renamed(term: object) -> ox.Literal:
    assert isinstance(term, ox.Literal)
    return ox.Literal(term.value + " Mới", language=term.language) if term.language else ox.Literal(term.value + " Mới")


def edits(store: ox.Store) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """A province, a class, a post and an article relabelled; an organization moved to another province; a post
    given to another organization: each read by other entries than its own."""
    province = first(store, "SELECT ?p WHERE { ?doc vk:province ?p . ?doc a vk:Document }")
    other = first(store, f"SELECT ?p WHERE {{ ?p a vk:Province FILTER(?p != {province}) }}")
    post = first(store, "SELECT ?post WHERE { ?person org:hasMembership ?post }")
    body = first(store, "SELECT ?body WHERE { ?post org:organization ?body . ?body vk:province ?p }")
    elsewhere = first(store, f"SELECT ?body WHERE {{ ?post org:organization ?body FILTER(?body != {body}) }}")
    moved = first(store, f"SELECT ?post WHERE {{ ?person org:hasMembership ?post . ?post org:organization ?b "
                         f"FILTER(?post != {post}) }}")
    some = first(store, "SELECT ?a WHERE { ?a a vk:Article }")
    removed, added = [], []
    for subject, predicate, value in (
        (province, LABEL, renamed), (ox.NamedNode(VK + "Directive"), LABEL, renamed), (post, LABEL, renamed),
        (some, LABEL, renamed), (body, ox.NamedNode(VK + "province"), lambda _: other),
        (moved, ox.NamedNode(ORG + "organization"), lambda _: elsewhere),
    ):
        old, new = replaced(store, subject, predicate, value)
        removed += old
        added += new
    return removed, added


def test_an_entry_is_made_again_when_what_it_reads_changes(tmp_path: Path, before: Path) -> None:
    store = ox.Store.read_only(str(before / "store"))
    removed, added = edits(store)
    (tmp_path / "edited").mkdir()
    edited = ox.Store(str(tmp_path / "edited" / "store"))
    edited.bulk_extend(store)
    for quad in removed:
        edited.remove(quad)
    edited.extend(added)
    edited.flush()
    del edited
    anew = write_search_index(tmp_path / "edited", BASE, bodies_of(before))
    old, new = contents(before / FILE), contents(anew)
    subjects = {quad.subject.value for quad in removed if isinstance(quad.subject, ox.NamedNode)}
    remade = {iri for iri in new if new[iri] != old.get(iri)} - subjects
    assert len(remade) > 10  # entries whose own quads did not change: what they read did
    path = updated(before, tmp_path / "edited" / "store", tmp_path / "updated", removed, added, [])
    assert_same_index(path, anew, 5)


def test_an_article_whose_text_alone_changed_gets_its_new_body(tmp_path: Path, before: Path) -> None:
    bodies = bodies_of(before)
    iri, text = bodies[0]
    store = ox.Store.read_only(str(before / "store"))
    same = next(iter(store.quads_for_pattern(ox.NamedNode(iri), LABEL, None, ox.DefaultGraph())))
    restated = ox.Quad(same.subject, same.predicate, same.object, ox.NamedNode(iri))  # the union is unchanged
    new = [(iri, text + " Xyzzy, một từ mới.")]
    anew = tmp_path / "anew"
    write_search_index(beside(anew, before / "store"), BASE, [*new, *bodies[1:]])
    path = updated(before, before / "store", tmp_path / "updated", [restated], [restated], new)
    assert_same_index(path, anew / FILE, 7)
    assert [hit.iri for hit in FullText(path).found(list(FullText(path).ranked("xyzzy")), "xyzzy")] == [iri]


# --- when there is no index to update ----------------------------------------------------------------

@pytest.mark.parametrize("previous_index", ["missing", "older", "other version"])
def test_without_an_index_to_update_it_is_written_anew(tmp_path: Path, before: Path, previous_index: str) -> None:
    previous = tmp_path / "previous"
    previous.mkdir()
    if previous_index != "missing":
        shutil.copyfile(before / FILE, previous / FILE)
        with closing(sqlite3.connect(previous / FILE)) as db:
            db.execute("DROP TABLE indexed" if previous_index == "older" else "PRAGMA user_version = 99")
    every = bodies_of(before)
    asked: list[bool] = []

    def all_bodies() -> Bodies:
        asked.append(True)
        return every

    path = updated(previous, before / "store", tmp_path / "updated", [], [], [], all_bodies)
    assert asked == [True]
    assert_same_index(path, before / FILE, 6)

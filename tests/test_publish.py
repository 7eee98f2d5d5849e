"""publish(): the store and dumps of one build, and a `current` switch that no failure can break."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pyld import jsonld
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, RdfFormat, Store, Triple, parse
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project is not installed in .venv; pytest puts only tests/ on the path

from mappings.publishing.publish import (
    BuildLockedError,
    PublishedBuild,
    PublishError,
    current_build,
    lease_build,
    load_context,
    publish,
    rollback,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")  # rdflib's own parsers

BASE = "http://localhost:8000/"
VK = "https://w3id.org/vankien/ontology#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
CONTEXT = {"@context": {
    "@base": BASE, "@vocab": VK, "@language": "vi",
    "vk": VK, "rdfs": RDFS, "xsd": "http://www.w3.org/2001/XMLSchema#",
    "label": {"@id": "rdfs:label", "@container": "@language"},
    "issuedOn": {"@id": "vk:issuedOn", "@type": "xsd:date"},
    "mentions": {"@id": "vk:mentions", "@type": "@id"},
}}
DUMPS = ("vankien.nq.gz", "vankien.trig.gz", "vankien.nt.gz", "vankien.ttl.gz", "vankien.jsonld.gz")
NAMED = {"vankien.nq.gz": "nquads", "vankien.trig.gz": "trig"}
UNION = {"vankien.nt.gz": "nt", "vankien.ttl.gz": "turtle", "vankien.jsonld.gz": "json-ld"}


def vk(term: str) -> NamedNode:
    return NamedNode(VK + term)


def article_graph(i: int, size: int = 3) -> tuple[str, list[Triple]]:
    """An article citing `size` documents; neighbouring articles cite the same ones (shared triples)."""
    article = NamedNode(f"{BASE}id/article/{i:03d}")
    title = Literal(f'Tổng kết "Chỉ thị {i}"\nbài {i}', language="vi")  # quotes, newline: escaping
    triples = [Triple(article, RDF_TYPE, vk("Article")), Triple(article, NamedNode(RDFS + "label"), title)]
    for n in range(size):
        doc = NamedNode(f"{BASE}id/document/tw/2014/chi-thi/{(i + n) % 5}")
        triples += [Triple(article, vk("mentions"), doc), Triple(doc, RDF_TYPE, vk("Directive")),
                    Triple(doc, vk("symbol"), Literal(f"{(i + n) % 5}-CT/TW")),
                    Triple(doc, vk("issuedOn"), Literal("2014-08-18", datatype=XSD_DATE))]
    return article.value, triples


def sample_graphs() -> list[tuple[str, list[Triple]]]:
    province = NamedNode(f"{BASE}id/province/thanh-hoa")
    reference = [Triple(province, RDF_TYPE, vk("Province")),
                 Triple(province, NamedNode(RDFS + "label"), Literal("Thanh Hóa", language="vi")),
                 Triple(province, NamedNode(RDFS + "label"), Literal("Thanh Hoa", language="en"))]
    ontology = [Triple(vk("Directive"), NamedNode(RDFS + "subClassOf"), vk("Document"))]
    return sorted([article_graph(0), article_graph(1), (f"{BASE}graph/reference", reference),
                   (f"{BASE}graph/ontology", ontology)])  # publish takes graphs in IRI order


def blank_node_graph() -> tuple[str, list[Triple]]:
    """Fresh random blank-node labels on every call: the build must name them itself."""
    first, second = BlankNode(), BlankNode()
    return f"{BASE}graph/blank", [
        Triple(vk("Document"), NamedNode(RDFS + "subClassOf"), first),
        Triple(first, vk("onProperty"), vk("symbol")), Triple(first, vk("next"), second),
        Triple(second, vk("onProperty"), vk("title"))]


@pytest.fixture
def context(tmp_path: Path) -> Path:
    path = tmp_path / "context.jsonld"
    path.write_text(json.dumps(CONTEXT), encoding="utf-8")
    return path


def build(out: Path, context: Path, graphs: object = None, **options: object) -> PublishedBuild:
    return publish(out, sample_graphs() if graphs is None else graphs,
                   meta={"articles": 2, "base": BASE}, context=context, **options)


def dump(build_dir: Path, name: str) -> bytes:
    return gzip.decompress((build_dir / "dumps" / name).read_bytes())


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file's bytes, to prove a build was left exactly as it was."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_store_holds_each_named_graph_and_their_union_in_the_default_graph(
        tmp_path: Path, context: Path) -> None:
    published = build(tmp_path / "out", context)
    assert current_build(tmp_path / "out") == published.path
    store = Store.read_only(str(published.path / "store"))
    union: set[Triple] = set()
    for graph, triples in sample_graphs():
        assert {q.triple for q in store.quads_for_pattern(None, None, None, NamedNode(graph))} == set(triples)
        union |= set(triples)
    default = [q.triple for q in store.quads_for_pattern(None, None, None, DefaultGraph())]
    assert sorted(map(str, default)) == sorted(map(str, union))
    counts = published.manifest["counts"]
    assert counts == {"graphs": 4, "quads": sum(len(set(t)) for _, t in sample_graphs()),
                      "union_triples": len(union)}
    assert len(store) == counts["quads"] + counts["union_triples"]


def test_named_graph_dumps_keep_each_triple_in_its_article_graph_only(tmp_path: Path, context: Path) -> None:
    published = build(tmp_path / "out", context)
    expected = {(graph, str(t)) for graph, triples in sample_graphs() for t in triples}
    for name in NAMED:
        quads = list(parse(dump(published.path, name), RdfFormat.from_extension(name.split(".")[1])))
        assert not [q for q in quads if isinstance(q.graph_name, DefaultGraph)]
        assert {(q.graph_name.value, str(q.triple)) for q in quads} == expected


@pytest.mark.parametrize("name", DUMPS)
def test_dumps_parse_with_rdflib_and_pyoxigraph_to_the_manifest_counts(
        tmp_path: Path, context: Path, name: str) -> None:
    published = build(tmp_path / "out", context)
    data = dump(published.path, name)
    entry = next(e for e in published.manifest["dumps"] if e["file"] == f"dumps/{name}")
    expected = entry.get("quads", entry.get("triples"))
    fmt = RdfFormat.JSON_LD if name.endswith("jsonld.gz") else RdfFormat.from_extension(name.split(".")[1])
    assert sum(1 for _ in parse(data, fmt)) == expected
    if name in NAMED:
        dataset = Dataset().parse(data=data, format=NAMED[name])
        assert sum(1 for _ in dataset.quads((None, None, None, None))) == expected
    else:
        assert len(Graph().parse(data=data, format=UNION[name])) == expected


def test_jsonld_embeds_the_context_and_expands_with_pyld_to_the_ntriples(
        tmp_path: Path, context: Path) -> None:
    published = build(tmp_path / "out", context, sorted([*sample_graphs(), blank_node_graph()]))
    document = json.loads(dump(published.path, "vankien.jsonld.gz"))
    assert document["@context"] == CONTEXT["@context"]

    def no_network(url: str, options: object = None) -> None:
        raise AssertionError(f"the JSON-LD dump made pyld fetch {url}")

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": no_network})
    expanded = Graph().parse(data=nquads, format="nt")
    assert isomorphic(expanded, Graph().parse(data=dump(published.path, "vankien.nt.gz"), format="nt"))


def test_same_graphs_in_another_order_give_byte_identical_dumps(tmp_path: Path, context: Path) -> None:
    first = build(tmp_path / "out", context, sorted([*sample_graphs(), blank_node_graph()]))
    graphs = sorted([*sample_graphs(), blank_node_graph()])  # fresh blank nodes again
    shuffled = [(g, random.Random(1).sample(t, len(t)) + t[:1]) for g, t in graphs]  # and a duplicate
    second = build(tmp_path / "out", context, shuffled)
    assert first.build_id != second.build_id
    for name in [*DUMPS, "SHA256SUMS"]:
        assert (first.path / "dumps" / name).read_bytes() == (second.path / "dumps" / name).read_bytes(), name


def test_graphs_out_of_iri_order_fail_before_publishing(tmp_path: Path, context: Path) -> None:
    with pytest.raises(ValueError, match="sorted by IRI"):
        build(tmp_path / "out", context, sample_graphs()[::-1])
    assert current_build(tmp_path / "out") is None


def test_union_holds_a_triple_once_when_another_graph_repeats_an_articles_own_triple(
        tmp_path: Path, context: Path) -> None:
    (article, own), (other, triples) = article_graph(0), article_graph(1)
    repeated = [t for t in own if t.subject == NamedNode(article)]  # the article's own node, told again
    published = build(tmp_path / "out", context, [(article, own), (other, triples + repeated)])
    lines = dump(published.path, "vankien.nt.gz").decode().splitlines()
    assert len(lines) == len(set(lines)) == published.manifest["counts"]["union_triples"]
    assert {f"{t} ." for t in own + triples} == set(lines)


def test_dumps_are_gzip_members_that_every_reader_takes_as_one_stream(tmp_path: Path, context: Path) -> None:
    published = build(tmp_path / "out", context)
    raw = (published.path / "dumps" / "vankien.nq.gz").read_bytes()
    assert raw.count(b"\x1f\x8b\x08") > 1  # several members
    completed = subprocess.run(["gzip", "-dc"], input=raw, capture_output=True, check=True)
    assert completed.stdout == dump(published.path, "vankien.nq.gz")


def test_checksums_and_manifest_match_the_files(tmp_path: Path, context: Path) -> None:
    published = build(tmp_path / "out", context)
    dumps = published.path / "dumps"
    sums = dict(reversed(line.split("  ")) for line in (dumps / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == sorted(DUMPS)
    assert json.loads((published.path / "manifest.json").read_text()) == published.manifest
    for entry in published.manifest["dumps"]:
        data = (published.path / entry["file"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == sums[Path(entry["file"]).name] == hashlib.sha256(data).hexdigest()
        assert data[3] == 0 and data[4:8] == b"\0\0\0\0"  # gzip header: no file name, mtime 0


def test_failing_graph_source_leaves_current_untouched(tmp_path: Path, context: Path) -> None:
    out = tmp_path / "out"
    previous = build(out, context)
    before = snapshot(previous.path)

    def failing() -> object:
        yield from sample_graphs()[:2]
        raise RuntimeError("article 002 could not be read")

    with pytest.raises(RuntimeError, match="article 002"):
        build(out, context, failing())
    assert current_build(out) == previous.path
    assert snapshot(previous.path) == before
    builds = [p.name for p in (out / "builds").iterdir() if not p.name.endswith(".partial")]
    assert builds == [previous.build_id]
    assert build(out, context).path == current_build(out)
    assert not list((out / "builds").glob("*.partial"))


KILLABLE = """
import sys, time
from pathlib import Path
from test_publish import article_graph
from mappings.publishing.publish import publish

def slowly():
    for i in range(300):
        time.sleep(0.002)
        yield article_graph(i, size=12)

publish(Path(sys.argv[1]), slowly(), meta={}, context=Path(sys.argv[2]))
"""


def partial_has(out: Path, relative: str) -> Callable[[], bool]:
    return lambda: any((out / "builds").glob(f"*.partial/{relative}"))


@pytest.mark.parametrize("moment", ["store/CURRENT", "dumps/vankien.nq.gz", "manifest.json"])
def test_sigkill_at_any_moment_leaves_the_previous_build_published(
        tmp_path: Path, context: Path, moment: str) -> None:
    out = tmp_path / "out"
    previous = build(out, context)
    before = snapshot(previous.path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    process = subprocess.Popen([sys.executable, "-c", KILLABLE, str(out), str(context)], env=env)
    ready, deadline = partial_has(out, moment), time.monotonic() + 30
    try:
        while not ready():
            assert process.poll() is None and time.monotonic() < deadline, f"publish ended before {moment}"
            time.sleep(0.001)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert current_build(out) == previous.path
    assert snapshot(previous.path) == before
    assert build(out, context).path == current_build(out) != previous.path
    assert not list((out / "builds").glob("*.partial"))


def test_second_concurrent_publish_is_refused(tmp_path: Path, context: Path) -> None:
    out, started, release, results = tmp_path / "out", threading.Event(), threading.Event(), []

    def held_open() -> object:
        started.set()
        release.wait(10)
        yield from sample_graphs()

    worker = threading.Thread(target=lambda: results.append(build(out, context, held_open())))
    worker.start()
    try:
        assert started.wait(10)
        with pytest.raises(BuildLockedError, match="build.lock"):
            build(out, context)
        with pytest.raises(BuildLockedError):
            rollback(out)
    finally:
        release.set()
        worker.join()
    assert current_build(out) == results[0].path


def test_keep_prunes_old_builds_and_rollback_walks_back(tmp_path: Path, context: Path) -> None:
    out = tmp_path / "out"
    published = [build(out, context, keep=3) for _ in range(4)]
    assert sorted(p.name for p in (out / "builds").iterdir()) == sorted(p.build_id for p in published[1:])
    assert rollback(out) == published[2].path == current_build(out)
    assert rollback(out) == published[1].path == current_build(out)
    with pytest.raises(PublishError, match="no kept build older"):
        rollback(out)
    assert current_build(out) == published[1].path


def test_keep_never_deletes_a_build_a_server_holds_and_the_next_build_prunes_it_once_free(
    tmp_path: Path, context: Path
) -> None:
    out = tmp_path / "out"
    first = build(out, context, keep=1)
    lease = lease_build(first.path)  # what a server serving the first build holds
    assert lease is not None
    second = build(out, context, keep=1)
    assert first.path.is_dir() and (first.path / "dumps" / "vankien.nq.gz").is_file()
    lease.close()  # the server moved on
    third = build(out, context, keep=1)
    assert sorted(p.name for p in (out / "builds").iterdir()) == [third.build_id]
    assert lease_build(second.path) is None  # deleted: no lease can be taken on it any more


def test_context_must_be_embeddable(tmp_path: Path) -> None:
    remote = tmp_path / "remote.jsonld"
    remote.write_text(json.dumps({"@context": ["https://schema.org/", {"vk": VK}]}))
    with pytest.raises(ValueError, match="remote.jsonld"):
        load_context(remote)
    with pytest.raises(ValueError, match="missing.jsonld"):
        load_context(tmp_path / "missing.jsonld")


def test_a_graph_given_twice_fails_before_publishing(tmp_path: Path, context: Path) -> None:
    with pytest.raises(ValueError, match="article/000> is given twice"):
        build(tmp_path / "out", context, [article_graph(0), article_graph(0)])
    assert current_build(tmp_path / "out") is None


def test_store_compaction_threads_run_at_normal_priority_once_published(
        tmp_path: Path, context: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a build streams, RocksDB's background threads run at idle priority (mappings/publishing/store.py);
    a published build, or a failed one, leaves them as they were."""
    import mappings.publishing.store

    monkeypatch.setattr(mappings.publishing.store, "LOAD_BATCH", 4096)  # many batches, loaded while the graphs stream
    def policies() -> set[int]:
        found = set()
        for task in Path("/proc/self/task").iterdir():
            if (task / "comm").read_text().startswith("rocksdb:"):
                found.add(os.sched_getscheduler(int(task.name)))
        return found

    if not hasattr(os, "sched_getscheduler") or not Path("/proc/self/task").is_dir():
        pytest.skip("Linux only")
    build(tmp_path / "out", context, [article_graph(i, size=200) for i in range(40)])
    assert policies() <= {os.SCHED_OTHER}

    def failing() -> object:
        yield from [article_graph(i, size=200) for i in range(40)]
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        build(tmp_path / "out", context, failing())
    assert policies() <= {os.SCHED_OTHER}

    counted: list[int] = []  # few files allowed open: the pile is counted, and merged as the build goes
    files_per_index = mappings.publishing.store._files_per_index
    monkeypatch.setattr(mappings.publishing.store, "_open_files_allowed", lambda: mappings.publishing.store.OPEN_FILES + 130)
    monkeypatch.setattr(mappings.publishing.store, "_files_per_index", lambda path: counted.append(1) or files_per_index(path))
    published = build(tmp_path / "out", context, [article_graph(i, size=200) for i in range(40)])
    assert counted and published.manifest["counts"]["graphs"] == 40
    assert policies() <= {os.SCHED_OTHER}

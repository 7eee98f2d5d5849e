"""`vankien build` end to end: the real CLI in a subprocess, real article files, real out dirs.

The five seeds are built once per module (`seeded`); tests that change an out dir work on a copy of it
(which also carries the warm extraction cache, so they stay fast).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyld import jsonld
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, parse
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from mappings.reading.article import read_article
from tests.test_article import windows_1258

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))
VANKIEN = ROOT / ".venv" / "bin" / "vankien"
if not VANKIEN.exists():  # another venv layout: the console script on PATH
    VANKIEN = Path(shutil.which("vankien") or "vankien")
BASE = "http://localhost:8000/"
VK = "https://w3id.org/vankien/ontology#"
DUMPS = ("vankien.nq.gz", "vankien.trig.gz", "vankien.ttl.gz", "vankien.nt.gz", "vankien.jsonld.gz")
PYOX_FORMAT = {"vankien.nq.gz": RdfFormat.N_QUADS, "vankien.trig.gz": RdfFormat.TRIG,
               "vankien.ttl.gz": RdfFormat.TURTLE, "vankien.nt.gz": RdfFormat.N_TRIPLES,
               "vankien.jsonld.gz": RdfFormat.JSON_LD}
RDFLIB_FORMAT = {"vankien.nq.gz": "nquads", "vankien.trig.gz": "trig", "vankien.ttl.gz": "turtle",
                 "vankien.nt.gz": "nt", "vankien.jsonld.gz": "json-ld"}
NAMED_GRAPH_DUMPS = {"vankien.nq.gz", "vankien.trig.gz"}
EXTRACTED = re.compile(r"\((\d+) extracted anew\)")

NEW_ARTICLE = """date 2024-06-10

Nghệ An sơ kết một năm thực hiện Chỉ thị về công tác cán bộ cơ sở

Sáng 10/6, Ban Thường vụ Tỉnh ủy Nghệ An tổ chức hội nghị sơ kết một năm thực hiện Chỉ thị số 12-CT/TU ngày 3/4/2023 của Ban Thường vụ Tỉnh ủy Nghệ An về tăng cường công tác cán bộ ở cơ sở trong tình hình mới.

Báo cáo tại hội nghị nêu rõ, sau một năm triển khai, các cấp ủy, tổ chức đảng trong toàn Đảng bộ tỉnh đã quán triệt nghiêm túc Chỉ thị, ban hành kế hoạch thực hiện và tạo chuyển biến rõ nét trong công tác cán bộ.
"""


# --- helpers ------------------------------------------------------------------------------------------

def vankien(*args: object, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VANKIEN), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, check=False)


def start(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([str(VANKIEN), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)


def build(articles: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return vankien("build", "--articles", articles, "--out", out)


def extracted(result: subprocess.CompletedProcess[str]) -> int:
    found = EXTRACTED.search(result.stdout)
    assert found, f"no '(N extracted anew)' in stdout: {result.stdout!r} / {result.stderr!r}"
    return int(found[1])


def current(out: Path) -> Path:
    """The build `current` points at (resolved), checked to be a relative link into builds/."""
    target = os.readlink(out / "current")
    assert Path(target).parts[0] == "builds", target
    return (out / target).resolve()


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def dump_bytes(build_dir: Path, name: str) -> bytes:
    return gzip.decompress((build_dir / "dumps" / name).read_bytes())


def nquads(build_dir: Path) -> list:
    return list(parse(dump_bytes(build_dir, "vankien.nq.gz"), RdfFormat.N_QUADS))


def article_graph(stem: str) -> str:
    return f"{BASE}id/article/{stem}"


def graph_names(build_dir: Path) -> set[str]:
    return {q.graph_name.value for q in nquads(build_dir) if not isinstance(q.graph_name, DefaultGraph)}


def assert_complete(build_dir: Path) -> dict:
    """A complete build: manifest, store, five dumps whose sizes and checksums match manifest and SHA256SUMS."""
    assert not build_dir.name.endswith(".partial")
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_id"] == build_dir.name
    assert (build_dir / "store").is_dir() and any((build_dir / "store").iterdir())
    sums = dict(reversed(line.split("  ", 1)) for line in (build_dir / "dumps" / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == sorted(DUMPS)
    assert sorted(e["file"] for e in manifest["dumps"]) == sorted(f"dumps/{d}" for d in DUMPS)
    for entry in manifest["dumps"]:
        data = (build_dir / entry["file"]).read_bytes()
        assert entry["bytes"] == len(data), entry["file"]
        assert entry["sha256"] == sums[Path(entry["file"]).name] == hashlib.sha256(data).hexdigest(), entry["file"]
    return manifest


def copy_out(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


def copy_seeds(target: Path) -> Path:
    target.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, target / path.name)
    return target


@dataclass
class Built:
    out: Path
    build: Path
    result: subprocess.CompletedProcess[str]


# --- fixtures --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("seeded") / "out"
    result = build(SEEDS, out)
    assert result.returncode == 0, result.stderr
    return Built(out, current(out), result)


@pytest.fixture
def warm_out(seeded: Built, tmp_path: Path) -> Path:
    """A private copy of the seeded out dir: a good published build and a warm cache."""
    return copy_out(seeded.out, tmp_path / "out")


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus 200 copies under new names, each a line longer than the last (so none is found in the
    extraction cache): a build long enough to be killed in every phase."""
    corpus = copy_seeds(tmp_path_factory.mktemp("big") / "articles")
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(200):
        copy = seeds[i % len(seeds)].read_bytes() + f"\nBản sao thứ {i} để thử.\n".encode()
        (corpus / f"copy_{i:03d}.txt").write_bytes(copy)
    return corpus


def bad_files(directory: Path) -> dict[str, Path]:
    """One of each kind of unreadable article, written into `directory`."""
    directory.mkdir(exist_ok=True)
    files = {
        "non_utf8": ("cp1258.txt", windows_1258(NEW_ARTICLE)),
        "empty": ("empty.txt", b""),
        "binary": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"),
        "header_only": ("header_only.txt", b"url https://example.vn/a\ndate 2024-05-27\n\n"),
    }
    paths = {}
    for kind, (name, data) in files.items():
        paths[kind] = directory / name
        paths[kind].write_bytes(data)
    return paths


# --- layout, checksums, dumps --------------------------------------------------------------------------

def test_build_publishes_current_with_store_dumps_checksums_and_manifest(seeded: Built) -> None:
    assert "(5 extracted anew)" in seeded.result.stdout
    assert (seeded.out / "current").is_symlink()
    assert seeded.build.parent == (seeded.out / "builds").resolve()
    assert sorted(p.name for p in (seeded.build / "dumps").iterdir()) == sorted([*DUMPS, "SHA256SUMS"])
    manifest = assert_complete(seeded.build)
    assert manifest["meta"]["articles"] == 5 and manifest["meta"]["rejected"] == []
    assert manifest["counts"]["graphs"] == 5 + 2
    assert not list((seeded.out / "builds").glob("*.partial"))
    # sha256sum -c SHA256SUMS, run where the file says
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=seeded.build / "dumps", capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("name", DUMPS)
def test_dumps_parse_with_rdflib_and_pyoxigraph_to_the_same_counts(seeded: Built, name: str) -> None:
    data = dump_bytes(seeded.build, name)
    manifest = json.loads((seeded.build / "manifest.json").read_text())
    entry = next(e for e in manifest["dumps"] if e["file"] == f"dumps/{name}")
    by_pyoxigraph = list(parse(data, PYOX_FORMAT[name]))
    if name in NAMED_GRAPH_DUMPS:
        dataset = Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMAT[name])
        by_rdflib = sum(1 for _ in dataset.quads((None, None, None, None)))
        assert entry["quads"] == manifest["counts"]["quads"]
        assert len(by_pyoxigraph) == by_rdflib == entry["quads"]
    else:
        by_rdflib = len(Graph().parse(data=data, format=RDFLIB_FORMAT[name]))
        assert len(by_pyoxigraph) == by_rdflib == entry["triples"] == manifest["counts"]["union_triples"]
        assert all(isinstance(q.graph_name, DefaultGraph) for q in by_pyoxigraph)


def test_nquads_holds_one_named_graph_per_article_and_no_default_graph(seeded: Built) -> None:
    quads = nquads(seeded.build)
    assert not [q for q in quads if isinstance(q.graph_name, DefaultGraph)]
    assert graph_names(seeded.build) == ({article_graph(stem) for stem in STEMS}
                                         | {f"{BASE}graph/reference", f"{BASE}graph/ontology"})
    for stem in STEMS:  # each article graph holds its vk:Article node
        node = NamedNode(article_graph(stem))
        assert any(q.subject == node and q.object == NamedNode(VK + "Article") and q.graph_name == node
                   for q in quads), stem


def test_jsonld_expands_with_pyld_to_the_ntriples(seeded: Built) -> None:
    document = json.loads(dump_bytes(seeded.build, "vankien.jsonld.gz"))
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]  # embedded, not referenced

    def no_network(url: str, options: object = None) -> None:
        raise AssertionError(f"pyld was made to fetch {url}")

    expanded = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": no_network})
    from_jsonld = Graph().parse(data=expanded, format="nt")  # all in the default graph
    ntriples = Graph().parse(data=dump_bytes(seeded.build, "vankien.nt.gz"), format="nt")
    assert len(set(expanded.splitlines())) == len(ntriples)
    assert isomorphic(from_jsonld, ntriples)


# --- determinism and the cache -------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["same-dir", "reordered-copy"])
def test_fresh_build_gives_byte_identical_dumps(seeded: Built, tmp_path: Path, source: str) -> None:
    articles = SEEDS
    if source == "reordered-copy":  # another path, files created in reverse order with other mtimes
        articles = tmp_path / "elsewhere" / "articles"
        articles.mkdir(parents=True)
        for i, path in enumerate(sorted(SEEDS.glob("*.txt"), reverse=True)):
            shutil.copyfile(path, articles / path.name)
            os.utime(articles / path.name, (1_000_000_000 + 86_400 * i, 1_000_000_000 + 86_400 * i))
    out = tmp_path / "fresh-out"
    result = build(articles, out)
    assert result.returncode == 0, result.stderr
    assert extracted(result) == 5  # a fresh out dir has no cache
    again = current(out)
    assert again.name != seeded.build.name
    for name in [*DUMPS, "SHA256SUMS"]:
        assert (again / "dumps" / name).read_bytes() == (seeded.build / "dumps" / name).read_bytes(), name


def test_a_rebuild_of_the_same_articles_changes_nothing_and_one_made_anew_takes_them_from_the_cache(
        seeded: Built, warm_out: Path, tmp_path: Path) -> None:
    same = build(SEEDS, warm_out)
    assert same.returncode == 0, same.stderr
    assert same.stdout.startswith("nothing changed: build ")
    assert current(warm_out).name == seeded.build.name
    again = vankien("build", "--articles", SEEDS, "--out", warm_out, "--anew")
    assert again.returncode == 0, again.stderr
    assert "(0 extracted anew)" in again.stdout
    rebuilt = current(warm_out)
    assert rebuilt.name != seeded.build.name
    for name in DUMPS:  # cached records give the same bytes as fresh extraction
        assert (rebuilt / "dumps" / name).read_bytes() == (seeded.build / "dumps" / name).read_bytes(), name

    articles = copy_seeds(tmp_path / "articles")
    (articles / "100_nghe_an.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    grown = build(articles, warm_out)
    assert grown.returncode == 0, grown.stderr
    assert extracted(grown) == 1
    assert "6 articles" in grown.stdout
    store = Store.read_only(str(current(warm_out) / "store"))
    query = f"""PREFIX vk: <{VK}>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?doc WHERE {{ GRAPH <{article_graph('100_nghe_an')}> {{
            <{article_graph('100_nghe_an')}> vk:mentions ?doc .
            ?doc a vk:Directive ; vk:symbol ?symbol ; vk:issuedOn "2023-04-03"^^xsd:date ;
                 vk:province <{BASE}id/province/nghe-an> .
            FILTER(STR(?symbol) = "12-CT/TU") }} }}"""
    found = {row["doc"].value for row in store.query(query)}
    assert len(found) == 1, found
    (document,) = found
    assert "nghe-an" in document and "2023" in document
    # the union default graph has it too, and the old articles are still there
    assert bool(store.query(f"ASK {{ <{document}> a <{VK}Document> }}"))
    assert graph_names(current(warm_out)) >= {article_graph(stem) for stem in [*STEMS, "100_nghe_an"]}


def test_identical_articles_under_two_names_stay_cached(warm_out: Path, tmp_path: Path) -> None:
    articles = copy_seeds(tmp_path / "articles")
    shutil.copyfile(SEEDS / f"{STEMS[1]}.txt", articles / "copy_of_001.txt")
    first = build(articles, warm_out)
    assert first.returncode == 0, first.stderr
    second = vankien("build", "--articles", articles, "--out", warm_out, "--anew")
    assert second.returncode == 0, second.stderr
    assert extracted(second) == 0, second.stdout


# --- bad input ---------------------------------------------------------------------------------------------

def test_bad_articles_are_named_and_the_good_ones_published(warm_out: Path, tmp_path: Path) -> None:
    articles = copy_seeds(tmp_path / "articles")
    bad = bad_files(articles)
    result = build(articles, warm_out)
    assert result.returncode == 3, result.stderr
    for kind, path in bad.items():
        assert str(path) in result.stderr, f"{kind}: {path} not named in stderr:\n{result.stderr}"
    published = current(warm_out)
    manifest = assert_complete(published)
    assert sorted(manifest["meta"]["rejected"]) == sorted(p.name for p in bad.values())
    assert manifest["meta"]["articles"] == 5
    graphs = graph_names(published)
    assert {article_graph(stem) for stem in STEMS} <= graphs
    assert not {article_graph(p.stem) for p in bad.values()} & graphs


def test_an_impossible_date_header_leaves_out_only_that_article(warm_out: Path, tmp_path: Path) -> None:
    articles = copy_seeds(tmp_path / "articles")
    bad = articles / "bad_date.txt"
    bad.write_text("date 2024-13\n\n" + NEW_ARTICLE.split("\n", 2)[2], encoding="utf-8")
    before = current(warm_out)
    result = build(articles, warm_out)
    assert result.returncode == 3, result.stderr
    assert str(bad) in result.stderr
    assert current(warm_out) != before
    assert {article_graph(stem) for stem in STEMS} <= graph_names(current(warm_out))



INVISIBLE_ARTICLE = """date 2024-06-03
title Quảng Ngãi học tập Chỉ thị 3\u200b9 của Bộ Chính trị

Sáng 3/6, Ban Thường vụ Tỉnh ủy Quảng Ngãi tổ chức hội nghị quán triệt Chỉ thị số 3\u200b9-CT/TW ngày 18/8/2014 \
của Bộ Chính trị. Đồng chí Phạm Thị Thu\u00ad Hà\u200b, Phó Bí thư Tỉnh ủy, chủ trì hội nghị; đồng chí \
\u202aĐinh Văn Kha\u202c, Ủy viên Ban Thường vụ Tỉnh ủy, phát biểu.\x0b

Hội nghị giao các cấp ủy xây dựng kế hoạch thực hiện Chỉ thị số 3\u200b9-CT/TW\u2060 trong năm 2024.\x07
"""


def test_no_published_literal_holds_an_invisible_or_control_character(warm_out: Path, tmp_path: Path) -> None:
    """Zero-width space, soft hyphen, bidi controls and control characters inside a symbol or a name: the symbol
    and the people come out clean, once each, and no literal of the dump carries such a character."""
    import unicodedata

    articles = copy_seeds(tmp_path / "articles")
    (articles / "vo_hinh.txt").write_text(INVISIBLE_ARTICLE, encoding="utf-8")
    result = build(articles, warm_out)
    assert result.returncode == 0, result.stderr
    quads = nquads(current(warm_out))
    unseen = [q for q in quads if hasattr(q.object, "language")
              and any(unicodedata.category(ch) in ("Cf", "Cc") and ch != "\n" for ch in q.object.value)]
    assert not unseen, unseen[:3]
    own = [q for q in quads if q.graph_name.value == article_graph("vo_hinh")]
    values = {q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]: set() for q in own}
    for q in own:
        values[q.predicate.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]].add(q.object.value)
    assert "39-CT/TW" in values["symbol"]
    assert {"Phạm Thị Thu Hà", "Đinh Văn Kha"} <= values["name"] and len(values["name"]) == 2, values["name"]
    assert "Quảng Ngãi học tập Chỉ thị 39 của Bộ Chính trị" in values["label"]


LEAP_DAY_ARTICLE = """date 2023-03-02

Hải Dương sơ kết công tác dân vận

Sáng 29/2, Ban Thường vụ Tỉnh ủy Hải Dương tổ chức hội nghị sơ kết việc thực hiện Chỉ thị số 05-CT/TW ngày \
15/5/2016 của Bộ Chính trị. Đồng chí Trần Đức Thắng, Bí thư Tỉnh ủy, chủ trì hội nghị.
"""

TWO_WRITINGS_ARTICLE = """date 2024-04-10

Bắc Ninh triển khai kết luận về cán bộ

Sáng 9/4, Tỉnh ủy Bắc Ninh tổ chức hội nghị triển khai Kết luận số 14-KL/TW ngày 22/9/2021 của Bộ Chính trị. \
Đồng chí Nguyễn Anh Tuấn, Phó Bí thư Tỉnh ủy, Chủ tịch HĐND - UBND tỉnh, chủ trì hội nghị. Phát biểu kết luận, \
đồng chí Nguyễn Anh Tuấn, Chủ tịch HĐND-UBND tỉnh, đề nghị các cấp ủy quán triệt Kết luận.
"""


def test_a_day_the_year_lacks_and_a_title_written_two_ways_cost_nothing(warm_out: Path, tmp_path: Path) -> None:
    """Each once made SHACL reject its whole article: now both are published whole, with no warning."""
    articles = copy_seeds(tmp_path / "articles")
    (articles / "ngay_29_2.txt").write_text(LEAP_DAY_ARTICLE, encoding="utf-8")
    (articles / "hai_cach_viet.txt").write_text(TWO_WRITINGS_ARTICLE, encoding="utf-8")
    result = build(articles, warm_out)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr and "left out" not in result.stderr, result.stderr
    quads = nquads(current(warm_out))
    assert {article_graph("ngay_29_2"), article_graph("hai_cach_viet")} <= graph_names(current(warm_out))
    (meeting,) = [q.object.value for q in quads
                  if q.graph_name.value == article_graph("ngay_29_2") and q.predicate.value == f"{VK}reports"]
    assert "/id/meeting/undated/" in meeting
    assert not [q for q in quads if q.predicate.value == f"{VK}heldOn" and "-02-29" in q.object.value]
    labels = [q.object.value for q in quads if q.graph_name.value == article_graph("hai_cach_viet")
              and "/id/position/" in q.subject.value and q.predicate.value.endswith("#label")]
    assert sorted(labels) == ["Chủ tịch HĐND - UBND tỉnh", "Phó Bí thư Tỉnh ủy"]


@dataclass
class OnlyBad:
    before: Path
    before_files: dict[str, bytes]
    result: subprocess.CompletedProcess[str]
    out: Path


@pytest.fixture(scope="module")
def only_bad(seeded: Built, tmp_path_factory: pytest.TempPathFactory) -> OnlyBad:
    """A build of a directory that holds nothing but unreadable articles, over a good published build."""
    base = tmp_path_factory.mktemp("only-bad")
    out = copy_out(seeded.out, base / "out")
    before = current(out)
    before_files = snapshot(before)
    articles = base / "articles"
    bad_files(articles)
    return OnlyBad(before, before_files, build(articles, out), out)


def test_a_build_of_only_bad_articles_never_breaks_the_published_dataset(only_bad: OnlyBad) -> None:
    assert only_bad.result.returncode != 0, only_bad.result.stdout
    now = current(only_bad.out)
    assert_complete(now)  # either the old build or a complete new one
    assert snapshot(only_bad.before) == only_bad.before_files  # the old build is intact either way
    assert not list((only_bad.out / "builds").glob("*.partial"))


def test_a_build_of_only_bad_articles_keeps_the_old_dataset_published(only_bad: OnlyBad) -> None:
    assert current(only_bad.out) == only_bad.before
    assert snapshot(current(only_bad.out)) == only_bad.before_files


# --- interruptions and concurrency ------------------------------------------------------------------------

def _new_partials(out: Path, known: set[str]) -> set[str]:
    return {p.name for p in (out / "builds").glob("*.partial")} - known


def test_sigkill_at_any_moment_leaves_the_published_build_untouched(
        seeded: Built, big_corpus: Path, tmp_path: Path) -> None:
    out = copy_out(seeded.out, tmp_path / "out")
    published = current(out)
    files = snapshot(published)
    complete = {published.name}

    def unchanged(moment: str) -> None:
        assert current(out) == published, f"killed {moment}: current moved"
        assert snapshot(published) == files, f"killed {moment}: the published build changed"
        found = {p.name for p in (out / "builds").iterdir() if not p.name.endswith(".partial")}
        assert published.name in found <= complete, f"killed {moment}: builds/ holds {found}"

    for delay in (0.2, 0.6, 1.2):  # starting, reading and extracting, linking
        process = start("build", "--articles", big_corpus, "--out", out, "--anew")
        time.sleep(delay)
        assert process.poll() is None, f"the build ended within {delay}s: {process.communicate()}"
        process.kill()
        process.communicate()
        unchanged(f"after {delay}s")

    landed = []
    for after_partial in (0.0, 0.3, 1.0):  # publishing: store, dumps, checks (~1 s for this corpus)
        for _ in range(3):  # bounded: a build that outran the kill is taken as the new baseline, then retried
            known = {p.name for p in (out / "builds").glob("*.partial")}
            process = start("build", "--articles", big_corpus, "--out", out, "--anew")
            deadline = time.monotonic() + 90
            while not _new_partials(out, known) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            assert process.poll() is None, f"the build ended before publishing began: {process.communicate()}"
            time.sleep(after_partial)
            process.kill()
            _, stderr = process.communicate()
            if process.returncode == -9 and current(out) == published:
                landed.append(after_partial)
                unchanged(f"{after_partial}s into publishing")
                break
            # it switched first (and was killed after, or finished): a complete build, published
            assert process.returncode in (0, -9), stderr
            published = current(out)
            files, complete = snapshot(published), complete | {published.name}
            assert_complete(published)
            after_partial /= 2
    assert len(landed) >= 2, f"kills during publishing landed only at {landed}"
    assert list((out / "builds").glob("*.partial")), "no kill left a half-written build to clean"

    result = build(big_corpus, out)
    assert result.returncode == 0, result.stderr
    assert not list((out / "builds").glob("*.partial"))
    assert not list(out.glob(".current-*.tmp"))
    new = current(out)
    assert new != published
    assert assert_complete(new)["meta"]["articles"] == len(list(big_corpus.glob("*.txt")))
    assert snapshot(published) == files  # kept for rollback, unchanged


def _two_builds(articles: Path, out: Path) -> list[subprocess.CompletedProcess[str]]:
    processes = [start("build", "--articles", articles, "--out", out, "--anew") for _ in range(2)]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


def _check_pair(results: list[subprocess.CompletedProcess[str]]) -> None:
    for result in results:
        assert result.returncode == 0 or (result.returncode == 2 and "lock" in result.stderr), (
            f"exit {result.returncode}: {result.stderr}")
    assert any(result.returncode == 0 for result in results), [r.stderr for r in results]


def test_two_builds_at_once_one_is_refused_by_the_lock(warm_out: Path) -> None:
    before = current(warm_out)
    for _ in range(3):  # both must reach the lock together; retry if one finished before the other began
        results = sorted(_two_builds(SEEDS, warm_out), key=lambda r: r.returncode)
        _check_pair(results)
        if [r.returncode for r in results] == [0, 2]:
            break
    assert [r.returncode for r in results] == [0, 2], [r.stderr for r in results]
    loser = results[1]
    assert "lock" in loser.stderr and str(warm_out / "build.lock") in loser.stderr
    assert "published build" not in loser.stdout
    winner = current(warm_out)
    assert winner != before and winner.name in results[0].stdout
    assert_complete(winner)
    assert not list((warm_out / "builds").glob("*.partial"))


def test_two_fresh_builds_at_once_fail_only_on_the_lock(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for i in range(150):
        (articles / f"t{i:03d}.txt").write_text(
            f"Ban Thường vụ Tỉnh ủy Nghệ An ban hành Chỉ thị số {i}-CT/TU ngày 3/4/2023 về tăng cường công tác "
            "cán bộ.\n", encoding="utf-8")
    for attempt in range(2):
        _check_pair(_two_builds(articles, tmp_path / f"out{attempt}"))


# --- explain ---------------------------------------------------------------------------------------------------

def test_explain_shows_the_rule_the_span_and_the_context_of_a_citation() -> None:
    path = SEEDS / "000_a93f86c15c9b428d.txt"
    result = vankien("explain", path.relative_to(ROOT))
    assert result.returncode == 0, result.stderr
    text = read_article(path).text
    lines = result.stdout.splitlines()
    mention = re.compile(r"^(?P<kind>\S+)\s+(?P<value>.*?)\s+\[(?P<start>\d+):(?P<end>\d+)\] rule=(?P<rule>\S+)$")
    found = []
    for line, context in zip(lines[::2], lines[1::2], strict=True):
        match = mention.match(line)
        assert match, line
        start, end = int(match["start"]), int(match["end"])
        shown = text[start:end]
        assert f"[{shown}]" in context, (line, context)
        before = text[max(0, start - 60):start].replace("\n", " ")
        assert context.strip().startswith(f"…{before}[{shown}]"), (line, context)
        if match["kind"] == "Document" and "39-CT/TW" in match["value"] and match["rule"].startswith("documents."):
            found.append(shown)
    assert "Chỉ thị 39-CT/TW" in found, found


# --- processes, timings, SHACL rejections ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 synthetic articles (bench/corpus.py): three chunks of the build."""
    from bench.corpus import write_corpus

    return write_corpus(80, tmp_path_factory.mktemp("generated"), seed=5)


def test_one_process_and_two_processes_give_byte_identical_dumps(generated: Path, tmp_path: Path) -> None:
    from mappings.build.pipeline import build as build_in_process

    one = build_in_process(generated, tmp_path / "one", jobs=1, report=lambda line: None)
    two = build_in_process(generated, tmp_path / "two", jobs=2, report=lambda line: None)
    assert one.articles == two.articles == 80 and not one.rejected and not two.rejected
    assert one.published and two.published
    assert one.published.manifest["counts"] == two.published.manifest["counts"]
    for name in [*DUMPS, "SHA256SUMS"]:
        first = (one.published.path / "dumps" / name).read_bytes()
        assert first == (two.published.path / "dumps" / name).read_bytes(), name
    assert {"read", "extract", "resolve", "emit", "validate", "render", "publish", "wall"} <= set(one.timings)


def broken_emit(monkeypatch: pytest.MonkeyPatch, bad: str, predicate: str, value: str) -> None:
    """The build's emission, with one more triple on article `bad`'s own node: a fault no rule makes today."""
    import mappings.build.worker

    emit = mappings.build.worker.emit

    def broken(record, text, minter):  # type: ignore[no-untyped-def]
        graph = emit(record, text, minter)
        if record.identifier == bad:
            graph.add(f"<{graph.iri}>", predicate, graph.literal(value))
        return graph

    monkeypatch.setattr(mappings.build.worker, "emit", broken)


def test_an_article_whose_own_node_violates_shacl_is_named_and_left_out(generated: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two identifiers: taking both out leaves the article node with none, and the article node is never taken
    out, so the article cannot be repaired."""
    from mappings.build.pipeline import build as build_in_process

    bad = sorted(generated.glob("*.txt"))[3].stem
    broken_emit(monkeypatch, bad, "<http://purl.org/dc/terms/identifier>", "một mã khác")
    reported: list[str] = []
    result = build_in_process(generated, tmp_path / "out", jobs=1, report=reported.append)
    assert list(result.rejected) == [f"{bad}.txt"] and "identifier" in result.rejected[f"{bad}.txt"]
    assert any(line.startswith(f"{bad}.txt: not published, SHACL:") for line in reported)
    assert result.published and result.published.manifest["meta"]["rejected"] == [f"{bad}.txt"]
    assert article_graph(bad) not in graph_names(result.published.path)
    assert result.articles == 79 and not result.left_out


def test_a_fact_failing_shacl_is_left_out_and_its_article_published(generated: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from mappings.build.pipeline import build as build_in_process

    bad = sorted(generated.glob("*.txt"))[3].stem
    broken_emit(monkeypatch, bad, f"<{VK}published>", "không phải ngày")
    reported: list[str] = []
    result = build_in_process(generated, tmp_path / "out", jobs=1, report=reported.append)
    assert not result.rejected and result.articles == 80
    (what,) = result.left_out[f"{bad}.txt"]
    assert what.startswith(f"<{article_graph(bad)}> {VK}published: ") and "publication date" in what
    assert [line for line in reported if line.startswith(f"{bad}.txt: warning: published without a fact")]
    assert result.published
    own = [q for q in nquads(result.published.path) if q.graph_name.value == article_graph(bad)]
    published = read_article(generated / f"{bad}.txt").published
    assert [q.object.value for q in own if q.predicate.value == f"{VK}published"] == [published]  # the real one
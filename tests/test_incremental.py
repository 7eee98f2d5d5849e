"""A build made from the published one pays for what changed alone and holds exactly what a build anew holds (issue 15):
the same dump bytes, the same quads in the store, the same page data and search entries; nothing changed keeps the
published build."""
from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from pyoxigraph import Store

from bench.corpus import write_corpus
from mappings.build import seen_sources, worker
from mappings.build.pipeline import BuildResult, build
from mappings.publishing.dumps import DumpWriter
from mappings.publishing.parts import PARTS, UNION_COUNTS
from mappings.publishing.publish import current_build
from mappings.reading.archives import Index
from mappings.reading.sources import Source
from tests.test_inputs import HA_TINH, QUANG_BINH, THANH_HOA, write_warc
from tests.test_people import ARTICLES, CENTRAL_HUNG

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SEEDS = Path(__file__).parents[1] / "seeds"
BLANK = re.compile(r"_:[A-Za-z0-9]+")


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Articles to draw from: the seeds and a generated corpus (officials, documents and meetings recur)."""
    folder = tmp_path_factory.mktemp("pool")
    write_corpus(48, folder / "generated", seed=11)
    return sorted(SEEDS.glob("*.txt")) + sorted((folder / "generated").rglob("*.txt"))


def quiet(articles: Path, out: Path, **options: object) -> BuildResult:
    return build(articles, out, jobs=1, report=lambda _: None, **options)  # type: ignore[arg-type]


def holdings(out: Path) -> dict[str, object]:
    """What a published build holds, apart from its identity and time."""
    build_dir = current_build(out)
    assert build_dir is not None
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    quads = sorted(BLANK.sub("_:b", str(quad)) for quad in Store.read_only(str(build_dir / "store")))
    pages = sqlite3.connect(build_dir / "pages.sqlite")
    search = sqlite3.connect(build_dir / "search.sqlite")
    try:
        page_rows = {table: sorted(pages.execute(f"SELECT * FROM {table}"))
                     for table in ("incoming", "neighbours", "evidence", "meta")}
        entries = sorted(search.execute("SELECT iri, classes, labels, description, boost FROM entries"))
    finally:
        pages.close()
        search.close()
    return {"dumps": (build_dir / "dumps" / "SHA256SUMS").read_text(), "counts": manifest["counts"],
            "meta": manifest["meta"], "quads": quads, "pages": page_rows, "search": entries,
            "left out": (build_dir / "union-left-out.nt").read_text(encoding="utf-8")}


def place(articles: Path, chosen: list[Path]) -> None:
    shutil.rmtree(articles, ignore_errors=True)
    articles.mkdir(parents=True)
    for path in chosen:
        shutil.copyfile(path, articles / path.name)


def test_adding_changing_and_removing_articles_gives_what_a_build_anew_gives(pool: list[Path], tmp_path: Path) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    place(articles, pool[:30])
    first = quiet(articles, out)
    assert first.reused == 0
    # 3 added, 2 removed, 1 changed (a sentence with another official and another document)
    place(articles, pool[2:33])
    changed = articles / pool[10].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nĐồng chí Nguyễn Văn Thử, Phó Bí thư Tỉnh ủy Nam Định, "
                       "phát biểu tại hội nghị quán triệt Chỉ thị số 45-CT/TW ngày 14/4/2025 của Ban Bí thư.\n",
                       encoding="utf-8")
    update = quiet(articles, out)
    assert update.published is not None and first.published is not None
    assert update.published.build_id != first.published.build_id
    assert 0 < update.reused < 31 and update.extracted == 4
    anew = quiet(articles, tmp_path / "anew", anew=True)
    assert anew.reused == 0
    assert holdings(out) == holdings(tmp_path / "anew")


def test_a_series_of_random_changes_always_gives_what_a_build_anew_gives(pool: list[Path], tmp_path: Path) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    draw = random.Random(5)
    chosen = draw.sample(pool, 30)
    place(articles, chosen)
    quiet(articles, out)
    for step in range(3):
        rest = [path for path in pool if path not in chosen]
        chosen = [path for path in chosen if draw.random() > 0.1] + draw.sample(rest, 3)
        place(articles, chosen)
        result = quiet(articles, out)
        assert result.reused, f"step {step}: nothing was reused"
        quiet(articles, tmp_path / f"anew-{step}", anew=True)
        assert holdings(out) == holdings(tmp_path / f"anew-{step}"), f"step {step}"


def test_nothing_changed_keeps_the_published_build(pool: list[Path], tmp_path: Path) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    place(articles, pool[:12])
    first = quiet(articles, out)
    again = quiet(articles, out)
    assert again.unchanged and again.published is not None and first.published is not None
    assert again.published.build_id == first.published.build_id
    assert again.articles == first.articles and again.extracted == 0
    assert len(list((out / "builds").iterdir())) == 1
    # a file touched, its bytes the same: read again, and still nothing changed
    (articles / pool[0].name).write_bytes((articles / pool[0].name).read_bytes())
    assert quiet(articles, out).unchanged


@pytest.mark.parametrize("broken", [PARTS, UNION_COUNTS])
def test_a_build_whose_parts_are_not_as_recorded_is_followed_by_one_made_anew(broken: str, pool: list[Path],
                                                                                tmp_path: Path) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    place(articles, pool[:10])
    quiet(articles, out)
    build_dir = current_build(out)
    assert build_dir is not None
    (build_dir / broken).write_bytes(b"broken")
    place(articles, pool[:11])
    reported: list[str] = []
    result = build(articles, out, jobs=1, report=reported.append)
    assert result.reused == 0 and not result.unchanged
    assert any("made anew" in line for line in reported)
    quiet(articles, tmp_path / "anew", anew=True)
    assert holdings(out) == holdings(tmp_path / "anew")


def test_an_update_that_fails_leaves_the_published_build_as_it_was(pool: list[Path], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    place(articles, pool[:10])
    quiet(articles, out)
    before, build_dir = holdings(out), current_build(out)

    def full_disk(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(DumpWriter, "finish", full_disk)
    place(articles, pool[:11])
    with pytest.raises(OSError, match="No space left"):
        quiet(articles, out)
    monkeypatch.undo()
    assert current_build(out) == build_dir
    assert holdings(out) == before
    assert quiet(articles, out).reused == 10   # the next build goes on from the published one


def test_a_web_archive_not_touched_since_the_last_build_is_not_read_again(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    articles.mkdir()
    write_warc(articles / "crawl.warc.gz", [HA_TINH, QUANG_BINH])
    listed: list[Path] = []
    real = seen_sources.index_archive

    def counted(path: Path) -> Index:
        listed.append(path)
        return real(path)

    monkeypatch.setattr(seen_sources, "index_archive", counted)
    assert quiet(articles, out).articles == 2
    assert quiet(articles, out).unchanged
    assert len(listed) == 1
    write_warc(articles / "crawl.warc.gz", [HA_TINH, QUANG_BINH, THANH_HOA])   # the crawl grew
    grown = quiet(articles, out)
    assert len(listed) == 2 and grown.articles == 3 and grown.reused == 2


# A cites a directive without its date; B, added later, dates it: A's graph names the document by its year, so A's
# graph must be written again though A did not change.
UNDATED = """date 2024-05-20

Huyện ủy học tập chỉ thị về công tác dân vận

Sáng 20/5, Tỉnh ủy Hà Nam tổ chức hội nghị quán triệt Chỉ thị số 57-CT/TW của Ban Bí thư.
"""
DATING = """date 2024-06-02

Tỉnh ủy Ninh Bình triển khai Chỉ thị 57

Tỉnh ủy Ninh Bình ban hành Kế hoạch số 12-KH/TU thực hiện Chỉ thị số 57-CT/TW ngày 2/3/2024 của Ban Bí thư.
"""


def test_an_article_whose_graph_depends_on_another_is_written_again_when_that_one_comes(tmp_path: Path) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    articles.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copyfile(path, articles / path.name)
    (articles / "ha_nam.txt").write_text(UNDATED, encoding="utf-8")
    quiet(articles, out)
    undated = "http://localhost:8000/id/document/tw/undated/chi-thi/57"
    assert any(undated in quad for quad in holdings(out)["quads"])  # type: ignore[union-attr]
    (articles / "ninh_binh.txt").write_text(DATING, encoding="utf-8")
    update = quiet(articles, out)
    assert update.reused == 3   # the seeds; ha_nam's graph is written again
    quads = holdings(out)["quads"]
    assert not any(undated in quad for quad in quads)  # type: ignore[union-attr]
    assert any("/id/document/tw/2024/chi-thi/57>" in quad for quad in quads)  # type: ignore[union-attr]
    quiet(articles, tmp_path / "anew", anew=True)
    assert holdings(out) == holdings(tmp_path / "anew")


def test_an_update_that_tells_people_apart_anew_publishes_what_a_build_anew_there_publishes(tmp_path: Path) -> None:
    """Kon Tum's Nguyễn Văn Hùng becomes a central official: his IRIs change, and both builds publish the old ones as
    replaced (a history a build anew in an empty folder does not have: compared in a copy of the folder)."""
    articles, out = tmp_path / "articles", tmp_path / "out"
    articles.mkdir()
    (articles / "kontum.txt").write_text(ARTICLES["kontum"], encoding="utf-8")
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copyfile(path, articles / path.name)
    quiet(articles, out)
    shutil.copytree(out, tmp_path / "copy", symlinks=True)
    (articles / "central.txt").write_text(CENTRAL_HUNG, encoding="utf-8")
    assert quiet(articles, out).reused == 2
    quiet(articles, tmp_path / "copy", anew=True)
    updated = holdings(out)
    assert any("isReplacedBy" in quad for quad in updated["quads"])  # type: ignore[union-attr]
    assert updated == holdings(tmp_path / "copy")


def test_a_file_touched_with_the_same_bytes_is_read_once_more_then_known_again(pool: list[Path], tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    articles, out = tmp_path / "articles", tmp_path / "out"
    place(articles, pool[:6])
    quiet(articles, out)
    touched = articles / pool[0].name
    touched.write_bytes(touched.read_bytes())
    read: list[str] = []
    real = worker.read_source

    def counted(source: Source) -> bytes:
        read.append(source.name)
        return real(source)

    monkeypatch.setattr(worker, "read_source", counted)
    assert quiet(articles, out).unchanged and read == [pool[0].name]
    assert quiet(articles, out).unchanged and read == [pool[0].name]   # not read a third time

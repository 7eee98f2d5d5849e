"""What users have, built as they have it: folder trees of text articles, saved web pages and web archives, and
the hostile files a real folder holds (pipes, links, names that fold alike, other encodings).

Pages and the web archive are written here, from our own sentences; the archive with warcio's own writer. Every
build is the real CLI over a real folder, its report and its dumps read back.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mappings.reading.identifiers import url_key
from tests.test_build import (
    NEW_ARTICLE,
    ROOT,
    SEEDS,
    STEMS,
    VANKIEN,
    VK,
    article_graph,
    assert_complete,
    build,
    current,
    graph_names,
    nquads,
    vankien,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Boilerplate every page carries: none of it may reach the graph.
NOT_THE_ARTICLE = ["99-CT/TW", "Phạm Minh Giả", "Trần Văn Chân", "Chia sẻ", "Trang chủ", "Giấy phép", "Tin liên quan"]


def page(headline: str, canonical: str | None, published: str | None, paragraphs: list[str]) -> bytes:
    """A news page as a site serves it: menus, a share bar, the article, a related-news box that names a document
    and a person, a footer that names an editor."""
    head = [f"<title>{headline} - Báo Thử Nghiệm</title>", f'<meta property="og:title" content="{headline}">']
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}T07:30:00+07:00">')
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">{''.join(head)}</head><body>
<header><nav class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/thoi-su">Thời sự</a></li>
<li><a href="/xay-dung-dang">Xây dựng Đảng</a></li><li><a href="/kinh-te">Kinh tế</a></li></ul></nav></header>
<div class="share-bar"><a href="#">Chia sẻ Facebook</a> <a href="#">Chia sẻ Zalo</a> <a href="#">In bài</a></div>
<main><article><h1>{headline}</h1>
<div class="sapo">{paragraphs[0][:60]}...</div>
{body}
</article></main>
<aside class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/a">Quán triệt Chỉ thị số 99-CT/TW ngày 2/1/2020 của Ban Bí thư về công tác thanh niên</a></li>
<li><a href="/b">Đồng chí Phạm Minh Giả, Bí thư Huyện ủy, thăm và làm việc tại xã Nga Thạch</a></li>
<li><a href="/c">Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 20</a></li></ul></aside>
<footer><p>Báo Thử Nghiệm - Cơ quan của Đảng bộ tỉnh. Tổng biên tập: Trần Văn Chân.</p>
<p>Giấy phép số 123/GP-BTTTT. Trang chủ | Liên hệ | Quảng cáo</p></footer>
</body></html>""".encode()


THANH_HOA = ("https://baothunghiem.vn/xay-dung-dang/thanh-hoa-tong-ket-chi-thi-39-217.htm", "2024-05-27", [
    ("Sáng 27/5, Ban Thường vụ Tỉnh ủy Thanh Hóa tổ chức hội nghị tổng kết 10 năm thực hiện Chỉ thị số 39-CT/TW "
    "ngày 18/8/2014 của Bộ Chính trị về tăng cường công tác bảo vệ chính trị nội bộ trong tình hình hiện nay."),
    ("Đồng chí Lê Văn Thử, Phó Bí thư Tỉnh ủy, chủ trì hội nghị. Báo cáo tại hội nghị nêu rõ, sau 10 năm, các cấp ủy "
    "đã quán triệt nghiêm túc Chỉ thị và ban hành nhiều văn bản lãnh đạo, chỉ đạo sát với thực tiễn."),
    ("Hội nghị cũng đề ra nhiệm vụ, giải pháp trọng tâm trong thời gian tới nhằm nâng cao hiệu quả công tác bảo vệ "
    "chính trị nội bộ, bảo đảm sự đoàn kết thống nhất trong Đảng bộ tỉnh.")])
NGHE_AN = ("https://baothunghiem.vn/thoi-su/nghe-an-so-ket-chi-thi-12-88.htm", "2024-06-10", [
    ("Sáng 10/6, Ban Thường vụ Tỉnh ủy Nghệ An tổ chức hội nghị sơ kết một năm thực hiện Chỉ thị số 12-CT/TU ngày "
    "3/4/2023 của Ban Thường vụ Tỉnh ủy Nghệ An về tăng cường công tác cán bộ ở cơ sở trong tình hình mới."),
    ("Báo cáo tại hội nghị nêu rõ, sau một năm triển khai, các cấp ủy, tổ chức đảng trong toàn Đảng bộ tỉnh đã quán "
    "triệt nghiêm túc Chỉ thị, ban hành kế hoạch thực hiện và tạo chuyển biến rõ nét trong công tác cán bộ.")])
HA_TINH = ("https://tinthu.vn/ha-tinh-trien-khai-ket-luan-21.html", "2024-03-02", [
    ("Chiều 2/3, Tỉnh ủy Hà Tĩnh tổ chức hội nghị triển khai Kết luận số 21-KL/TW ngày 25/10/2021 của Ban Chấp hành "
    "Trung ương Đảng khóa XIII về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị."),
    ("Các đại biểu đã nghe quán triệt nội dung cơ bản của Kết luận và thảo luận các giải pháp thực hiện ở cơ sở, "
    "gắn với việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.")])
QUANG_BINH = ("https://tinthu.vn/quang-binh-hoc-tap-nghi-quyet-45.html", "2024-02-20", [
    ("Sáng 20/2, Ban Thường vụ Tỉnh ủy Quảng Bình tổ chức hội nghị học tập, quán triệt Nghị quyết số 45-NQ/TW ngày "
    "24/11/2023 của Ban Chấp hành Trung ương Đảng khóa XIII về xây dựng và phát huy vai trò của đội ngũ trí thức."),
    ("Hội nghị được tổ chức theo hình thức trực tiếp kết hợp trực tuyến đến các điểm cầu cấp huyện và cấp xã trong "
    "toàn tỉnh, với sự tham dự của đông đảo cán bộ, đảng viên.")])


def headline(story: tuple[str, str, list[str]]) -> str:
    return story[2][0].split(",")[1].strip().capitalize()[:70].strip()


def story_page(story: tuple[str, str, list[str]], canonical: bool = True) -> bytes:
    return page(headline(story), story[0] if canonical else None, story[1], story[2])


def write_warc(path: Path, stories: list[tuple[str, str, list[str]]]) -> None:
    """A crawl as warcio writes it: the pages (200, text/html), and the noise a crawl holds around them."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))

        def response(uri: str, status: str, content_type: str, body: bytes, extra: list | None = None) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))

        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test_inputs"}))
        for story in stories:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "tinthu.vn")], is_http_request=True)
            writer.write_record(writer.create_warc_record(story[0], "request", http_headers=request))
            response(story[0], "200 OK", "text/html; charset=utf-8", story_page(story, canonical=False))
        response("https://tinthu.vn/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64))
        response("https://tinthu.vn/app.js", "200 OK", "application/javascript", "console.log('Chỉ thị 99')".encode())
        response("https://tinthu.vn/cu", "301 Moved Permanently", "text/html", b"",
                 [("Location", "https://tinthu.vn/moi")])
        response("https://tinthu.vn/mat", "404 Not Found", "text/html", page("Không tìm thấy", None, None,
                                                                             ["Trang không tồn tại."]))


def literals(build_dir: Path, graph: str) -> list[str]:
    return [q.object.value for q in nquads(build_dir) if q.graph_name.value == graph and q.object.__class__.__name__
            == "Literal"]


def values(build_dir: Path, graph: str, predicate: str) -> set[str]:
    """The article's own values of `predicate` (its node is named as its graph)."""
    return {q.object.value for q in nquads(build_dir)
            if q.graph_name.value == graph and q.subject.value == graph and q.predicate.value == predicate}


def articles(build_dir: Path) -> set[str]:
    return {graph for graph in graph_names(build_dir) if "/id/article/" in graph}


# --- pages and archives ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, then pages and a crawl in sub-folders, extensions in any case."""
    root = tmp_path_factory.mktemp("tree") / "articles"
    (root / "saved" / "2024").mkdir(parents=True)
    (root / "crawls").mkdir()
    for seed in SEEDS.glob("*.txt"):
        shutil.copyfile(seed, root / seed.name)
    (root / "saved" / "thanh-hoa.html").write_bytes(story_page(THANH_HOA))
    (root / "saved" / "2024" / "Nghe An.HTM").write_bytes(story_page(NGHE_AN))
    write_warc(root / "crawls" / "tinthu.warc.gz", [HA_TINH, QUANG_BINH])
    return root


@pytest.fixture(scope="module")
def tree_built(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("tree-out") / "out"
    result = build(tree, out)
    return result, out


def test_pages_and_a_web_archive_in_a_folder_tree_are_published(tree_built: tuple) -> None:
    result, out = tree_built
    assert result.returncode == 0, result.stderr
    assert "(9 extracted anew)" in result.stdout
    published = current(out)
    assert assert_complete(published)["meta"]["articles"] == 9
    pages = {story[0]: article_graph(url_key(story[0])) for story in (THANH_HOA, NGHE_AN, HA_TINH, QUANG_BINH)}
    assert graph_names(published) >= {article_graph(stem) for stem in STEMS} | set(pages.values())
    for story in (THANH_HOA, NGHE_AN, HA_TINH, QUANG_BINH):
        graph = pages[story[0]]
        assert values(published, graph, f"{VK}sourceUrl") == {story[0]}
        assert values(published, graph, f"{VK}published") == {story[1]}
        assert values(published, graph, "http://www.w3.org/2000/01/rdf-schema#label") == {headline(story)}


def test_a_web_archive_counts_what_it_skips(tree_built: tuple, tree: Path) -> None:
    result, _ = tree_built
    said = [line for line in result.stderr.splitlines() if "tinthu.warc.gz" in line]
    assert said == [(f"{tree / 'crawls' / 'tinthu.warc.gz'}: 2 HTML pages; skipped 4 response(s): 1 image, "
                     "1 redirect, 1 script, 1 status 404")], result.stderr


def test_no_boilerplate_of_a_page_reaches_the_graph(tree_built: tuple) -> None:
    """Menus, share bars, the related-news box (a document and a person) and the footer stay out."""
    _, out = tree_built
    published = current(out)
    quads = nquads(published)
    text = "\n".join(str(q) for q in quads)
    for words in NOT_THE_ARTICLE:
        assert words not in text, f"{words!r} reached the graph"
    graph = article_graph(url_key(THANH_HOA[0]))
    symbols = {q.object.value for q in quads if q.graph_name.value == graph and q.predicate.value == f"{VK}symbol"}
    assert "39-CT/TW" in symbols
    assert any("Lê Văn Thử" in value for value in literals(published, graph))


def test_identifiers_stay_the_same_whatever_the_container_and_the_build(tree: Path, tmp_path: Path,
                                                                        tree_built: tuple) -> None:
    """A page saved as a file and the same page in a crawl, under its canonical URL, keep their identifiers
    from build to build; a page without a canonical URL in a crawl is named by its target URI."""
    _, first_out = tree_built
    moved = tmp_path / "moved"
    moved.mkdir()
    write_warc(moved / "again.warc", [THANH_HOA])   # no canonical link: the target URI names it
    (moved / "quang-binh.html").write_bytes(story_page(QUANG_BINH))
    out = tmp_path / "out"
    result = build(moved, out)
    assert result.returncode == 0, result.stderr
    assert articles(current(out)) == {article_graph(url_key(THANH_HOA[0])), article_graph(url_key(QUANG_BINH[0]))}
    assert {article_graph(url_key(THANH_HOA[0])), article_graph(url_key(QUANG_BINH[0]))} <= graph_names(
        current(first_out))


# --- hostile files ------------------------------------------------------------------------------------------

def article_text(place: str, number: int) -> str:
    return NEW_ARTICLE.replace("Nghệ An", place).replace("12-CT/TU", f"{number}-CT/TU")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("hostile")
    root, outside = base / "articles", base / "elsewhere"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(article_text("Hà Giang", 7), encoding="utf-8")
    (root / "A.txt").write_text(article_text("Lào Cai", 1), encoding="utf-8")
    (root / "a.txt").write_text(article_text("Yên Bái", 2), encoding="utf-8")
    (root / "bài viết.txt").write_text(article_text("Sơn La", 3), encoding="utf-8")
    (root / "b-i-vi-t.txt").write_text(article_text("Điện Biên", 4), encoding="utf-8")
    (root / "HOA BINH.TXT").write_text(article_text("Hòa Bình", 5), encoding="utf-8")
    (root / "utf16.txt").write_bytes(article_text("Lai Châu", 6).encode("utf-16"))
    (root / "huge_title.txt").write_text("title " + "Hội nghị " * 2000 + "\n" + article_text("Tuyên Quang", 8),
                                         encoding="utf-8")
    (root / "script_url.txt").write_text("url javascript:alert(1)\n" + article_text("Cao Bằng", 9), encoding="utf-8")
    (root / "ghi chú.md").write_text("Ghi chú của người thu thập: các bài về Chỉ thị 12.", encoding="utf-8")
    os.mkfifo(root / "x.txt")
    os.symlink("/dev/zero", root / "zero.txt")
    os.symlink(outside / "secret.txt", root / "secret.txt")
    result = subprocess.run([str(VANKIEN), "build", "--articles", root, "--out", base / "out"], capture_output=True,
                            text=True, timeout=120, cwd=ROOT, check=False)
    return root, base / "out", result


def test_hostile_files_are_named_and_the_good_articles_published(hostile: tuple) -> None:
    root, out, result = hostile
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    said = {line.split(": ", 1)[0]: line for line in result.stderr.splitlines() if ": " in line}
    for name, words in {"x.txt": "named pipe", "zero.txt": "outside", "secret.txt": "outside",
                        "ghi chú.md": "not an article", "huge_title.txt": "more than the 2000",
                        "script_url.txt": "not an http(s) URL"}.items():
        assert words in said.get(str(root / name), ""), f"{name}: {words!r} not said:\n{result.stderr}"
    manifest = assert_complete(current(out))
    assert manifest["meta"]["skipped"] == sorted(["x.txt", "zero.txt", "secret.txt", "ghi chú.md"])
    assert manifest["meta"]["rejected"] == ["huge_title.txt", "script_url.txt"]
    assert manifest["meta"]["articles"] == 6
    keys = {graph.rsplit("/", 1)[1] for graph in articles(current(out))}
    assert {"a", "bai-viet", "b-i-vi-t", "hoa-binh", "utf16"} <= keys and len(keys) == 6, keys
    assert next(key for key in keys if key.startswith("a-")), keys   # A.txt: its own, hashed from its name


def test_hostile_files_give_the_same_identifiers_again(hostile: tuple, tmp_path: Path) -> None:
    root, out, _ = hostile
    again = subprocess.run([str(VANKIEN), "build", "--articles", root, "--out", tmp_path / "out"],
                           capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert again.returncode == 3, again.stderr
    assert graph_names(current(tmp_path / "out")) == graph_names(current(out))


def test_a_device_named_as_the_input_is_named_not_read(tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    os.symlink("/dev/zero", link)
    result = vankien("build", "--articles", link, "--out", tmp_path / "out", timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"{link}: skipped, a character device, not a regular file" in result.stderr
    assert "no articles to build" in result.stderr and "Traceback" not in result.stderr


def test_only_web_urls_are_published_as_sources(tmp_path: Path) -> None:
    """A page whose canonical link is `javascript:` gets no source URL (and is named by its file)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    html = story_page(HA_TINH).replace(b'href="https://tinthu.vn/ha-tinh', b'href="javascript:alert(1)//')
    (folder / "ha tinh.html").write_bytes(html)
    result = build(folder, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    published = current(tmp_path / "out")
    assert articles(published) == {article_graph("ha-tinh")}
    assert values(published, article_graph("ha-tinh"), f"{VK}sourceUrl") == set()


# --- a full disk, then a build that fits -----------------------------------------------------------------

FULL_CACHE = """
import errno, os, sys
import mappings.build.worker as worker
from mappings.cli.commands import main

room = int(sys.argv[1])
store = worker._store_cached

def full(entry, cached):
    global room
    if room == 0:
        entry.with_name(entry.name + ".1.tmp").write_bytes(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(entry))
    room -= 1
    store(entry, cached)

worker._store_cached = full
sys.exit(main(sys.argv[2:]))
"""


def test_a_build_that_fills_the_disk_takes_back_its_cache_entries(tmp_path: Path, tree: Path) -> None:
    out = tmp_path / "out"
    first = build(SEEDS, out)
    assert first.returncode == 0, first.stderr
    cache = next((out / "cache").iterdir())
    before = sorted(p.name for p in cache.iterdir())
    failed = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", FULL_CACHE, "2", "build", "--jobs", "1",
                             "--articles", tree, "--out", out], capture_output=True, text=True, timeout=180,
                            cwd=ROOT, check=False)
    assert failed.returncode == 2 and os.strerror(28) in failed.stderr, failed.stderr
    assert sorted(p.name for p in cache.iterdir()) == before   # the two entries it wrote, and the half one, gone
    again = build(tree, out)
    assert again.returncode == 0, again.stderr
    assert "(4 extracted anew)" in again.stdout


# --- explain -----------------------------------------------------------------------------------------------

def test_explain_escapes_control_characters_and_reads_pages(tmp_path: Path) -> None:
    text = tmp_path / "tab.txt"
    text.write_text(NEW_ARTICLE.replace("Chỉ thị số 12-CT/TU", "Chỉ thị số\t12-CT/TU"), encoding="utf-8")
    shown = vankien("explain", text)
    assert shown.returncode == 0, shown.stderr
    assert "\t" not in shown.stdout and "\\t12-CT/TU" in shown.stdout
    html = tmp_path / "thanh-hoa.html"
    html.write_bytes(story_page(THANH_HOA))
    shown = vankien("explain", html)
    assert shown.returncode == 0 and "39-CT/TW" in shown.stdout and "99-CT/TW" not in shown.stdout, shown


def test_explain_on_a_folder_or_into_a_closed_pipe_ends_without_a_traceback(tmp_path: Path) -> None:
    folder = vankien("explain", SEEDS)
    assert folder.returncode == 2 and "a folder" in folder.stderr and "Traceback" not in folder.stderr
    piped = subprocess.run(f"'{VANKIEN}' explain '{SEEDS / (STEMS[0] + '.txt')}' | head -1", shell=True,
                           capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert piped.stdout.count("\n") == 1 and piped.stderr == "", piped.stderr


def test_the_inputs_are_documented_in_the_help() -> None:
    help_text = " ".join(vankien("build", "--help").stdout.split())
    for said in (".warc.gz", ".html .htm", "date 2024-05-27", "url https://", "title ...", "http(s) only"):
        assert said in help_text, said
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "--articles PATH" in readme and ".warc.gz" in readme and "date YYYY-MM" in readme


def test_an_archive_compressed_as_one_stream_is_named_with_the_fix(tmp_path: Path) -> None:
    """warcio writes one gzip member per record; a WARC gzipped whole cannot be read record by record."""
    import gzip

    folder = tmp_path / "articles"
    folder.mkdir()
    plain = tmp_path / "crawl.warc"
    write_warc(plain, [HA_TINH, QUANG_BINH])
    (folder / "crawl.warc.gz").write_bytes(gzip.compress(plain.read_bytes()))
    (folder / "nghe-an.html").write_bytes(story_page(NGHE_AN))
    result = build(folder, tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert f"{folder / 'crawl.warc.gz'}: skipped, web archive compressed as one gzip stream" in result.stderr
    assert "warcio recompress" in result.stderr and "Traceback" not in result.stderr
    assert articles(current(tmp_path / "out")) == {article_graph(url_key(NGHE_AN[0]))}

"""Search: the folding and ranking of the index as pure functions, then `/search` over a real server
of the seeds (diacritics, tone placement, symbols, paging, formats, bad parameters) and over a
hand-made build whose labels try spreadsheet formula injection."""

import csv
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from server.pages.search import LABEL, SearchIndex, tokens
from tests.serving import BASE_URI, running_server

ID = BASE_URI + "id/"
VK = "https://w3id.org/vankien/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SYMBOL = VK + "symbol"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
TITLE = VK + "title"
DIRECTIVE_39 = "/doc/document/tw/2014/chi-thi/39"
THANH_HOA = "/doc/province/thanh-hoa"


# --- folding ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanh Hóa", ("thanh", "hoa")),
        ("Thanh Hoá", ("thanh", "hoa")),  # old tone placement
        ("THANH HOÁ", ("thanh", "hoa")),
        ("thanh hoa", ("thanh", "hoa")),
        ("Ðảng", ("dang",)),  # Icelandic eth written for Đ
        ("39-CT/TW", ("39", "ct", "tw")),
        ("39/CT-TW", ("39", "ct", "tw")),
        ("03-KH/TW", ("3", "kh", "tw")),  # numbers without leading zeros
        ("1881-QĐ/TU", ("1881", "qd", "tu")),
        ("  --  ", ()),
    ],
)
def test_texts_and_queries_fold_alike(text: str, expected: tuple[str, ...]) -> None:
    assert tokens(text) == expected


# --- ranking ---------------------------------------------------------------------------------------

def index(*rows: tuple[str, str, str], types: dict[str, set[str]] | None = None) -> SearchIndex:
    return SearchIndex.build(((iri, prop, text, "vi") for iri, prop, text in rows), types or {})


def found(search_index: SearchIndex, query: str, within: str | None = None) -> list[str]:
    return [hit.entry.iri for hit in search_index.search(query, within)]


def test_exact_before_phrase_before_ordered_before_all_before_spread() -> None:
    # IRIs run against the expected order, so a tie broken by IRI could not pass for a ranking.
    search_index = index(
        ("e", RDFS_LABEL, "Chỉ thị về công tác"), ("e", TITLE, "số 39"),
        ("d", RDFS_LABEL, "39 chỉ thị"),
        ("c", RDFS_LABEL, "Chỉ thị số 39"),
        ("b", RDFS_LABEL, "Chỉ thị 39-CT/TW"),
        ("a", RDFS_LABEL, "Chỉ thị 39"),
        ("z", RDFS_LABEL, "Chỉ thị 40"),
    )
    assert found(search_index, "chi thi 39") == ["a", "b", "c", "d", "e"]


def test_a_symbol_match_comes_first_and_its_parts_match_in_any_order() -> None:
    search_index = index(
        ("a", RDFS_LABEL, "39-CT/TW"),  # a label that is exactly the query
        ("b", RDFS_LABEL, "Tổng kết Chỉ thị số 39-CT/TW và CT/TW 39"),
        ("doc", SYMBOL, "39-CT/TW"), ("doc", RDFS_LABEL, "Chỉ thị 39-CT/TW"),
    )
    assert found(search_index, "39-CT/TW")[0] == "doc"
    assert found(search_index, "ct/tw 39")[0] == "doc"
    assert found(search_index, "39/CT-TW")[0] == "doc"


def test_the_marks_a_query_types_rank_their_spelling_first() -> None:
    search_index = index(("a", RDFS_LABEL, "Hoa Bình"), ("b", RDFS_LABEL, "Hòa Bình"))
    assert found(search_index, "Hòa Bình") == ["b", "a"]
    assert found(search_index, "Hoà Bình") == ["b", "a"]  # old tone placement, same word
    assert found(search_index, "hoa binh") == ["a", "b"]  # no marks: a tie, kept stable by IRI


def test_every_word_must_be_found_and_a_class_filter_keeps_one_class() -> None:
    types = {"p": {VK + "Province"}, "o": {VK + "Organization"}}
    search_index = index(
        ("p", RDFS_LABEL, "Thanh Hóa"), ("p", ALT, "Thanh Hoá"),
        ("o", RDFS_LABEL, "Ban Thường vụ Tỉnh ủy Thanh Hóa"),
        types=types,
    )
    assert found(search_index, "thanh hoa") == ["p", "o"]
    assert found(search_index, "thanh hoa", VK + "Organization") == ["o"]
    assert found(search_index, "thanh hoa nghe an") == []
    assert found(search_index, "!!!") == []


def test_the_best_text_is_reported_and_labels_kept_per_language() -> None:
    search_index = SearchIndex.build(
        [("doc", SYMBOL, "03-KH/TW", None), ("doc", RDFS_LABEL, "Kế hoạch 03-KH/TW", "vi"),
         ("doc", RDFS_LABEL, "Plan 03-KH/TW", "en")],
        {},
    )
    (hit,) = search_index.search("3-KH/TW")
    assert (hit.text.value, hit.entry.labels) == ("03-KH/TW", {"vi": "Kế hoạch 03-KH/TW", "en": "Plan 03-KH/TW"})
    assert [t.kind for t in hit.entry.texts].count(LABEL) == 2


# --- /search over the seeds ------------------------------------------------------------------------

def get(server: str, path: str, **params: Any) -> httpx.Response:
    return httpx.get(server + path, params=params, timeout=30)


def results(server: str, **params: Any) -> dict[str, Any]:
    response = get(server, "/search", format="json", **params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def hrefs(server: str, **params: Any) -> list[str]:
    return [r["href"] for r in results(server, **params)["results"]]


@pytest.mark.parametrize("q", ["thanh hoa", "Thanh Hoá", "Thanh Hóa", "THANH HOÁ", "thanh   hoa!"])
def test_thanh_hoa_is_found_with_or_without_marks(seeds_server: str, q: str) -> None:
    assert hrefs(seeds_server, q=q)[0] == THANH_HOA


@pytest.mark.parametrize("q", ["chi thi 39", "Chỉ thị 39", "39-CT/TW", "39 ct tw", "ct/tw 39", "39/CT-TW"])
def test_directive_39_is_found_by_name_or_symbol(seeds_server: str, q: str) -> None:
    assert hrefs(seeds_server, q=q)[0] == DIRECTIVE_39


def test_a_symbol_is_found_without_its_leading_zero(seeds_server: str) -> None:
    assert hrefs(seeds_server, q="ke hoach 3")[0] == "/doc/document/tw/2021/ke-hoach/3"


def test_results_carry_label_class_and_what_matched(seeds_server: str) -> None:
    first = results(seeds_server, q="39-CT/TW")["results"][0]
    assert first == {
        "iri": ID + "document/tw/2014/chi-thi/39", "href": DIRECTIVE_39, "label": "Chỉ thị 39-CT/TW",
        "class": VK + "Directive", "matched": "39-CT/TW",
        "description": "Chỉ thị · 18/8/2014 · về tăng cường công tác bảo vệ chính trị nội bộ trong tình hình hiện nay",
    }
    english = get(seeds_server, "/search", q="bo chinh tri", format="json", lang="en").json()["results"][0]
    assert (english["label"], english["href"]) == ("Politburo", "/doc/org/bo-chinh-tri")


@pytest.mark.parametrize("q", ["chỉ thị số 39", "chi thi so 39", "CT 39", "39-CT/TW", "Directive 39", "directive 39-ct/tw"])
def test_the_document_comes_before_the_articles_that_cite_it(seeds_server: str, q: str) -> None:
    found = results(seeds_server, q=q, size=50)["results"]
    assert found[0]["href"] == DIRECTIVE_39
    assert any(r["class"] == VK + "Article" for r in found) or q.lower().startswith("directive")


def test_english_names_are_searched(seeds_server: str) -> None:
    assert hrefs(seeds_server, q="Politburo")[0] == "/doc/org/bo-chinh-tri"
    assert hrefs(seeds_server, q="thanh hoa province")[0] == THANH_HOA


def test_the_words_of_article_bodies_are_searched_and_the_passage_shown(seeds_server: str) -> None:
    found = results(seeds_server, q="dưới sự chủ trì")["results"]  # words of article bodies, in no label
    assert {r["class"] for r in found} == {VK + "Article"}
    article = next(r for r in found if r["href"] == "/doc/article/000_a93f86c15c9b428d")
    assert "dưới sự chủ trì" in article["matched"] and len(article["matched"]) < 300
    assert article["description"] and article["description"] != article["label"]


def test_pages_cut_one_ranking(seeds_server: str) -> None:
    everything = results(seeds_server, q="chinh tri", size=100)
    total = everything["total"]
    assert total == len(everything["results"]) > 10
    pages = [results(seeds_server, q="chinh tri", size=4, page=n) for n in range(1, -(-total // 4) + 1)]
    assert [r["iri"] for p in pages for r in p["results"]] == [r["iri"] for r in everything["results"]]
    assert {p["total"] for p in pages} == {total} and pages[-1]["next"] is None and pages[0]["previous"] is None
    assert get(seeds_server, "/search", q="chinh tri", size=4, page=len(pages) + 1).status_code == 404


def sparql_iris(server: str, query: str) -> set[str]:
    response = get(server, "/sparql", query=query)
    return {row["s"]["value"] for row in response.json()["results"]["bindings"]}


def test_a_class_filter_keeps_only_that_class(seeds_server: str) -> None:
    documents = sparql_iris(seeds_server, f"SELECT ?s WHERE {{ ?s a <{VK}Document> }}")
    everything = {r["iri"] for r in results(seeds_server, q="39", size=100)["results"]}
    only = {r["iri"] for r in results(seeds_server, q="39", size=100, **{"class": "Document"})["results"]}
    assert only == everything & documents and everything - documents  # the filter removed something
    bodies = results(seeds_server, q="thanh hoa", size=100, **{"class": "Organization"})["results"]
    assert bodies and {r["class"] for r in bodies} == {VK + "Organization"}  # Tỉnh ủy, with Thanh Hóa its province


def test_json_and_csv_give_the_same_results(seeds_server: str) -> None:
    data = results(seeds_server, q="bo chinh tri", size=50)
    response = get(seeds_server, "/search", q="bo chinh tri", size=50, format="csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(StringIO(response.text)))
    assert [(r["iri"], r["label"], r["class"]) for r in rows] == [
        (r["iri"], r["label"], r["class"]) for r in data["results"]
    ]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [("application/json", "application/json"), ("text/csv", "text/csv"), ("text/html", "text/html"),
     ("*/*", "text/html")],
)
def test_accept_chooses_the_form(seeds_server: str, accept: str, media_type: str) -> None:
    response = httpx.get(seeds_server + "/search", params={"q": "thanh hoa"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


def test_the_page_shows_results_and_escapes_the_query(seeds_server: str) -> None:
    page = get(seeds_server, "/search", q="chi thi 39").text
    assert f'href="{DIRECTIVE_39}"' in page and 'name="q" value="chi thi 39"' in page
    assert 'href="/search?q=chi+thi+39&amp;format=csv"' in page
    hostile = get(seeds_server, "/search", q="<script>alert(1)</script> thanh").text
    assert "<script>alert" not in hostile and "&lt;script&gt;" in hostile


def test_the_form_without_a_query_is_a_page(seeds_server: str) -> None:
    response = get(seeds_server, "/search")
    assert response.status_code == 200 and 'name="q"' in response.text and "Directive" in response.text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"q": "thanh hoa", "page": "0"}, "page"),
        ({"q": "thanh hoa", "page": "two"}, "page"),
        ({"q": "thanh hoa", "page": "9" * 40}, "page"),
        ({"q": "thanh hoa", "size": "0"}, "size"),
        ({"q": "thanh hoa", "size": "1000"}, "size"),
        ({"q": "thanh hoa", "class": "Nothing"}, "class"),
        ({"q": "thanh hoa", "format": "xls"}, "format"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "-- // --"}, "q"),
        ({"q": "thanh hoa " * 30}, "q"),
        ({}, "q"),  # JSON needs a query; the page shows an empty form instead
    ],
)
def test_bad_parameters_are_refused_by_name(seeds_server: str, params: dict[str, str], parameter: str) -> None:
    response = httpx.get(seeds_server + "/search", params=params, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.text.startswith(parameter) or f"format {params.get('format')!r}" in response.text


@pytest.mark.parametrize(("q", "message"), [("", "q is missing"), ("x" * 201, "q is too long")])
def test_a_bad_query_on_the_page_shows_the_form_again(seeds_server: str, q: str, message: str) -> None:
    response = get(seeds_server, "/search", q=q)
    assert response.status_code == 400 and message in response.text and 'name="q"' in response.text


# --- spreadsheet formula injection, over a hand-made build -----------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/","click") evil', "+1+1 evil", "-1+1 evil", "@SUM(1) evil"]


def write_tiny_build(out: Path, labels: list[str], kind: str = "Official") -> Path:
    """OUT/current -> builds/tiny: a store whose default graph holds one resource of `kind` per label."""
    build = out / "builds" / "tiny"
    build.mkdir(parents=True)
    store = ox.Store(str(build / "store"))
    for number, label in enumerate(labels):
        node = ox.NamedNode(f"{ID}person/evil-{number}")
        store.add(ox.Quad(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(VK + kind)))
        store.add(ox.Quad(node, ox.NamedNode(RDFS_LABEL), ox.Literal(label, language="vi")))
    store.flush()
    del store  # closes it: the server opens it read-only
    manifest = {"build_id": "tiny", "created": "2025-01-01T00:00:00Z", "meta": {}, "dumps": []}
    (build / "manifest.json").write_text(json.dumps(manifest))
    (out / "current").symlink_to(Path("builds") / "tiny")
    return out


@pytest.fixture(scope="module")
def formula_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(write_tiny_build(tmp_path_factory.mktemp("formulas"), FORMULAS)) as url:
        yield url


def test_csv_cells_that_would_run_as_formulas_are_quoted(formula_server: str) -> None:
    rows = list(csv.DictReader(StringIO(get(formula_server, "/search", q="evil", format="csv").text)))
    assert sorted(r["label"] for r in rows) == sorted("'" + label for label in FORMULAS)
    assert sorted(r["label"] for r in results(formula_server, q="evil")["results"]) == sorted(FORMULAS)


# --- a corpus written here: namesakes told apart by their description line ----------------------------

NAMESAKES = {
    "an-thanh-hoa.txt": "date 2024-05-27\ntitle Hội nghị ở Thanh Hóa\n\nSáng 27/5, Tỉnh ủy Thanh Hóa tổ chức hội nghị "
                        "quán triệt Chỉ thị số 39-CT/TW. Đồng chí Lò Văn Xuyên, Bí thư Tỉnh ủy Thanh Hóa chủ trì hội nghị. "
                        "Các đại biểu bàn về chăn nuôi bò sữa ở vùng cao.\n",
    "an-nghe-an.txt": "date 2024-06-03\ntitle Hội nghị ở Nghệ An\n\nSáng 3/6, Tỉnh ủy Nghệ An tổ chức hội nghị "
                      "quán triệt Chỉ thị số 39-CT/TW. Đồng chí Lò Văn Xuyên, Chủ tịch UBND tỉnh Nghệ An chủ trì hội nghị.\n",
}


@pytest.fixture(scope="module")
def namesakes_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from mappings.build.pipeline import build

    folder = tmp_path_factory.mktemp("namesakes")
    for name, text in NAMESAKES.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = folder / "out"
    assert build(folder, out, base=BASE_URI, jobs=1).ok
    assert (out / "current" / "search.sqlite").is_file()
    with running_server(out) as url:
        yield url


def test_namesakes_are_told_apart_by_their_posts_and_province(namesakes_server: str) -> None:
    found = results(namesakes_server, q="lo van xuyen", **{"class": "Official"})["results"]
    assert len(found) == 2 and {r["label"] for r in found} == {"Lò Văn Xuyên"}
    lines = sorted(r["description"] for r in found)
    assert "Bí thư Tỉnh ủy" in lines[0] and "Thanh Hóa" in lines[0] and "Nghệ An" not in lines[0]
    assert "Chủ tịch UBND tỉnh" in lines[1] and "Nghệ An" in lines[1] and "Thanh Hóa" not in lines[1]


def test_a_word_of_one_body_finds_its_article_only(namesakes_server: str) -> None:
    found = results(namesakes_server, q="bo sua")["results"]  # "bò sữa", without marks
    assert [r["href"] for r in found] == ["/doc/article/an-thanh-hoa"]
    assert "bò sữa" in found[0]["matched"]
    assert results(namesakes_server, q="chi thi so 39")["results"][0]["class"] == VK + "Directive"

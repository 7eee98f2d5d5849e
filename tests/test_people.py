"""Who is who (issue 14): one IRI per real person, from the name and what the articles say of them. Articles
written for the purpose, built by the real CLI; the people are read back from the published union."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, Store

from mappings.linking.people import Sighting, identities
from tests.serving import running_server
from tests.test_build import build, current

ARTICLES = {
    # namesakes: one name, titles in two provinces, no central title in common → two people
    "kontum": """date 2024-03-05

Kon Tum quán triệt nghị quyết

Sáng 5/3, Tỉnh ủy Kon Tum tổ chức hội nghị quán triệt Nghị quyết số 05-NQ/TU. Đồng chí Nguyễn Văn Hùng, Phó Bí thư Tỉnh ủy Kon Tum chủ trì hội nghị.
""",
    "bentre": """date 2024-04-02

Bến Tre học tập chuyên đề

Sáng 2/4, Ban Tuyên giáo Tỉnh ủy Bến Tre tổ chức hội nghị học tập chuyên đề năm 2024. Đồng chí Nguyễn Văn Hùng, Trưởng Ban Tuyên giáo Tỉnh ủy Bến Tre phát biểu khai mạc.
""",
    # a central official seen in three provinces → one person
    "camau": """date 2024-05-10

Cà Mau triển khai chỉ thị

Sáng 10/5, Tỉnh ủy Cà Mau tổ chức hội nghị triển khai Chỉ thị số 35-CT/TW. Đồng chí Lê Minh Khang, Ủy viên Bộ Chính trị, Trưởng Ban Tổ chức Trung ương dự và phát biểu chỉ đạo tại tỉnh Cà Mau.
""",
    "laocai": """date 2024-06-11

Lào Cai làm việc với đoàn công tác Trung ương

Sáng 11/6, Tỉnh ủy Lào Cai tổ chức hội nghị làm việc với đoàn công tác của Bộ Chính trị. Đồng chí Lê Minh Khang, Ủy viên Bộ Chính trị, Trưởng Ban Tổ chức Trung ương chủ trì hội nghị.
""",
    "quangtri": """date 2024-07-15

Quảng Trị sơ kết công tác tổ chức

Sáng 15/7, Tỉnh ủy Quảng Trị tổ chức hội nghị sơ kết công tác tổ chức xây dựng Đảng. Đồng chí Lê Minh Khang, Trưởng Ban Tổ chức Trung ương dự hội nghị.
""",
    # a change of title in one province → one person
    "nghean2022": """date 2022-09-20

Nghệ An giao ban khối nội chính

Sáng 20/9, Tỉnh ủy Nghệ An tổ chức hội nghị giao ban khối nội chính. Đồng chí Trần Thị Mai Hoa, Phó Chủ tịch UBND tỉnh Nghệ An dự hội nghị.
""",
    "nghean2024": """date 2024-09-18

Nghệ An giao ban khối nội chính năm 2024

Sáng 18/9, Tỉnh ủy Nghệ An tổ chức hội nghị giao ban khối nội chính. Đồng chí Trần Thị Mai Hoa, Chủ tịch UBND tỉnh Nghệ An chủ trì hội nghị.
""",
}

PEOPLE = """
PREFIX vk: <https://w3id.org/vankien/ontology#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT DISTINCT ?person WHERE { ?person a vk:Official ; foaf:name ?name . FILTER(STR(?name) = "%s") }
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("people")
    articles = folder / "articles"
    articles.mkdir()
    for stem, text in ARTICLES.items():
        (articles / f"{stem}.txt").write_text(text, encoding="utf-8")
    done = build(articles, folder / "out")
    assert done.returncode == 0, done.stderr
    return folder / "out"


@pytest.fixture(scope="module")
def union(built: Path) -> Store:
    return Store.read_only(str(current(built) / "store"))


def people_named(store: Store, name: str) -> set[str]:
    return {row["person"].value for row in store.query(PEOPLE % name)}


def test_namesakes_in_two_provinces_are_two_people(union: Store) -> None:
    assert len(people_named(union, "Nguyễn Văn Hùng")) == 2


def test_a_central_official_seen_in_three_provinces_is_one_person(union: Store) -> None:
    assert len(people_named(union, "Lê Minh Khang")) == 1


def test_a_change_of_title_in_one_province_is_one_person_with_both_posts(union: Store) -> None:
    (person,) = people_named(union, "Trần Thị Mai Hoa")
    posts = union.query(f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX vk: <https://w3id.org/vankien/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label ?role ?org ?day WHERE {{ <{person}> org:hasMembership ?m . ?m rdfs:label ?label ;
            org:role ?role ; org:organization ?org ; vk:attestedOn ?day }} ORDER BY ?day""")
    rows = [(r["label"].value, r["role"].value.rsplit("/", 1)[1], r["org"].value, r["day"].value) for r in posts]
    assert rows == [("Phó Chủ tịch UBND tỉnh Nghệ An", "pho-chu-tich", "http://localhost:8000/id/org/uy-ban-nhan-dan-tinh/nghe-an", "2022-09-20"),
                    ("Chủ tịch UBND tỉnh Nghệ An", "chu-tich", "http://localhost:8000/id/org/uy-ban-nhan-dan-tinh/nghe-an", "2024-09-18")]


def test_every_post_of_a_central_official_names_its_organisation_and_role(union: Store) -> None:
    (person,) = people_named(union, "Lê Minh Khang")
    rows = union.query(f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?orglabel ?rolelabel WHERE {{ <{person}> org:hasMembership ?m . ?m org:organization ?o ;
            org:role ?r . ?o rdfs:label ?orglabel . ?r rdfs:label ?rolelabel .
            FILTER(LANG(?orglabel) = "en" && LANG(?rolelabel) = "en") }}""")
    assert {(r["orglabel"].value, r["rolelabel"].value) for r in rows} == {
        ("Politburo", "Member"), ("Central Organization Commission", "Head")}


def test_an_official_page_lists_the_namesakes_with_their_posts(built: Path, union: Store) -> None:
    bentre_org = "http://localhost:8000/id/org/ban-tuyen-giao-tinh-uy/ben-tre"
    holds = {iri: bool(union.query(f"ASK {{ <{iri}> <http://www.w3.org/ns/org#hasMembership> ?p . "
                                   f"?p <http://www.w3.org/ns/org#organization> <{bentre_org}> }}"))
             for iri in people_named(union, "Nguyễn Văn Hùng")}
    kontum = next(iri for iri, in_bentre in holds.items() if not in_bentre)
    bentre = next(iri for iri, in_bentre in holds.items() if in_bentre)
    with running_server(built) as url:
        page = httpx.get(f"{url}/doc/{kontum.removeprefix('http://localhost:8000/id/')}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Người khác cùng tên" in page.text and "Trưởng Ban Tuyên giáo Tỉnh ủy Bến Tre" in page.text
    assert bentre.removeprefix("http://localhost:8000/id/") in page.text


def test_a_person_placed_nowhere_joins_the_one_person_of_that_name_or_stays_apart() -> None:
    placed = Sighting("le van an", central=False, provinces=frozenset({"nghe-an"}))
    nowhere = Sighting("le van an", central=False, provinces=frozenset())
    assert identities({"a": [placed], "b": [nowhere]})["b", "le van an"] == "nghe-an"
    namesake = Sighting("le van an", central=False, provinces=frozenset({"ha-tinh"}))
    assert identities({"a": [placed], "b": [nowhere], "c": [namesake]})["b", "le van an"] == "article:b"


def test_a_central_official_with_a_post_in_a_province_is_the_person_of_that_name_there() -> None:
    central = Sighting("do van binh", central=True, provinces=frozenset({"thanh-hoa"}))
    local = Sighting("do van binh", central=False, provinces=frozenset({"thanh-hoa"}))
    elsewhere = Sighting("do van binh", central=False, provinces=frozenset({"nam-dinh"}))
    found = identities({"a": [central], "b": [local], "c": [elsewhere]})
    assert (found["a", "do van binh"], found["b", "do van binh"], found["c", "do van binh"]) == ("tw", "tw", "nam-dinh")


CENTRAL_HUNG = """date 2024-08-01

Kon Tum đón đoàn công tác

Sáng 1/8, Tỉnh ủy Kon Tum tổ chức hội nghị tổng kết công tác năm. Đồng chí Nguyễn Văn Hùng, Ủy viên Trung ương Đảng, Phó Bí thư Tỉnh ủy Kon Tum chủ trì hội nghị.
"""


def test_an_iri_a_later_build_replaces_is_published_as_replaced(tmp_path: Path) -> None:
    """First only Kon Tum's Nguyễn Văn Hùng, a provincial official; then an article makes him a central one:
    his IRI changes, and the old one is published as replaced by the new."""
    articles, out = tmp_path / "articles", tmp_path / "out"
    articles.mkdir()
    (articles / "kontum.txt").write_text(ARTICLES["kontum"], encoding="utf-8")
    assert build(articles, out).returncode == 0
    (before,) = people_named(Store.read_only(str(current(out) / "store")), "Nguyễn Văn Hùng")
    (articles / "central.txt").write_text(CENTRAL_HUNG, encoding="utf-8")
    assert build(articles, out).returncode == 0
    store = Store.read_only(str(current(out) / "store"))
    (after,) = people_named(store, "Nguyễn Văn Hùng")
    assert after != before
    replaced = {(r["old"].value, r["new"].value) for r in store.query(
        "SELECT ?old ?new WHERE { ?old <http://purl.org/dc/terms/isReplacedBy> ?new }")}
    assert (before, after) in replaced
    assert all(old.startswith("http://localhost:8000/id/p") for old, _ in replaced)   # people and their posts
    # a third build with nothing new keeps the replacement published
    assert build(articles, out).returncode == 0
    store = Store.read_only(str(current(out) / "store"))
    assert (NamedNode(before), NamedNode("http://purl.org/dc/terms/isReplacedBy"), NamedNode(after)) in {
        (q.subject, q.predicate, q.object) for q in store.quads_for_pattern(NamedNode(before), None, None)}


UNDATED = """{head}
Hội nghị quán triệt

Sáng 27/5, Tỉnh ủy Nam Định tổ chức hội nghị quán triệt Chỉ thị số 45-CT/TW của Ban Bí thư. {tail}
"""


def test_an_undated_meeting_reported_twice_is_one_meeting(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "first.txt").write_text(UNDATED.format(head="", tail="Đại biểu thảo luận sôi nổi."), encoding="utf-8")
    (articles / "second.txt").write_text(UNDATED.format(head="", tail="Nhiều ý kiến được nêu ra."), encoding="utf-8")
    (articles / "other.txt").write_text(UNDATED.format(head="", tail="").replace("45-CT/TW", "46-CT/TW"), encoding="utf-8")
    assert build(articles, tmp_path / "out").returncode == 0
    store = Store.read_only(str(current(tmp_path / "out") / "store"))
    reported = {(r["article"].value.rsplit("/", 1)[1], r["meeting"].value) for r in store.query(
        "SELECT ?article ?meeting WHERE { ?article <https://w3id.org/vankien/ontology#reports> ?meeting }")}
    meetings = dict(reported)
    assert meetings["first"] == meetings["second"] != meetings["other"]


STORY = """date {date}

Thái Bình tổng kết 10 năm thực hiện Chỉ thị về công tác dân vận

Sáng 14/3, Tỉnh ủy Thái Bình tổ chức hội nghị tổng kết 10 năm thực hiện Chỉ thị số 49-CT/TW của Ban Bí thư về tăng cường công tác dân vận. Đồng chí Ngô Đông Hải, Bí thư Tỉnh ủy Thái Bình chủ trì hội nghị.

Báo cáo tại hội nghị cho biết, sau 10 năm triển khai, các cấp ủy đảng trong tỉnh đã quán triệt sâu rộng nội dung Chỉ thị, ban hành nhiều chương trình, kế hoạch cụ thể để thực hiện. Công tác dân vận của hệ thống chính trị có nhiều chuyển biến, mối quan hệ mật thiết giữa Đảng với Nhân dân được củng cố. Nhiều mô hình dân vận khéo được nhân rộng ở các xã, phường, thị trấn.

Phát biểu kết luận, đồng chí Bí thư Tỉnh ủy đề nghị các cấp ủy tiếp tục đổi mới nội dung, phương thức công tác dân vận, phát huy vai trò của Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội trong thời gian tới.
{byline}
"""


def test_copies_of_one_story_are_linked_and_report_one_meeting(tmp_path: Path) -> None:
    """The same story on two sites a year apart (a byline apart): their meetings, whose year each takes from its
    own publication date, are one; a third article is another story."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "site_a.txt").write_text(STORY.format(date="2024-03-14", byline="Minh Anh"), encoding="utf-8")
    (articles / "site_b.txt").write_text(STORY.format(date="2025-03-20", byline="Theo báo Thái Bình"), encoding="utf-8")
    (articles / "other.txt").write_text(ARTICLES["kontum"], encoding="utf-8")
    assert build(articles, tmp_path / "out").returncode == 0
    store = Store.read_only(str(current(tmp_path / "out") / "store"))
    same = {(r["a"].value.rsplit("/", 1)[1], r["b"].value.rsplit("/", 1)[1]) for r in store.query(
        "SELECT ?a ?b WHERE { ?a <https://w3id.org/vankien/ontology#sameStoryAs> ?b }")}
    assert same == {("site_a", "site_b"), ("site_b", "site_a")}
    reported = {r["article"].value.rsplit("/", 1)[1]: r["meeting"].value for r in store.query(
        "SELECT ?article ?meeting WHERE { ?article <https://w3id.org/vankien/ontology#reports> ?meeting }")}
    assert reported["site_a"] == reported["site_b"] != reported["other"]

"""One IRI per real entity across the corpus (DESIGN.md "Identifiers"): the traps."""
from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef

from mappings.emission.to_rdf import to_graph
from mappings.emission.vocab import VK
from mappings.extraction.mentions import extract
from mappings.linking.iris import Minter, known_years
from mappings.linking.resolve import resolve
from mappings.reading.article import parse_article

BASE = "http://localhost:8000/"


def corpus(*texts: str) -> list:
    """Map each text as an article of one corpus; return the article graphs."""
    records = []
    for number, text in enumerate(texts):
        article = parse_article(text.encode(), Path(f"a{number}.txt"))
        records.append((article, resolve(article, extract(article))))
    minter = Minter(BASE, known_years(r for _, r in records))
    return [to_graph(record, article.text, minter) for article, record in records]


def documents(graph) -> dict[str, set[URIRef]]:
    found: dict[str, set[URIRef]] = {}
    for doc, symbol in graph.subject_objects(VK.symbol):
        found.setdefault(str(symbol), set()).add(doc)
    return found


FILLER = " Các cấp ủy, tổ chức đảng trong tỉnh tiếp tục quán triệt và thực hiện nghiêm túc."


def test_a_central_number_of_two_terms_is_two_documents():
    old, new = corpus("Tỉnh ủy quán triệt Chỉ thị số 39-CT/TW ngày 18/8/2014 của Bộ Chính trị." + FILLER,
                      "Tỉnh ủy quán triệt Chỉ thị số 39-CT/TW ngày 2/5/2024 của Ban Bí thư." + FILLER)
    assert documents(old)["39-CT/TW"] != documents(new)["39-CT/TW"]


def test_an_undated_citation_takes_the_single_year_the_corpus_knows():
    dated, undated = corpus("Tỉnh ủy quán triệt Chỉ thị số 39-CT/TW ngày 18/8/2014 của Bộ Chính trị." + FILLER,
                            "Sau 10 năm thực hiện Chỉ thị số 39-CT/TW, công tác bảo vệ chính trị nội bộ có chuyển biến." + FILLER)
    assert documents(dated)["39-CT/TW"] == documents(undated)["39-CT/TW"]
    assert (next(iter(documents(undated)["39-CT/TW"])), VK.unresolved, Literal(True)) not in undated


def test_an_undated_citation_stays_apart_when_the_year_is_ambiguous():
    first, second, undated = corpus(
        "Tỉnh ủy quán triệt Chỉ thị số 39-CT/TW ngày 18/8/2014 của Bộ Chính trị." + FILLER,
        "Tỉnh ủy quán triệt Chỉ thị số 39-CT/TW ngày 2/5/2024 của Ban Bí thư." + FILLER,
        "Sau một thời gian thực hiện Chỉ thị số 39-CT/TW, công tác này có chuyển biến rõ nét." + FILLER)
    [node] = documents(undated)["39-CT/TW"]
    assert node not in documents(first)["39-CT/TW"] | documents(second)["39-CT/TW"]
    assert (node, VK.unresolved, Literal(True)) in undated


def test_a_provincial_number_is_one_document_per_province():
    bac_giang, nghe_an = corpus(
        "Ban Thường vụ Tỉnh ủy Bắc Giang ban hành Kế hoạch số 76-KH/TU ngày 11/11/2014 để triển khai." + FILLER,
        "Ban Thường vụ Tỉnh ủy Nghệ An ban hành Kế hoạch số 76-KH/TU ngày 11/11/2014 để triển khai." + FILLER)
    assert documents(bac_giang)["76-KH/TU"] != documents(nghe_an)["76-KH/TU"]


def test_regulation_and_decision_sharing_a_symbol_are_two_documents():
    [graph] = corpus("Đại biểu quán triệt Quyết định số 99-QĐ/TW ngày 3/10/2017 của Ban Bí thư và Quy định số "
                     "99-QĐ/TW ngày 27/2/2017 của Ban Bí thư." + FILLER)
    assert len(documents(graph)["99-QĐ/TW"]) == 2


def test_old_and_new_tone_marks_name_one_province():
    old, new = corpus("Đoàn công tác làm việc với Tỉnh ủy Thanh Hoá về công tác cán bộ." + FILLER,
                      "Đoàn công tác làm việc với Tỉnh ủy Thanh Hóa về công tác cán bộ." + FILLER)
    assert (None, VK.mentions, URIRef(BASE + "id/province/thanh-hoa")) in old
    assert (None, VK.mentions, URIRef(BASE + "id/province/thanh-hoa")) in new


def test_the_same_document_in_two_articles_is_one_resource():
    one, two = corpus("Ban Tổ chức Trung ương ban hành Hướng dẫn số 01-HD/BTCTW ngày 5/8/2022." + FILLER,
                      "Các cấp ủy thực hiện Hướng dẫn số 01-HD/BTCTW ngày 5-8-2022 của Ban Tổ chức Trung ương." + FILLER)
    assert documents(one)["01-HD/BTCTW"] == documents(two)["01-HD/BTCTW"]


# --- values the shapes would reject are never made: the article keeps all its facts -------------------------

def article_record(text: str, published: str):
    article = parse_article(f"date {published}\n\n{text}".encode(), Path("bai.txt"))
    return article, resolve(article, extract(article))


def test_a_meeting_on_a_day_the_year_lacks_has_no_date():
    """'Sáng 29/2' in an article of 2023 would be 2023-02-29: no such day, so no date (the meeting stays)."""
    text = ("Sáng 29/2, Ban Thường vụ Tỉnh ủy Hải Dương tổ chức hội nghị sơ kết việc thực hiện Chỉ thị số "
            "05-CT/TW ngày 15/5/2016 của Bộ Chính trị. Đồng chí Trần Đức Thắng, Bí thư Tỉnh ủy, chủ trì hội nghị.")
    _, record = article_record(text, "2023-03-02")
    (meeting,) = record.meetings
    assert meeting.date is None and meeting.chairs == ("Trần Đức Thắng",)
    _, leap = article_record(text, "2024-03-02")
    assert leap.meetings[0].date == "2024-02-29"


def test_a_title_written_two_ways_is_one_position_with_one_label():
    """'HĐND - UBND' and 'HĐND-UBND' make one position IRI: one position, as first written."""
    text = ("Sáng 9/4, Tỉnh ủy Bắc Ninh tổ chức hội nghị triển khai Kết luận số 14-KL/TW ngày 22/9/2021 của Bộ "
            "Chính trị. Đồng chí Nguyễn Anh Tuấn, Phó Bí thư Tỉnh ủy, Chủ tịch HĐND - UBND tỉnh, chủ trì hội nghị. "
            "Phát biểu kết luận, đồng chí Nguyễn Anh Tuấn, Chủ tịch HĐND-UBND tỉnh, đề nghị các cấp ủy quán triệt "
            "Kết luận.")
    article, record = article_record(text, "2024-04-10")
    (official,) = record.officials
    assert [p.label for p in official.positions] == ["Phó Bí thư Tỉnh ủy", "Chủ tịch HĐND - UBND tỉnh"]
    graph = to_graph(record, article.text, Minter(BASE, {}))
    for position in graph.objects(predicate=URIRef("http://www.w3.org/ns/org#hasMembership")):
        assert len(list(graph.objects(position, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))) == 1

"""Extraction cases in our own words: one table per kind of mention (eyecite test tables style)."""
from __future__ import annotations

from pathlib import Path

import pytest

from mappings.extraction.mentions import extract
from mappings.extraction.rules import document_types
from mappings.linking.resolve import resolve
from mappings.reading.article import parse_article


def record(text: str, published: str | None = None):
    header = f"date {published}\n\n" if published else ""
    article = parse_article((header + text).encode(), Path("case.txt"))
    return resolve(article, extract(article)).to_dict()


def doc(type_, symbol, date=None, issuer=None, title=None):
    return {"type": type_, "symbol": symbol, "date": date, "issuer": issuer, "title": title}


DOCUMENTS = [
    ("Thực hiện Kết luận số 14-KL/TW ngày 22-9-2021 của Bộ Chính trị, các cấp ủy đã vào cuộc quyết liệt.",
     [doc("Conclusion", "14-KL/TW", "2021-09-22", "Bộ Chính trị")]),
    ("Năm 2024, Ban Bí thư ban hành Chỉ thị số 31-CT/TW về tăng cường công tác dân vận của Đảng trong tình hình mới.",
     [doc("Directive", "31-CT/TW", None, "Ban Bí thư", "về tăng cường công tác dân vận của Đảng trong tình hình mới")]),
    ("Theo Quyết định số 1234/QĐ-TTg ngày 10 tháng 11 năm 2022 của Thủ tướng Chính phủ, dự án được phê duyệt.",
     [doc("Decision", "1234/QĐ-TTg", "2022-11-10", "Thủ tướng Chính phủ")]),
    ("Nghị định số 152/2025/NĐ-CP quy định chi tiết một số điều của luật được áp dụng từ tháng 7.",
     [doc("Decree", "152/2025/NĐ-CP")]),
    ("Các đơn vị báo cáo kết quả thực hiện Kết luận số 21-KL-TW và Quy định số 126- QĐ/TW trong quý trước.",
     [doc("Conclusion", "21-KL/TW"), doc("Regulation", "126-QĐ/TW")]),
    ("Hội nghị quán triệt Chỉ thị số 05-CT/TW ngày 15.5.2016 của Bộ Chính trị tới toàn thể đảng viên trong huyện.",
     [doc("Directive", "05-CT/TW", "2016-05-15", "Bộ Chính trị")]),
    ("Cán bộ được phổ biến Quy định số 08 của Ban Tổ chức Trung ương về công tác cán bộ ở cơ sở trong năm nay.",
     [doc("Regulation", "08-QĐ/BTCTW", None, "Ban Tổ chức Trung ương", "về công tác cán bộ ở cơ sở trong năm nay")]),
    ("Luật số 12/2023/QH15 đã được Quốc hội thông qua tại kỳ họp thứ năm của khóa này.", [doc("Law", "12/2023/QH15")]),
    ("Học tập Nghị quyết số 52-NQ/TW của Bộ Chính trị “Về một số chủ trương tham gia cuộc “Cách mạng công nghiệp lần thứ tư””.",
     [doc("Resolution", "52-NQ/TW", None, "Bộ Chính trị",
          "Về một số chủ trương tham gia cuộc “Cách mạng công nghiệp lần thứ tư”")]),
    # counts, plans for a number of years and plenums are not citations
    ("Từ năm 2020, Đảng bộ đã ban hành 03 Nghị quyết, 12 Kế hoạch và 5 Chỉ thị để lãnh đạo thực hiện nhiệm vụ.", []),
    ("Tỉnh xây dựng Kế hoạch 5 năm phát triển kinh tế và triển khai Nghị quyết Trung ương 4 khóa XII trong toàn Đảng bộ.", []),
]


@pytest.mark.parametrize("text, expected", DOCUMENTS)
def test_documents(text, expected):
    assert [{k: d[k] for k in ("type", "symbol", "date", "issuer", "title")} for d in record(text)["documents"]] == expected


def test_short_citation_is_the_full_symbol_cited_in_the_same_article():
    found = record("Tỉnh ủy quán triệt Chỉ thị số 12-CT/TW ngày 3/1/2022 của Ban Bí thư. "
                   "Sau một năm thực hiện Chỉ thị 12, các cấp ủy đã có nhiều chuyển biến rõ nét trong công tác này.")
    assert [d["symbol"] for d in found["documents"]] == ["12-CT/TW"]


def test_same_symbol_of_a_regulation_and_a_decision_are_two_documents():
    found = record("Đại biểu nghiên cứu Quyết định số 99-QĐ/TW ngày 3/10/2017 của Ban Bí thư và "
                   "Quy định số 99-QĐ/TW ngày 27/2/2023 của Ban Bí thư về cờ Đảng trong các cơ quan của tỉnh.")
    assert sorted((d["type"], d["date"]) for d in found["documents"]) == [("Decision", "2017-10-03"), ("Regulation", "2023-02-27")]


def test_provincial_document_belongs_to_the_province_of_its_issuer():
    found = record("Ban Thường vụ Tỉnh ủy Quảng Ngãi ban hành Kế hoạch số 45-KH/TU ngày 2/6/2022 để cụ thể hóa nhiệm vụ.")
    assert found["documents"][0]["province"] == "Quảng Ngãi"
    assert found["documents"][0]["issuer"] == "Ban Thường vụ Tỉnh ủy"


LINKS = [
    ("Ban Thường vụ Tỉnh ủy ban hành Kế hoạch số 45-KH/TU ngày 2/6/2022 thực hiện Kết luận số 21-KL/TW của Ban Chấp hành Trung ương.",
     [("45-KH/TU", "implements", "21-KL/TW")]),
    ("Ban Bí thư ban hành Quy định số 80-QĐ/TW thay thế Quy định số 105-QĐ/TW về phân cấp quản lý cán bộ.",
     [("80-QĐ/TW", "replaces", "105-QĐ/TW")]),
    ("Căn cứ Quy định số 22-QĐ/TW và Hướng dẫn số 02-HD/TW, Ủy ban Kiểm tra Tỉnh ủy đã ban hành Kế hoạch số 10-KH/UBKTTU.",
     [("10-KH/UBKTTU", "based_on", "22-QĐ/TW"), ("10-KH/UBKTTU", "based_on", "02-HD/TW")]),
    ("Về công tác kiểm tra, đầu tiên là Quy định số 30-QĐ/TW, tiếp theo là Quy định số 86-QĐ/TW và nay là Quy định số 22-QĐ/TW.",
     [("86-QĐ/TW", "replaces", "30-QĐ/TW"), ("22-QĐ/TW", "replaces", "86-QĐ/TW")]),
    ("Kết luận số 14-KL/TW ngày 22/9/2021 của Bộ Chính trị được quán triệt cùng Chỉ thị số 05-CT/TW tới cán bộ chủ chốt.", []),
    # a quoted title ends at its closing quote: what follows it still belongs to the citation's tail
    (("Quy định số 77-QĐ/TW ngày 5/6/2023 của Ban Bí thư “Về công tác thi đua trong cơ quan đảng” thay thế "
      "Quy định số 14-QĐ/TW ngày 1/2/2019 của Ban Bí thư."),
     [("77-QĐ/TW", "replaces", "14-QĐ/TW")]),
    ("Chỉ thị số 11-CT/TW của Bộ Chính trị \"về công tác dân vận ở vùng cao\", được thay thế bằng Chỉ thị số 45-CT/TW.",
     [("45-CT/TW", "replaces", "11-CT/TW")]),
    (("Tỉnh ủy ban hành Kế hoạch số 31-KH/TU thực hiện Chỉ thị số 08-CT/TW “về xây dựng tổ chức cơ sở đảng” "
      "và Chỉ thị số 19-CT/TW của Ban Bí thư."),
     [("31-KH/TU", "implements", "08-CT/TW"), ("31-KH/TU", "implements", "19-CT/TW")]),
    (("Trước đây là Quy định số 30-QĐ/TW “Về thi hành Điều lệ”, tiếp theo là Quy định số 86-QĐ/TW “Về kiểm tra” "
      "và nay là Quy định số 22-QĐ/TW."),
     [("86-QĐ/TW", "replaces", "30-QĐ/TW"), ("22-QĐ/TW", "replaces", "86-QĐ/TW")]),
]


@pytest.mark.parametrize("text, expected", LINKS)
def test_links(text, expected):
    found = record(text)["document_links"]
    assert sorted((l["from"], l["relation"], l["to"]) for l in found) == sorted(expected)


PROVINCES = [
    ("Đoàn công tác của Trung ương làm việc với Ban Thường vụ Tỉnh ủy Quảng Ngãi về công tác cán bộ.", ["Quảng Ngãi"]),
    ("Báo cáo của đồng chí Nguyễn Thị Hà Giang, Phó Chủ tịch Ủy ban Mặt trận được đánh giá cao tại phiên họp.", []),
    ("Cán bộ, đảng viên học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh trong công việc hằng ngày.", []),
    ("Đoàn đại biểu TP. Hồ Chí Minh và tỉnh Thanh Hoá trao đổi kinh nghiệm với huyện Thiệu Hóa về chuyển đổi số.",
     ["Hồ Chí Minh", "Thanh Hóa"]),
]


@pytest.mark.parametrize("text, expected", PROVINCES)
def test_provinces(text, expected):
    assert record(text)["provinces"] == expected


def test_former_province_after_the_2025_merger():
    text = "Tỉnh Tây Ninh mới được hình thành từ hai tỉnh Tây Ninh (cũ) và Long An (cũ), đi vào hoạt động từ tháng 7."
    article = parse_article(f"date 2025-09-01\n\n{text}".encode(), Path("case.txt"))
    keys = [p.key for p in resolve(article, extract(article)).provinces]
    assert "tay-ninh-2025" in keys and "long-an" in keys and "tay-ninh" in keys


OFFICIALS = [
    ("Phát biểu tại hội nghị, đồng chí Lê Quang Tùng, Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch HĐND tỉnh nhấn mạnh vai trò của cơ sở.",
     [("Lê Quang Tùng", ["Phó Bí thư Thường trực Tỉnh ủy", "Chủ tịch HĐND tỉnh"])]),
    ("Bí thư Huyện ủy Nga Sơn Mai Xuân Bình phát biểu tham luận tại hội nghị của tỉnh về xây dựng nông thôn mới.",
     [("Mai Xuân Bình", ["Bí thư Huyện ủy Nga Sơn"])]),
    ("Tham dự có ông Trần Văn Nam - Giám đốc Sở Nội vụ và đại diện các ban, ngành của tỉnh trong buổi làm việc.",
     [("Trần Văn Nam", ["Giám đốc Sở Nội vụ"])]),
    ("Toàn cảnh hội nghị tổng kết công tác năm của Đảng bộ tỉnh.\nẢnh: Nguyễn Văn An", []),
    ("Các chi bộ tổ chức học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh theo chuyên đề hằng năm.", []),
]


@pytest.mark.parametrize("text, expected", OFFICIALS)
def test_officials(text, expected):
    assert [(o["name"], o["positions"]) for o in record(text)["officials"]] == expected


def test_meeting_with_chair_date_and_documents():
    found = record("Sáng 14/3, Tỉnh ủy Phú Yên tổ chức hội nghị quán triệt Nghị quyết số 57-NQ/TW của Bộ Chính trị. "
                   "Đồng chí Phạm Đại Dương, Bí thư Tỉnh ủy chủ trì hội nghị. Đồng chí Cao Thị Hòa An, Phó Bí thư "
                   "Tỉnh ủy, phát biểu tại hội nghị.", published="2024-03")
    [meeting] = found["meetings"]
    assert meeting["date"] == "2024-03-14"
    assert meeting["province"] == "Phú Yên"
    assert meeting["chairs"] == ["Phạm Đại Dương"]
    assert meeting["participants"] == ["Cao Thị Hòa An"]
    assert meeting["documents"] == ["57-NQ/TW"]


def test_future_tasks_are_not_what_the_meeting_was_about():
    found = record("Chiều 2/8, Thành ủy Cần Thơ tổ chức hội nghị sơ kết công tác 6 tháng đầu năm. Đồng chí Đỗ Thanh Bình, "
                   "Bí thư Thành ủy chủ trì hội nghị. Bí thư Thành ủy Đỗ Thanh Bình nhấn mạnh: các cấp ủy cần quán triệt "
                   "Chỉ thị số 35-CT/TW của Bộ Chính trị.", published="2024-08")
    assert found["meetings"][0]["documents"] == []
    assert [d["symbol"] for d in found["documents"]] == ["35-CT/TW"]


def test_an_article_without_an_event_reports_no_meeting():
    assert record("Ban Thường vụ Tỉnh ủy Bình Định đã ban hành Kế hoạch số 12-KH/TU để triển khai thực hiện.")["meetings"] == []


@pytest.mark.parametrize("doc_type, example", [(t.id, e) for t in document_types() for e in t.examples])
def test_every_rule_example_is_read_as_its_type(doc_type, example):
    found = record(f"Các cơ quan, đơn vị trong tỉnh nghiên cứu, quán triệt {example} trong thời gian tới.")["documents"]
    assert [d["type"] for d in found] == [doc_type], found

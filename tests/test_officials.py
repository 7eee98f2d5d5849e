"""Officials and their positions, one case per kind of language, in our own words (tests/test_extract.py style)."""
from __future__ import annotations

from pathlib import Path

import pytest

from mappings.extraction.mentions import extract
from mappings.linking.resolve import resolve
from mappings.reading.article import parse_article


def record(text: str, published: str | None = None):
    header = f"date {published}\n\n" if published else ""
    article = parse_article((header + text).encode(), Path("case.txt"))
    return resolve(article, extract(article)).to_dict()


def officials(text: str) -> list[tuple[str, list[str]]]:
    return [(o["name"], o["positions"]) for o in record(text)["officials"]]


CASES = {
    # a military rank is no position, and a title never runs on into the next person's rank and name
    "rank": ("Thượng tướng Hoàng Văn Lâm, Thứ trưởng Bộ Quốc phòng, Trung tướng Đặng Quốc Bảo, Chính ủy Quân khu 5 "
             "và Đại tá Lương Minh Hải dự buổi lễ.",
             [("Hoàng Văn Lâm", ["Thứ trưởng Bộ Quốc phòng"]), ("Đặng Quốc Bảo", ["Chính ủy Quân khu 5"]),
              ("Lương Minh Hải", [])]),
    "rank after a title": ("Phát biểu tại buổi làm việc, Giám đốc Công an tỉnh Thiếu tướng Vũ Hồng Quang nêu rõ nhiệm vụ.",
                           [("Vũ Hồng Quang", ["Giám đốc Công an tỉnh"])]),
    # "và" and a dash inside an organisation's name, a dash joining two titles, "TP." inside a title: one position
    "organisation with và": ("Bà Đinh Thị Lan, Thứ trưởng Bộ Tài nguyên và Môi trường, Phó Trưởng ban Tuyên giáo và "
                             "Dân vận Tỉnh ủy và ông Hà Văn Sơn, Chủ tịch UBND TP. Vinh đã dự hội nghị.",
                             [("Đinh Thị Lan", ["Thứ trưởng Bộ Tài nguyên và Môi trường",
                                                "Phó Trưởng ban Tuyên giáo và Dân vận Tỉnh ủy"]),
                              ("Hà Văn Sơn", ["Chủ tịch UBND TP. Vinh"])]),
    "organisation with a dash": ("Giám đốc Sở Lao động - Thương binh và Xã hội Lò Văn Tiến cùng ông Vi Văn Hòa, "
                                 "Phó Chủ tịch - Tổng Thư ký Hội Nông dân tỉnh đã trao quà cho các hộ nghèo.",
                                 [("Lò Văn Tiến", ["Giám đốc Sở Lao động - Thương binh và Xã hội"]),
                                  ("Vi Văn Hòa", ["Phó Chủ tịch - Tổng Thư ký Hội Nông dân tỉnh"])]),
    # a title ends where a date, a ground or another verb of the clause begins
    "title then a date": ("Ông Mai Quốc Bảo, Phó Giám đốc Sở Xây dựng từ ngày 3/4/2020 theo quyết định của tỉnh, "
                          "thôi giữ chức vụ.",
                          [("Mai Quốc Bảo", ["Phó Giám đốc Sở Xây dựng"])]),
    # several titles before the name, each after a comma; an organisation after a title is a part of its own
    "titles before the name": ("Dự buổi tiếp có Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy Hầu A Lềnh; "
                               "Phó Vụ trưởng Vụ Tổng hợp, Văn phòng Chính phủ Nguyễn Thu Trang.",
                               [("Hầu A Lềnh", ["Ủy viên Ban Thường vụ Tỉnh ủy", "Trưởng Ban Dân vận Tỉnh ủy"]),
                                ("Nguyễn Thu Trang", ["Phó Vụ trưởng Vụ Tổng hợp", "Văn phòng Chính phủ"])]),
    "titles before, not from the clause": ("Thay mặt Ban Chấp hành, Chủ tịch Hội Cựu chiến binh tỉnh Lương Văn Mạnh "
                                           "trao cờ thi đua.",
                                           [("Lương Văn Mạnh", ["Chủ tịch Hội Cựu chiến binh tỉnh"])]),
    # a dash right after the name, with no space before it
    "dash after the name": ("Các đồng chí: Bùi Văn Hải- Phó Bí thư Tỉnh ủy; Triệu Thị Nga- Chủ tịch Ủy ban MTTQ tỉnh "
                            "cùng dự.",
                            [("Bùi Văn Hải", ["Phó Bí thư Tỉnh ủy"]), ("Triệu Thị Nga", ["Chủ tịch Ủy ban MTTQ tỉnh"])]),
    # "nguyên" (former) and "Quyền" (acting) stay in the title; a deputy of any title; committee members and their
    # abbreviations
    "former and acting": ("Đến dự có đồng chí Võ Thị Hồng, nguyên Phó Chủ tịch nước; Quyền Giám đốc Sở Tư pháp "
                          "Lê Văn Nhàn và Phó Tổng Tham mưu trưởng Đinh Công Sơn.",
                          [("Võ Thị Hồng", ["nguyên Phó Chủ tịch nước"]), ("Lê Văn Nhàn", ["Quyền Giám đốc Sở Tư pháp"]),
                           ("Đinh Công Sơn", ["Phó Tổng Tham mưu trưởng"])]),
    "member abbreviations": ("Ông Nông Văn Tạo – HUV, Bí thư Đảng ủy xã và bà Phạm Thị Thu, Tỉnh ủy viên, Giám đốc Sở "
                             "Tài chính cùng tham gia đoàn.",
                             [("Nông Văn Tạo", ["HUV", "Bí thư Đảng ủy xã"]),
                              ("Phạm Thị Thu", ["Tỉnh ủy viên", "Giám đốc Sở Tài chính"])]),
    # a post given to the person later in the sentence is one of their positions; a post left is not
    "head of a delegation": ("Đoàn giám sát do ông Lục Văn Quang, Phó Chủ tịch HĐND tỉnh làm trưởng đoàn đã làm việc "
                             "tại huyện.",
                             [("Lục Văn Quang", ["Phó Chủ tịch HĐND tỉnh", "trưởng đoàn"])]),
    "new post": ("Ông Kiều Minh Đức, Chánh Văn phòng Tỉnh ủy thôi giữ chức Chánh Văn phòng, được điều động giữ chức "
                 "Phó Trưởng Ban Nội chính Tỉnh ủy từ ngày 2/5.",
                 [("Kiều Minh Đức", ["Chánh Văn phòng Tỉnh ủy", "Phó Trưởng Ban Nội chính Tỉnh ủy"])]),
    # a district after a committee word, or one the article calls a place, is no person; a person after a title
    # that ends with a place word still is
    "district after a committee": ("Ngày 2/4, Thường trực Huyện ủy Châu Đức họp bàn nhiệm vụ. Bí thư Huyện ủy "
                                   "Đoàn Văn Minh chủ trì.",
                                   [("Đoàn Văn Minh", ["Bí thư Huyện ủy"])]),
    "place named in the article": ("Nghị quyết về phát triển quận Hồng Bàng được quán triệt. Ban Thường vụ Quận ủy, "
                                   "Thường trực Hồng Bàng và Chủ tịch UBND quận Trịnh Văn Hữu cùng dự.",
                                   [("Trịnh Văn Hữu", ["Chủ tịch UBND quận"])]),
    "person after a place word": ("Phát biểu tại hội nghị, Chủ tịch HĐND tỉnh Mai Hoa đề nghị các cấp ủy vào cuộc.",
                                  [("Mai Hoa", ["Chủ tịch HĐND tỉnh"])]),
    # names of the Ê Đê, Gia Rai and Khmer, of five syllables and more, with no Kinh family name first
    "ethnic names": ("Tham dự có bà H’Ngọc Byă, Phó Chủ tịch HĐND tỉnh; ông Y Kim Hà Niê Kdăm, Trưởng Ban Dân tộc "
                     "và đồng chí Neáng Sa Ly, Bí thư Đảng ủy xã.",
                     [("H’Ngọc Byă", ["Phó Chủ tịch HĐND tỉnh"]), ("Y Kim Hà Niê Kdăm", ["Trưởng Ban Dân tộc"]),
                      ("Neáng Sa Ly", ["Bí thư Đảng ủy xã"])]),
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_officials(text, expected):
    assert officials(text) == expected


def test_the_term_of_a_post_is_not_its_title():
    found = record("Đồng chí Lê Quốc Phong được điều động, phân công giữ chức Bí thư Tỉnh ủy Đồng Tháp nhiệm kỳ 2020 - 2025.")
    assert [(o["name"], o["positions"]) for o in found["officials"]] == [("Lê Quốc Phong", ["Bí thư Tỉnh ủy Đồng Tháp"])]


def test_family_names_of_the_northern_mountain_peoples():
    found = record("Tham dự có đồng chí Giàng A Dình, Phó Bí thư Thường trực Huyện ủy; đồng chí Sùng Thị Chư, "
                   "Phó Chủ tịch HĐND tỉnh và đồng chí Tẩn Láo Lở, Trưởng Ban Dân tộc tỉnh.")
    assert [o["name"] for o in found["officials"]] == ["Giàng A Dình", "Sùng Thị Chư", "Tẩn Láo Lở"]

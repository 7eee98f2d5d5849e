"""Citations and relations as real news writes them, beyond the tidy forms of tests/test_extract.py: each case in
our own words, one per kind of language (a symbol's separators and case, short forms with a year, lists that
share an issuer, relations stated around a list or across a clause)."""
from __future__ import annotations

import pytest

from tests.test_extract import record


def symbols(text: str, published: str | None = None) -> list[tuple[str, str | None]]:
    return [(d["type"], d["symbol"]) for d in record(text, published)["documents"]]


def test_a_name_broken_by_a_line_break_is_still_one_name():
    found = record("Ban Thường vụ\nTỉnh ủy Nam Định ban hành Chỉ thị\nsố 12-CT/TU về công tác cán bộ cơ sở.")
    assert [(d["symbol"], d["issuer"], d["province"]) for d in found["documents"]] == [
        ("12-CT/TU", "Ban Thường vụ Tỉnh ủy", "Nam Định")]


SYMBOLS_AS_WRITTEN = [
    # a space or a spaced dash between number and abbreviation
    ("Chi bộ học tập Chỉ thị số 07 CT/TW của Ban Bí thư trong tháng này.", [("Directive", "07-CT/TW")]),
    ("Các đảng viên nghiên cứu Kết luận số 88 – KL/TW ngày 2-3-2015 của Bộ Chính trị.", [("Conclusion", "88-KL/TW")]),
    # the abbreviation in another case is the same abbreviation
    ("Tỉnh ủy ban hành Chương trình hành động số 21-Ctr/TU ngày 5/6/2021.", [("Program", "21-CTr/TU")]),
    ("Đảng ủy triển khai Chương trình hành động số 58-CTHĐ/TU của Tỉnh ủy.", [("Program", "58-CTHĐ/TU")]),
    ("Bộ Chính trị ban hành Quyết định 215- QĐNS/TW về công tác cán bộ.", [("Decision", "215-QĐNS/TW")]),
    # a notice of conclusions is a notice
    ("Cần thực hiện thông báo kết luận số 07 của Bộ Chính trị ngày 2/5/2022.", [("Notice", "07-TB/TW")]),
    # number/year: the short form names the document, the issuer after it gives the symbol
    ("Quy định 96/2023 của Bộ Chính trị được quán triệt sâu rộng.", [("Regulation", "96-QĐ/TW")]),
    # a count or a span of years stays no citation
    ("Tỉnh xây dựng kế hoạch 5 năm và chương trình 2021/2025 cho các xã.", []),
]


@pytest.mark.parametrize(("text", "expected"), SYMBOLS_AS_WRITTEN)
def test_symbols_as_written(text, expected):
    assert symbols(text) == expected


def test_an_issuer_after_a_list_is_every_members_issuer():
    found = record("Chi bộ học tập Nghị quyết 12, Chỉ thị số 08 và Kết luận 30 của Bộ Chính trị; "
                   "Thông tri 05 của Ban Thường vụ Tỉnh ủy Hà Tĩnh.")
    assert [(d["symbol"], d["issuer"]) for d in found["documents"]] == [
        ("12-NQ/TW", "Bộ Chính trị"), ("08-CT/TW", "Bộ Chính trị"), ("30-KL/TW", "Bộ Chính trị"),
        ("05-TT/TU", "Ban Thường vụ Tỉnh ủy")]


def test_an_issuer_after_a_list_never_contradicts_a_members_symbol():
    found = record("Tỉnh quán triệt Chỉ thị số 05-CT/TW, Kế hoạch số 12-KH/TU của Ban Thường vụ Tỉnh ủy Hà Tĩnh.")
    assert [(d["symbol"], d["issuer"]) for d in found["documents"]] == [
        ("05-CT/TW", None), ("12-KH/TU", "Ban Thường vụ Tỉnh ủy")]


def test_a_title_after_a_list_is_only_the_last_members():
    found = record("Đảng ủy triển khai Chỉ thị số 14-CT/TW và Kết luận số 55-KL/TW về công tác bảo vệ môi trường.")
    assert [(d["symbol"], d["title"]) for d in found["documents"]] == [
        ("14-CT/TW", None), ("55-KL/TW", "về công tác bảo vệ môi trường")]


def links(text: str) -> list[tuple[str, str, str]]:
    return sorted((link["from"], link["relation"], link["to"]) for link in record(text)["document_links"])


LINKS = [
    # one replacement of a whole list, the issuer written once after it
    ("Quy định số 210-QĐ/TW thay thế Quy định 47/2019, Quy định 12/2020 và Kết luận 33/2021 của Ban Bí thư.",
     [("210-QĐ/TW", "replaces", "12-QĐ/TW"), ("210-QĐ/TW", "replaces", "33-KL/TW"),
      ("210-QĐ/TW", "replaces", "47-QĐ/TW")]),
    # the predicate between the document and the replacement
    ("Chỉ thị 41-CT/TW có hiệu lực từ ngày ký và thay thế Chỉ thị số 17-CT/TW của Ban Bí thư.",
     [("41-CT/TW", "replaces", "17-CT/TW")]),
    ("Quy định số 86-QĐ/TW đã được thay thế bằng Quy định số 296-QĐ/TW của Ban Chấp hành Trung ương.",
     [("296-QĐ/TW", "replaces", "86-QĐ/TW")]),
    # a list item that states its own relation starts a new clause
    ("Tỉnh ban hành Kế hoạch số 20-KH/TU thực hiện Nghị quyết số 18-NQ/TW, Kế hoạch số 21-KH/TU thực hiện "
     "Nghị quyết số 19-NQ/TW.",
     [("20-KH/TU", "implements", "18-NQ/TW"), ("21-KH/TU", "implements", "19-NQ/TW")]),
    # "về thực hiện B [B's title], C": C stands beside A in the outer list, not in A's subject
    ("Đảng viên học Kết luận số 03-KL/TW về tiếp tục thực hiện Chỉ thị số 11-CT/TW “Về công tác dân vận”, "
     "Quy định số 99-QĐ/TW về nêu gương.",
     [("03-KL/TW", "implements", "11-CT/TW")]),
    # a new sentence is another subject: no replacement across it
    ("Quy định số 105-QĐ/TW được ban hành năm 2017. Quy định mới thay thế nhiều văn bản trước đó.", []),
]


@pytest.mark.parametrize(("text", "expected"), LINKS)
def test_links(text, expected):
    assert links(text) == expected


IMPLEMENTS = [
    # words before the phrase: continuing, stepping up, reviewing years of carrying out
    ("Ban Bí thư ban hành Kết luận số 61-KL/TW về tiếp tục đẩy mạnh thực hiện Chỉ thị số 40-CT/TW.",
     [("61-KL/TW", "implements", "40-CT/TW")]),
    ("Tỉnh ủy ban hành Kế hoạch số 95-KH/TU tổng kết 20 năm thực hiện Nghị quyết số 26-NQ/TW.",
     [("95-KH/TU", "implements", "26-NQ/TW")]),
    # a manner after it
    ("Kết luận số 17-KL/TW về đẩy mạnh, thực hiện có hiệu quả Chỉ thị số 22-CT/TW được quán triệt rộng rãi.",
     [("17-KL/TW", "implements", "22-CT/TW")]),
    # the plan a state document adopts
    ("Chính phủ ban hành Nghị quyết số 41/NQ-CP về Kế hoạch triển khai Nghị quyết số 87/2024/QH15 của Quốc hội.",
     [("41/NQ-CP", "implements", "87/2024/QH15")]),
    # the issuer shared from the end of a list is not the first member's own tail
    ("Hội nghị quán triệt Chỉ thị số 08-CT/TW về an ninh và Kết luận số 12-KL/TW của Ban Bí thư về tiếp tục "
     "thực hiện Chỉ thị số 03-CT/TW.",
     [("12-KL/TW", "implements", "03-CT/TW")]),
    # a plan noun starting another item says nothing of the item before it
    ("Các chi bộ học Nghị quyết số 05-NQ/TU, Kế hoạch thực hiện Nghị quyết số 06-NQ/TU của Tỉnh ủy.", []),
]


@pytest.mark.parametrize(("text", "expected"), IMPLEMENTS)
def test_implements(text, expected):
    assert links(text) == expected


def test_a_document_issued_to_carry_out_the_one_the_sentence_opens_with():
    assert links("Thực hiện Nghị quyết số 29-NQ/TW và Kết luận số 51-KL/TW của Ban Chấp hành Trung ương, "
                 "Ban Thường vụ Tỉnh ủy đã ban hành Kế hoạch số 77-KH/TU để lãnh đạo thực hiện.") == [
        ("77-KH/TU", "implements", "29-NQ/TW"), ("77-KH/TU", "implements", "51-KL/TW")]
    # the opening carries only to what is issued in its own sentence
    assert links("Thực hiện Nghị quyết số 29-NQ/TW, tỉnh đã đạt nhiều kết quả. "
                 "Năm 2020, Tỉnh ủy ban hành Kế hoạch số 77-KH/TU về chuyển đổi số.") == []


def test_a_title_naming_the_document_it_carries_out_runs_through_that_documents_tail():
    found = record("Tỉnh ủy ban hành Kế hoạch số 31-KH/TU về tiếp tục thực hiện Nghị quyết số 09-NQ/TW, ngày 5/3/2019 "
                   "của Bộ Chính trị về phát triển kinh tế biển; các sở triển khai ngay.")
    titles = {d["symbol"]: d["title"] for d in found["documents"]}
    assert titles == {"31-KH/TU": "về tiếp tục thực hiện Nghị quyết số 09-NQ/TW, ngày 5/3/2019 của Bộ Chính trị "
                                  "về phát triển kinh tế biển",
                      "09-NQ/TW": "về phát triển kinh tế biển"}


def test_documents_an_inspection_is_about():
    found = record("Đoàn kiểm tra của Ban Bí thư làm việc tại tỉnh Hậu Giang.\n\n"
                   "Sáng 3-6, đoàn kiểm tra đã công bố quyết định kiểm tra tại tỉnh.\n\n"
                   "Theo đó, đoàn sẽ kiểm tra việc thực hiện Nghị quyết số 21-NQ/TW của Ban Chấp hành Trung ương.",
                   "2023-06")
    assert found["meetings"][0]["documents"] == ["21-NQ/TW"]


def test_a_sentence_pointing_back_at_the_event_says_what_it_studied():
    found = record("Sáng 12/4, Huyện ủy tổ chức hội nghị học tập nghị quyết.\n\n"
                   "Đây là dịp để cán bộ quán triệt sâu rộng Nghị quyết 57 của Bộ Chính trị.", "2025-04")
    assert found["meetings"][0]["documents"] == ["57-NQ/TW"]
    # pointing back without studying is not enough, and a sentence about something else says nothing of it
    found = record("Sáng 12/4, Huyện ủy tổ chức hội nghị học tập nghị quyết.\n\n"
                   "Đây là chủ trương lớn, như Nghị quyết 57 của Bộ Chính trị đã nêu.", "2025-04")
    assert found["meetings"][0]["documents"] == []


def test_a_program_of_action_named_by_its_number():
    assert symbols("Các chi bộ học Thông tri 12, Chương trình hành động 40 của Ban Thường vụ Tỉnh ủy Nam Định.") == [
        ("Notice", "12-TT/TU"), ("Program", "40-CTr/TU")]


def test_district_committees_issue_documents_with_their_own_suffix():
    found = record("Đảng bộ quận quán triệt Kế hoạch số 151-KH/QU của Ban Thường vụ Quận ủy về việc thực hiện "
                   "Nghị quyết số 27-NQ/TW. Huyện ủy ban hành Kế hoạch số 20 về chuyển đổi số.")
    assert [(d["symbol"], d["issuer"]) for d in found["documents"]] == [
        ("151-KH/QU", "Ban Thường vụ Quận ủy"), ("27-NQ/TW", None), ("20-KH/HU", "Huyện ủy")]
    assert [(x["from"], x["to"]) for x in found["document_links"]] == [("151-KH/QU", "27-NQ/TW")]


def test_a_plenum_named_as_issuer_is_the_central_committee():
    found = record("Tỉnh ủy ban hành Kế hoạch số 125-KH/TU thực hiện Kết luận số 21-KL/TW ngày 25/10/2021 "
                   "của Hội nghị Trung ương 4 khóa XIII về xây dựng Đảng.")
    assert {d["symbol"]: d["issuer"] for d in found["documents"]}["21-KL/TW"] == "Ban Chấp hành Trung ương"


def test_the_chair_is_named_in_the_clause_of_chu_tri():
    found = record("Sáng 5/9, Huyện ủy Yên Thế tổ chức hội nghị sơ kết Chỉ thị số 28-CT/TW. Dự hội nghị có đồng chí "
                   "Trần Văn Nam, Trưởng Ban Tuyên giáo Tỉnh ủy; đồng chí Lê Thị Hoa, Bí thư Huyện ủy chủ trì hội nghị.",
                   "2024-09-10")
    (meeting,) = found["meetings"]
    assert (meeting["chairs"], meeting["participants"]) == (["Lê Thị Hoa"], ["Trần Văn Nam"])


def test_co_chairs_listed_with_semicolons_all_chair():
    found = record("Sáng 3/7, Tỉnh ủy tổ chức hội nghị quán triệt Chỉ thị số 28-CT/TW. Các đồng chí: Phạm Văn An, "
                   "Bí thư Tỉnh ủy; Hồ Thị Bình, Phó Bí thư Tỉnh ủy đồng chủ trì hội nghị.", "2024-07-10")
    assert found["meetings"][0]["chairs"] == ["Phạm Văn An", "Hồ Thị Bình"]


TAILS = [
    # a date in brackets
    ("Đại biểu nghe quán triệt Kết luận số 12-KL/TW (ngày 27/12/2021) của Bộ Chính trị về người Việt ở nước ngoài.",
     ("12-KL/TW", "2021-12-27", "Bộ Chính trị")),
    # a plenum after a comma
    ("Các cấp ủy thực hiện Nghị quyết 18-NQ/TW, ngày 25/10/2017, Hội nghị Trung ương 6 khóa XII về tinh gọn bộ máy.",
     ("18-NQ/TW", "2017-10-25", "Ban Chấp hành Trung ương")),
    # a body that advises the issuing is not the issuer its symbol names
    ("Ban Tuyên giáo Tỉnh ủy đã tham mưu ban hành Kế hoạch số 200-KH/TU ngày 2/5/2024 về tuyên truyền.",
     ("200-KH/TU", "2024-05-02", None)),
]


@pytest.mark.parametrize(("text", "expected"), TAILS)
def test_what_follows_a_citation(text, expected):
    (found,) = record(text)["documents"]
    assert (found["symbol"], found["date"], found["issuer"]) == expected


def test_a_replacement_after_a_title_ends_the_title_and_is_read():
    found = record("Bộ Chính trị ban hành Quy định số 105-QĐ/TW ngày 19/12/2017 về phân cấp quản lý cán bộ, "
                   "thay thế Quy định số 67-QĐ/TW ngày 4/7/2007.")
    assert {d["symbol"]: d["title"] for d in found["documents"]}["105-QĐ/TW"] == "về phân cấp quản lý cán bộ"
    assert links("Bộ Chính trị ban hành Quy định số 105-QĐ/TW ngày 19/12/2017 về phân cấp quản lý cán bộ, "
                 "thay thế Quy định số 67-QĐ/TW ngày 4/7/2007.") == [("105-QĐ/TW", "replaces", "67-QĐ/TW")]


def test_an_issuer_code_written_in_mixed_case_keeps_it():
    assert symbols("Thị ủy Sơn Tây ban hành Kế hoạch số 30-KH/ThU để tổ chức học tập nghị quyết.") == [("Plan", "30-KH/ThU")]

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

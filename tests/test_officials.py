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
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_officials(text, expected):
    assert officials(text) == expected

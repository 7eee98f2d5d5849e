"""Extraction takes time in proportion to the text, whatever shape the text has (issue 13: hostile shapes that
took hours). Each rule family meets its worst case at two sizes, 4x apart: a linear rule takes about 4x as long,
a quadratic one 16x. The bound is loose (8x, plus 50 ms for a busy machine): it catches a change of growth, not
a slower constant; speed itself is measured in bench/."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mappings.extraction.mentions import extract
from mappings.linking.resolve import resolve
from mappings.reading.article import parse_article

OPENING = "date 2024-05-01\n\nBài viết về công tác xây dựng Đảng ở địa phương trong năm nay.\n\n"

SHAPES: dict[str, Callable[[int], str]] = {
    "ordinary prose": lambda n: ("Tỉnh ủy Nam Định ban hành Kế hoạch số 12-KH/TU thực hiện Chỉ thị số 39-CT/TW của "
                                 "Bộ Chính trị. Đồng chí Trần Văn Ba, Bí thư Tỉnh ủy chủ trì hội nghị. ") * n,
    "spaces after a citation": lambda n: "Chỉ thị số 39-CT/TW" + " " * (40 * n) + "x",
    "blank lines after a citation": lambda n: "Chỉ thị số 39-CT/TW" + "\n\n" * (20 * n) + "x",
    "leader dots": lambda n: "Chỉ thị số 39-CT/TW về " + "." * (40 * n),
    "ellipses": lambda n: "Chỉ thị số 39-CT/TW về " + "…" * (40 * n),
    "spaces inside a title": lambda n: "Chỉ thị số 39-CT/TW về công tác" + " " * (40 * n) + "cán bộ.",
    "a long list of citations": lambda n: "Thực hiện " + ", ".join(f"Chỉ thị số {i}-CT/TW" for i in range(1, 2 * n))
                                          + " của Bộ Chính trị.",
    "a long list of bases": lambda n: " ".join(f"Căn cứ Quy định số {i}-QĐ/TW;" for i in range(1, 2 * n))
                                      + " Ban Thường vụ Tỉnh ủy ban hành Kế hoạch số 5-KH/TU.",
    "a succession chain": lambda n: "Đầu tiên là Quy định số 1-QĐ/TW" + "".join(
        f", tiếp theo là Quy định số {i}-QĐ/TW" for i in range(2, 2 * n)) + ".",
    "many anaphors": lambda n: "Ban Bí thư ban hành Quy định số 5-QĐ/TW. " + " ".join(
        f"Kế hoạch số {i}-KH/TU thực hiện Quy định của Ban Bí thư." for i in range(1, 2 * n)),
    "a long list of names": lambda n: "Dự hội nghị có các đồng chí " + ", ".join(
        f"Phạm Văn {chr(65 + i % 26)}{chr(97 + (i // 26) % 26)}" for i in range(2 * n)) + ".",
    "one name, many titles": lambda n: "Đồng chí Lê Văn Sáu, " + ", ".join(
        ["Ủy viên Ban Thường vụ Tỉnh ủy", "Phó Chủ tịch UBND tỉnh"] * n) + " phát biểu.",
    "many honorifics in a sentence": lambda n: " ".join(["đồng chí Hồ Văn Bảy,"] * (2 * n)) + " dự hội nghị.",
}


def _cpu_seconds(text: str) -> float:
    article = parse_article((OPENING + text).encode(), Path("shape.txt"))
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        resolve(article, extract(article))
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("shape", SHAPES)
def test_time_grows_with_the_text_not_its_square(shape: str) -> None:
    make = SHAPES[shape]
    _cpu_seconds(make(10))   # word lists compiled, caches warm
    small, big = _cpu_seconds(make(150)), _cpu_seconds(make(600))
    assert big <= 8 * small + 0.05, f"{shape}: {small * 1000:.1f} ms at n=150, {big * 1000:.1f} ms at n=600"

"""Odd text never crashes extraction, and whatever is extracted maps to a graph that passes the shapes."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mappings.emission.to_rdf import to_graph
from mappings.extraction.mentions import extract
from mappings.linking.iris import Minter, known_years
from mappings.linking.resolve import resolve
from mappings.reading.article import parse_article
from mappings.validation.validate import validate

# Pieces of the genre, to be shuffled into sentences no writer would produce.
PIECES = [
    "Chỉ thị", "số", "39-CT/TW", "Kết luận", "21-KL-TW", "Quy định", "126- QĐ/TW", "Quyết định", "439/QĐ-TTg",
    "152/2025/NĐ-CP", "54/2017/QH14", "Nghị quyết", "NQ", "35", "01", "ngày", "18/8/2014", "15.5.2016", "27/5",
    "tháng", "năm", "của", "Bộ Chính trị", "Ban Thường vụ Tỉnh ủy", "Tỉnh ủy", "Thanh Hoá", "TP. HCM", "Hồ Chí Minh",
    "Long An (cũ)", "về", "“", "”", "\"", ",", ";", ".", ":", "(", ")", "-", "…", "\n", "thực hiện", "thay thế",
    "Căn cứ", "ban hành", "tiếp theo là", "và nay là", "và", "đồng chí", "Ông", "Nguyễn Văn Hùng", "Trương Thị Mai",
    "Bí thư", "Phó Bí thư Thường trực", "Ủy viên dự khuyết", "Trưởng Ban", "chủ trì", "dưới sự chủ trì của",
    "hội nghị", "Sáng", "tổ chức", "quán triệt", "cần", "Ảnh:", "Hội nghị Trung ương", "sửa đổi, bổ sung và ban hành",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=20, max_size=120), st.sampled_from([None, "2024-05", "2025-09-01"]))
@example(["Chỉ thị"] * 16 + ["39-CT/TW", "tiếp theo là", "21-KL-TW", "39-CT/TW"], None)  # a succession turning back
def test_token_soup_maps_to_a_conforming_graph(pieces, published):
    body = "Bài viết về công tác xây dựng Đảng ở địa phương.\n" + " ".join(pieces)
    header = f"date {published}\n\n" if published else ""
    article = parse_article((header + body).encode(), Path("soup.txt"))
    record = resolve(article, extract(article))
    graph = to_graph(record, article.text, Minter("http://localhost:8000/", known_years([record])))
    report = validate(graph)
    assert report.conforms, report.results

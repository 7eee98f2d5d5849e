"""Titles read as posts: the role and organisation each names (ontology/reference/roles.toml, bodies.toml)."""
from __future__ import annotations

import pytest

from mappings.linking.positions import read_title
from mappings.linking.roles import load_roles


@pytest.mark.parametrize(("role", "example"), [(r.key, e) for r in load_roles().roles for e in r.examples])
def test_every_role_example_is_read_as_its_role(role: str, example: str) -> None:
    assert read_title(example).role == role


POSTS = [
    # title, article's province → role, organisation, province, central
    ("Bí thư Tỉnh ủy", "nghe-an", ("bi-thu", "tinh-uy", "nghe-an", False)),
    ("Bí thư Tỉnh ủy Hà Tĩnh", "nghe-an", ("bi-thu", "tinh-uy", "ha-tinh", False)),   # the title's own province wins
    ("Phó Trưởng Ban Tổ chức Trung ương", "nghe-an", ("pho-truong", "ban-to-chuc-trung-uong", None, True)),
    ("Ủy viên Ban Thường vụ Tỉnh ủy", None, ("uy-vien", "ban-thuong-vu-tinh-uy", None, False)),
    ("Ủy viên Trung ương Đảng", None, ("uy-vien", "ban-chap-hanh-trung-uong", None, True)),
    ("Tỉnh ủy viên", "nghe-an", ("uy-vien", "tinh-uy", "nghe-an", False)),
    ("Chủ tịch UBND tỉnh", "nghe-an", ("chu-tich", "uy-ban-nhan-dan-tinh", "nghe-an", False)),
    ("Trưởng Đoàn ĐBQH tỉnh", "nghe-an", ("truong", "doan-dai-bieu-quoc-hoi-tinh", "nghe-an", False)),
    ("Đại biểu Quốc hội", "nghe-an", ("dai-bieu", "quoc-hoi", None, True)),
    ("Bộ trưởng Bộ Nội vụ", None, ("bo-truong", "bo-noi-vu", None, True)),
    ("Tổng Bí thư", None, ("tong-bi-thu", "ban-chap-hanh-trung-uong", None, True)),
    # a body the gazetteer does not know is left out, never guessed
    ("Giám đốc Sở Tài chính", "nghe-an", ("giam-doc", None, None, False)),
    ("Bí thư Đảng ủy xã Yên Lạc", "nghe-an", ("bi-thu", None, None, False)),
    # a military rank names no post
    ("Thượng tướng", None, (None, None, None, False)),
]


@pytest.mark.parametrize(("title", "province", "expected"), POSTS)
def test_titles_name_a_role_and_an_organisation(title: str, province: str | None, expected: tuple) -> None:
    post = read_title(title, province)
    assert (post.role, post.org, post.province, post.central) == expected


def test_a_former_title_is_read_as_held_before():
    post = read_title("nguyên Ủy viên Bộ Chính trị")
    assert (post.role, post.org, post.former) == ("uy-vien", "bo-chinh-tri", True)
    assert not read_title("Quyền Giám đốc Sở Nội vụ").former

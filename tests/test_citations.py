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

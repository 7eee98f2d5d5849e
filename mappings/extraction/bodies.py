"""Issuing and organising bodies: central ones (Bộ Chính trị ...) and provincial ones (Ban Thường vụ Tỉnh ủy [X])."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mappings.extraction.patterns import lookup_key, word_start
from mappings.extraction.provinces import find_provinces
from mappings.extraction.reference import load_bodies, load_provincial_bodies

# "(khóa XIII)", "khóa XII", "Đảng khoá XI": the term after a central body belongs to the body.
TERM = re.compile(r"\s*(?:Đảng\s+)?\(?\s*khóa\s+[IVXLC\d]+(?:\s*,\s*[IVXLC\d]+)*\s*\)?", re.I)


@dataclass(frozen=True, slots=True)
class BodyMention:
    start: int
    end: int
    key: str              # reference key: "bo-chinh-tri", "ban-thuong-vu-tinh-uy"
    label: str            # the body's name in the form this kind of unit uses ("Ban Thường vụ Thành ủy")
    issuer_code: str      # TW, BTCTW, TU, BTCTU ...
    provincial: bool
    province: str | None  # unit key when the name is followed by a province ("Tỉnh ủy Bình Thuận")
    city_form: bool       # written in the city form ("Thành ủy")
    rule: str


@cache
def _forms() -> dict[str, tuple[str, bool, bool]]:
    """Match form of every written name → (key, provincial, city form)."""
    table: dict[str, tuple[str, bool, bool]] = {}
    for body in load_bodies():
        for form in (body.name, *body.aliases):
            table[lookup_key(form)] = (body.key, False, False)
    for pbody in load_provincial_bodies():
        for form in (pbody.name, *pbody.aliases):
            table.setdefault(lookup_key(form), (pbody.key, True, False))
        table[lookup_key(pbody.city_name)] = (pbody.key, True, True)
    return table


@cache
def _pattern() -> re.Pattern[str]:
    return re.compile(rf"{word_start(list(_forms()), ignore_case=True)}(?!\w)")


@cache
def _by_key() -> dict[str, tuple[str, str, str]]:
    """key → (name, city name, issuer code)."""
    central = {b.key: (b.name, b.name, b.issuer_code) for b in load_bodies()}
    return central | {p.key: (p.name, p.city_name, p.issuer_code) for p in load_provincial_bodies()}


def body_at(text: str, pos: int, published: str | None = None) -> BodyMention | None:
    """The body whose name starts exactly at `pos` (with its province and term, if written)."""
    match = _pattern().match(text, pos)
    return _mention(text, match, published) if match else None


# A plenum of the Central Committee named as the issuer ("của Hội nghị Trung ương 4 khóa XIII", "Hội nghị lần thứ
# năm Ban Chấp hành Trung ương"): its issuer is the Ban Chấp hành Trung ương (GOLD_FORMAT "Issuer").
PLENUM = re.compile(r"Hội nghị\s+(?:lần\s+thứ\s+\w+\s+)?(?:Ban\s+Chấp\s+hành\s+)?Trung\s+ương(?:\s+Đảng)?"
                    r"(?:\s+(?:lần\s+thứ\s+)?(?:\d+|[a-zà-ỹ]+(?=\s+khóa)))?", re.I)
CENTRAL_COMMITTEE = "ban-chap-hanh-trung-uong"


def plenum_at(text: str, pos: int) -> BodyMention | None:
    """The Central Committee, when a plenum of it starts at `pos` (with its term, if written)."""
    match = PLENUM.match(text, pos)
    if not match:
        return None
    end = term.end() if (term := TERM.match(text, match.end())) else match.end()
    name, _, code = _by_key()[CENTRAL_COMMITTEE]
    return BodyMention(pos, end, CENTRAL_COMMITTEE, name, code, False, None, False, "bodies.plenum")


def find_bodies(text: str, published: str | None = None) -> list[BodyMention]:
    return [m for match in _pattern().finditer(text) if (m := _mention(text, match, published))]


def _mention(text: str, match: re.Match[str], published: str | None) -> BodyMention | None:
    key, provincial, city_form = _forms()[lookup_key(match.group(0))]
    name, city_name, code = _by_key()[key]
    end, province = match.end(), None
    if provincial:
        place = find_provinces(text[end:end + 40], published)
        if place and text[end:end + place[0].start].strip() in ("", "tỉnh", "thành phố"):
            province, end = place[0].key, end + place[0].end
    elif term := TERM.match(text, end):
        end = term.end()
    return BodyMention(match.start(), end, key, city_name if city_form else name, code, provincial, province,
                       city_form, "bodies.gazetteer")

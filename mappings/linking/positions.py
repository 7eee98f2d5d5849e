"""What a title says of the post it names: the role (`org:role`) and the organisation (`org:organization`).

A title is a role word, then the body: "Phó Bí thư Thường trực | Tỉnh ủy Thanh Hóa", "Trưởng | Ban Tổ chức Trung
ương". The role is the longest of its words (ontology/reference/roles.toml) that leaves a body the gazetteer knows
(ontology/reference/bodies.toml), else the longest that starts the title. A provincial body is placed in the
province the title names, else in the article's; a body the gazetteer does not know is left out, never guessed,
but for a ministry after a minister's role ("Bộ trưởng Bộ Quốc phòng"), one across the country.

    >>> post = read_title("Phó Bí thư Thường trực Tỉnh ủy Thanh Hóa")
    >>> post.role, post.org, post.province, post.central
    ('pho-bi-thu-thuong-truc', 'tinh-uy', 'thanh-hoa', False)
    >>> read_title("Ủy viên Bộ Chính trị").central
    True
    >>> read_title("nguyên Chủ tịch UBND tỉnh", "nghe-an")
    Post(role='chu-tich', org='uy-ban-nhan-dan-tinh', province='nghe-an', central=False, former=True, org_label=None)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from mappings.extraction.bodies import body_at
from mappings.extraction.patterns import lookup_key
from mappings.extraction.reference import load_provincial_bodies
from mappings.linking.roles import Role, load_roles
from mappings.reading.text import match_form, slugify

_FORMER, _ACTING = "nguyên", "quyền"   # "nguyên Chủ tịch": held before; "Quyền Giám đốc": acting, the role itself
_MINISTRY = "bộ "


@dataclass(frozen=True, slots=True)
class Post:
    role: str | None          # a role key of roles.toml
    org: str | None           # a body key of bodies.toml, or a ministry's slug
    province: str | None      # unit key, for a provincial body
    central: bool             # the title makes its holder a central official
    former: bool              # "nguyên ...": held once, not when the article speaks
    org_label: str | None = None   # the name as written, for a body the gazetteer lacks (a ministry)

    @property
    def provincial(self) -> bool:
        return self.org is not None and self.org in _provincial_keys()


def read_title(label: str, province: str | None = None) -> Post:
    """The post a title names; `province` is the article's, for a provincial body the title does not place."""
    text = " ".join(match_form(label).split())
    first, _, rest = text.partition(" ")
    former = first.casefold() == _FORMER
    if rest and first.casefold() in (_FORMER, _ACTING):
        text = rest
    key = lookup_key(text)
    if member := _member_titles().get(key):
        return _post(load_roles().by_key(member[0]), member[1], None, province, former)
    fallback: Role | None = None
    for word, role in _role_words():
        if key == word:
            return _post(role, role.org, None, province, former)
        if key.startswith(word + " "):
            org = _org(text[len(word) + 1:], role)
            if org:
                return _post(role, org[0], org[1], province, former, org[2])
            fallback = fallback or role
    return _post(fallback, fallback.org if fallback else None, None, province, former)


def _post(role: Role | None, org: str | None, named_province: str | None, province: str | None, former: bool,
          org_label: str | None = None) -> Post:
    provincial = org in _provincial_keys()
    central = bool(role and role.central) or (org is not None and not provincial)
    return Post(role.key if role else None, org, (named_province or province) if provincial else None, central,
                former, org_label)


def _org(rest: str, role: Role) -> tuple[str, str | None, str | None] | None:
    """The body `rest` names, whole: (key, the province it names, its name as written if the gazetteer lacks it)."""
    if org := _title_orgs().get(lookup_key(rest)):
        return org, None, None
    body = body_at(rest, 0)
    if body and not rest[body.end:].strip():
        return body.key, body.province, None
    if role.central and rest.casefold().startswith(_MINISTRY):
        return slugify(rest), None, rest
    return None


@cache
def _role_words() -> tuple[tuple[str, Role], ...]:
    """Every way a role is written, longest first."""
    pairs = {(lookup_key(word), role) for role in load_roles().roles for word in role.words}
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0])))


@cache
def _member_titles() -> dict[str, tuple[str, str]]:
    return {lookup_key(word): (title.role or "", title.org) for title in load_roles().member_titles for word in title.words}


@cache
def _title_orgs() -> dict[str, str]:
    return {lookup_key(word): title.org for title in load_roles().title_orgs for word in title.words}


@cache
def _provincial_keys() -> frozenset[str]:
    return frozenset(body.key for body in load_provincial_bodies())

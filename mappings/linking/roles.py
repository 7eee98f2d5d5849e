"""The roles a title can name, with vi and en labels (`ontology/reference/roles.toml`), checked like the other
reference data: a malformed entry raises `ReferenceDataError` naming the file, the entry and the field.

    >>> load_roles().by_key("pho-bi-thu").en
    'Deputy Secretary'
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from mappings.extraction.reference import (
    KEY_RE,
    Entry,
    ReferenceDataError,
    load_bodies,
    load_provincial_bodies,
    read_tables,
)
from ontology import DIR as ONTOLOGY_DIR

ROLES_FILE = ONTOLOGY_DIR / "reference" / "roles.toml"
_KEY = "a lower-case ASCII slug like 'pho-bi-thu'"


@dataclass(frozen=True, slots=True)
class Role:
    key: str
    vi: str
    en: str
    words: tuple[str, ...]
    central: bool = False         # the role alone makes a central official
    org: str | None = None        # the body it belongs to when the title names none
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TitleWords:
    """Words that name a role and a body at once ("Tỉnh ủy viên"), or a body only titles use ("Trung ương Đảng")."""

    key: str
    words: tuple[str, ...]
    org: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Roles:
    roles: tuple[Role, ...]
    member_titles: tuple[TitleWords, ...]
    title_orgs: tuple[TitleWords, ...]

    def by_key(self, key: str) -> Role:
        return next(role for role in self.roles if role.key == key)


@functools.cache
def load_roles(path: Path = ROLES_FILE) -> Roles:
    """Read and check `path`: role keys unique, every body named one the gazetteer knows."""
    tables = read_tables(path, ("role", "member_title", "title_org"))
    roles = tuple(_role(entry) for entry in tables["role"])
    keys = {role.key for role in roles}
    bodies = {b.key for b in load_bodies()} | {b.key for b in load_provincial_bodies()}
    members = tuple(_title_words(entry, keys, bodies, with_role=True) for entry in tables["member_title"])
    orgs = tuple(_title_words(entry, keys, bodies, with_role=False) for entry in tables["title_org"])
    if len(keys) != len(roles):
        raise ReferenceDataError(path, "a role key is used twice")
    for role in roles:
        if role.org and role.org not in bodies:
            raise tables["role"][roles.index(role)].error("org", f"{role.org!r} is no body of bodies.toml")
    return Roles(roles, members, orgs)


def _role(entry: Entry) -> Role:
    entry.check_fields(frozenset({"key", "vi", "en", "words", "central", "org", "examples"}))
    return Role(key=entry.matching("key", KEY_RE, _KEY), vi=entry.text("vi"), en=entry.text("en"),
                words=entry.texts("words"), central=entry.flag("central"),
                org=entry.text("org") if "org" in entry.table else None, examples=entry.texts("examples"))


def _title_words(entry: Entry, roles: set[str], bodies: set[str], with_role: bool) -> TitleWords:
    entry.check_fields(frozenset({"key", "words", "org"} | ({"role"} if with_role else set())))
    org = entry.text("org")
    if org not in bodies:
        raise entry.error("org", f"{org!r} is no body of bodies.toml")
    role = entry.text("role") if with_role else None
    if role is not None and role not in roles:
        raise entry.error("role", f"{role!r} is no role of this file")
    return TitleWords(entry.matching("key", KEY_RE, _KEY), entry.texts("words"), org, role)

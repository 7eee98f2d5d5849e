"""Every IRI the project mints, in one place (DESIGN.md "Identifiers").

Keys are lower-case ASCII, stable across rebuilds:
    >>> minter = Minter("http://localhost:8000/", {})
    >>> minter.province("thanh-hoa")
    rdflib.term.URIRef('http://localhost:8000/id/province/thanh-hoa')
    >>> minter.person("Đỗ Trọng Hưng", "tw")
    rdflib.term.URIRef('http://localhost:8000/id/person/do-trong-hung-e7ed49')
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from rdflib import URIRef

from mappings.extraction.rules import document_types
from mappings.linking.records import ArticleRecord, DocumentRef, MeetingRef
from mappings.reading.text import fold, slugify

UNDATED = "undated"


def _hash(text: str, size: int = 6) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:size]


@cache
def _type_slugs() -> dict[str, str]:
    return {t.id: t.slug for t in document_types()}


def identity(doc: DocumentRef) -> tuple[str, str, str, str]:
    """What names a document apart from its year: issuer code, province, type, number."""
    return (slugify(doc.issuer_code or "unknown"), doc.province or "", doc.type, doc.number)


def known_years(records: Iterable[ArticleRecord]) -> dict[tuple[str, str, str, str], frozenset[int]]:
    """Years each document identity is dated with anywhere in the corpus."""
    years: dict[tuple[str, str, str, str], set[int]] = {}
    for record in records:
        for doc in record.documents:
            if doc.symbol and (year := document_year(doc)):
                years.setdefault(identity(doc), set()).add(year)
    return {key: frozenset(value) for key, value in years.items()}


def document_year(doc: DocumentRef) -> int | None:
    embedded = re.search(r"/((?:19|20)\d{2})/", doc.symbol or "")
    return int(doc.date[:4]) if doc.date else int(embedded.group(1)) if embedded else None


@dataclass(frozen=True)
class Minter:
    base: str
    years: Mapping[tuple[str, str, str, str], frozenset[int]]
    # (article identifier, folded name) → who that is, over the whole corpus (mappings/linking/people.py)
    people: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # article identifier → the copies of its story, the original first (mappings/linking/stories.py)
    stories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # a copy's identifier → the IRI of the meeting its story's original reports: one meeting, not one per copy
    story_meetings: Mapping[str, str] = field(default_factory=dict)

    def _iri(self, *parts: str) -> URIRef:
        return URIRef(self.base + "id/" + "/".join(parts))

    def article(self, identifier: str) -> URIRef:
        return self._iri("article", re.sub(r"[^a-z0-9_-]+", "-", identifier.casefold()).strip("-"))

    def province(self, key: str) -> URIRef:
        return self._iri("province", key)

    def org(self, key: str, province: str | None = None) -> URIRef:
        return self._iri("org", key, province) if province else self._iri("org", key)

    def person(self, name: str, identity: str) -> URIRef:
        """A person is a name and an identity ("tw", a province key, "article:<identifier>"): namesakes differ."""
        return self._iri("person", f"{slugify(name)}-{_hash(fold(' '.join(name.split())) + '|' + identity)}")

    def position(self, person: URIRef, label: str, province: str | None = None) -> URIRef:
        """A post as the title writes it, held by a person (in a province, when the title places it)."""
        key = slugify(label) + (f"--{province}" if province else "")
        return self._iri("position", str(person).rsplit("/", 1)[1], key)

    def role(self, key: str) -> URIRef:
        return self._iri("role", key)

    def resolved_year(self, doc: DocumentRef) -> int | None:
        """The document's own year, else the single year the corpus knows for it (None: ambiguous or unknown)."""
        own = document_year(doc)
        if own or not doc.symbol:
            return own
        candidates = self.years.get(identity(doc), frozenset())
        return next(iter(candidates)) if len(candidates) == 1 else None

    def document(self, doc: DocumentRef, article_id: str) -> URIRef:
        """id/document/{issuer}[/{province}]/{year}/{type-word}/{number}; a citation with no symbol stays per article."""
        slug = _type_slugs()[doc.type]
        if not doc.symbol:
            return self._iri("document", "unresolved", str(self.article(article_id)).rsplit("/", 1)[1], slug, doc.number)
        year = self.resolved_year(doc)
        scope = [slugify(doc.issuer_code or "unknown")] + ([doc.province] if doc.province else [])
        return self._iri("document", *scope, str(year) if year else UNDATED, slug, doc.number)

    def meeting(self, meeting: MeetingRef, article_id: str) -> URIRef:
        """A meeting is its day and place; with no year, its day, month, place and the documents it is about (two
        articles reporting it are one meeting; without documents, too little to tell two meetings apart); else
        its article and label."""
        if article_id in self.story_meetings:
            return URIRef(self.story_meetings[article_id])
        when = meeting.date or UNDATED
        if meeting.date:
            seed = f"{meeting.date}|{meeting.province}"
        elif meeting.day and meeting.documents:
            seed = f"{meeting.day}|{meeting.province}|{'|'.join(sorted(meeting.documents))}"
        else:
            seed = f"{article_id}|{fold(meeting.label)}"
        return self._iri("meeting", when, meeting.province or "tw", _hash(seed, 4))

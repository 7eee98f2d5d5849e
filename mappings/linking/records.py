"""What one article says, as plain values: the shape of shared/tools/GOLD_FORMAT.md plus evidence.

`ArticleRecord.to_dict()` is the gold format, so the scorer's view and golden JSON need no adapter.
Every fact keeps the span it was read from and the rule that read it (`Evidence`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    start: int
    end: int
    rule: str


@dataclass(frozen=True, slots=True)
class DocumentRef:
    key: str                    # unique in the article: "Directive 39-CT/TW" or "Directive #39" when unresolved
    type: str                   # Directive, Conclusion ... Other
    number: str
    symbol: str | None
    issuer_code: str | None
    date: str | None
    issuer: str | None          # body key (reference data)
    issuer_label: str | None
    title: str | None
    province: str | None        # unit key, for provincial documents
    evidence: dict[str, Evidence] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class DocumentLink:
    source: str                 # DocumentRef.key
    relation: str               # replaces | implements | based_on
    target: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Position:
    label: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class OfficialRef:
    name: str
    positions: tuple[Position, ...]
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class MeetingRef:
    label: str
    date: str | None
    province: str | None
    chairs: tuple[str, ...]
    participants: tuple[str, ...]
    documents: tuple[str, ...]  # DocumentRef.key
    evidence: dict[str, Evidence] = field(default_factory=dict, hash=False, compare=False)
    day: str | None = None      # "--05-27" (xsd:gMonthDay) when the text gives the day and month but no year resolves


@dataclass(frozen=True, slots=True)
class ProvinceRef:
    key: str
    name: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    identifier: str
    title: str
    published: str | None
    url: str | None
    text_sha256: str
    provinces: tuple[ProvinceRef, ...]
    documents: tuple[DocumentRef, ...]
    links: tuple[DocumentLink, ...]
    officials: tuple[OfficialRef, ...]
    meetings: tuple[MeetingRef, ...]
    province_names: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    main_province: str | None = None   # the unit key the article names most: where its untitled people are placed

    def document(self, key: str) -> DocumentRef:
        return next(d for d in self.documents if d.key == key)

    def to_dict(self) -> dict[str, Any]:
        """The record in shared/tools/GOLD_FORMAT.md's shape."""
        symbol = {d.key: d.symbol or f"#{d.number}" for d in self.documents}
        return {
            "article": f"{self.identifier}.txt", "source_url": self.url, "published": self.published,
            "provinces": [p.name for p in self.provinces],
            "documents": [_document_dict(d, self.province_names) for d in self.documents],
            "document_links": [{"from": symbol[l.source], "relation": l.relation, "to": symbol[l.target]} for l in self.links],
            "officials": [{"name": o.name, "positions": [p.label for p in o.positions]} for o in self.officials],
            "meetings": [{"label": m.label, "date": m.date, "province": self.province_names.get(m.province or ""),
                          "chairs": list(m.chairs), "participants": list(m.participants),
                          "documents": [symbol[k] for k in m.documents]} for m in self.meetings],
        }


def _document_dict(doc: DocumentRef, province_names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": doc.type, "symbol": doc.symbol, "date": doc.date, "issuer": doc.issuer_label,
                           "title": doc.title}
    if doc.symbol is None:
        out["number"] = doc.number
    if doc.province:
        out["province"] = province_names.get(doc.province, doc.province)
    return out

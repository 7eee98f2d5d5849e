"""Document citations: text (match form) in, `Citation`s out, each with its span and rule.

A citation has a head and a tail. The head names the document:
  CASE 1  type word + symbol       "Chỉ thị số 39-CT/TW", "Nghị quyết số 09/NQ-CP", "Luật số 12/2023/QH15"
  CASE 2  symbol alone             "39-CT/TW" (type from the abbreviation)
  CASE 3  type word + number       "Kết luận số 01", "Chỉ thị 39", "NQ 35" (symbol from the issuer, or later
                                   from a full citation of the same number in the article)
The tail, in this order and each optional, says more about it: the date ("ngày 18/8/2014"), the issuer
("của Bộ Chính trị (khóa XII)") and the title ("về ...", or quoted). Citations listed with commas or "và" share
the issuer written after the last of them ("Chỉ thị 23-CT/TW, Chỉ thị 39-CT/TW và Kết luận 21 của Bộ Chính trị"); a
title goes only to the citation it follows (GOLD_FORMAT: "Issuer"). A semicolon ends a list.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from mappings.extraction.bodies import BodyMention, body_at, find_bodies, plenum_at
from mappings.extraction.dates import DateMention, date_at
from mappings.extraction.officials import position_heads
from mappings.extraction.patterns import (
    GAP,
    LAW_SYMBOL,
    NUMBER_STARTS,
    WORD_TO_NUMBER,
    lookup_key,
    matches_at,
    number_only,
    party_symbol,
    state_symbol,
    type_word,
)
from mappings.extraction.reference import load_bodies, load_provincial_bodies
from mappings.extraction.rules import DocumentType, document_types
from mappings.extraction.titles import read_title

_GAP = re.compile(GAP)
# "của Bộ Chính trị", "do Ban Bí thư", or the body right after ("... ngày 16/6/2022 Hội nghị lần thứ năm Ban Chấp hành
# Trung ương Đảng"): a comma needs "của" after it, else the next clause's subject would be taken for the issuer.
_OF = re.compile(rf"(?:{GAP}(?:của|do)\s+|\s++)(?:Hội nghị\s+(?:lần thứ\s+\S+|Trung ương\s+\d+)\s+)?", re.I)
# Before a plenum named as the issuer: "của", "do", or a comma ("..., ngày 25/10/2017, Hội nghị Trung ương 6").
_OF_WORD = re.compile(rf"{GAP}(?:(?:của|do)\s+)?", re.I)
_PAREN, _CLOSE_PAREN = re.compile(r"\s*+\(\s*+"), re.compile(r"\s*+\)")
# A list: "A, B và C", "A, B, C" (a semicolon ends it).
_JOIN = re.compile(r"\s*+(?:,\s*+(?:và\s+)?|và\s+)")
# "(sau đây gọi tắt là Nghị quyết số 20-NQ/TW)": a short name for the citation just read.
_ALIAS = re.compile(r"\s*+\((?:sau đây\s+)?(?:gọi|viết)\s+tắt\s+là[^)]*\)", re.I)
_CLOSING_QUOTES = ("”", '"')
_ISSUED_BY_BEFORE = re.compile(r"(?:ban hành|tại)\s+$", re.I)   # "[body] (đã) ban hành" right before the citation


@dataclass(frozen=True, slots=True)
class Citation:
    start: int                 # head start
    end: int                   # head end
    type_id: str | None
    number: str
    symbol: str | None         # canonical symbol when the text writes one
    issuer_code: str | None    # from the symbol, or from the issuer body for CASE 3
    year: int | None           # written in the citation: 152/2025/NĐ-CP, Quy định 80/2022
    rule: str
    date: DateMention | None = None
    body: BodyMention | None = None
    title: str | None = None
    title_span: tuple[int, int] | None = None
    tail_end: int = 0
    joined_to: int | None = None   # start of the next citation of its list (joined by a comma or "và")
    joined_by_and: bool = False    # the next one is joined by "và" ("A và B", "A, và B"), not by a comma alone
    nested_in: int | None = None   # index of the citation whose title contains this one
    abbr: str | None = None        # CASE 3: the abbreviation the type word written takes ("Thông báo": TB)

    @property
    def style(self) -> str:
        return "party" if self.symbol and "-" in self.symbol.split("/")[0] else "state"


@cache
def _types_by_word() -> dict[str, DocumentType]:
    return {lookup_key(w): t for t in document_types() for w in (*t.words, *t.short)}


@cache
def _issuer_codes() -> dict[str, str]:
    """The gazetteer's issuer codes by their capitals: "THU" → "ThU"."""
    return {b.issuer_code.upper(): b.issuer_code for b in (*load_bodies(), *load_provincial_bodies()) if b.issuer_code}


@cache
def _short_forms() -> frozenset[str]:
    """Short forms as type words ("NQ 35"): a number after them needs no "số" nor a capital."""
    return frozenset(lookup_key(w) for t in document_types() for w in t.short)


def type_of_word(word: str) -> str:
    """The type id of a type word as written ("Chỉ thị" → "Directive")."""
    return _types_by_word()[lookup_key(word)].id


@cache
def _type_for_abbr(abbr: str, style: str) -> DocumentType | None:
    matches = [t for t in document_types() if abbr.upper() in (a.upper() for a in t.abbr)]
    preferred = [t for t in matches if style in t.default_for]
    return (preferred or matches or [None])[0]


def find_citations(text: str, published: str | None = None) -> list[Citation]:
    """Every citation in `text` (the body's match form), in order, with its tail read."""
    heads = _symbol_heads(text)
    heads += _number_heads(text, heads)
    heads.sort(key=lambda c: c.start)
    cited = [_read_tail(text, head, heads, published) for head in heads]
    bodies = cache(lambda: find_bodies(text, published))   # looked for only if an issuer may be written before
    cited = [_issuer_before(text, c, bodies) if c.body is None else c for c in cited]
    return _share_tails(_mark_nested(_titles_through_named(text, cited)))


def _symbol_heads(text: str) -> list[Citation]:
    found: list[Citation] = []
    taken: list[tuple[int, int]] = []   # disjoint spans, in order
    starts = [number.start() for number in NUMBER_STARTS.finditer(text)]
    for pattern, style in ((LAW_SYMBOL, "law"), (state_symbol(), "state"), (party_symbol(), "party")):
        for match in matches_at(pattern, text, starts):
            place = bisect_left(taken, (match.end(),))   # the spans before it start before it ends
            if place and taken[place - 1][1] > match.start():
                continue
            taken.insert(place, match.span())
            found.append(_symbol_citation(text, match, style))
    return found


def _symbol_citation(text: str, match: re.Match[str], style: str) -> Citation:
    number, issuer = match["number"], match["issuer"].replace("TƯ", "TW")
    if issuer.isupper() or style == "party":   # party codes in capitals, but those written in mixed case ("ThU")
        issuer = _issuer_codes().get(issuer.upper(), issuer.upper())
    word = _word_before(text, match.start())
    abbr = match.groupdict().get("abbr")
    doc_type = _types_by_word()[lookup_key(word.group(0))] if word else None
    if doc_type is None and abbr:
        doc_type = _type_for_abbr(abbr, style)
    year = int(match["year"]) if match.groupdict().get("year") else None
    symbol = _canonical(number, abbr, issuer, year, style)
    rule = f"documents.{'typed_' if word else ''}{style}_symbol"
    return Citation(word.start() if word else match.start(), match.end(), doc_type.id if doc_type else "Other",
                    number, symbol, issuer, year, rule)


def _word_before(text: str, pos: int) -> re.Match[str] | None:
    window_start = max(0, pos - 60)
    last = None
    for word in type_word().finditer(text, window_start, pos):
        if WORD_TO_NUMBER.fullmatch(text, word.end(), pos):
            last = word
    return last


def _canonical(number: str, abbr: str | None, issuer: str, year: int | None, style: str) -> str:
    """39-CT/TW, 439/QĐ-TTg, 152/2025/NĐ-CP, 54/2017/QH14; numbers padded to two digits like the originals."""
    number = number.zfill(2)
    canonical_abbr = next((a for t in document_types() for a in t.abbr if abbr and a.upper() == abbr.upper()), abbr)
    if style == "party":
        return f"{number}-{canonical_abbr}/{issuer}"
    middle = f"{year}/" if year else ""
    return f"{number}/{middle}{canonical_abbr}-{issuer}" if canonical_abbr else f"{number}/{middle}{issuer}"


def _number_heads(text: str, symbol_heads: list[Citation]) -> list[Citation]:
    found = []
    spans = sorted((h.start, h.end) for h in symbol_heads)   # disjoint
    for word in type_word().finditer(text):
        place = bisect_right(spans, (word.start(), len(text) + 1))
        if place and spans[place - 1][1] > word.start():   # inside a symbol citation's head
            continue
        match = number_only().match(text, word.end())
        written = word.group(0)
        # in running text a type word and a count ("kế hoạch 5 năm") are no citation: "số", a short form or a
        # capital ("Kết luận 21", "thông báo Kết luận 20/2022") says a document is named
        if not match or not (match["so"] or lookup_key(written) in _short_forms() or not written.islower()):
            continue
        doc_type = _types_by_word()[lookup_key(written)]
        year = int(match["year"]) if match["year"] else None
        found.append(Citation(word.start(), match.end(), doc_type.id, match["number"], None, None, year,
                              "documents.typed_number", abbr=doc_type.abbr_for(lookup_key(written))))
    return found


def _read_tail(text: str, head: Citation, heads: list[Citation], published: str | None) -> Citation:
    pos = head.end
    date = date_at(text, _GAP.match(text, pos).end())
    if date:
        pos = date.end
    elif (opened := _PAREN.match(text, pos)) and (date := date_at(text, opened.end())):   # "(ngày 27/12/2021)"
        pos = closed.end() if (closed := _CLOSE_PAREN.match(text, date.end)) else date.end
    of = _OF.match(text, pos)
    body = (body_at(text, of.end(), published) if of else None) or _plenum_of(text, pos)
    if body:
        pos = body.end
    if body and not date and (later := date_at(text, _GAP.match(text, pos).end())) and later.year:
        date, pos = later, later.end
    title = read_title(text, pos, heads, head.type_id)
    if title:
        pos = title.after
    if alias := _ALIAS.match(text, pos):
        pos = alias.end()
    following = bisect_left(heads, pos, key=lambda h: h.start)
    next_head = heads[following].start if following < len(heads) else len(text)
    join = _JOIN.match(text, pos) if next_head < len(text) else None
    joined = join is not None and join.end() == next_head
    cited = replace(head, date=date, body=body, tail_end=pos, joined_to=next_head if joined else None,
                    joined_by_and=join is not None and joined and "và" in join.group(0),
                    title=title.text if title else None, title_span=(title.start, title.end) if title else None)
    return _with_inferred_symbol(cited)


def _plenum_of(text: str, pos: int) -> BodyMention | None:
    """"... của Hội nghị Trung ương 4 khóa XIII": a plenum named as the issuer (only after "của" or "do")."""
    of = _OF_WORD.match(text, pos)
    return plenum_at(text, of.end()) if of else None


def _with_inferred_symbol(cited: Citation) -> Citation:
    """CASE 3: "Kết luận số 01 của Bộ Chính trị" is 01-KL/TW: the body says which symbol family."""
    if cited.symbol or not cited.body:
        return cited
    if not cited.abbr:
        return cited
    code = cited.body.issuer_code
    return replace(cited, symbol=_canonical(cited.number, cited.abbr, code, None, "party"), issuer_code=code,
                   rule="documents.number_with_issuer")


def _issuer_before(text: str, cited: Citation, bodies: Callable[[], list[BodyMention]]) -> Citation:
    """"Bộ Chính trị ban hành Chỉ thị số 39-CT/TW": the issuer written before, in the same clause."""
    before = text[max(0, cited.start - 80): cited.start]
    if not _ISSUED_BY_BEFORE.search(before):
        return cited
    found = bodies()   # in order, disjoint: their ends ascend
    near = found[bisect_left(found, cited.start - 120, key=lambda b: b.end):bisect_right(found, cited.start, key=lambda b: b.end)]
    candidates = [b for b in near if not re.search(r"[.;\n]", text[b.end:cited.start]) and not _in_title(text, b.start)
                  and (cited.symbol is None or b.issuer_code == cited.issuer_code)]   # a TU plan is not the BTGTU's
    return _with_inferred_symbol(replace(cited, body=candidates[-1])) if candidates else cited


def _in_title(text: str, start: int) -> bool:
    """A body right after a position head ("Bí thư Tỉnh ủy") names a person's post, not an actor."""
    return any(head.end() + 1 >= start for head in position_heads().finditer(text, max(0, start - 40), start)
               if text[head.end():start].strip() == "")


def _titles_through_named(text: str, cited: list[Citation]) -> list[Citation]:
    """A title that names the document it carries out runs on through that document's date, issuer and own title
    ("về tiếp tục thực hiện Nghị quyết số 13-NQ/TW, ngày 16/01/2012 của Ban Chấp hành Trung ương về ...",
    GOLD_FORMAT "Titles"); the named document's tail is its own as well. Last first, so a chain runs through."""
    out = list(cited)
    by_end = {c.end: i for i, c in enumerate(out)}
    for index in range(len(out) - 1, -1, -1):
        current = out[index]
        named = by_end.get(current.title_span[1]) if current.title_span else None
        if current.title_span is None or named is None or named <= index:
            continue
        inner = out[named]
        own_body = inner.body.end if inner.body and inner.body.end <= inner.tail_end else 0
        end = max(inner.title_span[1] if inner.title_span else 0, own_body, inner.date.end if inner.date else 0, inner.end)
        if text[end:end + 1] in _CLOSING_QUOTES:   # the named document's quoted title, closed
            end += 1
        start = current.title_span[0]
        end = start + len(text[start:end].rstrip(" ,;"))
        out[index] = replace(current, title=text[start:end], title_span=(start, end))
    return out


def _mark_nested(cited: list[Citation]) -> list[Citation]:
    """A citation inside another's title is nested in the innermost such title (one sweep over the citations, in
    order, with the titles open at each one on a stack)."""
    titles = sorted((c.title_span[0], c.title_span[1], i) for i, c in enumerate(cited) if c.title_span)
    out, open_titles, next_title = [], [], 0
    for citation in cited:
        while next_title < len(titles) and titles[next_title][0] <= citation.start:
            open_titles.append(titles[next_title])
            next_title += 1
        while open_titles and open_titles[-1][1] <= citation.start:
            open_titles.pop()
        parent = open_titles[-1][2] if open_titles else None
        out.append(citation if parent is None else replace(citation, nested_in=parent))
    return out


def _share_tails(cited: list[Citation]) -> list[Citation]:
    """The members of a list without an issuer of their own take the one written after the list, when their
    symbol allows it (a 39-CT/TW is not issued by a Tỉnh ủy)."""
    out = list(cited)
    by_start = {c.start: i for i, c in enumerate(out)}
    for index in range(len(out) - 1, -1, -1):
        current = out[index]
        if current.joined_to is None or current.body is not None:
            continue
        body = out[by_start[current.joined_to]].body
        if body and (current.symbol is None or current.issuer_code == body.issuer_code):
            out[index] = _with_inferred_symbol(replace(current, body=body))
    return out

"""Mentions → `ArticleRecord`: one entry per thing the article names, every mention of it merged.

  documents  merged per (type, symbol); "Chỉ thị 39" is the 39-CT/TW the article cites in full elsewhere;
             a provincial document (/TU, /BTCTU ...) belongs to the province its issuer names, else to the
             article's main province
  officials  merged per name, positions in order of first appearance, a title that begins another of the
             same person ("Trưởng Đoàn Kiểm tra" / "Trưởng Đoàn Kiểm tra số 7") kept once, in full; titles
             written two ways that make one position IRI ("HĐND - UBND" / "HĐND-UBND") kept once, as first written
  meeting    chairs from "chủ trì" sentences, participants the other acting officials, documents those
             cited where the meeting is reported; a day the calendar lacks ("Sáng 29/2" in a year with no
             29 February) is no date
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter
from functools import cache

from mappings.extraction.dates import resolve_year
from mappings.extraction.documents import Citation
from mappings.extraction.meetings import chair_spans, is_about_meeting
from mappings.extraction.mentions import Mentions
from mappings.extraction.reference import load_provincial_bodies, load_units
from mappings.linking.records import (
    ArticleRecord,
    DocumentLink,
    DocumentRef,
    Evidence,
    MeetingRef,
    OfficialRef,
    Position,
    ProvinceRef,
)
from mappings.reading.article import Article
from mappings.reading.text import fold, slugify

# District and commune party committees also number their documents per province.
_LOCAL_CODES = frozenset({"HU", "ĐU", "QU", "TU", "ĐUK", "UBND", "HĐND", "BCSĐ"})


@cache
def provincial_codes() -> frozenset[str]:
    return _LOCAL_CODES | {b.issuer_code for b in load_provincial_bodies() if b.issuer_code}


@cache
def _unit_names() -> dict[str, str]:
    return {u.key: u.name for u in load_units()}


def resolve(article: Article, found: Mentions) -> ArticleRecord:
    main = _main_province(found)
    keys = _document_keys(found.citations)
    documents = _documents(article, found.citations, keys, main)
    officials = _officials(article, found)
    provinces = _provinces(found)
    return ArticleRecord(
        identifier=article.identifier, title=article.title, published=article.published, url=article.url,
        text_sha256=article.sha256, provinces=provinces, documents=documents,
        links=_links(found, keys), officials=officials, meetings=_meetings(article, found, keys, officials, main),
        province_names={**{p.key: p.name for p in provinces}, **{d.province: _unit_names()[d.province]
                                                                  for d in documents if d.province}},
        main_province=main)


def _main_province(found: Mentions) -> str | None:
    counts = Counter(p.key for p in found.provinces)
    return max(counts, key=lambda k: (counts[k], -next(i for i, p in enumerate(found.provinces) if p.key == k)), default=None)


def _provinces(found: Mentions) -> tuple[ProvinceRef, ...]:
    first: dict[str, ProvinceRef] = {}
    for p in found.provinces:
        first.setdefault(p.key, ProvinceRef(p.key, p.name, Evidence(p.start, p.end, p.rule)))
    return tuple(first.values())


def _document_keys(cited: list[Citation]) -> list[str]:
    """One key per citation; bare symbols take the worded type, bare numbers the full symbol cited elsewhere."""
    worded = {c.symbol: c.type_id for c in cited if c.symbol and "typed" in c.rule}
    keys = []
    for c in cited:
        if c.symbol:
            keys.append(f"{c.type_id if 'typed' in c.rule else worded.get(c.symbol, c.type_id)} {c.symbol}")
            continue
        same = {d.symbol for d in cited if d.symbol and d.type_id == c.type_id and d.number.lstrip("0") == c.number.lstrip("0")}
        keys.append(f"{c.type_id} {same.pop()}" if len(same) == 1 else f"{c.type_id} #{c.number.lstrip('0') or '0'}")
    return keys


def _documents(article: Article, cited: list[Citation], keys: list[str], main: str | None) -> tuple[DocumentRef, ...]:
    groups: dict[str, list[Citation]] = {}
    for key, c in zip(keys, cited):
        groups.setdefault(key, []).append(c)
    return tuple(_document(article, key, group, main) for key, group in groups.items())


def _document(article: Article, key: str, group: list[Citation], main: str | None) -> DocumentRef:
    head = next((c for c in group if c.symbol), group[0])
    dated = next((c for c in group if c.date and c.date.year), None)
    issued = next((c for c in group if c.body), None)
    titled = sorted((c for c in group if c.title_span), key=lambda c: (c.date is None, c.start))
    evidence = {"symbol": Evidence(head.start, head.end, head.rule)}
    if dated and dated.date:
        evidence["date"] = Evidence(dated.date.start, dated.date.end, dated.date.rule)
    if issued and issued.body:
        evidence["issuer"] = Evidence(issued.body.start, issued.body.end, issued.body.rule)
    title = None
    if titled and titled[0].title_span:
        start, end = titled[0].title_span
        title = article.text[start:end]
        evidence["title"] = Evidence(start, end, "titles.after_citation")
    code = head.issuer_code
    province = None
    if code in provincial_codes():
        province = next((c.body.province for c in group if c.body and c.body.province), None) or main
    return DocumentRef(key=key, type=key.split(" ", 1)[0], number=head.number.lstrip("0") or "0", symbol=head.symbol,
                       issuer_code=code, date=dated.date.iso if dated and dated.date else None,
                       issuer=issued.body.key if issued and issued.body else None,
                       issuer_label=issued.body.label if issued and issued.body else None,
                       title=title, province=province, evidence=evidence)


def _links(found: Mentions, keys: list[str]) -> tuple[DocumentLink, ...]:
    """One link per (document, relation, document), the first found; none from a document to itself, and none
    that turns back one already kept ("A, then B, then A again" read as a succession is not B replacing A)."""
    seen: dict[tuple[str, str, str], DocumentLink] = {}
    for link in found.links:
        source, target = keys[link.source], keys[link.target]
        if source != target and (target, link.relation, source) not in seen:
            seen.setdefault((source, link.relation, target),
                            DocumentLink(source, link.relation, target, Evidence(link.start, link.end, link.rule)))
    return tuple(seen.values())


def _officials(article: Article, found: Mentions) -> tuple[OfficialRef, ...]:
    merged: dict[str, tuple[str, Evidence, list[Position]]] = {}
    for mention in found.officials:
        name = article.text[mention.name.start:mention.name.end]
        _, _, positions = merged.setdefault(fold(name), (name, Evidence(mention.name.start, mention.name.end, mention.rule), []))
        for span in mention.positions:
            label = " ".join(article.text[span.start:span.end].split())
            if label and slugify(label) not in {slugify(p.label) for p in positions}:  # the key of its IRI
                positions.append(Position(label, Evidence(span.start, span.end, mention.rule)))
    return tuple(OfficialRef(name, _longest_titles(positions), evidence) for name, evidence, positions in merged.values())


def _longest_titles(positions: list[Position]) -> tuple[Position, ...]:
    folded = [fold(p.label) for p in positions]
    return tuple(p for p, f in zip(positions, folded) if not any(o != f and o.startswith(f + " ") for o in folded))


def _meetings(article: Article, found: Mentions, keys: list[str], officials: tuple[OfficialRef, ...],
              main: str | None) -> tuple[MeetingRef, ...]:
    meeting = found.meeting
    if meeting is None:
        return ()
    sentence = found.sentences[meeting.sentence]
    names = sorted((m.name.start, fold(article.text[m.name.start:m.name.end]), m.genitive) for m in found.officials)
    by_fold = {fold(o.name): o.name for o in officials}
    chairs = _chairs(found, names)
    acting = {f for _, f, genitive in names if not genitive}
    places = [p.key for p in found.provinces if sentence.start <= p.start < sentence.end]
    documents = _meeting_documents(found, keys, names, meeting.core)
    start, end = meeting.label
    return (MeetingRef(
        label=" ".join(article.text[start:end].split()),
        date=_calendar_date(resolve_year(meeting.date, article.published)) if meeting.date else None,
        province=places[0] if places else main,
        chairs=tuple(by_fold[f] for f in chairs),
        participants=tuple(by_fold[f] for f in by_fold if f in acting and f not in chairs),
        documents=documents,
        evidence={"label": Evidence(start, end, meeting.rule)} | (
            {"date": Evidence(meeting.date.start, meeting.date.end, meeting.date.rule)} if meeting.date else {}),
        day=f"--{meeting.date.month:02d}-{meeting.date.day:02d}" if meeting.date else None),)


def _calendar_date(iso: str | None) -> str | None:
    """The ISO date if the calendar has that day, else None: a day and month take the article's year, which may
    lack them (29/2), and an xsd:date must be a real day.

    >>> _calendar_date("2024-02-29"), _calendar_date("2023-02-29"), _calendar_date("0000-05-01")
    ('2024-02-29', None, None)
    """
    try:
        return iso if iso and dt.date.fromisoformat(iso) else None
    except ValueError:
        return None


def _chairs(found: Mentions, names: list[tuple[int, str, bool]]) -> list[str]:
    chairs: dict[str, None] = {}
    positions = [pos for pos, _, _ in names]   # names are in text order
    for sentence in found.sentences:
        named = names[bisect_left(positions, sentence.start):bisect_left(positions, sentence.end)]
        for start, end in chair_spans(found.text, sentence) if named else ():  # chairs are named in the sentence
            chairs.update((f, None) for pos, f, _ in named if start <= pos < end)
    return list(chairs)


def _meeting_documents(found: Mentions, keys: list[str], names: list[tuple[int, str, bool]], core: str) -> tuple[str, ...]:
    documents: dict[str, None] = {}
    starts = [c.start for c in found.citations]   # in text order, as are the names
    positions = [pos for pos, _, _ in names]
    for sentence in found.sentences:
        first, last = bisect_left(starts, sentence.start), bisect_left(starts, sentence.end)
        cited = [keys[i] for i in range(first, last) if found.citations[i].nested_in is None and "#" not in keys[i]]
        people = bisect_left(positions, sentence.start) < bisect_left(positions, sentence.end)
        if cited and is_about_meeting(found.text, sentence, core, people):
            documents.update(dict.fromkeys(cited))
    return tuple(documents)

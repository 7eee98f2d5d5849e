"""Relations the text states between cited documents (indices into the citation list).

  implements  "A [ngày ...] [của ...] (về) thực hiện B [và C]"
  based_on    "Căn cứ B1; B2 ..., [body] ban hành A"          (one sentence)
  replaces    "A thay thế B", "B được thay thế bằng A", "B1; tiếp theo là B2, B3 và nay là B4",
              "sửa đổi, bổ sung và ban hành A" (A replaces the last earlier document of its type and issuer)
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from mappings.extraction.bodies import body_at
from mappings.extraction.documents import Citation, type_of_word
from mappings.extraction.patterns import GAP, alternation, type_word, word_start
from mappings.extraction.rules import word_lists
from mappings.extraction.segment import Sentence


@dataclass(frozen=True, slots=True)
class LinkMention:
    source: int
    relation: str       # replaces | implements | based_on
    target: int
    start: int          # span of the phrase that states it
    end: int
    rule: str


@cache
def _phrase(name: str, anchored: str) -> re.Pattern[str]:
    words = alternation(word_lists("links")[name])
    return re.compile(anchored.replace("PHRASE", words), re.I)


@cache
def _word_phrase(name: str, after: str) -> re.Pattern[str]:
    """A phrase that starts a word, then `after`: `_phrase` in the form for scanning text (`word_start`)."""
    return re.compile(word_start(word_lists("links")[name], ignore_case=True) + after)


def _core_end(cited: Citation) -> int:
    """Where a citation's head, date and issuer end (its title, if any, comes after). An issuer shared from the end
    of its list lies beyond its own tail, and is not part of it."""
    own_body = cited.body is not None and cited.body.end <= cited.tail_end
    return max(cited.end, cited.date.end if cited.date else 0, cited.body.end if own_body and cited.body else 0)


@dataclass(frozen=True, slots=True)
class _Cited:
    """The article's citations (in text order) with the lookups the rules make, each without a pass over them all:
    extraction stays linear in the text however many citations it holds."""

    items: list[Citation]
    starts: list[int]
    by_start: dict[int, int]

    @classmethod
    def of(cls, cited: list[Citation]) -> _Cited:
        return cls(cited, [c.start for c in cited], {c.start: i for i, c in enumerate(cited)})

    def at(self, pos: int) -> int | None:
        """The citation whose head starts at `pos`."""
        return self.by_start.get(pos)

    def within(self, start: int, end: int) -> range:
        """The citations whose heads start in text[start:end]."""
        return range(bisect_left(self.starts, start), bisect_left(self.starts, end))

    def last_before(self, pos: int, outer_only: bool = False) -> int | None:
        """The last citation whose tail ends by `pos` (not inside another's title, if `outer_only`)."""
        index = bisect_left(self.starts, pos) - 1
        while index >= 0 and (self.items[index].tail_end > pos or (outer_only and self.items[index].nested_in is not None)):
            index -= 1
        return index if index >= 0 else None


def find_links(text: str, cited: list[Citation], sentences: list[Sentence]) -> list[LinkMention]:
    indexed = _Cited.of(cited)
    sources = _sources(text, cited)
    return (_implements(text, indexed, sources) + _issued_to_carry_out(text, indexed, sentences, sources)
            + _based_on(text, indexed, sentences) + _replaces(text, indexed, sources) + _succession(text, indexed)
            + _amendments(text, cited))


def _sources(text: str, cited: list[Citation]) -> frozenset[int]:
    """The citations followed by a relation phrase of their own ("Kế hoạch 12 thực hiện ...")."""
    replaces = _phrase("replaces", rf"{GAP}(?:PHRASE)\s+")
    return frozenset(i for i, c in enumerate(cited)
                     if _implementing().match(text, _core_end(c)) or replaces.match(text, c.tail_end))


def _following_group(cited: _Cited, first: int, sources: frozenset[int]) -> list[int]:
    """B and the citations listed after it ("B, C và D"), up to one that states a relation of its own. A comma
    alone does not carry the list out of (or into) the title B stands in: "A về thực hiện B [B's title], C" lists
    C beside A, where "... thực hiện B [B's title] và C" gives A both."""
    group, items = [first], cited.items
    while (joined := items[group[-1]].joined_to) is not None:
        following = cited.by_start[joined]
        level_changes = items[following].nested_in != items[group[-1]].nested_in
        if following in group or following in sources or (level_changes and not items[group[-1]].joined_by_and):
            break
        group.append(following)
    return group


@cache
def _implementing() -> re.Pattern[str]:
    """After A: "[,] (về) (tiếp tục, đẩy mạnh ...) thực hiện (có hiệu quả) ", or "về Kế hoạch triển khai ", and B
    follows."""
    lists = word_lists("links")
    lead, plan = alternation(lists["implements_lead"]), alternation(lists["implements_plan"])
    phrase, manner = alternation(lists["implements"]), alternation(lists["implements_manner"])
    leads = rf"(?:(?:{lead})(?:\s+\d+\s+năm)?(?:\s*,\s*|\s+))*"
    adopted = rf"(?:(?<=về\s)|(?<=hành\s))(?:{plan})\s+{leads}(?:triển\s+khai|{phrase})"   # "về Kế hoạch triển khai"
    return re.compile(rf"{GAP}{leads}(?:{adopted}|(?:{phrase}))(?:\s+(?:{manner}))?\s+", re.I)


def _implements(text: str, cited: _Cited, sources: frozenset[int]) -> list[LinkMention]:
    pattern = _implementing()
    found = []
    earlier = _Earlier()
    for index, source in enumerate(cited.items):
        phrase = pattern.match(text, _core_end(source))
        if phrase:
            target = cited.at(phrase.end())
            targets = (_following_group(cited, target, sources) if target is not None
                       else _anaphor(text, phrase.end(), earlier))
            found += [LinkMention(index, "implements", t, phrase.start(), phrase.end(), "links.implements")
                      for t in targets]
        earlier.add(index, source)
    return found


class _Earlier:
    """The symbols cited so far, by type and by type and issuer: each symbol with its first citation."""

    def __init__(self) -> None:
        self._symbols: dict[tuple[str | None, str | None], dict[str, int]] = {}

    def add(self, index: int, cited: Citation) -> None:
        if cited.symbol:
            for key in ((cited.type_id, None), (cited.type_id, cited.body.key if cited.body else "")):
                self._symbols.setdefault(key, {}).setdefault(cited.symbol, index)

    def only(self, doc_type: str, body_key: str | None) -> int | None:
        """The first citation of the one symbol of that type (by that body) cited so far; None if none or several."""
        symbols = self._symbols.get((doc_type, body_key), {})
        return next(iter(symbols.values())) if len(symbols) == 1 else None


def _anaphor(text: str, pos: int, earlier: _Earlier) -> list[int]:
    """"thực hiện Quy định của Ban Bí thư về ...": the one earlier citation of that type by that body."""
    word = type_word().match(text, pos)
    if not word:
        return []
    of = re.compile(r"\s+của\s+", re.I).match(text, word.end())
    body = body_at(text, of.end()) if of else None
    only = earlier.only(type_of_word(word.group(0)), body.key if body else None)
    return [] if only is None else [only]


def _issued_to_carry_out(text: str, cited: _Cited, sentences: list[Sentence],
                         sources: frozenset[int]) -> list[LinkMention]:
    """"Thực hiện B (và C), Ban Thường vụ Tỉnh ủy đã ban hành Kế hoạch A": A implements B (and C), in one sentence."""
    opening = _phrase("implements", r"\s*(?:(?:Để|Nhằm)\s+)?(?:PHRASE)\s+")
    issuing = _phrase("issue_words", r"(?:PHRASE)\s+$")
    found = []
    for sentence in sentences:
        phrase = opening.match(text, sentence.start, sentence.end)
        if not phrase or (first := cited.at(phrase.end())) is None:
            continue
        carried = _following_group(cited, first, sources)
        issued = [i for i in cited.within(cited.items[carried[-1]].tail_end, sentence.end)
                  if cited.items[i].nested_in is None and _issued_here(issuing, text, cited.items[i])]
        found += [LinkMention(a, "implements", b, phrase.start(), phrase.end(), "links.issued_to_carry_out")
                  for a in issued for b in carried]
    return found


def _issued_here(issuing: re.Pattern[str], text: str, citation: Citation) -> bool:
    """"... ban hành Kế hoạch số 12": the citation is what a clause issues."""
    return issuing.search(text, max(0, citation.start - 12), citation.start) is not None


def _based_on(text: str, cited: _Cited, sentences: list[Sentence]) -> list[LinkMention]:
    basis = _word_phrase("based_on", r"(?!\w)")
    issuing = _phrase("issue_words", r"(?:PHRASE)\s+$")
    found = []
    for sentence in sentences:
        if not cited.within(sentence.start, sentence.end):   # no citation in the sentence
            continue
        start = basis.search(text, sentence.start, sentence.end)
        if not start:
            continue
        inside = [i for i in cited.within(start.end(), sentence.end) if cited.items[i].nested_in is None]
        issued = [i for i in inside if _issued_here(issuing, text, cited.items[i])]
        if not issued:
            continue
        target = issued[-1]
        found += [LinkMention(target, "based_on", i, start.start(), start.end(), "links.based_on")
                  for i in inside if cited.items[i].start < cited.items[target].start and i != target]
    return found


def _replaces(text: str, cited: _Cited, sources: frozenset[int]) -> list[LinkMention]:
    """"A thay thế B, C và D" (A replaces each), also with its predicate between ("A có hiệu lực từ ngày 8-10 và
    thay thế B"); "B được thay thế bằng A"."""
    found = []
    for name, passive in (("replaces", False), ("replaced_by", True)):
        for phrase in _word_phrase(name, r"\s+").finditer(text):
            target = cited.at(phrase.end())
            subject = _subject_before(text, cited, phrase.start()) if target is not None else None
            if target is None or subject is None:
                continue
            pairs = [(target, subject)] if passive else [(subject, old) for old in _following_group(cited, target, sources)]
            found += [LinkMention(new, "replaces", old, phrase.start(), phrase.end(), "links.replaces") for new, old in pairs]
    return found


_CLAUSE_END = re.compile(r"[.;:\n]")
_SUBJECT_REACH = 100   # characters between a subject and its predicate's relation phrase, at most


def _subject_before(text: str, cited: _Cited, pos: int) -> int | None:
    """The citation a relation phrase at `pos` speaks of: the last one before it in the same clause, unless it
    stands inside another's title."""
    last = cited.last_before(pos)
    if last is None:
        return None
    between = text[cited.items[last].tail_end:pos]
    if cited.items[last].nested_in is not None or len(between) > _SUBJECT_REACH or _CLAUSE_END.search(between):
        return None
    return last


def _succession(text: str, cited: _Cited) -> list[LinkMention]:
    """"B1 ...; tiếp theo là B2, B3 và nay là B4": each document replaces the one before it."""
    marker = _word_phrase("succession", r"\s+")
    step = _phrase("succession", r"\s*+(?:[,;]|và)?+\s*+(?:PHRASE)?+\s*+")
    items = cited.items
    found: list[LinkMention] = []
    replaced: set[int] = set()
    for match in marker.finditer(text):
        after = cited.at(match.end())
        before = cited.last_before(match.start(), outer_only=True) if after is not None else None
        if (after is None or before is None or re.search(r"[.\n]", text[items[before].tail_end:match.start()])
                or before in replaced):
            continue
        chain = [before, after]
        while chain[-1] + 1 < len(items) and step.fullmatch(text, items[chain[-1]].tail_end, items[chain[-1] + 1].start):
            chain.append(chain[-1] + 1)
        found += [LinkMention(new, "replaces", old, match.start(), match.end(), "links.succession")
                  for old, new in zip(chain, chain[1:])]
        replaced.update(chain[:-1])
    return found


def _amendments(text: str, cited: list[Citation]) -> list[LinkMention]:
    """"sửa đổi, bổ sung và ban hành A": A replaces the last earlier document of its type and issuer."""
    amended = _phrase("amendment", r"(?:PHRASE)\s+$")
    found = []
    last_of: dict[tuple[str | None, str], list[int]] = {}   # (type, issuer code) → citations so far
    for index, source in enumerate(cited):
        phrase = amended.search(text, max(0, source.start - 60), source.start)
        if phrase and source.issuer_code:
            same_kind = last_of.get((source.type_id, source.issuer_code), [])
            earlier = next((j for j in reversed(same_kind) if cited[j].symbol != source.symbol), None)
            if earlier is not None:
                found.append(LinkMention(index, "replaces", earlier, phrase.start(), phrase.end(), "links.amendment"))
        if source.issuer_code:
            last_of.setdefault((source.type_id, source.issuer_code), []).append(index)
    return found

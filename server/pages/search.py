"""Diacritic-blind search over labels, names and symbols: an inverted index of folded words, ranked.

Texts and queries are folded alike (marks removed, đ → d, lower case, numbers without leading zeros), so
`thanh hoa`, `Thanh Hoá` and `Thanh Hóa` are one query, and a symbol is matched by its parts:

>>> tokens("Chỉ thị số 05-CT/TW của Ban Chấp hành Trung ương")
('chi', 'thi', 'so', '5', 'ct', 'tw', 'cua', 'ban', 'chap', 'hanh', 'trung', 'uong')

A resource is found when every query word is among its texts' words. Each text scores how it matches
(`EXACT` > `PHRASE` > `ORDERED` > `ALL` > `SPREAD` over several texts; a symbol's parts in any order are
exact), then which kind of text it is (a document's symbol first), then whether the resource has the
words as the query marked them (`Hòa` before `Hoa` when `Hòa` is asked), then how short the text is.
Words are folded once each (a bounded cache) and matched as substrings of `" word word "` strings, so
ranking tens of thousands of candidates stays in C string operations.
"""

import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from sys import intern

from mappings.reading.text import fold, match_form, nfc
from server.http.namespaces import PREFIXES

SYMBOL, LABEL, ALT_LABEL, TITLE = range(4)  # kinds of text, best first
KINDS = {  # the properties searched, and the kind of text each holds
    PREFIXES["vk"] + "symbol": SYMBOL,
    PREFIXES["rdfs"] + "label": LABEL,
    PREFIXES["foaf"] + "name": LABEL,
    PREFIXES["skos"] + "prefLabel": LABEL,
    PREFIXES["skos"] + "altLabel": ALT_LABEL,
    PREFIXES["vk"] + "title": TITLE,
}
EXACT, PHRASE, ORDERED, ALL, SPREAD = range(5)  # how a text matches the query, best first
WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1 << 17)
def _forms(word: str) -> tuple[str, str | None]:
    """A word folded (the index key), and with its marks when it has any (tone placement unified)."""
    marked = match_form(word).casefold()
    folded = fold(marked)
    return intern(folded.lstrip("0") or "0" if folded.isdigit() else folded), marked if marked != folded else None


def words(text: str) -> list[tuple[str, str | None]]:
    return [_forms(word) for word in WORD.findall(nfc(text))]


def tokens(text: str) -> tuple[str, ...]:
    """The folded words of a text; numbers lose their leading zeros (`03-KH/TW` is `3-KH/TW`)."""
    return tuple(folded for folded, _ in words(text))


def spaced(folded: Iterable[str]) -> str:
    """`" a b c "`: a phrase is a substring, a word is `" word "` in it."""
    return f" {' '.join(folded)} "


@dataclass(frozen=True, slots=True)
class Text:
    kind: int
    value: str
    spaced: str  # its folded words, `spaced`


@dataclass(frozen=True, slots=True)
class Entry:
    iri: str
    labels: dict[str, str]  # language → label (from the LABEL kind of texts)
    classes: frozenset[str]
    texts: tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class Query:
    words: tuple[str, ...]
    spaced: str
    marked: tuple[str, ...]  # the words typed with marks, as typed

    @classmethod
    def parse(cls, text: str) -> "Query":
        forms = words(text)
        folded = tuple(f for f, _ in forms)
        return cls(folded, spaced(folded), tuple(m for _, m in forms if m))


@dataclass(frozen=True, slots=True)
class Hit:
    rank: tuple[int, int, int, int, str]  # sorts best first
    entry: Entry
    text: Text  # the text that matched best


class SearchIndex:
    def __init__(self, entries: Sequence[Entry], postings: Mapping[str, Iterable[int]],
                 marks: Mapping[str, Iterable[int]]) -> None:
        self.entries = entries
        self._postings = {word: array("I", numbers) for word, numbers in postings.items()}
        self._marks = {word: array("I", numbers) for word, numbers in marks.items()}  # marked words only
        self.search = lru_cache(maxsize=256)(self._search)  # paging through one query ranks it once

    @classmethod
    def build(cls, texts: Iterable[tuple[str, str, str, str | None]], types: Mapping[str, Iterable[str]]) -> (
        "SearchIndex"
    ):
        """From `(resource, property, text, language)` rows and each resource's types."""
        found: defaultdict[str, dict[tuple[int, str], list[tuple[str, str | None]]]] = defaultdict(dict)
        names: defaultdict[str, dict[str, str]] = defaultdict(dict)
        for iri, prop, value, lang in texts:
            found[iri][KINDS[prop], value] = words(value)
            if KINDS[prop] == LABEL:
                names[iri][lang or ""] = min(names[iri].get(lang or "", value), value)
        entries: list[Entry] = []
        postings: defaultdict[str, list[int]] = defaultdict(list)
        marks: defaultdict[str, list[int]] = defaultdict(list)
        for number, (iri, by_text) in enumerate(sorted(found.items())):
            texts_of = tuple(Text(kind, value, spaced(f for f, _ in forms)) for (kind, value), forms in by_text.items())
            entries.append(Entry(iri, names.get(iri, {}), frozenset(types.get(iri, ())), texts_of))
            forms = {form for all_forms in by_text.values() for form in all_forms}
            for word in {f for f, _ in forms}:
                postings[word].append(number)
            for mark in {m for _, m in forms if m}:
                marks[mark].append(number)
        return cls(entries, postings, marks)

    def _search(self, text: str, within: str | None = None) -> tuple[Hit, ...]:
        """Every resource (of class `within`) whose texts hold all the words of `text`, best first."""
        query = Query.parse(text)
        if not query.words:
            return ()
        numbers = _having(self._postings, query.words)
        marked = _having(self._marks, query.marked) if query.marked else numbers
        entries = ((self.entries[n], n not in marked) for n in numbers)
        hits = (_hit(e, query, unmarked) for e, unmarked in entries if within is None or within in e.classes)
        return tuple(sorted(hits, key=attrgetter("rank")))


def _having(postings: Mapping[str, "array[int]"], keys: Iterable[str]) -> set[int]:
    """The entries that have every key."""
    lists = sorted((postings.get(key, array("I")) for key in set(keys)), key=len)
    return set(lists[0]).intersection(*lists[1:])


def _hit(entry: Entry, query: Query, unmarked: bool) -> Hit:
    (tier, kind, length), best = min(
        (((_match(query, text), text.kind, len(text.spaced)), text) for text in entry.texts), key=lambda pair: pair[0]
    )
    return Hit((tier, kind, int(unmarked), length, entry.iri), entry, best)


def _match(query: Query, text: Text) -> int:
    """How one text holds the query's words. A symbol's parts are matched in any order: `CT/TW 39`,
    `39/CT-TW` and `39-CT/TW` are one symbol to the people who type them.

    >>> [_match(Query.parse("chi thi 39"), _text(LABEL, t)) for t in ("Chỉ thị 39", "Chỉ thị 39-CT/TW",
    ...  "Chỉ thị số 39", "39 chỉ thị", "Chỉ thị 40")]
    [0, 1, 2, 3, 4]
    >>> _match(Query.parse("CT/TW 39"), _text(SYMBOL, "39-CT/TW"))
    0
    """
    if query.spaced == text.spaced or (text.kind == SYMBOL and sorted(query.words) == sorted(text.spaced.split())):
        return EXACT
    if query.spaced in text.spaced:
        return PHRASE
    at = 0
    for word in query.words:
        at = text.spaced.find(f" {word} ", at)
        if at < 0:
            break
        at += len(word) + 1  # the space after it may start the next word
    else:
        return ORDERED
    return ALL if all(f" {word} " in text.spaced for word in query.words) else SPREAD


def _text(kind: int, value: str) -> Text:
    return Text(kind, value, spaced(tokens(value)))

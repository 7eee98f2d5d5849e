"""Officials and their positions: text (match form) in, `OfficialMention`s out.

A person's name is 2-4 capitalised syllables starting with a family name (rules/officials.toml). A name
counts as an official only in a person context:
  CASE 1  an honorific before it      "đồng chí Tống Ngọc Bắc", "Ông Võ Văn Thưởng", "các đồng chí: A, ...; B"
  CASE 2  a title before it           "Bí thư Tỉnh ủy Đỗ Trọng Hưng", "Bí thư Huyện ủy Thọ Xuân Lê Đình Hải"
  CASE 3  a title after it            "Nguyễn Văn Hùng, Ủy viên Ban Thường vụ, ...", "Trần Tuấn Anh - Trưởng Ban ..."
Positions are the titles before the name (CASE 2), the comma-separated titles after it, and the title of a
group label ("các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy: A, ...; B, ...").
"""
from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from mappings.extraction.patterns import alternation, word_start
from mappings.extraction.rules import word_lists
from mappings.reading.text import match_form

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SEPARATOR = re.compile(r"\s*(?:,|[-–](?=\s))\s*")     # "Lê Văn An, Bí thư", "Lê Văn An - Bí thư", "Lê Văn An- Bí thư"
_COMMA_BEFORE = re.compile(r",\s*$")
_SEGMENT_END = re.compile(r"[,;:()\n“”\"…]|(?<!TP)(?<!Tp)\.(?=\s|$)|\s[-–]\s")   # "TP. Đà Nẵng" goes on
_NAME_NEXT = re.compile(r" [^\W\d_](?<=[^\W\d_a-zà-ỹđ])")   # a space and a capital: the rest of a name
_GROUP_SEPARATOR = re.compile(r"\s*[;,]\s*(?:(?:và|cùng)\s+)?(?:(?:đồng chí|ông|bà)\s+)?$", re.I)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OfficialMention:
    name: Span
    positions: tuple[Span, ...]
    rule: str
    genitive: bool      # written after "của": an author or owner, not someone acting


@cache
def _lists() -> dict[str, tuple[str, ...]]:
    return word_lists("officials")


@cache
def _surnames() -> frozenset[str]:
    return frozenset(match_form(s) for s in _lists()["surnames"])


@cache
def position_heads() -> re.Pattern[str]:
    """Title heads (rules/officials.toml `position_heads`), case-insensitive, each also as a deputy's ("Phó Tổng Tham mưu
    trưởng") and after a word that qualifies the holding (`title_prefixes`: "nguyên Chủ tịch Quốc hội", "Quyền ...")."""
    heads = _lists()["position_heads"]
    deputies = [f"Phó {head}" for head in heads if not head.casefold().startswith("phó ")]
    return re.compile(rf"(?<!\w)(?:(?:{alternation(_lists()['title_prefixes'])})\s+)?"
                      rf"(?:{alternation(heads + tuple(deputies))})(?!\w)", re.I)


@cache
def _org_heads() -> re.Pattern[str]:
    return re.compile(rf"(?:{alternation(_lists()['organization_heads'])})(?!\w)")


@cache
def _org_noun_before() -> re.Pattern[str]:
    return re.compile(rf"{word_start(_lists()['organization_nouns'], ignore_case=True)}$")


@cache
def _clause_word() -> re.Pattern[str]:
    # case-sensitive: verbs are lower-case in running text, "Ban Tổ chức" is an organisation
    return re.compile(rf"\s(?:{alternation(_lists()['clause_words'])})(?!\w)")


@cache
def _honorific_before() -> re.Pattern[str]:
    return re.compile(rf"{word_start(_lists()['honorifics'], ignore_case=True)}\s*:?\s*$")


@cache
def _honorific_at() -> re.Pattern[str]:
    return re.compile(rf"{word_start(_lists()['honorifics'], ignore_case=True)}(?!\w)")


@cache
def _body_start() -> re.Pattern[str]:
    return re.compile(rf"{word_start(_lists()['body_starts'])}(?!\w)")


@cache
def _rank_before() -> re.Pattern[str]:
    """A military or police rank right before a name: a person, and not one of their positions."""
    return re.compile(rf"{word_start(_lists()['ranks'], ignore_case=True)}\s*$")


@cache
def _rank() -> re.Pattern[str]:
    return re.compile(rf"\s{word_start(_lists()['ranks'], ignore_case=True)}(?!\w)")


@cache
def _excluded() -> frozenset[str]:
    return frozenset(match_form(n).casefold() for n in _lists()["not_officials"])


def find_officials(text: str, place_names: frozenset[str] = frozenset()) -> list[OfficialMention]:
    """Every official mention in `text` (match form); `place_names` (casefolded) are never people."""
    found: list[OfficialMention] = []
    places = _places_named(text)
    for name in _names(text):
        written = text[name.start:name.end]
        if (written.casefold() in _excluded() or written.casefold() in place_names or written.casefold() in places
                or _is_credit(text, name.start) or _is_place_after_body(text, name)):
            continue
        mention = _in_context(text, name, found)
        if mention:
            found.append(mention)
    return _with_new_posts(text, found)


@cache
def _place_word() -> re.Pattern[str]:
    """A place word and the two capitalised words after it: "quận Ninh Kiều", "huyện Châu Thành"; not three or more,
    which are a person after a title that ends with its place word ("Chủ tịch UBND huyện Nguyễn Văn An")."""
    word = rf"{_capital()}[^\W\d_]*"
    return re.compile(rf"{word_start(_lists()['place_words'], ignore_case=True)}\s+(?P<place>{word} {word})(?! {_capital()})")


def _places_named(text: str) -> frozenset[str]:
    """What the article itself calls a place (casefolded): never a person."""
    return frozenset(match["place"].casefold() for match in _place_word().finditer(text)
                     if not _body_before().search(text, max(0, match.start() - 20), match.start()))


@cache
def _body_before() -> re.Pattern[str]:
    return re.compile(rf"{word_start(_lists()['local_bodies'], ignore_case=True)}\s+$")


def _is_place_after_body(text: str, name: Span) -> bool:
    """"Quận ủy Ninh Kiều", "Huyện ủy Châu Thành": two words right after a local body are its place (a person after a
    body is written with a title between, or with a name of three words or more: "Bí thư Tỉnh ủy Đỗ Trọng Hưng")."""
    return (text.count(" ", name.start, name.end) == 1
            and bool(_body_before().search(text, max(0, name.start - 20), name.start)))


_SENTENCE_END = re.compile(r"(?<!TP)(?<!Tp)[.!?](?=\s)|\n")


@cache
def _new_post() -> re.Pattern[str]:
    """"..., làm Trưởng đoàn", "được điều động giữ chức Phó Trưởng Ban ...": a post the person takes (`new_post_words`),
    never one they leave ("thôi giữ chức ..."); group "title" is where the title begins."""
    return re.compile(rf"(?<!\w)(?<!thôi )(?:{alternation(_lists()['new_post_words'])})\s+(?:chức\s+(?:vụ\s+)?)?"
                      rf"(?=(?P<title>{position_heads().pattern}))", re.I)


def _with_new_posts(text: str, found: list[OfficialMention]) -> list[OfficialMention]:
    """A new post belongs to the nearest official named before it in the same sentence: "Đoàn do đồng chí X, ...
    làm Trưởng đoàn", "Bộ Chính trị điều động đồng chí X, ..., giữ chức ...", "X ... được bổ nhiệm làm ..."."""
    if not found:
        return found
    out = list(found)
    index = 0
    for post in _new_post().finditer(text, found[0].name.end):
        while index + 1 < len(out) and out[index + 1].name.start < post.start():
            index += 1
        person = out[index]
        if _SENTENCE_END.search(text, person.name.end, post.start()) or _last_end(person) > post.start():
            continue
        title = Span(post.start("title"), _segment_end(text, post.end("title")))
        out[index] = OfficialMention(person.name, person.positions + (title,), person.rule, person.genitive)
    return out


def _names(text: str) -> list[Span]:
    """Runs of capitalised words (one word is never a name); in each, the name is the tail that starts with a
    family name."""
    return [name for run in _runs(text) for name in _name_in(list(_WORD.finditer(text, run.start(), run.end())))]


def _runs(text: str) -> Iterator[re.Match[str]]:
    """Runs of two or more capitalised words (`_WORD`'s) joined by single spaces.

    `re` finds them going from capital to capital: a capital after a non-letter starts a word. One after a letter
    and an apostrophe may not ("ab'Cd" is one word, "ab'cd'Ef" two), so in a text that has one, every word is read,
    lower-case ones too, and no run starts inside a word.
    """
    if ("'" in text or "’" in text) and _capital_after_apostrophe().search(text):   # `in`: a quick first look
        return (match for match in _words().finditer(text) if match["run"])
    return _capital_runs().finditer(text)


@cache
def _capital_runs() -> re.Pattern[str]:
    rest = r"[^\W\d_]*(?:['’][^\W\d_]+)?"   # of a word, after its first letter
    return re.compile(rf"{_capital()}(?<![^\W\d_].){rest}(?: {_capital()}{rest})+")


@cache
def _capital_after_apostrophe() -> re.Pattern[str]:
    return re.compile(rf"['’](?<=[^\W\d_].){_capital()}")


@cache
def _words() -> re.Pattern[str]:
    """A run of capitalised words (group "run"), a capitalised word alone, or lower-case words and what follows."""
    capitalised, lower_case = rf"(?={_capital()}){_WORD.pattern}", rf"(?!{_capital()}){_WORD.pattern}"
    return re.compile(rf"(?P<run>{capitalised}(?: {capitalised})+)|{capitalised}|(?:{lower_case}[\W\d_]*)+")


@cache
def _capital() -> str:
    """A capital letter: `str.isupper`, and a letter for `_WORD`.

    Written for speed: `re` looks a character up in a bitmap of the class's Basic Multilingual Plane, but goes
    through its ranges beyond that plane one by one for every character the class does not hold. So the capitals
    beyond the plane are let in by one range and checked behind.
    """
    letter = re.compile(r"[^\W\d_]")
    capitals = [char for char in map(chr, range(sys.maxunicode + 1)) if char.isupper() and letter.fullmatch(char)]
    basic = _ranges(char for char in capitals if char <= "\uffff")
    beyond = _ranges(char for char in capitals if char > "\uffff")
    return rf"[{basic}\U00010000-\U0010ffff](?<=[^\U00010000-\U0010ffff]|[{beyond}])"


def _ranges(chars: Iterable[str]) -> str:
    """The inside of a `[...]` of the characters, as ranges."""
    ranges: list[list[int]] = []
    for code in map(ord, chars):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges)


def _name_in(run: list[re.Match[str]]) -> list[Span]:
    words = [w for w in run if w.group(0).casefold() not in ("ông", "bà", "đồng")] if len(run) > 2 else run
    if 2 <= len(words) <= 6 and _long_name_start(words[0].group(0)):   # "Y Thanh Hà Niê Kđăm", "H’Hen Niê"
        return [Span(words[0].start(), words[-1].end())]
    if 2 <= len(words) <= 4 and words[0].group(0) in _surnames():
        return [Span(words[0].start(), words[-1].end())]
    for size in (3, 4, 2):
        tail = words[-size:]
        if len(words) > size and tail[0].group(0) in _surnames():
            return [Span(tail[0].start(), tail[-1].end())]
    return []


@cache
def _long_name_starts() -> frozenset[str]:
    return frozenset(_lists()["long_name_starts"])


def _long_name_start(word: str) -> bool:
    """A first word that starts a name of any length (rules/officials.toml `long_name_starts`): the name is the
    whole run ("Y Thanh Hà Niê Kđăm" is one person, not "Hà Niê Kđăm"), "H'" or "K'" and a syllable included."""
    return word in _long_name_starts() or (len(word) > 2 and word[:2] in _long_name_starts())


def _is_credit(text: str, start: int) -> bool:
    before = text[max(0, start - 15):start].casefold().rstrip()
    return before.endswith(tuple(m.rstrip(":") for m in _lists()["credit_markers"]) + tuple(_lists()["credit_markers"]))


def _in_context(text: str, name: Span, earlier: list[OfficialMention]) -> OfficialMention | None:
    before = text[max(0, name.start - 160):name.start]
    rank = _rank_before().search(before)
    titles_before = _titles_before(text, name.start - (len(before) - rank.start()) if rank else name.start, earlier)
    after = _titles_after(text, name.end)
    first = titles_before[0] if titles_before else name
    genitive = bool(re.search(r"(?<!\w)của\s+(?:(?:đồng chí|ông|bà)\s+)?$", text[max(0, first.start - 30):first.start], re.I))
    positions = titles_before + after + _group_title(text, name.start)
    if titles_before or after:
        return OfficialMention(name, positions, "officials.titled", genitive)
    if rank or _honorific_before().search(before) or _continues_list(text, name.start, earlier):
        return OfficialMention(name, positions, "officials.honorific", genitive)
    return None


def _titles_before(text: str, start: int, earlier: list[OfficialMention]) -> tuple[Span, ...]:
    """CASE 2, with the titles before it: "Ủy viên Bộ Chính trị, Bí thư Thành ủy Hoàng Trung Hải" gives both. Each
    title ends at a comma that the next one follows; the nearest may be an organisation after a title ("Phó Cục
    trưởng Cục ..., Văn phòng Trung ương Đảng Đào Văn Thành"). Titles right after an earlier person are theirs."""
    parts: list[Span] = []
    part = _title_before(text, start) or _organization_before(text, start)
    while part and len(parts) < 12:   # a person holds a few titles: the walk back stays short on any text
        parts.insert(0, part)
        comma = _COMMA_BEFORE.search(text, max(0, part.start - 4), part.start)
        if not comma or (earlier and comma.start() <= _last_end(earlier[-1])):
            break
        part = _title_before(text, comma.start())
    if parts and not position_heads().match(text, parts[0].start):   # an organisation alone is no title
        parts.pop(0)
    return tuple(parts)


def _organization_before(text: str, start: int) -> Span | None:
    """", Văn phòng Trung ương Đảng Đào Văn Thành": an organisation right after a comma, up to the name."""
    end = len(text[:start].rstrip())
    for match in _org_after_comma().finditer(text, max(0, start - 90), end):
        if _title_stop(text, match.end(), end) == end:
            return Span(match.start("org"), end)
    return None


@cache
def _org_after_comma() -> re.Pattern[str]:
    return re.compile(rf",\s*(?P<org>{alternation(_lists()['organization_heads'])})(?!\w)")


def _last_end(mention: OfficialMention) -> int:
    return mention.positions[-1].end if mention.positions else mention.name.end


def _title_before(text: str, start: int) -> Span | None:
    """CASE 2: the nearest title head before the name, with nothing but its organisation in between."""
    window_start = max(0, start - 90)
    best = None
    for head in position_heads().finditer(text, window_start, start):
        between = text[head.end():start]
        end = start - (len(between) - len(between.rstrip()))
        if _title_stop(text, head.end(), end) == end:
            best = best or Span(head.start(), end)
    return best


def _titles_after(text: str, end: int) -> tuple[Span, ...]:
    """CASE 3: ", Ủy viên ..., Bí thư ..." — each part opens with a title (or, after one, an organisation)."""
    positions: list[Span] = []
    pos = end
    while (sep := _SEPARATOR.match(text, pos)) and sep.end() > pos:
        opener = position_heads().match(text, sep.end()) or (_org_heads().match(text, sep.end()) if positions else None)
        if not opener:
            break
        segment_end = _segment_end(text, opener.end())
        positions.append(Span(sep.end(), segment_end))
        pos = segment_end
    return tuple(positions)


def _segment_end(text: str, start: int) -> int:
    end = _title_stop(text, start, min(len(text), start + 120))
    return start + len(text[start:end].rstrip())


def _title_stop(text: str, start: int, limit: int) -> int:
    """Where a title that goes on at `start` ends (`limit` if it runs that far): at , ; : ( . or a dash, at the
    clause's verb, at a rank (the next person). Not at a "và" or a dash inside an organisation's name ("Bộ Giáo
    dục và Đào tạo", "Cục Chuyển đổi số - Cơ yếu"), and not at a dash that joins two titles into one ("Phó Chủ
    tịch - Tổng Thư ký"), nor at a clause word right after an organisation noun ("Trưởng Ban chỉ đạo")."""
    verbs = (m for m in _clause_word().finditer(text, start, limit)
             if not (_org_noun_before().search(text, max(0, m.start() - 12), m.start())
                     and m.group(0).strip() not in _lists()["tense_words"]) and not _in_head(text, m)
             and not (m.group(0).lstrip() == "và" and _goes_on(text, m.end(), joins_titles=False)))
    ends = (m for m in _SEGMENT_END.finditer(text, start, limit)
            if not (m.group(0).strip() in "-–" and _goes_on(text, m.end(), joins_titles=True)))
    stops = [m.start() for m in (next(ends, None), next(verbs, None), _rank().search(text, start, limit)) if m]
    return min(stops, default=limit)


def _in_head(text: str, word: re.Match[str]) -> bool:
    """A clause word that is the end of a title head ("ký" of "Tổng Thư ký")."""
    return any(head.start() < word.start() and head.end() >= word.end()
               for head in position_heads().finditer(text, max(0, word.start() - 20), word.end()))


def _goes_on(text: str, start: int, joins_titles: bool) -> bool:
    """After "và" or a dash inside a title: the next word carries on the same title. It does when it is capitalised
    and starts no person (honorific, rank, name) and, after "và", no new title or body ("và Chủ tịch UBND tỉnh")."""
    word = _WORD.match(text, start + len(text[start:start + 3]) - len(text[start:start + 3].lstrip()))
    if not word or not word.group(0)[0].isupper() or word.group(0) in _surnames() and _NAME_NEXT.match(text, word.end()):
        return False
    at = word.start()
    if _honorific_at().match(text, at) or _rank().match(text, at - 1):
        return False
    return joins_titles or not (position_heads().match(text, at) or _body_start().match(text, at))


_GROUP_LABEL = re.compile(r"các\s+(?:đồng chí|ông|bà)\s+(?P<title>[^:;]{3,80}?)\s*:", re.I)
_SENTENCE_BREAK = re.compile(r"\n|\. ")


def _group_title(text: str, start: int) -> tuple[Span, ...]:
    """"các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy: A, ...": the label's title belongs to each listed name (the
    first such label of the name's sentence before it)."""
    breaks, labels = _group_labels(text)
    sentence_start = breaks[bisect_right(breaks, start) - 1]
    first = bisect_left(labels, (sentence_start,))
    if first < len(labels) and labels[first][1] <= start:
        return (Span(labels[first][2], labels[first][3]),)
    return ()


@lru_cache(maxsize=4)
def _group_labels(text: str) -> tuple[list[int], list[tuple[int, int, int, int]]]:
    """Once per text: where sentences may start (after a line break or ". "), and each group label with a title,
    as (start, end, title start, title end), in order."""
    breaks = [0, *(m.end() for m in _SENTENCE_BREAK.finditer(text))]
    labels = [(m.start(), m.end(), m.start("title"), m.end("title")) for m in _GROUP_LABEL.finditer(text)
              if position_heads().match(m["title"])]
    return breaks, labels


def _continues_list(text: str, start: int, earlier: list[OfficialMention]) -> bool:
    """"...; Đỗ Minh Tuấn, ..." right after an earlier official's titles in the same list."""
    if not earlier:
        return False
    last = earlier[-1]
    last_end = last.positions[-1].end if last.positions else last.name.end
    return bool(_GROUP_SEPARATOR.fullmatch(text, last_end, start))

"""Document titles: the quoted or "về ..." subject written after a citation."""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from mappings.extraction.patterns import GAP, alternation, type_words
from mappings.extraction.rules import word_lists

MAX_TITLE = 400
_START = re.compile(rf"{GAP}(?P<ve>về\s+(?:việc\s+)?)?(?P<quote>[“\"])?", re.I)
_ISSUING = re.compile(rf"{GAP}(?=ban hành\s)", re.I)
_OPEN, _CLOSE = "“", "”"


class Head(Protocol):
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Title:
    start: int
    end: int      # end of the title's words in the text
    text: str
    after: int    # where the citation's tail goes on: past the closing quote of a quoted title


@cache
def _unquoted_end() -> re.Pattern[str]:
    """Where an unquoted title stops: clause punctuation, a new clause after a comma (a capital, or the verb of a
    replacement: "về phân cấp quản lý cán bộ, thay thế Quy định số 67"), "và" + a citation."""
    lists = word_lists("links")
    verbs = alternation([*lists["replaces"], *lists["replaced_by"]])
    return re.compile(rf";|\n|:|\(|…|\.\.\.|\.(?=\s|$)|,\s+(?=[A-ZĐ0-9“\"]|(?:{verbs})\s)"
                      rf"|\s+và\s+(?=(?:{alternation(type_words())})\s)")


@cache
def _implements_phrase() -> re.Pattern[str]:
    return re.compile(rf"(?:{alternation(word_lists('links')['implements'])})\s+$", re.I)


def read_title(text: str, pos: int, heads: Sequence[Head], type_id: str | None) -> Title | None:
    """The title after a citation's head, date and issuer at `pos`; `heads` are every citation head, in order."""
    start = _START.match(text, pos)
    if start and start["quote"]:
        return _quoted(text, start.end(), start["quote"])
    if start and start["ve"]:
        return _unquoted(text, start.start("ve"), heads)
    if type_id == "Decision" and (issuing := _ISSUING.match(text, pos)):
        return _unquoted(text, issuing.end(), heads)
    return None


def _quoted(text: str, begin: int, quote: str) -> Title | None:
    """Up to the matching close quote; nested “...” kept; an unclosed quote ends at ; or the line end."""
    depth, index = 1, begin
    while index < min(len(text), begin + MAX_TITLE):
        char = text[index]
        if quote == '"' and char == '"' or quote == _OPEN and char == _CLOSE:
            depth -= 1
            if depth == 0:
                return _title(text, begin, index, index + 1)
        elif quote == _OPEN and char == _OPEN:
            depth += 1
        elif char in ";\n":
            return _title(text, begin, index)
        index += 1
    return None


def _unquoted(text: str, begin: int, heads: Sequence[Head]) -> Title | None:
    stop = _unquoted_end().search(text, begin, min(len(text), begin + MAX_TITLE))
    end = stop.start() if stop else min(len(text), begin + MAX_TITLE)
    following = bisect_right(heads, begin, key=lambda h: h.start)   # heads are in order
    if following < len(heads) and (head := heads[following]).start < end:
        # "về tiếp tục thực hiện Chỉ thị số 05-CT/TW": the cited document is part of the title, its tail is not.
        end = head.end if _implements_phrase().search(text, begin, head.start) else head.start
    return _title(text, begin, end)


def _title(text: str, begin: int, end: int, after: int | None = None) -> Title | None:
    """The title written in text[begin:end]; the tail goes on at `after` (a quoted title: past its closing quote,
    so "Quy định số 58-QĐ/TW “Về ...” thay thế Quy định số 12-QĐ/TW" keeps its link), else right after the words
    (an unquoted title's "và", "của" or comma belong to what follows)."""
    raw = text[begin:end]
    stripped = raw.rstrip(" ,.;").removesuffix(" và").removesuffix(" của").rstrip(" ,")
    lead = len(stripped) - len(stripped.lstrip())
    stripped = stripped.strip()
    if len(stripped) <= 3:
        return None
    stop = begin + lead + len(stripped)
    return Title(begin + lead, stop, stripped, stop if after is None else after)

"""Split an article body into sentences with their spans (offsets into the body)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mappings.rules import word_lists


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


# end of sentence: . ! ? … (and closing quotes), then spaces and a capital letter or a digit
_END = re.compile(r"[.!?…]+[”\"’)]*(?=\s+[\"“(]?(?P<next>\w))")


@cache
def _abbreviations() -> tuple[str, ...]:
    return word_lists("text")["abbreviations"]


def _boundaries(line: str) -> list[int]:
    ends = []
    for match in _END.finditer(line):
        if not (match["next"].isupper() or match["next"].isdigit()):
            continue
        if line.endswith(_abbreviations(), 0, match.end()):
            continue
        ends.append(match.end())
    return ends


def sentences(text: str) -> list[Sentence]:
    """Lines, then sentence ends inside lines; empty pieces are dropped.

    >>> [s.text for s in sentences("Sáng 27/5, TP. Hồ Chí Minh họp. Hội nghị kết thúc.\\nẢnh: A")]
    ['Sáng 27/5, TP. Hồ Chí Minh họp.', 'Hội nghị kết thúc.', 'Ảnh: A']
    """
    found: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        for end in _boundaries(line):
            _add(found, line, offset, start, end)
            start = end
        _add(found, line, offset, start, len(line))
        offset += len(line) + 1
    return found


def _add(found: list[Sentence], line: str, offset: int, start: int, end: int) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        begin = offset + start + lead
        found.append(Sentence(begin, begin + len(stripped), stripped))

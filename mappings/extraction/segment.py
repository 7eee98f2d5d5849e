"""Split an article body into sentences with their spans (offsets into the body)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mappings.extraction.rules import word_lists


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


# end of sentence: . ! ? … (and closing quotes), then spaces and a capital letter or a digit on the same line.
# Its first character is written apart from the rest (not `[.!?…]+`) so that `re` skips from one to the next; it
# must start a run (the lookbehind) and the run is read possessively, so a run of leader dots is read once.
_END = re.compile(r"[.!?…](?<![.!?…][.!?…])[.!?…]*+[”\"’)]*+(?=[^\S\n]+[\"“(]?(?P<next>\w))")
_LINE_BREAK = re.compile("\n")


@cache
def _abbreviations() -> tuple[str, ...]:
    return word_lists("text")["abbreviations"]


def _boundaries(text: str) -> list[int]:
    ends = []
    for match in _END.finditer(text):
        if not (match["next"].isupper() or match["next"].isdigit()):
            continue
        if text.endswith(_abbreviations(), 0, match.end()):   # an abbreviation holds no line break
            continue
        ends.append(match.end())
    return ends


def sentences(text: str) -> list[Sentence]:
    """Lines, then sentence ends inside lines; empty pieces are dropped.

    >>> [s.text for s in sentences("Sáng 27/5, TP. Hồ Chí Minh họp. Hội nghị kết thúc.\\nẢnh: A")]
    ['Sáng 27/5, TP. Hồ Chí Minh họp.', 'Hội nghị kết thúc.', 'Ảnh: A']
    """
    # where a piece ends and the next begins: the same place at a sentence end, after the line break at one
    cuts = sorted([(end, end) for end in _boundaries(text)] + [m.span() for m in _LINE_BREAK.finditer(text)])
    found: list[Sentence] = []
    start = 0
    for end, next_start in [*cuts, (len(text), len(text))]:
        piece = text[start:end]
        if stripped := piece.strip():
            begin = start + len(piece) - len(piece.lstrip())
            found.append(Sentence(begin, begin + len(stripped), stripped))
        start = next_start
    return found

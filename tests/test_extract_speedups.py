"""The faster forms of the extraction patterns find exactly what the plain forms they replace found."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.extraction import officials
from mappings.extraction.officials import _WORD, Span, _names
from mappings.extraction.patterns import alternation
from mappings.reading.text import match_form

LETTERS = "aAbBđĐôÔưƯTtHhnNgGuUyYỳỲìÌ"
TEXT = st.text(alphabet=st.sampled_from([*LETTERS, " ", " ", "'", "’", "-", ",", ".", "\n", "1", "_", "Ⓐ"]),
               max_size=60)
WORDS = st.lists(st.text(alphabet=st.sampled_from([*"aAbBđĐtThıIiſsK", " ", ".", "-"]), min_size=1, max_size=6),
                 min_size=1, max_size=8)


def flat_alternation(words: list[str]) -> str:
    """What `alternation` wrote before it built a trie: every word, longest first."""
    forms = sorted({match_form(w) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)


@settings(max_examples=400)
@given(WORDS, st.text(alphabet=st.sampled_from([*"aAbBđĐtThıIiſsK", " ", ".", "-", "\n", "x"]), max_size=40),
       st.sampled_from([0, re.IGNORECASE]), st.sampled_from(["{}", r"(?<!\w)(?:{})(?!\w)", r"(?:{})\s+$", r"(?:{})h"]))
def test_the_trie_matches_what_the_flat_alternation_matched(words: list[str], text: str, flags: int, frame: str) -> None:
    trie, flat = re.compile(frame.format(alternation(words)), flags), re.compile(frame.format(flat_alternation(words)), flags)
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)]
    assert [bool(trie.match(text, i)) and trie.match(text, i).span() for i in range(len(text))] == \
        [bool(flat.match(text, i)) and flat.match(text, i).span() for i in range(len(text))]


def names_word_by_word(text: str) -> list[Span]:
    """What `_names` did before `re` read the runs: every word, one by one."""
    names: list[Span] = []
    run: list[re.Match[str]] = []
    for word in _WORD.finditer(text):
        if word.group(0)[0].isupper() and (not run or text[run[-1].end():word.start()] == " "):
            run.append(word)
            continue
        names += officials._name_in(run)
        run = [word] if word.group(0)[0].isupper() else []
    return names + officials._name_in(run)


def word_spans(run: list[re.Match[str]]) -> list[Span]:
    """In place of `_name_in`: every word of every run that could hold a name."""
    return [Span(w.start(), w.end()) for w in run] if len(run) >= 2 else []


@settings(max_examples=500)
@given(TEXT)
def test_runs_of_capitalised_words_are_those_read_word_by_word(text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(officials, "_name_in", word_spans)
        assert officials._names(text) == names_word_by_word(text)


PIECES = ["Nguyễn", "Văn", "An", "Lê", "Thị", "Bình", "Trần", "Ông", "ông", "Đồng", "chí", "và", "Bí", "thư", "H",
          " ", " ", " ", "  ", "'", "’", ",", ".", "\n", "2"]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(PIECES), max_size=20))
def test_names_are_those_read_word_by_word(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _names(text) == names_word_by_word(text)


def test_names_in_a_sentence() -> None:
    text = "Đồng chí Nguyễn Văn An, Bí thư; ông Lê Thị'Bình và H’Mông Trần Văn Cường dự."
    assert _names(text) == names_word_by_word(text) != []

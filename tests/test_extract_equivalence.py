"""The forms of the extraction steps written for speed find exactly what the plain forms they replace found."""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mappings.extraction import officials, segment
from mappings.extraction.patterns import (
    LAW_SYMBOL,
    NUMBER_STARTS,
    alternation,
    matches_at,
    party_symbol,
    state_symbol,
    word_start,
)
from mappings.extraction.segment import Sentence, sentences
from mappings.reading.text import _CHARS, _CHARS_RE, _TONE_PAIRS, match_form, nfc
from tests.test_extract_speedups import names_word_by_word, word_spans

# Letters with tricky cases (dotless ı, dotted İ, long ſ, the Kelvin sign), Vietnamese ones, and word boundaries;
# words begin with a non-space, as in the rule files.
LETTERS = "aAbBđĐtThıIiİſsKk\u212aưƯ"
WORDS = st.lists(st.text(alphabet=st.sampled_from([*LETTERS, " ", ".", "-", "("]), min_size=1, max_size=6)
                 .filter(lambda word: not word[0].isspace()), min_size=1, max_size=8)
TEXT = st.text(alphabet=st.sampled_from([*LETTERS, " ", ".", "-", "(", "\n", "x", "1", "_"]), max_size=40)


@settings(max_examples=500)
@given(WORDS, TEXT, st.booleans(), st.sampled_from(["", r"(?!\w)", r"\s+", "$", r"\s*:?\s*$"]))
def test_a_word_start_scan_finds_what_the_plain_alternation_found(words: list[str], text: str, ignore_case: bool,
                                                                  after: str) -> None:
    fast = re.compile(word_start(words, ignore_case) + after)
    plain = re.compile(rf"(?<!\w)(?:{alternation(words)}){after}", re.IGNORECASE if ignore_case else 0)
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    for pos in range(len(text)):
        found, expected = fast.match(text, pos), plain.match(text, pos)
        assert (found and found.span()) == (expected and expected.span())


def test_a_word_start_scan_knows_every_case_re_knows() -> None:
    text = "\u212aết luận, ıt, İt, ſo, Ưu"
    for words in (["kết luận"], ["it"], ["so"], ["ưu"]):
        plain = re.compile(rf"(?<!\w)(?:{alternation(words)})", re.IGNORECASE)
        assert [m.span() for m in re.finditer(word_start(words, ignore_case=True), text)] == \
            [m.span() for m in plain.finditer(text)] != []


# Capitals beyond the Basic Multilingual Plane (Deseret, mathematical bold), a capital that is no letter (Ⓐ).
CAPITALISED = ["Nguyễn", "Văn", "An", "Ông", "Đ", "𐐀𐐨", "𝐀b", "Ⓐ", "ab", "H", "x", "bà"]


@settings(max_examples=500)
@given(st.lists(st.sampled_from([*CAPITALISED, " ", " ", "  ", "'", "’", ",", ".", "\n", "2", "_"]), max_size=20))
def test_runs_read_from_capital_to_capital_are_those_read_word_by_word(pieces: list[str]) -> None:
    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(officials, "_name_in", word_spans)
        assert officials._names(text) == names_word_by_word(text)


SYMBOL_PIECES = ["39", "1881", "2025", "١٢", "-", "/", " / ", " - ", "CT", "QĐ", "NĐ", "TW", "CP", "TTg", "QH14", "UBTV",
                 " ", ".", "a", "\n"]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(SYMBOL_PIECES), max_size=16))
@example(["١٢", "/", "QĐ", "-", "TTg"])
@example(["12", " / ", "2025", " / ", "NĐ", " - ", "CP"])
def test_symbols_tried_at_number_starts_are_those_found_anywhere(pieces: list[str]) -> None:
    text = "".join(pieces)
    starts = [number.start() for number in NUMBER_STARTS.finditer(text)]
    for pattern in (LAW_SYMBOL, state_symbol(), party_symbol()):
        assert [m.span() for m in matches_at(pattern, text, starts)] == [m.span() for m in pattern.finditer(text)]


def sentences_line_by_line(text: str) -> list[Sentence]:
    """What `sentences` did before it read the whole text at once: each line apart."""
    end_of_sentence = re.compile(r"[.!?…]+[”\"’)]*(?=\s+[\"“(]?(?P<next>\w))")
    found, offset = [], 0
    for line in text.split("\n"):
        cuts = [m.end() for m in end_of_sentence.finditer(line) if (m["next"].isupper() or m["next"].isdigit())
                and not line.endswith(segment._abbreviations(), 0, m.end())]
        for start, end in zip([0, *cuts], [*cuts, len(line)]):
            piece = line[start:end]
            if stripped := piece.strip():
                begin = offset + start + len(piece) - len(piece.lstrip())
                found.append(Sentence(begin, begin + len(stripped), stripped))
        offset += len(line) + 1
    return found


SENTENCE_PIECES = ["Hội nghị", "họp", "TP.", "v.v.", "A", "b", "1", ".", "!", "?", "…", "”", ")", "“", "(", " ", " ",
                   "\n", "\r", "\u2028", "\x0b"]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=30))
def test_sentences_of_the_whole_text_are_those_of_each_line(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert sentences(text) == sentences_line_by_line(text)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from([*"oOuUaAeEyY", *"".join(_TONE_PAIRS), "\u0300", "\u00a0", " "]),
               max_size=30))
def test_tone_placement_is_moved_as_the_alternation_of_every_pair_moved_it(text: str) -> None:
    pairs = re.compile("|".join(map(re.escape, _TONE_PAIRS)))
    unified = _CHARS_RE.sub(lambda m: _CHARS[m.group(0)], nfc(text))
    assert match_form(text) == pairs.sub(lambda m: _TONE_PAIRS[m.group(0)], unified)


def test_no_short_form_is_written_as_a_type_word() -> None:
    """`_number_heads` tells a short form ("NQ 35", no "số" needed) by its text: a type word written the same
    way would make the two readings collide."""
    from mappings.extraction.rules import document_types

    words = {match_form(w).casefold() for t in document_types() for w in t.words}
    shorts = {match_form(w).casefold() for t in document_types() for w in t.short}
    assert shorts and not words & shorts

"""Named regex pieces, built from the rule files (eyecite `regexes.py` style).

Every pattern runs on `text.match_form(...)` of the body, so "Ð" is "Đ" and "hoà" is "hòa" here.
Group names are the record fields they fill (`number`, `abbr`, `issuer`, `year`, `day`, `month`).
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache

from mappings.extraction.rules import document_types, word_lists
from mappings.reading.text import match_form


def alternation(words: tuple[str, ...] | list[str]) -> str:
    r"""Longest first, so "Phó Bí thư" wins over "Bí thư"; words match in the body's match form; a space is `\s+`.

    Written as a trie: Python's `re` tries the words of a flat alternation one by one at every position of
    the text, a trie only the words that share what was read so far. A node's branches differ in their
    first character (ignoring case, so with or without re.I), so the words that can match at a position lie
    on one path, where the greedy `?` tries the longer first: the same match as the flat, longest-first list.

        >>> alternation(["Bí thư", "Bí thư Tỉnh ủy", "Phó Bí thư"])
        '(?:Bí\\s+thư(?:\\s+Tỉnh\\s+ủy)?|Phó\\s+Bí\\s+thư)'
    """
    return _trie({match_form(w) for w in words})


def lookup_key(written: str) -> str:
    """The key a word list is looked up by: match form, one space between words (a match may span a line
    break), case folded.

        >>> lookup_key("Ban Thường vụ\nTỉnh uỷ")
        'ban thường vụ tỉnh ủy'
    """
    return " ".join(match_form(written).split()).casefold()


def _trie(rests: set[str]) -> str:
    """The alternation of `rests`, what follows the part of the words read so far."""
    groups: dict[str, list[str]] = {}
    for rest in sorted(rests):
        if rest:
            groups.setdefault(_caseless(rest[0]), []).append(rest)
    branches = []
    for group in groups.values():
        if len({rest[0] for rest in group}) == 1:
            branches.append(_escaped(group[0][0]) + _trie({rest[1:] for rest in group}))
        else:  # the same letter in two cases: with re.I both match, so these keep the flat, longest-first order
            branches += [_escaped(rest) for rest in sorted(group, key=len, reverse=True)]
    pattern = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})" if branches else ""
    return f"(?:{pattern})?" if "" in rests and pattern else pattern


def _caseless(char: str) -> str:
    folded = char.upper().casefold()
    return folded if len(folded) == 1 else char


def _escaped(text: str) -> str:
    return re.escape(text).replace(r"\ ", r"\s+")


def word_start(words: tuple[str, ...] | list[str], ignore_case: bool = False) -> str:
    r"""`(?<!\w)(?:{alternation(words)})`, with re.I if `ignore_case`, in a form `re` scans quickly: compile it
    without re.I.

    `re` jumps to the next place a match can start only if it knows the characters a pattern begins with; a leading
    lookbehind or re.I hides them, and it tries the pattern at every position. So each branch here begins with a
    first letter in one of its cases, checks the word boundary behind it, and reads the rest under (?i:).

        >>> word_start(["lễ", "Luật"], ignore_case=True)
        '(?:L(?<!\\wL)(?i:(?:uật|ễ))|l(?<!\\wl)(?i:(?:uật|ễ)))'
    """
    rests: dict[str, set[str]] = {}
    for form in {match_form(w) for w in words}:
        rests.setdefault(_cases(form[0]) if ignore_case else form[0], set()).add(form[1:])
    branches = []
    for firsts, group in sorted(rests.items()):
        rest = _trie(group)
        rest = f"(?i:{rest})" if ignore_case and rest else rest
        branches += [f"{re.escape(first)}(?<!\\w{re.escape(first)}){rest}" for first in firsts]
    return f"(?:{'|'.join(branches)})"


@cache
def _cases(char: str) -> str:
    """`char` and the characters re.IGNORECASE matches to it ("k": "K" and the Kelvin sign too), as `re` finds them
    in its plane (no character beyond the Basic Multilingual Plane is a case of one inside it)."""
    candidates = _basic_plane() if char <= "\uffff" else "".join(map(chr, range(0x10000, sys.maxunicode + 1)))
    return "".join(sorted({char, *re.findall(re.escape(char), candidates, re.I)}))


@cache
def _basic_plane() -> str:
    return "".join(map(chr, range(0x10000)))


# Between a citation and what follows it: spaces, a comma, spaces. Possessive (Python 3.11): a run of spaces is
# read once and never split again, so a long run after a citation costs its length, not its square.
GAP = r"\s*+,?+\s*+"

# The first digit of a symbol's number ("39", "01", "1881"), not inside a word, number, date or other symbol:
# (?<![\w/.-]) is checked after the digit, so that the pattern starts with \d and `re` skips from digit to digit.
NUMBER_START = r"\d(?<![\w/.-]\d)"
# A number in a state symbol or a law: up to five digits.
NUMBER = rf"{NUMBER_START}\d{{0,4}}"
# The issuing-body code after the slash: TW, BTCTW, TU, BTCTU, UBND, BCSĐ, TƯ ...
ISSUER_CODE = r"[A-ZĐƯ][A-ZĐƯa-z0-9]{0,11}(?![\w])"
# A four-digit year inside state symbols: 152/2025/NĐ-CP.
YEAR = r"(?:19|20)\d{2}"


@cache
def abbr_alternation() -> str:
    abbrs = {a for t in document_types() for a in t.abbr}
    return "|".join(sorted(map(re.escape, abbrs), key=len, reverse=True))


# Between a party symbol's number and its abbreviation: a hyphen or a dash, spaced or not, or a bare space
# ("126- QĐ/TW", "64 – KL/TW", "09 CT/TW").
NUMBER_TO_ABBR = r"(?:\s?[-–—]\s?|\s)"


@cache
def party_symbol() -> re.Pattern[str]:
    """39-CT/TW, 126- QĐ/TW, 64 – KL/TW, 09 CT/TW, 21-KL-TW (malformed), 10-Ctr/TU (any case), 571-CV/UBND."""
    return re.compile(rf"(?P<number>{NUMBER_START}\d{{0,3}}){NUMBER_TO_ABBR}(?P<abbr>(?i:{abbr_alternation()}))"
                      rf"\s?[/-]\s?(?P<issuer>{ISSUER_CODE})")


@cache
def state_symbol() -> re.Pattern[str]:
    """439/QĐ-TTg, 09/NQ-CP, 152/2025/NĐ-CP."""
    return re.compile(rf"(?P<number>{NUMBER})\s?/\s?(?:(?P<year>{YEAR})\s?/\s?)?"
                      rf"(?P<abbr>{abbr_alternation()})\s?-\s?(?P<issuer>{ISSUER_CODE})")


# 54/2017/QH14, 12/2023/QH15: the issuer is the legislature and its term; the type is the word before.
LAW_SYMBOL = re.compile(rf"(?P<number>{NUMBER})/(?P<year>{YEAR})/(?P<issuer>(?:UBTV)?QH\d{{1,2}})(?![\w])")

# The symbols above all start with a NUMBER_START: one scan for those finds every place any of them can match.
NUMBER_STARTS = re.compile(NUMBER_START)


def matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` finds, trying only `starts` (ascending): every place a match of it can begin."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            end = match.end()
            yield match


def type_words() -> list[str]:
    """Every type word (Chỉ thị, Kết luận ...) and short form (NQ)."""
    return [w for t in document_types() for w in (*t.words, *t.short)]


@cache
def type_word() -> re.Pattern[str]:
    """A type word or a short form as a whole word, in any case."""
    return re.compile(rf"{word_start(type_words(), ignore_case=True)}(?!\w)")


# Between a type word and its number: "Chương trình hành động số", "Nghị quyết liên tịch số".
WORD_TO_NUMBER = re.compile(r"(?:\s+(?:hành\s+động|liên\s+tịch))?\s+(?:số\s*)?$|\s*$", re.I)


@cache
def number_only() -> re.Pattern[str]:
    """`Chỉ thị số 39`, `Nghị quyết 35`, `NQ 35`, `Quy định 80/2022` (number/year), `Chương trình hành động 76`: a type
    word and a number without a symbol."""
    units = alternation(word_lists("text")["number_units"])
    return re.compile(rf"(?:\s+(?:hành\s+động|liên\s+tịch))?\s+(?:(?P<so>số)\s*)?(?P<number>\d{{1,4}})(?:/(?P<year>{YEAR})(?!\s?/))?"
                      rf"(?![\d/.,-]\d|\s?[-–—]\s?[A-ZĐ]|\w|\s+(?:{units})(?!\w))", re.I)


# Dates: 18/8/2014, 18-8-2014, 15.5.2016, ngày 18 tháng 8 năm 2014; a day/month alone needs a context word.
DATE_NUMERIC = re.compile(r"(?<![\d/.-])(?P<day>\d{1,2})\s?(?P<sep>[/.-])\s?(?P<month>\d{1,2})\s?(?P=sep)\s?(?P<year>(?:19|20)\d{2})(?!\d)")
DATE_WORDS = re.compile(r"(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>\d{4})(?!\d)", re.I)
DATE_PARTIAL = re.compile(r"(?<![\d/.-])(?P<day>\d{1,2})\s?(?P<sep>[/.-])\s?(?P<month>\d{1,2})(?![\d]|[/.-]\s?\d)")

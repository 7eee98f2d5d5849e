"""Text normalisation steps that keep character offsets (eyecite `clean.py` style).

`match_form` rewrites a text into the form every rule is matched against. It never changes the
length of the text, so a span found in the match form is the same span in the original:
    >>> text = "Thanh Hoá, Ðảng"
    >>> match_form(text)
    'Thanh Hóa, Đảng'
    >>> len(match_form(text)) == len(text)
    True
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Invisible format characters (Unicode category Cf), as a regex class: soft hyphen, zero-width space, joiners
# and marks, bidi controls, word joiner, BOM, interlinear annotation, tags. Written out, since computing it
# costs each process 60 ms; tests/test_article.py checks it against the running Python's `unicodedata`.
INVISIBLE = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
             "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
             "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")

# What reading removes from an article: the invisible characters, and the control characters but newline and tab;
# those controls that separate words (vertical tab, form feed, the information separators, NEL) become spaces.
_SPACING = "\x0b\x0c\x1c-\x1f\x85"
_UNSEEN = re.compile(f"[{INVISIBLE}\x00-\x08{_SPACING}\x0e-\x1b\x7f-\x9f]")
_SPACES = re.compile(f"[{_SPACING}]")


def strip_invisible(text: str) -> str:
    """Invisible characters (soft hyphen, zero-width space and joiners, bidi controls, BOM ...) and control
    characters removed, but newline and tab; a control that separates words becomes a space. A name or symbol
    with one inside reads as it shows: reading does this before anything counts offsets.

    >>> strip_invisible("Chỉ thị số 3\u200b9-CT/TW, đồng chí Nguy\u00adễn\u200d Văn\x85An")
    'Chỉ thị số 39-CT/TW, đồng chí Nguyễn Văn An'
    """
    if not _UNSEEN.search(text):
        return text
    return _UNSEEN.sub(lambda found: " " if _SPACES.match(found.group()) else "", text)


# One-for-one character substitutions: look-alikes and spaces. Replaced where a regex finds them: few texts
# have any, and `str.translate` looks every character of a Vietnamese text up in the table.
_CHARS = {
    "\u00d0": "\u0110",  # Ð (Icelandic eth) written for Đ
    "\u00f0": "\u0111",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200b": " ", "\ufeff": " ",
    "\u2010": "-", "\u2011": "-", "\u2212": "-",
}
_CHARS_RE = re.compile(f"[{''.join(map(re.escape, _CHARS))}]")

# Old-style tone placement on "oa", "oe", "uy" (hoà, khoẻ, thuỷ) moved to the first vowel (hòa, khỏe,
# thủy), so both spellings match one rule. Both forms are two code points in NFC.
_TONED = {"a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ"}
_BASE_TONED = {"o": "òóỏõọ", "u": "ùúủũụ"}
_TONE_PAIRS: dict[str, str] = {}
for _first, _second in (("o", "a"), ("o", "e"), ("u", "y")):
    for _i, _toned_second in enumerate(_TONED[_second]):
        _toned_first = _BASE_TONED[_first][_i]
        for _a, _b, _c, _d in ((_first, _toned_second, _toned_first, _second),
                               (_first.upper(), _toned_second, _toned_first.upper(), _second),
                               (_first.upper(), _toned_second.upper(), _toned_first.upper(), _second.upper())):
            _TONE_PAIRS[_a + _b] = _c + _d
# One branch per first letter, the second letters as a class: at an "o" or "u", `re` tries one branch, not fifteen.
_TONE_RE = re.compile("|".join(f"{first}[{''.join(pair[1] for pair in _TONE_PAIRS if pair[0] == first)}]"
                               for first in dict.fromkeys(pair[0] for pair in _TONE_PAIRS)))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def match_form(text: str) -> str:
    """Same-length form for matching: look-alike letters, spaces and tone placement unified."""
    unified = _CHARS_RE.sub(lambda m: _CHARS[m.group(0)], nfc(text))
    return _TONE_RE.sub(lambda m: _TONE_PAIRS[m.group(0)], unified)


def fold(text: str) -> str:
    """Diacritics removed, đ→d, lower-cased: the key for slugs and diacritic-blind search.

    >>> fold("Thanh Hoá")
    'thanh hoa'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


@lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """Lower-case ASCII slug (of names and titles, which recur: remembered).

    >>> slugify("Ban Thường vụ Tỉnh ủy")
    'ban-thuong-vu-tinh-uy'
    """
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def is_capitalized(word: str) -> bool:
    return bool(word) and word[0].isupper()

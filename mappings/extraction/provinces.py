"""Provinces and centrally-run cities, from the gazetteer in ontology/reference/provinces.toml."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from mappings.extraction.patterns import word_start
from mappings.extraction.reference import Unit, load_units
from mappings.extraction.rules import word_lists
from mappings.reading.text import match_form

_WORD_BEFORE = re.compile(r"(\S+)\s+$")
_BEFORE_MERGER = dt.date(2025, 6, 30)


@dataclass(frozen=True, slots=True)
class ProvinceMention:
    start: int
    end: int
    key: str
    name: str
    rule: str


@cache
def _forms() -> dict[str, tuple[Unit, ...]]:
    """Every written form (match form) → the units it may name."""
    table: dict[str, list[Unit]] = {}
    for unit in load_units():
        for form in (unit.name, *unit.aliases):
            table.setdefault(match_form(form), []).append(unit)
    return {form: tuple(units) for form, units in table.items()}


@cache
def _pattern() -> re.Pattern[str]:
    return re.compile(rf"{word_start(list(_forms()))}(?!\w)")


def find_provinces(text: str, published: str | None) -> list[ProvinceMention]:
    """Province names in `text` (match form) that name a place, never part of a person's name."""
    places = word_lists("places")
    found = []
    for match in _pattern().finditer(text):
        units = _forms()[match_form(match.group(0))]
        if not _is_place(text, match, units, places):
            continue
        unit = _choose(units, published, _is_former(text, match.end(), places["former_markers"]))
        found.append(ProvinceMention(match.start(), match.end(), unit.key, unit.name, "places.gazetteer"))
    return found


def _is_place(text: str, match: re.Match[str], units: tuple[Unit, ...], places: dict[str, tuple[str, ...]]) -> bool:
    before = text[: match.start()]
    if any(text.startswith(ex, match.start() - ex.find(match.group(0))) for ex in places["exclusions"]
           if match.group(0) in ex):
        return False
    bare = [u for u in units if match.group(0) == match_form(u.name)]
    if bare and all(u.needs_prefix for u in bare) and not before.rstrip().endswith(places["city_prefixes"]):
        return False
    word = _WORD_BEFORE.search(before[-40:])
    if word and word.group(1)[0].isupper() and not before.rstrip()[-1:] in ",;:.()–-":
        return word.group(1).casefold() in {w.casefold() for w in places["allowed_before"]}
    return True


def _is_former(text: str, end: int, markers: tuple[str, ...]) -> bool:
    return text[end:end + 8].lstrip().startswith(markers)


def _choose(units: tuple[Unit, ...], published: str | None, former: bool) -> Unit:
    """The unit valid when the article was written; before the 2025 merger when unknown or "(cũ)"."""
    day = _BEFORE_MERGER if former or not published else dt.date.fromisoformat((published + "-01")[:10])
    return next((u for u in units if u.valid_on(day)), units[0])

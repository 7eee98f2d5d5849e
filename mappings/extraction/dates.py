"""Dates: full dates in any of the genre's forms, and event dates whose year comes from the article."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from mappings.extraction.patterns import DATE_NUMERIC, DATE_PARTIAL, DATE_WORDS, word_start
from mappings.extraction.rules import word_lists


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    day: int
    month: int
    year: int | None
    rule: str

    @property
    def iso(self) -> str | None:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}" if self.year else None


def _valid(day: int, month: int, year: int | None) -> bool:
    try:
        dt.date(year or 2000, month, day)
    except ValueError:
        return False
    return True


def _mention(match: re.Match[str], rule: str, offset: int = 0) -> DateMention | None:
    day, month = int(match["day"]), int(match["month"])
    year = int(match["year"]) if "year" in match.groupdict() and match["year"] else None
    if not _valid(day, month, year):
        return None
    return DateMention(offset + match.start(), offset + match.end(), day, month, year, rule)


def date_at(text: str, pos: int) -> DateMention | None:
    """A full or day/month date starting at `pos`, after an optional "ngày"."""
    lead = re.compile(r"(?:ngày\s+)?", re.I).match(text, pos)
    start = lead.end() if lead else pos
    for pattern, rule in ((DATE_WORDS, "dates.words"), (DATE_NUMERIC, "dates.numeric"), (DATE_PARTIAL, "dates.day_month")):
        match = pattern.match(text, start)
        if match and (found := _mention(match, rule)):
            return DateMention(pos, found.end, found.day, found.month, found.year, rule)
    return None


@cache
def _event_date() -> re.Pattern[str]:
    days = word_start(word_lists("meetings")["day_words"], ignore_case=True)
    return re.compile(rf"{days}\s+(?:\S+\s+)?(?=\d)")


def event_dates(text: str) -> list[DateMention]:
    """"Sáng 27/5", "Ngày 18.5", "Chiều 3-6-2024": the date of a reported event."""
    found = []
    for lead in _event_date().finditer(text):
        if mention := date_at(text, lead.end()):
            found.append(DateMention(lead.start(), mention.end, mention.day, mention.month, mention.year, "dates.event"))
    return found


def resolve_year(mention: DateMention, published: str | None) -> str | None:
    """ISO date of a mention; a day/month without year takes the publication year (and month check)."""
    if mention.year:
        return mention.iso
    if not published or len(published) < 7:
        return None
    year, month = int(published[:4]), int(published[5:7])
    if mention.month > month:  # "Sáng 27/12" in an article of January: last year
        year -= 1
    return f"{year:04d}-{mention.month:02d}-{mention.day:02d}"

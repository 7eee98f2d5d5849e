"""The meeting an article reports: its label, date, chairs and the sentences that say what it was about.

  CASE 1  a sentence with an event noun and an event word   "Tỉnh ủy Thanh Hóa tổ chức hội nghị tổng kết ..."
  CASE 2  the article's title names the event               "Gặp mặt kỷ niệm 60 năm Ngày truyền thống ..."
A Central Committee plenum cited as a source ("Nghị quyết Hội nghị Trung ương 4", "Hội nghị lần thứ năm")
is never the reported meeting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from mappings.extraction.dates import DateMention, event_dates
from mappings.extraction.patterns import lookup_key, word_start
from mappings.extraction.rules import word_lists
from mappings.extraction.segment import Sentence

_PLENUM = re.compile(r"\s+(?:Trung ương|lần thứ|\(?khóa)", re.I)
_CORE_PREFIXES = ("buổi", "đoàn")   # "buổi làm việc", "đoàn kiểm tra": the event is the noun after them
_LABEL_END = re.compile(r"[,;.:(\n]|\s(?:do|với|tại|vào|nhằm|được|có|theo)\s", re.I)


@dataclass(frozen=True, slots=True)
class MeetingMention:
    label: tuple[int, int]
    sentence: int                 # index of the sentence that reports it
    date: DateMention | None
    core: str                     # the event noun ("hội nghị", "kiểm tra") that marks sentences about it
    rule: str


@cache
def _lists() -> dict[str, tuple[str, ...]]:
    return word_lists("meetings")


@cache
def _noun() -> re.Pattern[str]:
    return re.compile(rf"{word_start(_lists()['nouns'], ignore_case=True)}(?!\w)")


@cache
def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"{word_start(_lists()[name], ignore_case=True)}(?!\w)")


def event_nouns(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """Event nouns in text[start:end], leaving out plenums cited as the source of a document."""
    found = []
    for match in _noun().finditer(text, start, len(text) if end is None else end):
        if _PLENUM.match(text, match.end()) or re.search(r"Nghị quyết\s+$", text[max(0, match.start() - 15):match.start()]):
            continue
        found.append(match)
    return found


def find_meeting(text: str, sentences: list[Sentence]) -> MeetingMention | None:
    for index, sentence in enumerate(sentences):
        nouns = event_nouns(text, sentence.start, sentence.end)
        if not nouns or not _word("event_words").search(text, sentence.start, sentence.end):
            continue
        title = sentences[0]
        rule = "meetings.title"
        if event_nouns(text, title.start, title.end):  # CASE 2: a title naming the event is the best label
            label = (title.start, title.end)
        else:
            rule = "meetings.event_sentence"
            stop = _LABEL_END.search(text, nouns[0].end(), sentence.end)
            label = (nouns[0].start(), stop.start() if stop else sentence.end)
        core = lookup_key(nouns[0].group(0))   # the noun without "buổi"/"đoàn", in the form sentences are read in
        for prefix in _CORE_PREFIXES:
            core = core.removeprefix(lookup_key(prefix) + " ")
        return MeetingMention(label, index, _date(text, sentence, sentences), core, rule)
    return None


def _date(text: str, sentence: Sentence, sentences: list[Sentence]) -> DateMention | None:
    """The event date in the reporting sentence, else the first one in the article's opening."""
    dates = event_dates(text[: sentences[min(len(sentences) - 1, 5)].end])
    inside = [d for d in dates if sentence.start <= d.start < sentence.end]
    return (inside or dates or [None])[0]


def chair_spans(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """Where chairs are named in a sentence: after "dưới sự chủ trì của" / "Chủ trì ... có", else before "chủ trì"
    (in its own clause, when a list of those who attend comes first)."""
    spans = []
    for chair in _word("chair_words").finditer(text, sentence.start, sentence.end):
        lead = text[max(sentence.start, chair.start() - 12):chair.start()].casefold()
        follows = re.match(r"\s*(?:hội nghị\s+)?(?:có|của)(?!\w)", text[chair.end():sentence.end], re.I)
        if "dưới sự" in lead or follows or chair.start() == sentence.start:
            spans.append((chair.end(), sentence.end))
        else:
            spans.append((_chair_clause(text, sentence.start, chair.start()), chair.start()))
    return spans


def _chair_clause(text: str, start: int, chair: int) -> int:
    """Where the names before "chủ trì" begin: after the last semicolon when what comes before it says who
    attends ("Dự hội nghị có A, ...; B chủ trì"), else at the sentence start ("Các đồng chí: A; B; C đồng chủ trì")."""
    cut = text.rfind(";", start, chair)
    return cut + 1 if cut != -1 and _word("attend_words").search(text, start, cut) else start


def is_about_meeting(text: str, sentence: Sentence, core: str, has_people: bool) -> bool:
    """A sentence naming the event, or one where its people or delegates study documents, or one that points back
    at the event ("Đây là ...") and studies them (not future tasks)."""
    if event_nouns(text, sentence.start, sentence.end) or core in text[sentence.start:sentence.end].casefold():
        return True
    studies = _word("study_words").search(text, sentence.start, sentence.end)
    delegates = _word("delegate_words").search(text, sentence.start, sentence.end)
    modal = _word("modal_words").search(text, sentence.start, sentence.end)
    points_back = _word("anaphora").match(text, sentence.start + len(sentence.text) - len(sentence.text.lstrip()))
    return bool(studies and (delegates or has_people or points_back) and not modal)

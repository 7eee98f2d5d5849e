"""Text in, mentions out: one finder per kind of thing (documents, provinces, officials, meetings, links)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from mappings.extraction.documents import Citation, find_citations
from mappings.extraction.links import LinkMention, find_links
from mappings.extraction.meetings import MeetingMention, find_meeting
from mappings.extraction.officials import OfficialMention, find_officials
from mappings.extraction.provinces import ProvinceMention, find_provinces
from mappings.extraction.reference import load_units
from mappings.extraction.segment import Sentence, sentences
from mappings.reading.article import Article
from mappings.reading.text import match_form


@dataclass(frozen=True, slots=True)
class Mentions:
    text: str                      # the body's match form: every span below indexes it (and the body)
    sentences: list[Sentence]
    citations: list[Citation]
    links: list[LinkMention]
    provinces: list[ProvinceMention]
    officials: list[OfficialMention]
    meeting: MeetingMention | None


def extract(article: Article) -> Mentions:
    text = match_form(article.text)
    spans = sentences(text)
    citations = find_citations(text, article.published)
    return Mentions(
        text=text, sentences=spans, citations=citations, links=find_links(text, citations, spans),
        provinces=find_provinces(text, article.published), officials=find_officials(text, _place_names()),
        meeting=find_meeting(text, spans))


@cache
def _place_names() -> frozenset[str]:
    """Every written form of a province (casefolded match form): never a person's name."""
    return frozenset(match_form(form).casefold() for u in load_units() for form in (u.name, *u.aliases))

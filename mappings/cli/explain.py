"""`vankien explain FILE`: each mention with its rule, span and ±60 characters of context.

What it prints is escaped: a control or invisible character of the text (a tab, an escape sequence a terminal
would obey) shows as `\\t`, `\\x1b`, `\\u200b`, never as itself.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from mappings.extraction.mentions import Mentions
from mappings.reading.article import Article
from mappings.reading.text import INVISIBLE

CONTEXT = 60
_UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{INVISIBLE}\u2028\u2029\ud800-\udfff]")


def escaped(text: str) -> str:
    r"""The text with each control or invisible character written as Python writes it in a string.

    >>> print(escaped("Chỉ thị\t39\x1b[31m\u200b"))
    Chỉ thị\t39\x1b[31m\u200b
    """
    return _UNPRINTABLE.sub(lambda found: repr(found.group())[1:-1], text)


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT):start].replace("\n", " ")
    after = text[end:end + CONTEXT].replace("\n", " ")
    return f"…{before}[{text[start:end]}]{after}…"


def explain_lines(article: Article, found: Mentions) -> Iterator[str]:
    """One line per mention: kind, value, [start:end], rule=..., then the context with the mention in brackets."""
    text = article.text
    rows: list[tuple[int, int, str, str, str]] = []
    for c in found.citations:
        rows.append((c.start, c.end, "Document", f"{c.type_id} {c.symbol or '#' + c.number}", c.rule))
        if c.date:
            rows.append((c.date.start, c.date.end, "Date", c.date.iso or f"{c.date.day}/{c.date.month}", c.date.rule))
        if c.body:
            rows.append((c.body.start, c.body.end, "Issuer", c.body.label, c.body.rule))
        if c.title_span:
            rows.append((*c.title_span, "Title", "", "titles.after_citation"))
    rows += [(p.start, p.end, "Province", p.name, p.rule) for p in found.provinces]
    for o in found.officials:
        rows.append((o.name.start, o.name.end, "Official", text[o.name.start:o.name.end], o.rule))
        rows += [(s.start, s.end, "Position", "", o.rule) for s in o.positions]
    rows += [(l.start, l.end, "Link", f"{found.citations[l.source].symbol} {l.relation} {found.citations[l.target].symbol}",
              l.rule) for l in found.links]
    if found.meeting:
        rows.append((*found.meeting.label, "Meeting", "", found.meeting.rule))
    for start, end, kind, value, rule in sorted(rows):
        shown = value or text[start:end]
        yield (f"{kind:<9} {escaped(shown[:70]):<40} [{start}:{end}] rule={rule}\n"
               f"          {escaped(_context(text, start, end))}")

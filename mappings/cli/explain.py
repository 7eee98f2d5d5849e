"""`vankien explain FILE`: each mention with its rule, span and ±60 characters of context."""
from __future__ import annotations

from collections.abc import Iterator

from mappings.extraction.mentions import Mentions
from mappings.reading.article import Article

CONTEXT = 60


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
        yield f"{kind:<9} {shown[:70]:<40} [{start}:{end}] rule={rule}\n          {_context(text, start, end)}"

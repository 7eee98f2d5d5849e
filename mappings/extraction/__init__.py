"""Extraction: `Article` → `Mentions`, pure functions (text in, mentions out), each mention with its span and rule.

In: an `Article`. Out: `Mentions` (`mentions.py`): citations, links, provinces, officials, the meeting.
One finder per kind (`documents.py`, `titles.py`, `dates.py`, `bodies.py`, `provinces.py`, `officials.py`,
`meetings.py`, `links.py`), over named regex pieces (`patterns.py`) and sentences (`segment.py`). The rules
are data: word lists and tables in `rules/*.toml` (`rules.py` loads and checks them) and the gazetteer of
provinces and bodies in `ontology/reference/*.toml` (`reference.py`).
May import: reading.
"""

"""Linking: `Mentions` → `ArticleRecord`, one entry per thing the article names, and the IRI of every entity.

In: an `Article` and its `Mentions`. Out: `ArticleRecord` (`records.py`, the gold format's shape plus evidence),
made by `resolve.py`; `iris.py` is the one place that mints IRIs (documents, people, meetings, provinces ...).
May import: extraction, reading.
"""

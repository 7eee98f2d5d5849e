"""Emission: `ArticleRecord` → the article's named graph, every fact with its evidence (docs/graph-model.md).

In: a record and the article text. Out: an `ArticleGraph` of N-Triples terms (`to_rdf.py`, `article_graph.py`),
its text as sorted N-Triples lines (`graph_text.py`, `ntriples.py`), Turtle, TriG and JSON-LD written from those
lines (`line_formats.py`), the reference graph of provinces and central bodies (`reference_graph.py`), and the
project's namespaces (`vocab.py`).
May import: linking, extraction, reading.
"""

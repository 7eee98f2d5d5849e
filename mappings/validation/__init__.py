"""Validation: article graphs → SHACL reports against `ontology/shapes.ttl`; a graph that violates them is not published.

In: `ArticleGraph`s (or rdflib graphs). Out: one `Report` per graph (`validate.py`), from the shapes compiled
into plain checks (`shacl.py`), or from pySHACL for shapes the compiler does not cover.
May import: emission, linking, extraction, reading.
"""

"""Validation: article graphs → SHACL reports against `ontology/shapes.ttl`, and graphs less what violates them.

In: `ArticleGraph`s (or rdflib graphs). Out: one `Report` per graph (`validate.py`), from the shapes compiled
into plain checks (`shacl.py`), or from pySHACL for shapes the compiler does not cover; a graph that violates
them without the facts that do, each with its evidence (`repair.py`), or none when only the article node would
have to go (then the article is not published).
May import: emission, linking, extraction, reading.
"""

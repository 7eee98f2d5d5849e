"""Publishing: validated graphs → a build on disk that is switched in atomically, or a remote SPARQL store.

In: a stream of graph texts in IRI order. Out: `builds/<id>/` with the pyoxigraph store (`store.py`) and the
deterministic gzip dumps (`dumps.py`), written together (`writer.py`), the full-text search index made from the
written store and the articles' bodies (`search_index.py`); the switch, rollback and pruning of
builds (`publish.py`); the same build sent to a SPARQL 1.1 store by Update (`remote.py`, over `sparql_http.py`).
May import: validation, emission, linking, extraction, reading.
"""

"""The data served, read-only: the published build's store (embedded pyoxigraph or a remote SPARQL store).

In: settings. Out: `GraphStore` (`store.py`, the only module that touches the store or the disk), a
`RemoteStore` (`remote.py`), the dumps of a remote build (`remote_dumps.py`), the build's full-text search
index opened read-only (`fulltext.py`), and values computed once per build (`per_build.py`).
May import: server.http, and the build's publishing stage (`mappings`).
"""

"""The HTTP layer: what every request and answer needs, knowing nothing of the data served.

Settings (`config.py`), errors and their statuses (`errors.py`), every URL emitted (`urls.py`), the page
language (`i18n.py`), representations and content negotiation (`negotiation.py`, with the prefixes of
`namespaces.py`), and the ASGI layers around the application: security headers and per-client limits
(`middleware.py`), whole responses kept in memory (`response_cache.py`).
May import: nothing else of the server (the lowest layer).
"""

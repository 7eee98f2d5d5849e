"""Thin HTTP routes, one APIRouter per concern; `server.main` includes them all. `deps.py` declares what they
receive (the store, the URL builder, the query pool).
May import: server.pages, server.queries, server.data, server.http.
"""

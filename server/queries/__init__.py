"""SPARQL for clients: a query request read by the SPARQL 1.1 Protocol (`protocol.py`), its text pre-checked
before any parser sees it (`precheck.py`), evaluated in worker processes that can be killed (`workers.py`,
`query_worker.py`), and written row by row (`results.py`); the service description and the query page.
In: a request. Out: an answer in the format asked for, or an error with its status.
May import: server.data, server.http. Not server.pages (the two are independent).
"""

"""What a page shows: one description per resource (`description.py`, read in the page's language by
`reading.py`), what a page adds by class (`sections.py`, `neighbourhoods.py`, `pictures.py`), class lists,
search, the VoID description, paging and tabular forms, and rendering with the templates (`render.py`).
In: a store and an IRI or a request's parameters. Out: data for a template, or RDF.
May import: server.data, server.http. Not server.queries (the two are independent).
"""

"""vankien's HTTP server: linked-data pages, a SPARQL endpoint and dumps over one published build.

One sub-package per concern, each importing only those below it (import-linter's contract in
`pyproject.toml`, checked by `tests/test_layers.py`):

    main       the application factory and `serve` (top)
    routes     thin HTTP routes, one router per concern, and what they receive (`deps.py`)
    pages      what a page shows: descriptions, evidence, sections, pictures, lists, search, VoID, rendering
    queries    the SPARQL protocol: request reading, pre-check, worker processes, result writers, the query page
    data       the data served: the store (embedded or remote), the dumps of a remote build, per-build values
    http       HTTP plumbing that knows nothing of the data: settings, errors, URLs, language, formats and
               prefixes, middleware, kept responses

`pages` and `queries` are independent of each other. The server may import the build's stages (`mappings`)
but not the command line (`mappings.cli`), which imports it.
"""

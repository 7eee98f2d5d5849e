"""vankien mappings: news articles → RDF, one sub-package per stage of the flow (DESIGN.md), in the order an
article passes through them:

    reading      bytes of a file → `Article`
    extraction   `Article` → `Mentions` (text in, mentions out; rules are data in `extraction/rules/*.toml`)
    linking      `Mentions` → `ArticleRecord`: one entry per thing, and the IRI of each
    emission     `ArticleRecord` → the article's named graph (N-Triples terms) and the published text formats
    validation   article graphs → SHACL reports against `ontology/shapes.ttl`
    publishing   validated graphs → the on-disk store, dumps, the atomic switch, remote stores
    build        the orchestration of all of the above over a folder of articles, in worker processes
    cli          the `vankien` command (build, explain, serve, rollback)

A stage imports only the stages before it (import-linter's contract in `pyproject.toml`, checked by
`tests/test_layers.py`); `server` sits between `build` and `cli`.

The public verbs, in pipeline order: `read_article`, `extract`, `resolve`.
"""
from mappings.extraction.mentions import Mentions, extract
from mappings.linking.resolve import resolve
from mappings.reading.article import Article, ArticleFormatError, read_article

__all__ = ["Article", "ArticleFormatError", "Mentions", "extract", "read_article", "resolve"]

"""vankien mappings: news articles → RDF.

The public verbs, in pipeline order: `read_article`, `extract`, `resolve`, `to_graph`, `map_article`.
"""
from mappings.article import Article, ArticleFormatError, read_article
from mappings.extract import Mentions, extract
from mappings.resolve import resolve

__all__ = ["Article", "ArticleFormatError", "Mentions", "extract", "read_article", "resolve"]

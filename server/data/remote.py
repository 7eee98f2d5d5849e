"""A remote SPARQL store (`vankien serve --store URL`), queried through the SPARQL 1.1 Protocol and
answering as pyoxigraph's `Store.query` does, so the pages and the query workers run on either store.

What the protocol cannot carry is put into the query text: the server's prefixes and the base IRI as a
prologue, and bound variables (`substitutions`) as `VALUES` at the start of every `WHERE` group, which
binds them before anything else is joined, as pyoxigraph's substitutions do. Every query is parsed here
first (on an empty in-memory store), so a syntax error reads as the embedded store's, and the form of
the query tells which answer format to ask for: SPARQL JSON results, or N-Triples for graphs.

The store's default graph must hold the union of the published graphs, deduplicated, as the embedded
store's does (`vankien build --store` writes it; docs/remote-store.md tells how each store is set up).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
)

from mappings.publishing.sparql_http import Endpoint, StoreError, post_query

Term = NamedNode | BlankNode | Literal | Triple
SOLUTIONS = "application/sparql-results+json"
GRAPH = "application/n-triples, text/plain;q=0.5"
WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class RemoteTriples:
    """The triples a remote CONSTRUCT or DESCRIBE answered, read as they arrive."""

    def __init__(self, triples: Iterator[Triple]) -> None:
        self._triples = triples

    def __iter__(self) -> Iterator[Triple]:
        return self._triples


Answer = QuerySolutions | QueryBoolean | RemoteTriples


class RemoteStore:
    """Reads the store at `endpoint.query`; each `query` is one HTTP request of at most `timeout_s`."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._parser = Store()  # empty: queries are parsed on it, never evaluated over data

    def query(self, sparql: str, *, prefixes: Mapping[str, str] | None = None,
              substitutions: Mapping[Variable, Term] | None = None, base_iri: str | None = None,
              default_graph: Sequence[NamedNode] | None = None,
              named_graphs: Sequence[NamedNode] | None = None) -> Answer:
        """As `pyoxigraph.Store.query`; raises SyntaxError before any request, StoreError if the store fails."""
        text = prologue(prefixes or {}, base_iri) + (with_values(sparql, substitutions) if substitutions else sparql)
        form = self._parser.query(text)
        response = post_query(self.endpoint, text, GRAPH if _is_graph(form) else SOLUTIONS,
                              [g.value for g in default_graph or ()], [g.value for g in named_graphs or ()])
        try:
            if _is_graph(form):
                return RemoteTriples(quad.triple for quad in parse(response, RdfFormat.N_TRIPLES))
            return parse_query_results(response, QueryResultsFormat.JSON)
        except SyntaxError as error:
            raise StoreError(f"{self.endpoint.query}: the store's answer does not parse: {error}") from None

    def named_graphs(self) -> Iterator[NamedNode]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(rows, QuerySolutions)
        return (row["g"] for row in rows if isinstance(row["g"], NamedNode))


def prologue(prefixes: Mapping[str, str], base_iri: str | None) -> str:
    """`BASE` and `PREFIX` declarations; the query's own, which come after, win."""
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items()]
    return "".join(line + "\n" for line in lines)


def with_values(sparql: str, bindings: Mapping[Variable, Term]) -> str:
    """`sparql` with `VALUES` binding `bindings` at the start of each `WHERE` group (subqueries too).

    >>> with_values("SELECT ?p WHERE { ?s ?p ?o }", {Variable("s"): NamedNode("http://example.org/a")})
    'SELECT ?p WHERE { VALUES (?s) { (<http://example.org/a>) } ?s ?p ?o }'
    """
    if not WHERE.search(sparql):
        raise ValueError("a query with bound variables needs a WHERE clause to bind them in")
    names = " ".join(str(variable) for variable in bindings)
    values = " ".join(str(term) for term in bindings.values())
    return WHERE.sub(lambda found: f"{found.group(0)} VALUES ({names}) {{ ({values}) }}", sparql)


def _is_graph(form: Any) -> bool:
    return not isinstance(form, QuerySolutions | QueryBoolean)

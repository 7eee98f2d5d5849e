"""What a query worker process does with one client query (`server.queries.workers` runs it): evaluate it
over the store, cut the answer at the row cap, and send it back negotiated, in chunks.

The first message is a `Head` (what to send and whether the cap cut the answer), or, for a browser,
a whole `ResultsTable` for the query page; then the body as `bytes` chunks.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions

from mappings.publishing.sparql_http import StoreError
from server.data.store import QueryResult, Readable
from server.http import negotiation
from server.http.errors import BadRequest, StoreUnavailable
from server.http.negotiation import HTML
from server.http.urls import Urls
from server.queries import query_page
from server.queries.results import CHUNK, write_boolean, write_solutions

RESULTS_FORMAT = {QueryResultsFormat.JSON: "json", QueryResultsFormat.XML: "xml",
                  QueryResultsFormat.CSV: "csv", QueryResultsFormat.TSV: "tsv"}


@dataclass(frozen=True, slots=True)
class QueryJob:
    query: str
    default_graphs: tuple[str, ...] | None  # None: the query's own FROM, else exactly these graphs
    named_graphs: tuple[str, ...] | None
    base_iri: str
    formats: tuple[str, ...]
    accept: str | None
    row_limit: int
    base_uri: str  # to link IRIs on the query page

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:  # pickled as its fields: see `Head`
        return QueryJob, (self.query, self.default_graphs, self.named_graphs, self.base_iri, self.formats,
                          self.accept, self.row_limit, self.base_uri)


@dataclass(frozen=True, slots=True)
class Head:
    media_type: str
    truncated: bool  # the answer had more than `row_limit` rows and was cut there

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickled as its fields: a slotted dataclass' own state calls `dataclasses.fields()` on every load,
        several times the cost of the rest of a short answer's trip through the pipe."""
        return Head, (self.media_type, self.truncated)


def handle(store: Readable, job: QueryJob) -> Iterator[object]:
    result = _evaluate(store, job)
    graph = not isinstance(result, QuerySolutions | QueryBoolean)
    offers = negotiation.GRAPH_OR_PAGE if graph else negotiation.RESULTS_OR_PAGE
    chosen = negotiation.pick(offers, job.formats, job.accept)
    if isinstance(result, QueryBoolean):
        yield from _boolean(bool(result), chosen)
        return
    rows = list(islice(result, job.row_limit + 1))  # at most the cap in memory, in the worker
    truncated = len(rows) > job.row_limit
    del rows[job.row_limit :]
    if chosen is HTML:
        urls = Urls(job.base_uri)
        if isinstance(result, QuerySolutions):
            yield query_page.solutions_table(result.variables, rows, urls)
        else:
            yield query_page.triples_table(rows, urls)
        return
    yield Head(chosen.media_type, truncated)
    if graph:
        body = negotiation.serialize_graph(rows, chosen)
        yield from (body[i : i + CHUNK] for i in range(0, len(body), CHUNK))
    else:
        assert isinstance(chosen.format, QueryResultsFormat) and isinstance(result, QuerySolutions)
        yield from write_solutions(RESULTS_FORMAT[chosen.format], result.variables, rows)


def _evaluate(store: Readable, job: QueryJob) -> QueryResult:
    options: dict[str, Any] = {"base_iri": job.base_iri}
    if job.default_graphs is not None:  # each part replaces only its own part of the query's dataset
        options["default_graph"] = [NamedNode(g) for g in job.default_graphs]
        options["named_graphs"] = [NamedNode(g) for g in job.named_graphs or ()]
    try:
        return store.query(job.query, **options)
    except SyntaxError as error:
        raise BadRequest(f"SPARQL syntax error: {error}") from None
    except StoreError as error:  # the store's own refusal of a query is the client's; the rest is ours
        raise (BadRequest if error.status == 400 else StoreUnavailable)(str(error)) from None


def _boolean(value: bool, chosen: negotiation.Representation) -> Iterator[object]:
    if chosen is HTML:
        yield query_page.boolean_table(value)
        return
    assert isinstance(chosen.format, QueryResultsFormat)
    yield Head(chosen.media_type, False)
    yield write_boolean(RESULTS_FORMAT[chosen.format], value)

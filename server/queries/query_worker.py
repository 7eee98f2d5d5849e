"""What a query worker process does with one client query (`server.queries.workers` runs it): evaluate it
over the store, cut the answer at the row cap, and send it back negotiated, in chunks.

The query is completed with the known prefixes it uses without declaring them (`prefixes.complete`), and a
syntax error is told in words at its place in the client's text (`syntax_errors.explain`).

The first message is a `Head` (what to send and whether the cap cut the answer), or, for a browser,
a whole `ResultsTable` for the query page, its IRIs labelled in the page's language by one more query
(`labels`); then the body as `bytes` chunks.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from pyoxigraph import Literal, NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions

from mappings.publishing.sparql_http import StoreError
from server.data.store import QueryResult, Readable
from server.http import negotiation
from server.http.errors import BadRequest, StoreUnavailable
from server.http.negotiation import HTML
from server.http.urls import Urls
from server.queries import query_page
from server.queries.prefixes import Completed, complete
from server.queries.results import CHUNK, write_boolean, write_solutions
from server.queries.syntax_errors import explain

RESULTS_FORMAT = {QueryResultsFormat.JSON: "json", QueryResultsFormat.XML: "xml",
                  QueryResultsFormat.CSV: "csv", QueryResultsFormat.TSV: "tsv"}
LABELLED = 1000  # IRIs of a results table given a label, the first ones met
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


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
    lang: str = "vi"  # the page's language: the labels on the query page

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:  # pickled as its fields: see `Head`
        return QueryJob, (self.query, self.default_graphs, self.named_graphs, self.base_iri, self.formats,
                          self.accept, self.row_limit, self.base_uri, self.lang)


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
            table = query_page.solutions_table(result.variables, rows, urls)
        else:
            table = query_page.triples_table(rows, urls)
        yield query_page.labelled(table, labels(store, query_page.iris(table, LABELLED), job.lang), truncated)
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
    completed = _completed(job.query)
    try:
        return store.query(completed.text, **options)
    except SyntaxError as error:
        raise BadRequest(explain(str(error), job.query, completed.added_lines)) from None
    except StoreError as error:  # the store's own refusal of a query is the client's; the rest is ours
        raise (BadRequest if error.status == 400 else StoreUnavailable)(str(error)) from None


@lru_cache(maxsize=512)
def _completed(query: str) -> Completed:
    """`prefixes.complete`, remembered: clients send the same texts again and again."""
    return complete(query)


def labels(store: Readable, iris: Iterable[str], lang: str) -> dict[str, Literal]:
    """The `rdfs:label` of each IRI, in `lang` if it has one, else Vietnamese, English, any; by one query.
    A failure leaves the table without labels rather than failing the answer."""
    values = " ".join(f"<{iri}>" for iri in iris)
    if not values:
        return {}
    rank = {lang: 0, "vi": 1, "en": 2}
    best: dict[str, Literal] = {}
    try:
        solutions = store.query(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS_LABEL}> ?l }}")
        for solution in solutions:  # type: ignore[union-attr]
            subject, label = solution["s"], solution["l"]
            if not isinstance(subject, NamedNode) or not isinstance(label, Literal):
                continue
            held = best.get(subject.value)
            if held is None or rank.get(label.language or "", 3) < rank.get(held.language or "", 3):
                best[subject.value] = label
    except (SyntaxError, StoreError, OSError):
        return {}
    return best


def _boolean(value: bool, chosen: negotiation.Representation) -> Iterator[object]:
    if chosen is HTML:
        yield query_page.boolean_table(value)
        return
    assert isinstance(chosen.format, QueryResultsFormat)
    yield Head(chosen.media_type, False)
    yield write_boolean(RESULTS_FORMAT[chosen.format], value)

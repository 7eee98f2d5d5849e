"""`/sparql`: SPARQL 1.1 Protocol queries by GET, POST form and POST direct; read-only.

Without a query, programs get the service description and browsers the query page. Answers are
negotiated on `Accept` (an explicit `?format=` first); a browser gets an HTML table only when HTML is
what it rates highest. Methods other than GET, HEAD, POST and OPTIONS get Starlette's 405 with `Allow`.
"""

from dataclasses import dataclass
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import QueryTriples

from server import negotiation, pages, protocol, query_page, service_description
from server.deps import StoreDep, UrlsDep
from server.errors import HttpError
from server.i18n import language, translate
from server.negotiation import HTML, Representation
from server.query_page import ResultsTable
from server.store import GraphStore
from server.urls import Urls

router = APIRouter(tags=["sparql"])
METHODS = ("GET", "HEAD", "POST", "OPTIONS")


@dataclass(frozen=True, slots=True)
class Serialized:
    body: bytes
    representation: Representation


@router.api_route("/sparql", methods=list(METHODS))
async def sparql(request: Request, store: StoreDep, urls: UrlsDep) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ", ".join(METHODS)})
    call = await protocol.read(request)
    if call.query is None:
        return await _describe_service(request, store, urls, call)
    return await _answer(request, store, urls, call)


def answer(
    store: GraphStore, call: protocol.QueryRequest, accept: str | None, base_iri: str, urls: Urls
) -> Serialized | ResultsTable:
    """Evaluates and lays out in one call (pyoxigraph evaluates lazily, while serializing): the offers
    depend on the query form, known only from its result."""
    assert call.query is not None
    result = store.query(call.query, call.dataset, base_iri)
    offers = negotiation.GRAPH_OR_PAGE if isinstance(result, QueryTriples) else negotiation.RESULTS_OR_PAGE
    chosen = negotiation.pick(offers, call.formats, accept)
    if chosen is HTML:
        return query_page.results_table(result, urls)
    if isinstance(result, QueryTriples):
        return Serialized(negotiation.serialize_graph(result, chosen), chosen)
    return Serialized(negotiation.serialize_results(result, chosen), chosen)


async def _answer(request: Request, store: GraphStore, urls: Urls, call: protocol.QueryRequest) -> Response:
    accept = request.headers.get("accept")
    try:
        outcome = await store.run(answer, store, call, accept, endpoint_url(request), urls)
    except HttpError as error:  # a browser sees it on the query page, next to its query
        if negotiation.pick(negotiation.RESULTS_OR_PAGE, call.formats, accept) is not HTML:
            raise
        return _page(request, store, urls, call, error=error)
    if isinstance(outcome, ResultsTable):
        return _page(request, store, urls, call, results=outcome)
    return _varies(Response(outcome.body, media_type=outcome.representation.media_type))


async def _describe_service(
    request: Request, store: GraphStore, urls: Urls, call: protocol.QueryRequest
) -> Response:
    chosen = negotiation.pick(negotiation.GRAPH_OR_PAGE, call.formats, request.headers.get("accept"))
    if chosen is HTML:
        return _page(request, store, urls, call)
    summary = await store.run(store.summary)
    triples = service_description.describe(
        endpoint_url(request), summary, store.union_default_graph, store.query_timeout_s, store.row_limit
    )
    body = negotiation.serialize_graph(triples, chosen, service_description.SD_PREFIXES)
    return _varies(Response(body, media_type=chosen.media_type))


def _page(
    request: Request,
    store: GraphStore,
    urls: Urls,
    call: protocol.QueryRequest,
    results: ResultsTable | None = None,
    error: HttpError | None = None,
) -> Response:
    examples = query_page.examples(partial(translate, language(request)), urls)
    page = query_page.QueryPage(
        query=call.query or examples[0].query,
        format=next(iter(call.formats), HTML.suffix),
        examples=examples,
        timeout_s=store.query_timeout_s,
        row_limit=store.row_limit,
        id_base=urls.iri(""),
        results=results,
        error=error.message if error else None,
    )
    status = error.status if error else 200
    return _varies(pages.render(request, "query.html", {"page": page}, status))


def endpoint_url(request: Request) -> str:
    """The endpoint as this request reached it: what the service description names, and the base IRI
    of relative IRIs in queries (the protocol leaves that base to the service, and allows the endpoint)."""
    return str(request.url.replace(query="", fragment=""))


def _varies(response: Response) -> Response:
    """The answer depends on `Accept` (and a page, through `i18n`, on the language cookie)."""
    response.headers["Vary"] = ", ".join(filter(None, ("Accept", response.headers.get("Vary"))))
    return response

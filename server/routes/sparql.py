"""`/sparql`: SPARQL 1.1 Protocol queries by GET, POST form and POST direct; read-only.

Without a query, programs get the service description and browsers the query page. Answers are
negotiated on `Accept` (an explicit `?format=` first); a browser gets an HTML table only when HTML is
what it rates highest. Methods other than GET, HEAD, POST and OPTIONS get Starlette's 405 with `Allow`.

A plain Starlette route, not a FastAPI path operation: it takes nothing but the request (the store and the
pool of the build it is pinned to, its URL builder), so it skips FastAPI's dependency
solving, which ran each dependency in a thread. An answer that came whole from its worker is sent with its length; a
bigger one is streamed as it arrives.

A client that hangs up while its query waits or runs frees the worker at once: the route listens for the
ASGI `http.disconnect` while the pool works, and cancelling the job kills its worker (`WorkerPool.run`); a
client that hangs up mid-answer stops the stream, which does the same.
"""

import asyncio
from collections.abc import Coroutine, Hashable
from typing import TypeVar

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive

from server.data.store import GraphStore
from server.http import negotiation
from server.http.errors import BadRequest, HttpError, PayloadTooLarge
from server.http.i18n import language
from server.http.negotiation import HTML
from server.http.urls import Urls, urls_of
from server.pages import rendering
from server.queries import protocol, query_page, service_description
from server.queries.precheck import QueryRefused, QueryTooLong, precheck
from server.queries.query_page import ResultsTable
from server.queries.query_worker import Head, QueryJob
from server.queries.workers import WorkerPool
from server.routes.deps import served

router = APIRouter(tags=["sparql"])
METHODS = ("GET", "HEAD", "POST", "OPTIONS")
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
CLIENT_GONE = 499  # nginx's "client closed request", for the access log
MEMO_SIZE, MEMO_TEXT = 512, 8192  # entries of each memo; longest query text remembered as pre-checked
_PASSED: dict[str, None] = {}  # query texts that passed the pre-check (a pure function of the text)
_ENDPOINTS: dict[tuple[object, ...], str] = {}  # endpoint URLs by what they are made of
SUFFIXES = {r.media_type: r.suffix for r in (*negotiation.RESULTS, *negotiation.GRAPH)}  # downloads' file names


async def sparql(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ", ".join(METHODS)})
    pinned = served(request)
    store, pool = pinned.store, pinned.pool
    urls = urls_of(request)
    call = await protocol.read(request)
    if call.query is None:
        return await _describe_service(request, store, urls, call)
    return await _answer(request, store, pool, urls, call)


router.add_route("/sparql", sparql, methods=list(METHODS), name="sparql")


async def _answer(
    request: Request, store: GraphStore, pool: WorkerPool, urls: Urls, call: protocol.QueryRequest
) -> Response:
    """Checks the query here, then has a worker process evaluate it and streams its answer."""
    assert call.query is not None
    accept = request.headers.get("accept")
    try:
        _precheck(call.query)
        job = _job(request, store, urls, call, accept)
        # the pool serves quick queries first, learning from earlier runs of the same query on the same graphs
        answer = pool.run(job, hash((job.query, job.default_graphs, job.named_graphs)))
        ran = await _unless_client_leaves(answer, request.receive)
        if ran is None:
            return Response(status_code=CLIENT_GONE)  # nobody reads it: uvicorn drops it
        head, body = ran
    except HttpError as error:  # a browser sees it on the query page, next to its query
        if negotiation.pick(negotiation.RESULTS_OR_PAGE, call.formats, accept) is not HTML:
            raise
        return _page(request, store, urls, call, error=error)
    if isinstance(head, ResultsTable):
        async for _ in body:  # nothing more comes; reading the end hands the worker back
            pass
        return _page(request, store, urls, call, results=head)
    assert isinstance(head, Head)
    whole = getattr(body, "whole", None)
    response = (
        Response(whole, media_type=head.media_type) if whole is not None
        else StreamingResponse(body, media_type=head.media_type)
    )
    if head.truncated:  # Virtuoso's header for the same thing
        response.headers["X-SPARQL-MaxRows"] = str(store.row_limit)
    if call.download:  # the query page's download buttons: saved as a file, not shown
        suffix = SUFFIXES.get(head.media_type, "txt")
        response.headers["Content-Disposition"] = f'attachment; filename="query-results.{suffix}"'
    return _varies(response)


async def _unless_client_leaves(work: Coroutine[object, object, T], receive: Receive) -> T | None:
    """What `work` returns, or None as soon as the client disconnects (then `work` is cancelled: a job it
    runs loses its worker process). The request's body was read already: what comes next is the end."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnect(receive))
    try:
        await asyncio.wait((task, gone), return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not task.done():
            task.cancel()
    if task.cancelled() or not task.done():
        await asyncio.gather(task, return_exceptions=True)
        return None
    return task.result()


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":  # a GET's (empty) body comes first
        pass


def _precheck(query: str) -> None:
    if query in _PASSED:
        return
    try:
        precheck(query)
    except QueryTooLong as refusal:
        raise PayloadTooLarge(str(refusal)) from None
    except QueryRefused as refusal:
        raise BadRequest(str(refusal)) from None
    if len(query) <= MEMO_TEXT:
        _remember(_PASSED, query, None)


def _job(
    request: Request, store: GraphStore, urls: Urls, call: protocol.QueryRequest, accept: str | None
) -> QueryJob:
    dataset = call.dataset
    return QueryJob(
        query=call.query or "",
        default_graphs=None if dataset is None else tuple(g.value for g in dataset.default_graphs),
        named_graphs=None if dataset is None else tuple(g.value for g in dataset.named_graphs),
        base_iri=endpoint_url(request),
        formats=call.formats,
        accept=accept,
        row_limit=store.row_limit,
        base_uri=urls.dataset_base,
        lang=language(request),
    )


async def _describe_service(
    request: Request, store: GraphStore, urls: Urls, call: protocol.QueryRequest
) -> Response:
    chosen = negotiation.pick(negotiation.GRAPH_OR_PAGE, call.formats, request.headers.get("accept"))
    if chosen is HTML:
        return _page(request, store, urls, call)
    summary = await store.run(store.summary)
    triples = service_description.describe(
        endpoint_url(request), summary, store.union_default_graph, request.app.state.settings.stated_limits()
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
    examples = query_page.examples(language(request), urls)
    dataset = call.dataset
    page = query_page.QueryPage(
        query=call.query or examples[0].query,
        format=next(iter(call.formats), HTML.suffix),
        examples=examples,
        limits=request.app.state.settings.stated_limits(),
        id_base=urls.iri(""),
        results=results,
        error=error.message if error else None,
        dataset=() if dataset is None else (
            *((protocol.DEFAULT_GRAPH, g.value) for g in dataset.default_graphs),
            *((protocol.NAMED_GRAPH, g.value) for g in dataset.named_graphs),
        ),
    )
    status = error.status if error else 200
    return _varies(rendering.render(request, "query.html", {"page": page}, status))


def endpoint_url(request: Request) -> str:
    """The endpoint as this request reached it: what the service description names, and the base IRI
    of relative IRIs in queries (the protocol leaves that base to the service, and allows the endpoint)."""
    scope = request.scope
    key = (scope["scheme"], scope.get("server"), scope.get("root_path", ""), scope["path"], request.headers.get("host"))
    url = _ENDPOINTS.get(key)
    if url is None:
        url = _remember(_ENDPOINTS, key, str(request.url.replace(query="", fragment="")))
    return url


def _remember(memo: dict[K, V], key: K, value: V) -> V:
    """`memo[key] = value`, the memo emptied first when full (what it holds is cheap to compute again)."""
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


def _varies(response: Response) -> Response:
    """The answer depends on `Accept` (and a page, through `i18n`, on the language cookie)."""
    response.headers["Vary"] = ", ".join(filter(None, ("Accept", response.headers.get("Vary"))))
    return response

"""`/sparql`: SPARQL 1.1 Protocol queries by GET, POST form and POST direct; read-only."""

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pyoxigraph import QueryTriples

from server import negotiation
from server.deps import StoreDep
from server.errors import BadRequest, Forbidden
from server.store import GraphStore

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


@router.get("/sparql")
async def query_by_get(request: Request, store: StoreDep, query: str | None = None) -> Response:
    if query is None:
        raise BadRequest("give a SPARQL query: /sparql?query=...")
    return await _respond(request, store, query)


@router.post("/sparql")
async def query_by_post(request: Request, store: StoreDep) -> Response:
    return await _respond(request, store, await posted_query(request))


async def posted_query(request: Request) -> str:
    """The query of a POST: a form's `query` field or a direct `application/sparql-query` body."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == UPDATE:
        raise Forbidden(READ_ONLY)
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request body is not UTF-8") from None
    if content_type == DIRECT:
        return body
    if content_type != FORM:
        raise BadRequest(
            f"POST a form ({FORM}) or a query ({DIRECT}), not {content_type or 'no content type'}"
        )
    form = parse_qs(body)
    if "update" in form:
        raise Forbidden(READ_ONLY)
    if len(form.get("query", [])) != 1:
        raise BadRequest("the form must hold exactly one `query` field")
    return form["query"][0]


def answer(store: GraphStore, sparql: str, accept: str | None) -> tuple[bytes, str]:
    """Evaluates and serializes in one call: pyoxigraph evaluates lazily, while serializing."""
    result = store.query(sparql)
    if isinstance(result, QueryTriples):
        chosen = negotiation.choose(negotiation.GRAPH, accept)
        return negotiation.serialize_graph(result, chosen), chosen.media_type
    chosen = negotiation.choose(negotiation.RESULTS, accept)
    return negotiation.serialize_results(result, chosen), chosen.media_type


async def _respond(request: Request, store: GraphStore, sparql: str) -> Response:
    body, media_type = await store.run(answer, store, sparql, request.headers.get("accept"))
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})

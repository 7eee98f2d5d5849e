"""`/.well-known/void`: the dataset's VoID + DCAT description (RFC 5785, VoID 7.2), in Turtle by
default, or N-Triples, JSON-LD, RDF/XML (`?format=` or `Accept`)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from server.http import negotiation
from server.pages import tabular, void
from server.routes.deps import StoreDep, UrlsDep

router = APIRouter(tags=["void"])


@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
async def describe_dataset(
    request: Request, store: StoreDep, urls: UrlsDep, format_key: Annotated[str | None, Query(alias="format")] = None
) -> Response:
    chosen = negotiation.choose(negotiation.GRAPH, request.headers.get("accept"), format_key)
    stats = await store.run(void.STATISTICS.get, store, urls.id_base)
    body = negotiation.serialize_graph(void.description(stats, store, urls, void.LICENSE), chosen)
    return tabular.negotiated(Response(body, media_type=chosen.media_type), format_key)

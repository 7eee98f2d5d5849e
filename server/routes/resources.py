"""Linked-data URLs: `/id/...` names a thing and redirects; `/doc/...` describes it in the form asked for."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import Triple

from server import negotiation, pages
from server.deps import StoreDep, UrlsDep
from server.errors import NotFound
from server.urls import Urls

router = APIRouter(tags=["resources"])


@router.get("/id/{path:path}")
def see_other(path: str, urls: UrlsDep) -> RedirectResponse:
    return RedirectResponse(urls.doc(path), status_code=303)


@router.get("/doc/{path:path}")
async def describe(
    path: str,
    request: Request,
    store: StoreDep,
    urls: UrlsDep,
    format_key: Annotated[str | None, Query(alias="format")] = None,
) -> Response:
    """Suffix (`.ttl`) > `?format=ttl` > `Accept`, over one description (HTML and RDF never disagree)."""
    path, fixed = negotiation.split_suffix(path, negotiation.PAGE)
    chosen = fixed or negotiation.choose(negotiation.PAGE, request.headers.get("accept"), format_key)
    iri = urls.iri(path)
    if not await store.run(store.exists, iri):
        raise NotFound(f"nothing is known about {iri}")
    triples = await store.run(store.describe, iri)
    if chosen is negotiation.HTML:
        response = _page(request, iri, path, triples, urls)
    else:
        response = Response(negotiation.serialize_graph(triples, chosen), media_type=chosen.media_type)
    response.headers["Content-Location"] = urls.doc(path, chosen.suffix)
    if not (fixed or format_key):
        response.headers["Vary"] = "Accept"
    return response


def _page(request: Request, iri: str, path: str, triples: list[Triple], urls: Urls) -> Response:
    """The HTML page, linking its RDF forms in the `Link` header as in `<head>`."""
    alternates = pages.alternates(path, urls)
    context = {"page": pages.resource_page(iri, triples, urls), "alternates": alternates}
    response = pages.render(request, "resource.html", context)
    response.headers["Link"] = ", ".join(
        f'<{a.href}>; rel="alternate"; type="{a.media_type}"' for a in alternates
    )
    return response

"""Class lists: `/class/` (every class of the ontology with its count) and `/class/{name}` (a class's
members, paged: `?page=`, `?size=`), each as HTML, JSON or CSV (`?format=html|json|csv` or `Accept`)."""

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from server.http import i18n, negotiation
from server.pages import listing, rendering, tabular
from server.pages.vocabulary import vocabulary
from server.routes.deps import StoreDep, UrlsDep

router = APIRouter(tags=["lists"])
FormatKey = Annotated[str | None, Query(alias="format")]
INDEX_HEADER = ("iri", "name", "label", "count")


@router.get(listing.INDEX_PATH)
async def classes(request: Request, store: StoreDep, format_key: FormatKey = None) -> Response:
    chosen = tabular.choose(request, format_key)
    entries = listing.class_entries(await store.run(vocabulary, store), i18n.language(request))
    if chosen is negotiation.HTML:
        context = {"classes": entries, "alternates": tabular.alternates(listing.INDEX_PATH, {})}
        return tabular.negotiated(rendering.render(request, "classes.html", context), format_key)
    rows = ([e.iri, e.name, e.label, str(e.count)] for e in entries)
    return tabular.respond(chosen, {"classes": [asdict(e) for e in entries]}, INDEX_HEADER, rows, format_key)


@router.get(listing.INDEX_PATH + "{name}")
async def members(
    name: str, request: Request, store: StoreDep, urls: UrlsDep,
    page: str | None = None, size: str | None = None, format_key: FormatKey = None,
) -> Response:
    chosen = tabular.choose(request, format_key)
    listed = await store.run(listing.class_list, store, urls, name, page, size, i18n.language(request))
    if chosen is negotiation.HTML:
        return tabular.negotiated(rendering.render(request, "list.html", {"list": listed}), format_key)
    header, rows = listing.csv_header(listed), listing.as_rows(listed)
    return tabular.respond(chosen, listing.as_json(listed), header, rows, format_key)

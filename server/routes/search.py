"""`/search?q=`: labels, names and symbols, with or without diacritics; `&class=` keeps one class,
`&page=` and `&size=` page the ranked results; HTML, JSON or CSV (`&format=` or `Accept`)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from server.http import i18n, negotiation
from server.http.errors import BadRequest
from server.pages import finder, rendering, tabular
from server.pages.vocabulary import vocabulary
from server.routes.deps import StoreDep, UrlsDep

router = APIRouter(tags=["search"])


@router.get(finder.PATH)
async def search(
    request: Request, store: StoreDep, urls: UrlsDep,
    q: str | None = None, page: str | None = None, size: str | None = None,
    class_name: Annotated[str | None, Query(alias="class")] = None,
    format_key: Annotated[str | None, Query(alias="format")] = None,
) -> Response:
    chosen, lang = tabular.choose(request, format_key), i18n.language(request)
    asked = finder.Asked(q, class_name, page, size)
    if chosen is not negotiation.HTML:
        found = await store.run(finder.find, store, urls, asked, lang)
        return tabular.respond(chosen, finder.as_json(found), finder.CSV_HEADER, finder.as_rows(found), format_key)
    results: finder.Results | None = None
    error: str | None = None
    try:
        if q is not None:  # without q: the empty form
            results = await store.run(finder.find, store, urls, asked, lang)
    except BadRequest as bad:  # the form again, saying what to correct
        error = bad.message
    choices = (await store.run(vocabulary, store)).choices(lang)
    context = {"asked": asked, "choices": choices, "results": results, "error": error}
    return tabular.negotiated(rendering.render(request, "search.html", context, 400 if error else 200), format_key)

"""Linked-data URLs: `/id/...` names a thing and redirects; `/doc/...` describes it in the form asked for.

Both answer HEAD. A description is cached by a strong `ETag` (what is served, which resource, which
representation and page language, which page of incoming links) and revalidated with `If-None-Match`.

An IRI once published keeps answering when a later build split or merged what it named: a resource with
no description of its own but `dcterms:isReplacedBy` values (`GraphStore.replacements`) is moved. One
replacement: `301` from `/id/x` and `/doc/x` to the replacement's `/id/` URL, for HTML and RDF clients
alike; a fixed representation (`/doc/x.ttl`, `?format=`) goes to the same representation of the
replacement (`/doc/y.ttl`), so a client that chose a format keeps it. Several: `300 Multiple Choices`,
a page listing them with their labels, or in RDF the `isReplacedBy` triples and those labels.

A description is made in a page worker process (`vankien serve --workers N`, one per core by default: the pool
of `server.routes.served.Served`), so first visits are made on every core at once; a file or a remote store
served has its pages made in this process.
"""

import gc
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import Literal, Triple

from server.data.store import GraphStore, replaced_by
from server.http import i18n, negotiation
from server.http.errors import NotFound
from server.http.namespaces import RDFS_LABEL
from server.http.urls import URLS, Urls, urls_of
from server.pages import rendering
from server.pages.description import Description, Paging, describe
from server.routes.deps import StoreDep, UrlsDep, served

router = APIRouter(tags=["resources"])
GET_HEAD = ["GET", "HEAD"]  # FastAPI's `get` routes refuse HEAD
PAGE_TEMPLATES = ("base.html", "resource.html", "_resource_values.html", "replaced.html")  # what a page worker renders


@router.api_route("/id/{path:path}", methods=GET_HEAD)
async def see_other(
    path: str, request: Request, store: StoreDep, urls: UrlsDep,
    format_key: Annotated[str | None, Query(alias="format")] = None,
) -> Response:
    moved = await store.run(store.replacements, urls.iri(path))
    if moved:
        chosen = negotiation.choose(negotiation.PAGE, request.headers.get("accept"), format_key)
        return await store.run(_replaced, request, store, urls, path, moved, chosen, False)
    return RedirectResponse(urls.doc(path), status_code=303)


async def description(request: Request) -> Response:
    """Suffix (`.ttl`) > `?format=ttl` > `Accept`, over one description (HTML and RDF never disagree).

    A plain Starlette route (as `/sparql`): a crawler's every request comes here, and FastAPI's parameters and
    dependencies cost more than this reads (`?format=`, `?in=`, `?page=`)."""
    pinned, params = served(request), request.query_params
    path, fixed = negotiation.split_suffix(request.path_params["path"], negotiation.PAGE)
    chosen = fixed or negotiation.choose(negotiation.PAGE, request.headers.get("accept"), params.get("format"))
    asked = Asked(path, chosen.suffix, Paging.parse(params.get("in"), params.get("page")), bool(fixed or params.get("format")))
    if pinned.pages is None:
        return await pinned.store.run(_answer, request, pinned.store, urls_of(request), asked)
    head, body = await pinned.pages.run(PageJob(_scope(request), asked))
    status, headers = cast(tuple[int, list[tuple[bytes, bytes]]], head)
    response = Response(body.whole if body.whole is not None else b"".join([chunk async for chunk in body]), status)
    response.raw_headers = headers
    return response


router.add_route("/doc/{path:path}", description, methods=GET_HEAD, name="description")


@dataclass(frozen=True, slots=True)
class Asked:
    """What a request for a description asks: which resource, in which form, which page of incoming links."""

    path: str
    suffix: str  # of the representation chosen (a page worker is sent its name: pyoxigraph's formats do not pickle)
    paging: Paging | None
    fixed: bool  # the form was named (suffix or `?format=`), not negotiated

    @property
    def chosen(self) -> negotiation.Representation:
        return next(r for r in negotiation.PAGE if r.suffix == self.suffix)


@dataclass(frozen=True, slots=True)
class PageJob:
    """A description asked of a page worker: the request as the answer reads it, and what it asks."""

    scope: dict[str, Any]
    asked: Asked


def open_page_worker(open_store: Callable[[], GraphStore]) -> GraphStore:
    """A page worker's start: the build and the page templates, then all it holds so far is left out of garbage
    collection (`gc.freeze`). A page makes thousands of objects, and each full collection walked the modules, the
    templates and the store's objects again: 10-14 % of a page's CPU."""
    store = open_store()
    for name in PAGE_TEMPLATES:
        rendering.TEMPLATES.get_template(name)
    gc.freeze()
    return store


def make_page(store: GraphStore, job: PageJob) -> Iterator[object]:
    """What a page worker (`server.queries.workers`) answers: the status and headers, then the body."""
    request = Request(job.scope)
    response = _answer(request, store, urls_of(request), job.asked)
    yield response.status_code, response.raw_headers
    yield bytes(response.body)


def _scope(request: Request) -> dict[str, Any]:
    """What `_answer` reads of a request (its URL builder, headers, query, path), to send to a worker."""
    keys = ("type", "method", "path", "query_string", "headers", URLS)
    return {key: request.scope[key] for key in keys}


def _answer(request: Request, store: GraphStore, urls: Urls, asked: Asked) -> Response:
    """The description, 304, a redirect or 300 for what was replaced, or 404, as the resource's own triples (read
    first) say (blocking: in a page worker, else in one thread hop)."""
    iri, chosen = urls.iri(asked.path), asked.chosen
    own = store.own(iri)
    moved = replaced_by(own)
    if moved:
        return _replaced(request, store, urls, asked.path, moved, chosen, asked.fixed)
    if not own:
        raise NotFound(f"nothing is known about {iri}")
    lang = i18n.language(request) if chosen is negotiation.HTML else None
    tag = etag(store.build_id, asked.path, chosen.suffix, lang, asked.paging)
    if {tag, "*"} & if_none_match(request.headers.get("if-none-match")):
        response = _not_modified(request, lang)
    else:
        found = describe(store, iri, asked.paging, own)
        response = _represent(request, found, asked.path, urls, chosen, lang)
    response.headers["ETag"] = tag
    response.headers["Content-Location"] = urls.doc(asked.path, chosen.suffix) + _query(request, "in", "page")
    if not asked.fixed:
        response.headers["Vary"] = ", ".join(filter(None, (response.headers.get("Vary"), "Accept")))
    return response


def etag(build_id: str, path: str, suffix: str, lang: str | None, paging: Paging | None) -> str:
    """A strong validator: the same bytes come back for as long as the same build is served."""
    parts = (
        build_id,
        path,
        suffix,
        lang or "",
        paging.predicate if paging else "",
        str(paging.page if paging else 1),
    )
    return '"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32] + '"'


def if_none_match(header: str | None) -> set[str]:
    """The entity tags of an `If-None-Match` header, compared weakly (RFC 9110 13.1.2).

    >>> sorted(if_none_match('W/"a", "b"'))
    ['"a"', '"b"']
    """
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}


def _not_modified(request: Request, lang: str | None) -> Response:
    """304, varying as the page would (on the language cookie when it is a page)."""
    response = Response(status_code=304)
    if lang:
        i18n.remember(request, response)
    return response


def _represent(
    request: Request,
    found: Description,
    path: str,
    urls: Urls,
    chosen: negotiation.Representation,
    lang: str | None,
) -> Response:
    """The HTML page (linking its RDF forms in the `Link` header as in `<head>`), or the RDF."""
    if chosen is not negotiation.HTML:
        return Response(
            negotiation.serialize_graph(found.graph.triples, chosen), media_type=chosen.media_type
        )
    alternates = rendering.alternates(path, urls)
    page = rendering.resource_page(found, path, urls, lang or i18n.DEFAULT)
    response = rendering.render(request, "resource.html", {"page": page, "alternates": alternates})
    response.headers["Link"] = ", ".join(
        f'<{a.href}>; rel="alternate"; type="{a.media_type}"' for a in alternates
    )
    return response


def _replaced(
    request: Request, store: GraphStore, urls: Urls, path: str, moved: list[str],
    chosen: negotiation.Representation, fixed: bool,
) -> Response:
    """301 to the one replacement, or 300 listing the several (see the module's docstring; blocking)."""
    if len(moved) == 1:
        new = moved[0]
        local = new.removeprefix(urls.id_base) if new.startswith(urls.id_base) else None
        target = new if local is None else urls.doc(local, chosen.suffix) if fixed else urls.id(local)
        return RedirectResponse(target, status_code=301)
    triples = store.describe(urls.iri(path))
    if chosen is not negotiation.HTML:
        body = negotiation.serialize_graph(triples, chosen)
        response: Response = Response(body, status_code=300, media_type=chosen.media_type)
    else:
        lang = i18n.language(request)
        choices = [Choice(new, urls.href(new), _label(triples, new, lang)) for new in moved]
        context = {"iri": urls.iri(path), "choices": choices}
        response = rendering.render(request, "replaced.html", context, status=300)
    response.headers["Vary"] = "Accept"
    return response


@dataclass(frozen=True, slots=True)
class Choice:
    iri: str
    href: str
    label: str | None


def _label(triples: list[Triple], iri: str, lang: str) -> str | None:
    """The label of `iri` among `triples`: in `lang`, else Vietnamese, else any."""
    labels = {(t.object.language or ""): t.object.value for t in triples
              if t.subject.value == iri and t.predicate.value == RDFS_LABEL and isinstance(t.object, Literal)}
    return labels.get(lang) or labels.get(i18n.DEFAULT) or next(iter(sorted(labels.values())), None)


def _query(request: Request, *names: str) -> str:
    """`?in=...&page=...`: the parameters among `names` that the request gave, to keep in a URL."""
    kept = {name: request.query_params[name] for name in names if name in request.query_params}
    return "?" + urlencode(kept) if kept else ""

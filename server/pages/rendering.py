"""Data for the HTML pages (one data function per page; templates only lay it out) and rendering.

Templates autoescape everything: labels come from news text and may hold markup.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pyoxigraph import NamedNode, RdfFormat, Triple, serialize
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from server.http import i18n, negotiation
from server.http.errors import HttpError
from server.http.jsonld import compact
from server.http.namespaces import PREFIXES, RDF_TYPE, RDFS_LABEL, curie
from server.http.urls import Urls, urls_of
from server.pages import paging
from server.pages.description import Description, Incoming
from server.pages.reading import Reader, Value
from server.pages.sections import Section, sections


def _urls(request: Request) -> dict[str, Urls]:
    return {"urls": urls_of(request)}


TEMPLATES = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(Path(__file__).parents[1] / "templates"), autoescape=True, auto_reload=False),
    context_processors=[_urls, i18n.template_context],
)
TEMPLATES.env.filters["number"] = lambda n: f"{n:,}".replace(",", ".")  # Vietnamese: 12.345
PREDICATE_RANK = {RDF_TYPE: 0, RDFS_LABEL: 1}  # types and labels first, then by compact IRI
SCHEMA = "https://schema.org/"
ERROR_PAGE = (negotiation.Representation("txt", "text/plain", "text"), negotiation.HTML)


@dataclass(frozen=True, slots=True)
class PropertyRow:
    predicate: Value
    values: list[Value]


@dataclass(frozen=True, slots=True)
class IncomingGroup:
    """The links into the resource by one property: one page of them, and how many there are."""

    predicate: Value
    count: int
    values: list[Value]
    page: paging.Page
    pager: paging.Pager  # its links lead back to this group (`#anchor`)
    anchor: str


@dataclass(frozen=True, slots=True)
class ResourcePage:
    iri: str
    url: str  # the absolute page URL, `<link rel="canonical">`
    title: str
    types: list[Value]
    labels: list[Value]
    properties: list[PropertyRow]
    incoming: list[IncomingGroup]
    sections: list[Section]
    json_ld: Markup  # the resource as JSON-LD, safe inside <script type="application/ld+json">


@dataclass(frozen=True, slots=True)
class Alternate:
    name: str
    media_type: str
    href: str


def resource_page(description: Description, path: str, urls: Urls, lang: str) -> ResourcePage:
    """The page of one resource at `/doc/{path}`, in `lang`, all from its description."""
    reader = Reader(description, lang, urls)
    me = description.node
    url = urls.absolute(urls.doc(path))
    return ResourcePage(
        iri=description.iri,
        url=url,
        title=reader.name(me),
        types=[reader.value(t) for t in sorted(set(description.graph.objects(me, RDF_TYPE)), key=str)],
        labels=[reader.value(label) for label in reader.labels(me)],
        properties=_properties(reader),
        incoming=[_incoming(reader, group, urls.doc(path)) for group in description.incoming],
        sections=sections(reader),
        json_ld=json_ld(description, url),
    )


def json_ld(description: Description, url: str) -> Markup:
    """The resource's own triples and the labels of what they link to, as the main entity of the page.

    `<`, `>` and `&` are written as JSON escapes, so no label can end the script element."""
    graph, page = description.graph, NamedNode(url)
    own = graph.about(description.node)
    linked = sorted({o for _, _, o in own if isinstance(o, NamedNode)}, key=str)
    labels = [
        (node, NamedNode(RDFS_LABEL), label) for node in linked for label in graph.objects(node, RDFS_LABEL)
    ]
    about = [
        (page, NamedNode(RDF_TYPE), NamedNode(SCHEMA + "WebPage")),
        (page, NamedNode(SCHEMA + "mainEntity"), description.node),
    ]
    expanded = serialize([Triple(*t) for t in about + own + labels], format=RdfFormat.JSON_LD) or b""
    text = compact(expanded, {**PREFIXES, "schema": SCHEMA}).decode()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _properties(reader: Reader) -> list[PropertyRow]:
    """Each property of the resource with its values, each value with the articles that report it."""
    me = reader.description.node
    by_predicate: dict[str, list[Value]] = {}
    for fact in reader.description.graph.about(me):
        by_predicate.setdefault(fact[1].value, []).append(reader.value(fact[2], fact))
    order = sorted(by_predicate, key=lambda p: (PREDICATE_RANK.get(p, 2), curie(p)))
    return [PropertyRow(reader.value(NamedNode(p)), sorted(by_predicate[p], key=reader.order)) for p in order]


def _incoming(reader: Reader, group: Incoming, path: str) -> IncomingGroup:
    predicate = NamedNode(group.predicate)
    page = group.page
    values = [reader.value(s, (s, predicate, reader.description.node)) for s in group.subjects]
    anchor = "in-" + re.sub(r"[^\w-]+", "-", curie(group.predicate))
    links = paging.pager(page, path, {"in": curie(group.predicate)})
    pager = paging.Pager(*(link and f"{link}#{anchor}" for link in (links.previous, links.next)))
    return IncomingGroup(reader.value(predicate), group.count, values, page, pager, anchor)


def alternates(path: str, urls: Urls) -> list[Alternate]:
    """The RDF forms of the page at `/doc/{path}`."""
    return [Alternate(r.name, r.media_type, urls.doc(path, r.suffix)) for r in negotiation.GRAPH]


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """The page in the request's language (`server.http.i18n`)."""
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    i18n.remember(request, response)
    return response


def error_response(request: Request, error: Exception) -> Response:
    """The one exception handler: plain text for programs, a page for browsers."""
    assert isinstance(error, HttpError)
    if negotiation.choose(ERROR_PAGE, request.headers.get("accept")) is negotiation.HTML:
        response = render(request, "error.html", {"error": error}, error.status)
    else:
        response = PlainTextResponse(error.message, status_code=error.status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response

"""Data for the HTML pages (one data function per page; templates only lay it out) and rendering.

Templates autoescape everything: labels come from news text and may hold markup.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from server import i18n, negotiation
from server.deps import get_urls
from server.errors import HttpError
from server.namespaces import PREFIXES, RDF_TYPE, RDFS_LABEL, curie
from server.store import ClassCount
from server.urls import Urls


def _urls(request: Request) -> dict[str, Urls]:
    return {"urls": get_urls(request)}


TEMPLATES = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True),
    context_processors=[_urls, i18n.template_context],
)
TEMPLATES.env.filters["number"] = lambda n: f"{n:,}".replace(",", ".")  # Vietnamese: 12.345
LANGUAGE_RANK = {"vi": 0, "en": 1}  # Vietnamese labels first, then English, then the rest
PREDICATE_RANK = {RDF_TYPE: 0, RDFS_LABEL: 1}
PLAIN = PREFIXES["xsd"] + "string"
MEMBERS_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?resource ?label
WHERE {{ ?resource a <{iri}> OPTIONAL {{ ?resource rdfs:label ?label }} }}
LIMIT 100"""
ERROR_PAGE = (negotiation.Representation("txt", "text/plain", "text"), negotiation.HTML)


@dataclass(frozen=True, slots=True)
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    note: str | None = None  # a literal's datatype, or the IRI behind a label


@dataclass(frozen=True, slots=True)
class PropertyRow:
    predicate: Value
    values: list[Value]


@dataclass(frozen=True, slots=True)
class ResourcePage:
    iri: str
    title: str
    labels: list[Value]
    properties: list[PropertyRow]


@dataclass(frozen=True, slots=True)
class Alternate:
    name: str
    media_type: str
    href: str


@dataclass(frozen=True, slots=True)
class ClassRow:
    label: str
    iri: str
    count: int
    href: str


def resource_page(iri: str, triples: list[Triple], urls: Urls) -> ResourcePage:
    """The page of one resource from its description (`GraphStore.describe`)."""
    own = [t for t in triples if t.subject == NamedNode(iri)]
    labels = _best_labels(triples)
    own_labels = sorted((label for subject, label in _labels(triples) if subject == iri), key=_language_rank)
    return ResourcePage(
        iri=iri,
        title=labels.get(iri, curie(iri)),
        labels=[Value(label.value, lang=label.language) for label in own_labels],
        properties=_property_rows(own, labels, urls),
    )


def class_rows(counts: list[ClassCount], urls: Urls) -> list[ClassRow]:
    """One row per class for the home page, linking to a query that lists its members."""
    return [
        ClassRow(c.label or curie(c.iri), c.iri, c.count, urls.sparql(MEMBERS_QUERY.format(iri=c.iri)))
        for c in counts
    ]


def alternates(path: str, urls: Urls) -> list[Alternate]:
    """The RDF forms of the page at `/doc/{path}`."""
    return [Alternate(r.name, r.media_type, urls.doc(path, r.suffix)) for r in negotiation.GRAPH]


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """The page in the request's language (`server.i18n`)."""
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    i18n.remember(request, response)
    return response


def error_response(request: Request, error: Exception) -> Response:
    """The one exception handler: plain text for programs, a page for browsers."""
    assert isinstance(error, HttpError)
    if negotiation.choose(ERROR_PAGE, request.headers.get("accept")) is negotiation.HTML:
        return render(request, "error.html", {"error": error}, error.status)
    return PlainTextResponse(error.message, status_code=error.status)


def _property_rows(own: list[Triple], labels: dict[str, str], urls: Urls) -> list[PropertyRow]:
    grouped: defaultdict[str, list[Value]] = defaultdict(list)
    for triple in own:
        grouped[triple.predicate.value].append(_value(triple.object, labels, urls))
    order = sorted(grouped, key=lambda p: (PREDICATE_RANK.get(p, 2), curie(p)))
    return [
        PropertyRow(_value(NamedNode(p), labels, urls), sorted(grouped[p], key=_value_key)) for p in order
    ]


def _value(term: NamedNode | BlankNode | Literal | Triple, labels: dict[str, str], urls: Urls) -> Value:
    if isinstance(term, NamedNode):
        label = labels.get(term.value)
        note = curie(term.value) if label else None
        return Value(label or curie(term.value), href=urls.href(term.value), note=note)
    if isinstance(term, Literal):
        datatype = None if term.datatype.value == PLAIN else curie(term.datatype.value)
        return Value(term.value, lang=term.language, note=None if term.language else datatype)
    return Value(str(term))


def _best_labels(triples: Iterable[Triple]) -> dict[str, str]:
    """Subject IRI → its best `rdfs:label` (Vietnamese first: the best comes last and wins)."""
    ranked = sorted(_labels(triples), key=lambda pair: _language_rank(pair[1]), reverse=True)
    return {subject: label.value for subject, label in ranked}


def _labels(triples: Iterable[Triple]) -> Iterator[tuple[str, Literal]]:
    """(subject IRI, label) for every `rdfs:label` triple."""
    for t in triples:
        if (
            t.predicate.value == RDFS_LABEL
            and isinstance(t.subject, NamedNode)
            and isinstance(t.object, Literal)
        ):
            yield t.subject.value, t.object


def _language_rank(literal: Literal) -> tuple[int, str]:
    return LANGUAGE_RANK.get(literal.language or "", len(LANGUAGE_RANK)), literal.value


def _value_key(value: Value) -> tuple[int, str]:
    return LANGUAGE_RANK.get(value.lang or "", len(LANGUAGE_RANK)), value.text

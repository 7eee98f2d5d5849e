"""Reading a SPARQL 1.1 Protocol query request (https://www.w3.org/TR/sparql11-protocol/#query-operation):
GET with the parameters in the URL, POST of a form (URL and form parameters together), POST of the
query itself (`application/sparql-query`, parameters in the URL). Updates are refused.

>>> from_get(b"query=ASK%20%7B%7D&default-graph-uri=urn%3Ag").dataset.default_graphs
(<NamedNode value=urn:g>,)
>>> from_post("application/sparql-query; charset=utf-8", b"ASK {}", b"").query
'ASK {}'
>>> from_get(b"").query is None
True
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl

from pyoxigraph import NamedNode
from starlette.requests import Request

from server.data.store import QueryDataset
from server.http.errors import BadRequest, Forbidden, PayloadTooLarge
from server.queries.precheck import MAX_BYTES

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"
UPDATE_PARAMETERS = frozenset({"update", "using-graph-uri", "using-named-graph-uri"})
DEFAULT_GRAPH, NAMED_GRAPH = "default-graph-uri", "named-graph-uri"
MAX_BODY_BYTES = 3 * MAX_BYTES  # a form percent-encodes the query: up to three bytes for one
FORMAT = "format"  # not the protocol's: the query page's choice, and what SPARQLWrapper repeats
DOWNLOAD = "download"  # not the protocol's either: the query page's download buttons (`Content-Disposition`)

Parameters = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class QueryRequest:
    query: str | None  # None: no query at all (a bare GET asks for the service description or the page)
    dataset: QueryDataset | None  # None: the query's own FROM / FROM NAMED, or the store's dataset
    formats: tuple[str, ...] = ()  # `format` values, best first
    download: bool = False  # answer as a file to save (`download=1`)


async def read(request: Request) -> QueryRequest:
    """The query request a GET, HEAD or POST carries; 400 if it is malformed, 403 if it is an update."""
    query_string: bytes = request.scope["query_string"]
    if request.method in ("GET", "HEAD"):
        return from_get(query_string)
    return from_post(request.headers.get("content-type"), await _body(request), query_string)


async def _body(request: Request) -> bytes:
    """The body, refused with 413 as soon as it is longer than a query may be (before reading it all)."""
    limit = MAX_BODY_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body has {declared} bytes; a query may have {limit // 1024} KiB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"the request body is longer than {limit // 1024} KiB")
    return bytes(body)


def from_get(query_string: bytes) -> QueryRequest:
    return _query_request(_parameters(query_string, "the URL"), None)


def from_post(content_type: str | None, body: bytes, query_string: bytes) -> QueryRequest:
    media_type, charset = _content_type(content_type)
    if media_type == UPDATE:
        raise Forbidden(READ_ONLY)
    if media_type not in (FORM, DIRECT):
        raise BadRequest(f"POST a form ({FORM}) or a query ({DIRECT}), not {media_type or 'no content type'}")
    if charset not in (None, "utf-8"):
        raise BadRequest(f"the request body must be UTF-8, not {charset}")
    parameters = _parameters(query_string, "the URL")
    if media_type == DIRECT:
        return _query_request(parameters, _utf8(body, "the request body"))
    posted = _query_request(parameters + _parameters(body, "the form"), None)
    if posted.query is None:
        raise BadRequest("the form holds no `query` field")
    return posted


def _query_request(parameters: Parameters, direct_query: str | None) -> QueryRequest:
    """CASE 1: an update → 403. CASE 2: more than one query → 400. CASE 3: graphs but no query → 400.
    CASE 4: no query and no graphs → a bare request. CASE 5: a query, with or without graphs."""
    names = {name for name, _ in parameters}
    if names & UPDATE_PARAMETERS:
        raise Forbidden(READ_ONLY)
    queries = [value for name, value in parameters if name == "query"]
    queries += [] if direct_query is None else [direct_query]
    if len(queries) > 1:
        raise BadRequest(f"give one query, not {len(queries)}")
    dataset = _dataset(parameters)
    if not queries and dataset:
        raise BadRequest("default-graph-uri or named-graph-uri was given without a query")
    formats = tuple(value for name, value in parameters if name == FORMAT)
    download = any(name == DOWNLOAD and value not in ("", "0") for name, value in parameters)
    return QueryRequest(queries[0] if queries else None, dataset, formats, download)


def _dataset(parameters: Parameters) -> QueryDataset | None:
    default = tuple(_graph(value) for name, value in parameters if name == DEFAULT_GRAPH)
    named = tuple(_graph(value) for name, value in parameters if name == NAMED_GRAPH)
    return QueryDataset(default, named) if default or named else None


def _graph(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError as error:
        raise BadRequest(f"not a graph IRI: {iri!r} ({error})") from None


def _parameters(encoded: bytes, where: str) -> Parameters:
    try:
        return parse_qsl(_utf8(encoded, where), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(f"{where} holds a percent-encoded value that is not UTF-8") from None


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"{where} is not UTF-8") from None


def _content_type(header: str | None) -> tuple[str, str | None]:
    """(media type, charset or None), lower-cased: `application/sparql-query; charset=UTF-8` →
    (`application/sparql-query`, `utf-8`)."""
    media_type, *params = (part.strip().lower() for part in (header or "").split(";"))
    charsets = [p.partition("=")[2].strip('"') for p in params if p.startswith("charset=")]
    return media_type, charsets[0] if charsets else None

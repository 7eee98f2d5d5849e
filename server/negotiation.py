"""What we can send and how a request picks it: URL suffix > `?format=` > `Accept`
(trifid's `getAcceptHeader`). pyoxigraph's formats are the table; aliases come from
`RdfFormat.from_media_type` / `QueryResultsFormat.from_media_type`.

>>> choose(PAGE, "text/turtle;q=0.9, application/ld+json").suffix
'jsonld'
>>> choose(PAGE, None).media_type
'text/html'
>>> split_suffix("province/thanh-hoa.nt", PAGE)[1].media_type
'application/n-triples'
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple, serialize

from server.errors import BadRequest
from server.namespaces import PREFIXES

Format = RdfFormat | QueryResultsFormat


@dataclass(frozen=True, slots=True)
class Representation:
    suffix: str
    media_type: str
    name: str
    format: Format | None = None  # None: a page, not data

    @classmethod
    def of(cls, fmt: Format) -> "Representation":
        return cls(fmt.file_extension, fmt.media_type, fmt.name, fmt)

    def accepts(self, media_range: str) -> bool:
        """Whether one `Accept` media range asks for this representation."""
        if media_range in ("*/*", self.media_type.split(";")[0]):
            return True
        if media_range.endswith("/*"):
            return self.media_type.startswith(media_range[:-1])
        return self.format is not None and type(self.format).from_media_type(media_range) == self.format


HTML = Representation("html", "text/html", "HTML")
GRAPH = tuple(
    Representation.of(f)
    for f in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD, RdfFormat.RDF_XML)
)
PAGE = (HTML, *GRAPH)
RESULTS = tuple(
    Representation.of(f)
    for f in (QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.CSV, QueryResultsFormat.TSV)
)


def ranked_ranges(accept: str | None) -> list[str]:
    """The media ranges of an `Accept` header, best first: by q, then exact before wildcard.

    >>> ranked_ranges("*/*;q=0.1, text/*, text/turtle, application/xml;q=0")
    ['text/turtle', 'text/*', '*/*']
    """
    ranked = []
    for item in (accept or "*/*").split(","):
        media_range, *params = (part.strip().lower() for part in item.split(";"))
        q = next((_float(p[2:]) for p in params if p.startswith("q=")), 1.0)
        if media_range and q > 0:
            ranked.append((-q, media_range.count("*"), media_range))
    return [media_range for *_, media_range in sorted(ranked, key=lambda r: r[:2])]


def choose(offers: Sequence[Representation], accept: str | None, key: str | None = None) -> Representation:
    """`?format=key` when given, else the best `Accept` match, else the first offer."""
    if key:
        return _by_suffix(offers, key) or _unknown_format(offers, key)
    for media_range in ranked_ranges(accept):
        for offer in offers:
            if offer.accepts(media_range):
                return offer
    return offers[0]


def split_suffix(path: str, offers: Sequence[Representation]) -> tuple[str, Representation | None]:
    """`a/b.ttl` → (`a/b`, Turtle); a path without a known suffix is returned as it is."""
    stem, dot, suffix = path.rpartition(".")
    offer = _by_suffix(offers, suffix) if dot else None
    return (stem, offer) if offer else (path, None)


def serialize_graph(triples: Iterable[Triple], representation: Representation) -> bytes:
    if not isinstance(representation.format, RdfFormat):
        raise ValueError(f"{representation.media_type} is not an RDF format")
    buffer = BytesIO()
    serialize(triples, buffer, representation.format, prefixes=PREFIXES)
    return buffer.getvalue()


def serialize_results(result: QuerySolutions | QueryBoolean, representation: Representation) -> bytes:
    if not isinstance(representation.format, QueryResultsFormat):
        raise ValueError(f"{representation.media_type} is not a SPARQL results format")
    buffer = BytesIO()
    result.serialize(buffer, representation.format)
    return buffer.getvalue()


def _by_suffix(offers: Sequence[Representation], suffix: str) -> Representation | None:
    return next((offer for offer in offers if offer.suffix == suffix), None)


def _unknown_format(offers: Sequence[Representation], key: str) -> Representation:
    raise BadRequest(f"unknown format {key!r}; one of: {', '.join(o.suffix for o in offers)}")


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0

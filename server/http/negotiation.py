"""What we can send and how a request picks it: URL suffix > `?format=` > `Accept`
(trifid's `getAcceptHeader`). pyoxigraph's formats are the table; aliases come from
`RdfFormat.from_media_type` / `QueryResultsFormat.from_media_type`.

>>> choose(PAGE, "text/turtle;q=0.9, application/ld+json").suffix
'jsonld'
>>> choose(PAGE, None).media_type
'text/html'
>>> choose(RESULTS_OR_PAGE, "*/*").name
'SPARQL Results in JSON'
>>> split_suffix("province/thanh-hoa.nt", PAGE)[1].media_type
'application/n-triples'
>>> named(GRAPH, "json").suffix
'jsonld'
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple, serialize

from server.http.errors import BadRequest
from server.http.jsonld import compact
from server.http.namespaces import PREFIXES

Format = RdfFormat | QueryResultsFormat


@dataclass(frozen=True, slots=True)
class Representation:
    suffix: str
    media_type: str
    name: str
    format: Format | None = None  # None: a page, not data
    aliases: tuple[str, ...] = ()  # other names `?format=` may give it ("json", "xml" ...)

    @classmethod
    def of(cls, fmt: Format, *aliases: str) -> "Representation":
        return cls(fmt.file_extension, fmt.media_type, fmt.name, fmt, aliases)

    def accepts(self, media_range: str) -> bool:
        """Whether one `Accept` media range asks for this representation."""
        if media_range in ("*/*", self.media_type.split(";")[0]):
            return True
        if media_range.endswith("/*"):
            return self.media_type.startswith(media_range[:-1])
        return self.format is not None and type(self.format).from_media_type(media_range) == self.format

    def is_called(self, key: str) -> bool:
        """Whether `?format=key` names it: by suffix, alias or media type."""
        key = key.strip().lower()
        return key in (self.suffix, *self.aliases) or ("/" in key and "*" not in key and self.accepts(key))


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One item of an `Accept` header."""

    media_range: str
    q: float
    position: int  # where the client listed it

    @property
    def specificity(self) -> int:
        """`*/*` 0, `type/*` 1, `type/subtype` 2 (RFC 9110 12.5.1: the most specific range decides)."""
        return 2 - self.media_range.count("*")


HTML = Representation("html", "text/html", "HTML")
GRAPH = (
    Representation.of(RdfFormat.TURTLE, "turtle", "n3"),  # Turtle is N3, for clients that ask for N3
    Representation.of(RdfFormat.N_TRIPLES, "ntriples", "n-triples"),
    Representation.of(RdfFormat.JSON_LD, "json-ld", "json"),
    Representation.of(RdfFormat.RDF_XML, "xml", "rdfxml", "rdf+xml"),
)
PAGE = (HTML, *GRAPH)
RESULTS = (
    Representation.of(QueryResultsFormat.JSON, "json"),
    Representation.of(QueryResultsFormat.XML, "xml"),
    Representation.of(QueryResultsFormat.CSV),
    Representation.of(QueryResultsFormat.TSV),
)
# The SPARQL endpoint's offers: data first (what `*/*` gets), the page only when it is asked for.
RESULTS_OR_PAGE = (*RESULTS, HTML)
GRAPH_OR_PAGE = (*GRAPH, HTML)


def parse_accept(accept: str | None) -> list[MediaRange]:
    """The media ranges of an `Accept` header (none: `*/*`), parameters other than q dropped.

    >>> [(r.media_range, r.q) for r in parse_accept("text/turtle, */*;q=0.1, application/xml;v=2;q=0")]
    [('text/turtle', 1.0), ('*/*', 0.1), ('application/xml', 0.0)]
    """
    ranges = []
    for position, item in enumerate((accept or "*/*").split(",")):
        media_range, *params = (part.strip().lower() for part in item.split(";"))
        q = next((_float(p[2:]) for p in params if p.startswith("q=")), 1.0)
        if media_range:
            ranges.append(MediaRange(media_range, q, position))
    return ranges


def choose(offers: Sequence[Representation], accept: str | None, key: str | None = None) -> Representation:
    """`?format=key` when given, else the offer `Accept` rates highest, else the first offer.

    An offer gets the q of the most specific range that matches it (so `*/*, text/html;q=0` never
    gives HTML); equal q go to the more specific range, then to the range listed first, then to the
    offer listed first.

    >>> choose(RESULTS_OR_PAGE, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").name
    'HTML'
    >>> choose(RESULTS, "text/*, text/csv;q=0").suffix
    'tsv'
    """
    if key:
        return named(offers, key) or _unknown_format(offers, key)
    ranges = parse_accept(accept)
    best: tuple[tuple[float, int, int, int], Representation] | None = None
    for position, offer in enumerate(offers):
        matching = [r for r in ranges if offer.accepts(r.media_range)]
        if not matching:
            continue
        decisive = max(matching, key=lambda r: (r.specificity, r.q))
        score = (decisive.q, decisive.specificity, -decisive.position, -position)
        if decisive.q > 0 and (best is None or score > best[0]):
            best = (score, offer)
    return best[1] if best else offers[0]


def pick(offers: Sequence[Representation], keys: Iterable[str], accept: str | None) -> Representation:
    """The first of `keys` that names an offer, else by `Accept`. Keys naming nothing here are passed
    over, not refused: SPARQL clients repeat their choice under several names (SPARQLWrapper sends
    `format=`, `output=` and `results=`), some with values only other endpoints know (`n3`, `text`).

    >>> pick(RESULTS, ["n3", "tsv"], "application/sparql-results+json").suffix
    'tsv'
    """
    return next((offer for key in keys if (offer := named(offers, key))), None) or choose(offers, accept)


def named(offers: Sequence[Representation], key: str) -> Representation | None:
    """The offer `?format=key` names, if any."""
    return next((offer for offer in offers if offer.is_called(key)), None)


def split_suffix(path: str, offers: Sequence[Representation]) -> tuple[str, Representation | None]:
    """`a/b.ttl` → (`a/b`, Turtle); a path without a known suffix is returned as it is."""
    stem, dot, suffix = path.rpartition(".")
    offer = next((o for o in offers if o.suffix == suffix), None) if dot else None
    return (stem, offer) if offer else (path, None)


def serialize_graph(
    triples: Iterable[Triple], representation: Representation, prefixes: Mapping[str, str] = PREFIXES
) -> bytes:
    if not isinstance(representation.format, RdfFormat):
        raise TypeError(f"{representation.media_type} is not an RDF format")
    buffer = BytesIO()
    serialize(triples, buffer, representation.format, prefixes=dict(prefixes))
    if representation.format == RdfFormat.JSON_LD:   # pyoxigraph writes it expanded: give it a @context
        return compact(buffer.getvalue(), prefixes)
    return buffer.getvalue()


def serialize_results(result: QuerySolutions | QueryBoolean, representation: Representation) -> bytes:
    if not isinstance(representation.format, QueryResultsFormat):
        raise TypeError(f"{representation.media_type} is not a SPARQL results format")
    buffer = BytesIO()
    result.serialize(buffer, representation.format)
    return buffer.getvalue()


def _unknown_format(offers: Sequence[Representation], key: str) -> Representation:
    raise BadRequest(f"unknown format {key!r}; one of: {', '.join(o.suffix for o in offers)}")


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0

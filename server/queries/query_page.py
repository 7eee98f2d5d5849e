"""Data for the query page (`/sparql` in a browser): the editor, example queries over this dataset's
vocabulary, the limits, and an answer laid out as a table. `query.html` only lays it out."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, Triple, Variable

from server.http.namespaces import PREFIXES, curie
from server.http.urls import Urls

PLAIN = {PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString"}  # literals shown without a datatype
PROLOGUE = """PREFIX vk: <https://w3id.org/vankien/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
LINEAGE = PROLOGUE + """SELECT ?document ?label ?relation ?earlier ?earlierLabel WHERE {
  VALUES ?relation { vk:replaces vk:implements vk:basedOn }
  ?document ?relation ?earlier ; rdfs:label ?label .
  ?earlier rdfs:label ?earlierLabel .
} ORDER BY ?label ?relation"""
REPLACED_CHAIN = PROLOGUE + """SELECT ?earlier ?label ?issued WHERE {
  ?document vk:symbol "58-QĐ/TW" ; vk:replaces+ ?earlier .
  ?earlier rdfs:label ?label .
  OPTIONAL { ?earlier vk:issuedOn ?issued }
} ORDER BY ?issued"""
PROVINCES_ACTING = PROLOGUE + """SELECT ?province ?provinceLabel ?kind ?act ?actLabel WHERE {
  ?directive vk:symbol "39-CT/TW" .
  { ?act vk:implements|vk:basedOn ?directive ; vk:province ?province . BIND(vk:Document AS ?kind) }
  UNION
  { ?act vk:about ?directive ; vk:heldIn ?province . BIND(vk:Meeting AS ?kind) }
  ?act rdfs:label ?actLabel .
  ?province rdfs:label ?provinceLabel FILTER(LANG(?provinceLabel) = "vi")
} ORDER BY ?provinceLabel"""
OFFICIALS_AT_MEETINGS = PROLOGUE + """PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?meeting ?role ?official ?name ?date WHERE {
  VALUES ?role { vk:chairedBy vk:participant }
  ?meeting a vk:Meeting ; ?role ?official .
  ?official foaf:name ?name .
  OPTIONAL { ?meeting vk:heldOn ?date }
} ORDER BY ?meeting ?role ?name"""
COUNTS_PER_CLASS = PROLOGUE + """SELECT ?class (COUNT(DISTINCT ?resource) AS ?count) WHERE {
  ?resource a ?class FILTER(STRSTARTS(STR(?class), STR(vk:)))
} GROUP BY ?class ORDER BY DESC(?count)"""
FACTS_PER_ARTICLE = PROLOGUE + """SELECT ?article ?title (COUNT(*) AS ?facts) WHERE {
  GRAPH ?article { ?s ?p ?o }
  ?article a vk:Article .
  OPTIONAL { ?article rdfs:label ?title }
} GROUP BY ?article ?title ORDER BY DESC(?facts)"""
DESCRIBE_DIRECTIVE = PROLOGUE + """DESCRIBE ?directive WHERE { ?directive vk:symbol "39-CT/TW" }"""
# (key of `query.example.<key>` in messages/query.toml, query)
EXAMPLES = (
    ("lineage", LINEAGE),
    ("replaced_chain", REPLACED_CHAIN),
    ("provinces_acting", PROVINCES_ACTING),
    ("officials_at_meetings", OFFICIALS_AT_MEETINGS),
    ("counts_per_class", COUNTS_PER_CLASS),
    ("facts_per_article", FACTS_PER_ARTICLE),
    ("describe_directive", DESCRIBE_DIRECTIVE),
)
# The editor's format choice: `?format=` values (`negotiation.named`), by the query forms they serve.
TABLE_FORMATS = (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"))
GRAPH_FORMATS = (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"))


@dataclass(frozen=True, slots=True)
class Example:
    key: str
    query: str  # with a first comment line saying what it asks, in the page language
    href: str  # runs it without JavaScript


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None  # compact, for typed literals other than plain strings


@dataclass(frozen=True, slots=True)
class ResultsTable:
    columns: list[str]
    rows: list[list[Cell | None]]  # None: unbound
    boolean: bool | None = None  # the answer of an ASK query (then no columns)


@dataclass(frozen=True, slots=True)
class QueryPage:
    query: str
    format: str
    examples: list[Example]
    limits: dict[str, str]  # `Settings.stated_limits()`
    id_base: str  # the script links IRIs under it to their local pages, as the table here does
    results: ResultsTable | None = None
    error: str | None = None
    prefixes: dict[str, str] = field(default_factory=lambda: PREFIXES)  # the script shows IRIs as the table does
    table_formats: tuple[tuple[str, str], ...] = TABLE_FORMATS
    graph_formats: tuple[tuple[str, str], ...] = GRAPH_FORMATS


def examples(t: Callable[..., str], urls: Urls) -> list[Example]:
    """The example queries, each headed by a comment in the page language (`t` is `i18n`'s)."""
    commented = ((key, f"# {t(f'query.example.{key}')}\n{query}") for key, query in EXAMPLES)
    return [Example(key, query, urls.sparql(query)) for key, query in commented]


def boolean_table(value: bool) -> ResultsTable:
    return ResultsTable([], [], value)


def triples_table(triples: Iterable[Triple], urls: Urls) -> ResultsTable:
    """Triples as subject, predicate, object."""
    rows: list[list[Cell | None]] = [
        [_cell(t.subject, urls), _cell(t.predicate, urls), _cell(t.object, urls)] for t in triples
    ]
    return ResultsTable(["subject", "predicate", "object"], rows)


def solutions_table(variables: Sequence[Variable], solutions: Iterable[QuerySolution], urls: Urls) -> ResultsTable:
    """Solutions, one column per variable."""
    return ResultsTable(
        [v.value for v in variables],
        [[_cell(s[v], urls) if s[v] is not None else None for v in variables] for s in solutions],
    )


def _cell(term: NamedNode | BlankNode | Literal | Triple, urls: Urls) -> Cell:
    if isinstance(term, NamedNode):
        return Cell(curie(term.value), href=urls.href(term.value))
    if isinstance(term, Literal):
        datatype = None if term.datatype.value in PLAIN else curie(term.datatype.value)
        return Cell(term.value, lang=term.language, datatype=datatype)
    if isinstance(term, BlankNode):
        return Cell(f"_:{term.value}")
    return Cell(str(term))  # a quoted triple (RDF 1.2)

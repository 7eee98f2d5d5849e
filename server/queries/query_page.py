"""Data for the query page (`/sparql` in a browser): the editor, example queries over this dataset's
vocabulary, the limits, and an answer laid out as a table. `query.html` only lays it out."""

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, Triple, Variable

from server.http.namespaces import PREFIXES, curie
from server.http.urls import Urls
from server.queries.prefixes import KNOWN

PLAIN = {PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString"}  # literals shown without a datatype
EXAMPLES_FILE = Path(__file__).with_name("examples.toml")
# The editor's format choice: `?format=` values (`negotiation.named`), by the query forms they serve.
TABLE_FORMATS = (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"))
GRAPH_FORMATS = (("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"))


@dataclass(frozen=True, slots=True)
class ExampleText:
    """One worked example of `examples.toml`: a question, in both languages, and its query."""

    key: str
    title: dict[str, str]  # by language
    description: dict[str, str]
    query: str  # without PREFIX lines: the known prefixes are added
    columns: tuple[str, ...]  # what its answer promises
    rows_on_seeds: bool = True


def read_examples(path: Path = EXAMPLES_FILE) -> tuple[ExampleText, ...]:
    with path.open("rb") as file:
        entries = tomllib.load(file)["example"]
    return tuple(
        ExampleText(e["key"], e["title"], e["description"], e["query"].strip(), tuple(e["columns"]),
                    e.get("rows_on_seeds", True))
        for e in entries
    )


EXAMPLES = read_examples()


@dataclass(frozen=True, slots=True)
class Example:
    key: str
    title: str  # in the page language
    description: str
    query: str  # with a first comment line saying what it asks, in the page language
    href: str  # runs it without JavaScript


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None
    lang: str | None = None
    datatype: str | None = None  # compact, for typed literals other than plain strings
    iri: str | None = None  # the IRI of an IRI cell
    label: str | None = None  # its rdfs:label, when it has one
    label_lang: str | None = None


@dataclass(frozen=True, slots=True)
class ResultsTable:
    columns: list[str]
    rows: list[list[Cell | None]]  # None: unbound
    boolean: bool | None = None  # the answer of an ASK query (then no columns)
    graph: bool = False  # triples of a CONSTRUCT or DESCRIBE (downloads in RDF formats)
    truncated: bool = False  # cut at the row cap


@dataclass(frozen=True, slots=True)
class QueryPage:
    query: str
    format: str
    examples: list[Example]
    limits: dict[str, str]  # `Settings.stated_limits()`
    id_base: str  # the script links IRIs under it to their local pages, as the table here does
    results: ResultsTable | None = None
    error: str | None = None
    prefixes: dict[str, str] = field(default_factory=lambda: PREFIXES)  # IRIs shown compact as on other pages
    known_prefixes: dict[str, str] = field(default_factory=lambda: KNOWN)  # usable without PREFIX lines
    dataset: tuple[tuple[str, str], ...] = ()  # `default-graph-uri` / `named-graph-uri` the query ran with
    table_formats: tuple[tuple[str, str], ...] = TABLE_FORMATS
    graph_formats: tuple[tuple[str, str], ...] = GRAPH_FORMATS


def examples(lang: str, urls: Urls) -> list[Example]:
    """The worked examples in the page language, each query headed by a comment saying what it asks."""
    found = []
    for example in EXAMPLES:
        title = example.title.get(lang) or example.title["en"]
        query = f"# {title}\n{example.query}"
        found.append(Example(example.key, title, example.description.get(lang) or example.description["en"],
                             query, urls.sparql(query)))
    return found


def boolean_table(value: bool) -> ResultsTable:
    return ResultsTable([], [], value)


def triples_table(triples: Iterable[Triple], urls: Urls) -> ResultsTable:
    """Triples as subject, predicate, object."""
    rows: list[list[Cell | None]] = [
        [_cell(t.subject, urls), _cell(t.predicate, urls), _cell(t.object, urls)] for t in triples
    ]
    return ResultsTable(["subject", "predicate", "object"], rows, graph=True)


def solutions_table(variables: Sequence[Variable], solutions: Iterable[QuerySolution], urls: Urls) -> ResultsTable:
    """Solutions, one column per variable."""
    return ResultsTable(
        [v.value for v in variables],
        [[_cell(s[v], urls) if s[v] is not None else None for v in variables] for s in solutions],
    )


def iris(table: ResultsTable, limit: int) -> list[str]:
    """The first `limit` distinct IRIs of the table, row by row."""
    seen = dict.fromkeys(c.iri for row in table.rows for c in row if c is not None and c.iri is not None)
    return [iri for iri in islice(seen, limit) if iri is not None]


def labelled(table: ResultsTable, labels: dict[str, Literal], truncated: bool) -> ResultsTable:
    """The table with each IRI's label (`labels`, by IRI) beside it."""

    def label(cell: Cell | None) -> Cell | None:
        if cell is None or cell.iri is None or (found := labels.get(cell.iri)) is None:
            return cell
        return replace(cell, label=found.value, label_lang=found.language)

    rows = [[label(cell) for cell in row] for row in table.rows] if labels else table.rows
    return replace(table, rows=rows, truncated=truncated)


def _cell(term: NamedNode | BlankNode | Literal | Triple, urls: Urls) -> Cell:
    if isinstance(term, NamedNode):
        return Cell(curie(term.value), href=urls.href(term.value), iri=term.value)
    if isinstance(term, Literal):
        datatype = None if term.datatype.value in PLAIN else curie(term.datatype.value)
        return Cell(term.value, lang=term.language, datatype=datatype)
    if isinstance(term, BlankNode):
        return Cell(f"_:{term.value}")
    return Cell(str(term))  # a quoted triple (RDF 1.2)

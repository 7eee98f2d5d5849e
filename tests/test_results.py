"""Row-by-row results writers: pyoxigraph reads back exactly what it would have written itself."""

from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    Variable,
    parse_query_results,
)

from server.queries.results import FORMATS, write_boolean, write_solutions

FORMAT = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
          "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}
text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20)
iris = st.from_regex(r"http://example\.org/[a-z0-9/?=&.\-]{0,20}", fullmatch=True).map(NamedNode)
terms = st.one_of(
    iris,
    st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True).map(BlankNode),
    text.map(Literal),
    st.tuples(text, st.sampled_from(["vi", "en", "en-gb"])).map(lambda p: Literal(p[0], language=p[1])),
    st.integers().map(Literal),
    st.none(),
)
VARIABLES = [Variable("s"), Variable("label"), Variable("n")]


def read(fmt: str, data: bytes) -> list[list[object]]:
    solutions = parse_query_results(BytesIO(data), FORMAT[fmt])
    return [[solution[v] for v in VARIABLES] for solution in solutions]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(terms, terms, terms), max_size=8))
@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_round_trip(fmt: str, rows: list[tuple[object, object, object]]) -> None:
    written = b"".join(write_solutions(fmt, VARIABLES, rows))
    assert read(fmt, written) == [list(row) for row in rows]


def test_csv_keeps_values_and_quotes_what_needs_it() -> None:
    rows = [[NamedNode("http://a"), Literal('say "hi", then\nleave', language="vi"), None]]
    written = b"".join(write_solutions("csv", VARIABLES, rows)).decode()
    assert written == 's,label,n\r\nhttp://a,"say ""hi"", then\nleave",\r\n'


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "csv"])  # pyoxigraph reads no CSV
@pytest.mark.parametrize("value", [True, False])
def test_boolean(fmt: str, value: bool) -> None:
    assert bool(parse_query_results(BytesIO(write_boolean(fmt, value)), FORMAT[fmt])) is value


def test_large_answers_come_in_several_chunks() -> None:
    rows = [[NamedNode(f"http://example.org/{i}"), Literal("x" * 100), None] for i in range(2000)]
    chunks = list(write_solutions("json", VARIABLES, rows))
    assert len(chunks) > 1
    assert len(read("json", b"".join(chunks))) == 2000


def test_json_is_byte_for_byte_what_pyoxigraph_writes() -> None:
    store = Store()
    graph, p = NamedNode("http://example.org/g"), NamedNode("http://example.org/p")
    objects: list[NamedNode | BlankNode | Literal] = [
        Literal('say "hi"\n\t\\ é 漢 \u2028 \x01 </script>', language="vi"),
        Literal("42", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        Literal("plain"),
        NamedNode("http://example.org/o?a=1&b=é"),
        BlankNode("b1"),
    ]
    for i, o in enumerate(objects):
        store.add(Quad(NamedNode(f"http://example.org/s{i}"), p, o, graph))
    store.add(Quad(BlankNode("b2"), p, Literal("x"), graph))
    query = "SELECT ?s ?o ?unbound WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY STR(?s)"
    expected = store.query(query)
    assert isinstance(expected, QuerySolutions)
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)
    written = b"".join(write_solutions("json", solutions.variables, list(solutions)))
    assert written == expected.serialize(format=QueryResultsFormat.JSON)

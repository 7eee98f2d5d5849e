"""The query pre-checker: what it refuses, what it lets through, and that no text crashes it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.queries.precheck import MAX_BYTES, MAX_DEPTH, QueryRefused, precheck

SELECT = "SELECT * WHERE {{ {} }}"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * where { service silent <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE\n\t$e { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o # a comment\n SERVICE <http://x/> {} }",
        "SELECT * WHERE { ?s ?p ?o } LIMIT 9223372036854775808",
        "SELECT * WHERE { ?s ?p ?o } offset 18446744073709551616",
        SELECT.format("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1)),
        "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "SELECT * WHERE { ?s ?p " + '"' + "x" * MAX_BYTES + '" }',
    ],
    ids=["iri", "lower-case silent", "variable", "dollar variable", "after comment", "limit", "offset",
         "deep brackets", "5000 deep", "too long"],
)
def test_refused(query: str) -> None:
    with pytest.raises(QueryRefused):
        precheck(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { ((((" }',
        "SELECT * WHERE { ?s ?p '''multi\nSERVICE\nline''' }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?service }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>",
        "SELECT * WHERE { ?s ?p ?o } LIMIT 9223372036854775807 OFFSET 10",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
        SELECT.format("BIND(" + "(" * (MAX_DEPTH - 2) + "1" + ")" * (MAX_DEPTH - 2) + " AS ?x)"),
    ],
    ids=["in a string", "in a long string", "in an IRI", "prefixed name", "in a comment", "64-bit limit",
         "less-than is no IRI", "deep but allowed"],
)
def test_allowed(query: str) -> None:
    precheck(query)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_is_checked_or_refused_never_crashes(text: str) -> None:
    try:
        precheck(text)
    except QueryRefused:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["{", "}", "(", ")", "[", "]", '"', "'", "<", ">", "#", "\n", "SERVICE",
                                 "LIMIT", "99999999999999999999", " ", "?x", "\\"]), max_size=400))
def test_sparql_like_token_soup_never_crashes(tokens: list[str]) -> None:
    try:
        precheck("".join(tokens))
    except QueryRefused:
        pass

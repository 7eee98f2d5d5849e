"""SPARQL for people (issue 16): known prefixes without PREFIX lines, errors in words at their place in
the user's text, labels beside IRIs on the results page, downloads, and the worked examples, each run
against the seeds over a real server."""

from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest

from server.queries.prefixes import KNOWN, complete, unknown_prefix
from server.queries.query_page import EXAMPLES
from server.queries.syntax_errors import explain
from tests.test_sparql_protocol import FIREFOX, Page, media_type

JSON = "application/sparql-results+json"


def post(server: str, query: str, accept: str = JSON, path: str = "/sparql", **params: str) -> httpx.Response:
    return httpx.post(server + path, data={"query": query, **params}, headers={"Accept": accept}, timeout=30)


# 1. Known prefixes, added only where needed.

@pytest.mark.parametrize(("query", "added"), [
    ("SELECT * { ?s a vk:Directive }", ["vk"]),
    ("SELECT * { ?s rdfs:label ?l ; foaf:name ?n ; schema:x ?y }", ["rdfs", "foaf", "schema"]),
    ("PREFIX vk: <urn:mine#> SELECT * { ?s a vk:Directive }", []),  # the user's declaration wins
    ("SELECT * { ?s ?p 'vk:Directive' } # rdfs:label", []),  # strings and comments are not uses
    ("SELECT * { ?s <http://x/vk:y> ?o }", []),
    ("SELECT * { ?s wd:Q42 ?o }", []),  # unknown: left to the parser, then named
])
def test_complete_adds_only_missing_known_prefixes(query: str, added: list[str]) -> None:
    completed = complete(query)
    declared = completed.text.split("\n")[0] if completed.added_lines else ""
    assert [p for p in KNOWN if f"PREFIX {p}: " in declared] == added
    assert completed.text.endswith(query) and completed.added_lines == (1 if added else 0)


def test_every_known_prefix_is_in_the_issue() -> None:
    assert set(KNOWN) == {"vk", "rdf", "rdfs", "owl", "xsd", "foaf", "org", "dcterms", "skos", "oa", "prov", "schema"}


# 2. Errors in words, placed in the user's text (not the text with prefixes added).

def error_for(query: str) -> str:
    completed = complete(query)
    with pytest.raises(SyntaxError) as raised:
        ox.Store().query(completed.text)
    return explain(str(raised.value), query, completed.added_lines)


@pytest.mark.parametrize(("query", "said"), [
    ("SELECT * WHERE {\n  ?s wdt:P31 ?o\n}", "line 2, column 6: unknown prefix 'wdt:' (known: dcterms"),
    ("SELECT ?d WHERE {\n  ?d a vk:Directive .\n  FILTER(?d = \n}", "line 4, column 2: the query ends too early"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT x", 'line 1, column 35: unexpected "x"'),
    ("SELECT ?x WHERE { ?s rdfs:label ?o } GROUP BY ?s", "variable that is unbound"),
    ('SELECT * WHERE { ?s ?p "Thanh Hóa" } LIMT 3', 'line 1, column 43: unexpected "3"'),  # characters, not bytes
])
def test_syntax_errors_say_what_and_where(query: str, said: str) -> None:
    message = error_for(query)
    assert said in message, message
    assert "\\u{" not in message and "..=" not in message  # no grammar dump


def test_unknown_prefix_is_found_outside_strings() -> None:
    assert unknown_prefix("SELECT * { ?s ?p 'ex:x' }") is None
    found = unknown_prefix("PREFIX ex: <urn:x#>\nSELECT * { ?s ex:p ?o ; my:q ?v }")
    assert found is not None and (found.prefix, found.line, found.column) == ("my", 2, 25)


# 3. Over a real server: the protocol, the service description, the page.

def test_a_query_without_prefix_lines_runs(seeds_server: str) -> None:
    response = post(seeds_server, 'SELECT ?d WHERE { ?d a vk:Directive ; vk:symbol "39-CT/TW" }')
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 1


def test_errors_for_programs_are_plain_text_400(seeds_server: str) -> None:
    response = post(seeds_server, "SELECT * WHERE {\n  ?s wd:P31 ?o }")
    assert response.status_code == 400 and media_type(response) == "text/plain"
    assert "line 2, column 6: unknown prefix 'wd:'" in response.text


def test_the_service_description_declares_the_known_prefixes(seeds_server: str) -> None:
    turtle = httpx.get(seeds_server + "/sparql", headers={"Accept": "text/turtle"}).text
    graph = ox.Store()
    graph.load(turtle.encode(), ox.RdfFormat.TURTLE)
    found = graph.query("""PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?p ?n { ?service sh:declare [ sh:prefix ?p ; sh:namespace ?n ] }""")
    assert {s["p"].value: s["n"].value for s in found} == KNOWN  # type: ignore[union-attr,index]


def test_the_page_lists_the_known_prefixes(seeds_server: str) -> None:
    html = Page(httpx.get(seeds_server + "/sparql", headers={"Accept": FIREFOX}).text)
    assert {p.rstrip(":") for p in html.text("code").split() if p.endswith(":")} >= set(KNOWN)


def test_results_show_labels_beside_links_to_pages(seeds_server: str) -> None:
    query = 'SELECT ?d ?issuer WHERE { ?d vk:symbol "39-CT/TW" ; vk:issuedBy ?issuer }'
    html = Page(post(seeds_server, query, FIREFOX, "/sparql?lang=en").text)
    links = {a["href"]: a for a in html.all("a") if a.get("href", "").startswith("/doc/")}
    assert "/doc/document/tw/2014/chi-thi/39" in links and "/doc/org/bo-chinh-tri" in links
    assert "Chỉ thị 39-CT/TW" in html.text("a") and "Politburo" in html.text("a")  # English where there is one
    assert "http://localhost:8000/id/org/bo-chinh-tri" in html.text("span")


def test_download_buttons_rerun_the_query_as_files(seeds_server: str) -> None:
    query = 'SELECT ?d WHERE { ?d a vk:Directive }'
    html = Page(post(seeds_server, query, FIREFOX).text)
    assert [b["value"] for b in html.all("button", name="format")] == ["json", "xml", "csv", "tsv"]
    assert html.all("input", type="hidden", name="query", value=query)
    csv = post(seeds_server, query, FIREFOX, format="csv", download="1")
    assert csv.status_code == 200 and media_type(csv) == "text/csv"
    assert csv.headers["content-disposition"] == 'attachment; filename="query-results.csv"'
    graph = Page(post(seeds_server, 'DESCRIBE ?d WHERE { ?d vk:symbol "39-CT/TW" }', FIREFOX).text)
    assert [b["value"] for b in graph.all("button", name="format")] == ["ttl", "nt", "jsonld", "rdf"]


# 4. The worked examples.

def test_at_least_twenty_examples_in_both_languages() -> None:
    assert len(EXAMPLES) >= 20 and len({e.key for e in EXAMPLES}) == len(EXAMPLES)
    for example in EXAMPLES:
        assert example.title["vi"] and example.title["en"] and example.description["vi"] and example.description["en"]
        assert "PREFIX" not in example.query


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_each_example_answers_with_its_columns_on_the_seeds(seeds_server: str, example: object) -> None:
    assert hasattr(example, "query")
    graph = example.columns == ("subject", "predicate", "object")  # type: ignore[attr-defined]
    response = post(seeds_server, example.query, "application/n-triples" if graph else JSON)  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    if graph:
        rows = response.text.strip().splitlines()
    else:
        answer = response.json()
        assert tuple(answer["head"]["vars"]) == example.columns  # type: ignore[attr-defined]
        rows = answer["results"]["bindings"]
    assert bool(rows) == example.rows_on_seeds, example.key  # type: ignore[attr-defined]


def test_examples_link_runs_without_javascript(seeds_server: str) -> None:
    html = Page(httpx.get(seeds_server + "/sparql?" + urlencode({"lang": "en"}), headers={"Accept": FIREFOX}).text)
    titles = [a for a in html.all("a", **{"class": "example"})]
    assert len(titles) == len(EXAMPLES)
    assert "Who chaired meetings in Thanh Hóa" in html.text("a")

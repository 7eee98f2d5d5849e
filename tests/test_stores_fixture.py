"""The real SPARQL stores of tests/stores.py: they start, take SPARQL Update, give Vietnamese back byte
for byte, MOVE graphs, stop and clean up; and what Virtuoso does that the remote store mode has to
live with (default graph, GRAPH ?g, duplicates, non-atomic update requests) is pinned here."""

from __future__ import annotations

import socket
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

from tests import stores
from tests.stores import RemoteStoreUrls, VirtuosoUrls, select, update, virtuoso_set_default_graph

EX = "http://example.org/vk-test/"
DEFAULT = EX + "union"  # the Virtuoso fixture's default graph
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
LITERALS = [
    unicodedata.normalize("NFC", "Bí thư Tỉnh ủy Thanh Hóa"),
    unicodedata.normalize("NFD", "Phó Bí thư Thường trực Tỉnh ủy"),  # combining marks kept as sent
    "Đảng bộ tỉnh “Nghệ An” — 𝔸 😀",  # curly quotes, dash, astral plane
    'Chỉ thị số 39-CT/TW\nngày 18/8/2014 \\ "trích"\t.',  # escapes in the update text
]


def _sparql_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _stopped(url: str) -> bool:
    try:
        httpx.get(url, params={"query": "ASK {}"}, timeout=2)
    except httpx.TransportError:
        return True
    return False


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStoreUrls]:
    directory = tmp_path_factory.mktemp("oxigraph")
    with stores.oxigraph_server(directory) as store:
        yield store
    assert _stopped(store.query)
    assert not list(directory.glob("*/store")), "the store's files are left behind"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoUrls]:
    directory = tmp_path_factory.mktemp("virtuoso")
    with stores.virtuoso_server(directory, default_graph=DEFAULT) as store:
        yield store
    assert _stopped(store.query)
    assert not list(directory.glob("*/virtuoso.db")), "the database is left behind"


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest) -> RemoteStoreUrls:
    found: RemoteStoreUrls = request.getfixturevalue(request.param)
    return found


def _ok(response: httpx.Response) -> None:
    assert response.status_code in (200, 204), response.text


def _triples(store: RemoteStoreUrls, graph: str) -> list[tuple[str, str, dict[str, str]]]:
    # FROM NAMED: with a default graph configured, Virtuoso's GRAPH <iri> sees only listed named graphs.
    rows = select(store, f"SELECT ?s ?p ?o FROM NAMED <{graph}> WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return sorted((row["s"]["value"], row["p"]["value"], row["o"]) for row in rows)


def _graphs(store: RemoteStoreUrls, prefix: str) -> set[str]:
    rows = select(store, f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER STRSTARTS(STR(?g), "{prefix}") }}')
    return {row["g"]["value"] for row in rows}


def test_insert_move_and_read_back_exactly(store: RemoteStoreUrls) -> None:
    base = f"{EX}move/{store.name}/"
    staging, live, other = base + "staging", base + "live", base + "other"
    body = " ".join(f"<{base}s{i}> <{EX}label> {_sparql_string(text)}@vi ." for i, text in enumerate(LITERALS))
    _ok(update(store, f"INSERT DATA {{ GRAPH <{staging}> {{ {body} }} "
                      f"GRAPH <{other}> {{ <{base}s0> <{EX}label> {_sparql_string(LITERALS[0])}@vi }} }}"))
    # Publishing a new version: the old live graph goes, staging takes its name, in one request.
    _ok(update(store, f"INSERT DATA {{ GRAPH <{live}> {{ <{base}old> <{EX}label> \"cũ\"@vi }} }}"))
    _ok(update(store, f"DROP SILENT GRAPH <{live}> ;\nMOVE GRAPH <{staging}> TO <{live}>"))

    assert _graphs(store, base) == {live, other}
    got = _triples(store, live)
    assert [(s, p) for s, p, _ in got] == [(f"{base}s{i}", f"{EX}label") for i in range(len(LITERALS))]
    for (_, _, obj), text in zip(got, LITERALS):
        assert obj["type"] == "literal" and obj["xml:lang"] == "vi"
        assert obj["value"] == text  # byte for byte: no normalisation, no lost escapes
        assert obj["value"].encode("utf-8") == text.encode("utf-8")
    assert [obj["value"] for _, _, obj in _triples(store, other)] == [LITERALS[0]]
    # The literals are found by equality too (the store keeps them as sent).
    for text in LITERALS:
        rows = select(store, f"SELECT ?s FROM NAMED <{live}> WHERE {{ GRAPH <{live}> {{ ?s ?p {_sparql_string(text)}@vi }} }}")
        assert len(rows) == 1, text


def test_graph_store_protocol_reads_a_graph(store: RemoteStoreUrls) -> None:
    graph = f"{EX}gsp/{store.name}"
    _ok(update(store, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}label> {_sparql_string(LITERALS[2])}@vi }} }}"))
    assert store.graph_store
    response = httpx.get(store.graph_store, params={"graph": graph}, headers={"Accept": "application/n-triples"},
                         timeout=30)
    assert response.status_code == 200, response.text
    parsed = Graph().parse(data=response.text, format="nt")
    assert set(parsed) == {(URIRef(f"{EX}a"), URIRef(f"{EX}label"), Literal(LITERALS[2], lang="vi"))}


@pytest.mark.parametrize("name, atomic", [("oxigraph", True), ("virtuoso", False)])
def test_update_request_whose_last_operation_fails(request: pytest.FixtureRequest, name: str, atomic: bool) -> None:
    """Oxigraph applies an update request whole or not at all; Virtuoso keeps the operations that ran
    before the failing one (the request still answers 500)."""
    store: RemoteStoreUrls = request.getfixturevalue(name)
    base = f"{EX}atomic/{name}/"
    _ok(update(store, f"INSERT DATA {{ GRAPH <{base}a> {{ <{base}s> <{EX}label> \"một\"@vi }} }}"))
    response = update(store, f"INSERT DATA {{ GRAPH <{base}b> {{ <{base}s> <{EX}label> \"hai\"@vi }} }} ;\n"
                             f"MOVE GRAPH <{base}a> TO <{base}c> ;\n"
                             f"DROP GRAPH <{base}never-created>")
    assert response.status_code >= 400
    assert _graphs(store, base) == ({base + "a"} if atomic else {base + "b", base + "c"})


def test_virtuoso_move_from_a_missing_graph_empties_the_target(virtuoso: VirtuosoUrls) -> None:
    """Against the standard (an error without SILENT), Virtuoso's MOVE from a graph with no triples
    succeeds and leaves the target empty; DROP GRAPH (no SILENT) of a graph never CREATEd fails."""
    base = f"{EX}quirks/"
    _ok(update(virtuoso, f"INSERT DATA {{ GRAPH <{base}target> {{ <{base}s> <{EX}label> \"x\" }} }}"))
    _ok(update(virtuoso, f"MOVE GRAPH <{base}missing> TO <{base}target>"))
    assert _graphs(virtuoso, base) == set()
    _ok(update(virtuoso, f"INSERT DATA {{ GRAPH <{base}target> {{ <{base}s> <{EX}label> \"x\" }} }}"))
    assert update(virtuoso, f"DROP GRAPH <{base}target>").status_code == 500
    _ok(update(virtuoso, f"DROP SILENT GRAPH <{base}target>"))
    assert _graphs(virtuoso, base) == set()


def test_virtuoso_default_graph(virtuoso: VirtuosoUrls) -> None:
    article, shared = f"{EX}dg/article", f"{EX}dg/s"
    _ok(update(virtuoso, f"INSERT DATA {{ GRAPH <{DEFAULT}> {{ <{shared}> <{EX}label> \"hợp nhất\"@vi }} "
                         f"GRAPH <{article}> {{ <{shared}> <{EX}label> \"hợp nhất\"@vi . "
                         f"<{EX}dg/only-in-article> <{EX}label> \"bài\"@vi }} }}"))
    about = f"FILTER STRSTARTS(STR(?s), \"{EX}dg/\")"

    # No FROM: the configured graph alone, so the triple held by both graphs comes once.
    rows = select(virtuoso, f"SELECT ?s WHERE {{ ?s ?p ?o {about} }}")
    assert [row["s"]["value"] for row in rows] == [shared]
    # GRAPH ?g still ranges over every graph, Virtuoso's own among them...
    graphs = {row["g"]["value"] for row in select(virtuoso, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert {DEFAULT, article, VIRTRDF} <= graphs
    # ...but GRAPH <iri> finds nothing unless the graph is listed (FROM NAMED / named-graph-uri), or
    # the IRI comes through a variable.
    in_article = f"{{ GRAPH <{article}> {{ ?s ?p ?o }} }}"
    assert select(virtuoso, f"SELECT ?s WHERE {in_article}") == []
    assert len(select(virtuoso, f"SELECT ?s FROM NAMED <{article}> WHERE {in_article}")) == 2
    assert len(select(virtuoso, f"SELECT ?s WHERE {in_article}", **{"named-graph-uri": article})) == 2
    assert len(select(virtuoso, f"SELECT ?s WHERE {{ VALUES ?g {{ <{article}> }} GRAPH ?g {{ ?s ?p ?o }} }}")) == 2
    # A default-graph-uri parameter replaces the configured graph for that request...
    rows = select(virtuoso, f"SELECT ?s WHERE {{ ?s ?p ?o {about} }}", **{"default-graph-uri": article})
    assert sorted(row["s"]["value"] for row in rows) == [f"{EX}dg/only-in-article", shared]
    # ...but FROM does not: the query reads FROM's graph and the configured one, as a bag.
    rows = select(virtuoso, f"SELECT ?s FROM <{article}> WHERE {{ ?s ?p ?o {about} }}")
    assert sorted(row["s"]["value"] for row in rows) == [f"{EX}dg/only-in-article", shared, shared]
    # An update's triples outside GRAPH go into the configured graph.
    _ok(update(virtuoso, f"INSERT DATA {{ <{EX}dg/plain> <{EX}label> \"mặc định\"@vi }}"))
    assert (f"{EX}dg/plain", f"{EX}label") in {(s, p) for s, p, _ in _triples(virtuoso, DEFAULT)}

    # Without the setting: the union of all graphs, system graphs included, duplicates kept.
    virtuoso_set_default_graph(virtuoso, None)
    try:
        rows = select(virtuoso, f"SELECT ?s WHERE {{ ?s ?p ?o {about} }}")
        assert sorted(row["s"]["value"] for row in rows) == sorted(
            [f"{EX}dg/only-in-article", f"{EX}dg/plain", shared, shared])
        count = select(virtuoso, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert int(count[0]["n"]["value"]) > 1000  # virtrdf# alone holds ~2,500
        assert len(select(virtuoso, f"SELECT ?s WHERE {in_article}")) == 2
    finally:
        virtuoso_set_default_graph(virtuoso, DEFAULT)
    rows = select(virtuoso, f"SELECT ?s WHERE {{ ?s ?p ?o {about} }}")
    assert sorted(row["s"]["value"] for row in rows) == [f"{EX}dg/plain", shared]


def test_missing_binary_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("sys.executable", str(tmp_path / "python"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="oxigraph not found"), stores.oxigraph_server(tmp_path):
        pass
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI"), stores.oxigraph_server(tmp_path):
        pass

def test_virtuoso_terms_that_do_not_come_back_as_sent(virtuoso: VirtuosoUrls) -> None:
    """Blank nodes are refused in INSERT DATA (INSERT { } WHERE { } takes them); xsd:boolean "true"
    comes back as "1"; typed literals are "typed-literal" in JSON results (SPARQL 1.1 says "literal")."""
    graph, xsd = f"{EX}terms", "http://www.w3.org/2001/XMLSchema#"
    refused = update(virtuoso, f"INSERT DATA {{ GRAPH <{graph}> {{ _:b <{EX}p> 1 }} }}")
    assert refused.status_code == 400 and "Blank node" in refused.text
    _ok(update(virtuoso, f"INSERT {{ GRAPH <{graph}> {{ _:b <{EX}p> \"true\"^^<{xsd}boolean> }} }} WHERE {{}}"))
    (row,) = select(virtuoso, f"SELECT ?s ?o FROM NAMED <{graph}> WHERE {{ GRAPH <{graph}> {{ ?s <{EX}p> ?o }} }}")
    assert row["s"]["type"] == "bnode"
    assert row["o"] == {"type": "typed-literal", "datatype": f"{xsd}boolean", "value": "1"}


def test_a_server_that_cannot_start_fails_with_its_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # bound, not listening: the server cannot bind it, a client is refused
        monkeypatch.setattr(stores, "free_port", lambda: taken.getsockname()[1])
        with pytest.raises(RuntimeError, match=r"exited with \d+ before it answered:\n--- .*oxigraph.log"), \
                stores.oxigraph_server(tmp_path):
            pass

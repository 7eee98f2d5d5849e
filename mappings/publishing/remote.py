"""Publish a build into a remote SPARQL store (`vankien build --store URL`), by SPARQL 1.1 Update only.

The build is made, validated and published locally first (mappings/publishing/publish.py); its N-Quads dump is
then the source. The store ends up holding what the embedded store holds: one named graph per article,
the ontology and the reference data in theirs, the deduplicated union in the default graph (or in
`union_graph`, for a store whose default graph is the union of all graphs), plus one graph of our
own, `<base>graph/publication`: the build's manifest and a SHA-256 per published graph.

  1. clean      drop the staging graphs a failed publish left behind
  2. stage      each graph whose SHA-256 differs from the store's goes, whole, into a new graph name
                (`urn:vankien:staging:<build id>:<n>`), by INSERT DATA in batches; nothing published moves
  3. switch     one update request: MOVE each staged graph onto its name, DROP the graphs the build no
                longer has, recompute the union, replace the publication graph
  4. check      the publication graph names the new build

A failure before 3 leaves every published graph as it was; 3 is one request, which a transactional
store (Oxigraph, Fuseki, GraphDB) applies whole or not at all. Unchanged articles are not sent again.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from mappings.publishing.sparql_http import Endpoint, StoreError, post_query, post_update
from mappings.publishing.writer import UNION_LEFT_OUT

PUBLICATION = "https://w3id.org/vankien/publication#"  # our bookkeeping terms, not the vocabulary contract
MANIFEST, SHA256 = PUBLICATION + "manifest", PUBLICATION + "sha256"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
STAGING = "urn:vankien:staging:"
BATCH_BYTES = 1 << 20  # N-Triples text per update request


@dataclass(frozen=True, slots=True)
class RemotePublication:
    build_id: str
    sent: int  # graphs sent (new or changed)
    unchanged: int
    dropped: int  # graphs the store had that the build no longer has


def publication_graph(base: str) -> str:
    return f"{base}graph/publication"


def publish_remote(build_dir: Path, endpoint: Endpoint, base: str, union_graph: str | None = None,
                   batch_bytes: int = BATCH_BYTES) -> RemotePublication:
    """Make the store hold the build at `build_dir` (a published build: manifest.json, dumps/)."""
    manifest = json.loads((build_dir / "manifest.json").read_text("utf-8"))
    build_id = str(manifest["build_id"])
    publication = publication_graph(base)
    published = published_graphs(endpoint, base)
    _drop_staging(endpoint)

    moves: list[tuple[str, str]] = []  # (staging name, graph)
    hashes: dict[str, str] = {}
    batch: list[str] = []
    for graph, lines in _graphs(build_dir / "dumps" / "vankien.nq.gz"):
        text = "".join(lines)
        hashes[graph] = hashlib.sha256(text.encode()).hexdigest()
        if published.get(graph) == hashes[graph]:
            continue
        staging = f"{STAGING}{build_id}:{len(moves)}"
        moves.append((staging, graph))
        batch.append(_insert_graph(staging, lines))
        if sum(map(len, batch)) >= batch_bytes:
            _insert(endpoint, batch)
            batch = []
    staged_publication = f"{STAGING}{build_id}:publication"
    batch.append(_insert_graph(staged_publication, [_publication_text(publication, manifest, hashes)]))
    _insert(endpoint, batch)

    dropped = sorted(set(published) - set(hashes))
    left_out = (build_dir / UNION_LEFT_OUT).read_text("utf-8") if (build_dir / UNION_LEFT_OUT).exists() else ""
    post_update(endpoint, _switch(moves, dropped, staged_publication, publication, sorted(hashes), union_graph,
                                  left_out))
    _check(endpoint, base, build_id)
    return RemotePublication(build_id, len(moves), len(hashes) - len(moves), len(dropped))


def published_manifest(endpoint: Endpoint, base: str) -> dict[str, object] | None:
    """The manifest of the build the store holds, or None when nothing was published into it."""
    rows = _select(endpoint, _in_publication(base, f"?b <{MANIFEST}> ?m", "?m"))
    for row in rows:
        return json.loads(row["m"]["value"])  # type: ignore[no-any-return]
    return None


def _graphs(nquads_gz: Path) -> Iterator[tuple[str, list[str]]]:
    """(graph IRI, its N-Triples lines) from the build's N-Quads dump, which is sorted by graph."""
    with gzip.open(nquads_gz, "rt", encoding="utf-8") as lines:
        quads = (_split(line) for line in lines if line.strip())
        for graph, group in groupby(quads, key=lambda quad: quad[1]):
            yield graph, [triple for triple, _ in group]


def _split(line: str) -> tuple[str, str]:
    """`<s> <p> <o> <g> .` as (`<s> <p> <o> .` line, g): the graph is the last term, an IRI."""
    head, graph = line.rstrip()[:-1].rstrip().rsplit(" ", 1)
    if not (graph.startswith("<") and graph.endswith(">")):
        raise ValueError(f"not a quad in a named graph: {line!r}")
    return f"{head} .\n", graph[1:-1]


def _publication_text(publication: str, manifest: dict[str, object], hashes: dict[str, str]) -> str:
    document = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
    lines = [f"<{publication}> <{MANIFEST}> {_string(document)}^^<{RDF_JSON}> .\n"]
    lines += [f"<{graph}> <{SHA256}> \"{digest}\" .\n" for graph, digest in sorted(hashes.items())]
    return "".join(lines)


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _switch(moves: list[tuple[str, str]], dropped: list[str], staged_publication: str, publication: str,
            graphs: list[str], union_graph: str | None, left_out: str = "") -> str:
    """One update: the staged graphs moved into place, the removed dropped, the union computed again, less the
    values the build's union does not keep (where articles disagree on a value the shapes allow one of)."""
    into = f"GRAPH <{union_graph}> {{ ?s ?p ?o }}" if union_graph else "?s ?p ?o"
    operations = [f"MOVE SILENT GRAPH <{staging}> TO <{graph}>" for staging, graph in moves]
    operations += [f"DROP SILENT GRAPH <{graph}>" for graph in dropped]
    operations += [
        f"MOVE SILENT GRAPH <{staged_publication}> TO <{publication}>",
        f"CLEAR SILENT GRAPH <{union_graph}>" if union_graph else "CLEAR SILENT DEFAULT",
        f"INSERT {{ {into} }} WHERE {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in graphs)} }} GRAPH ?g {{ ?s ?p ?o }} }}",
    ]
    if left_out:
        operations.append(f"DELETE DATA {{ GRAPH <{union_graph}> {{\n{left_out}}} }}" if union_graph
                          else f"DELETE DATA {{\n{left_out}}}")
    return " ;\n".join(operations)


def _insert_graph(graph: str, lines: list[str]) -> str:
    """The update operations that put `lines` into `graph`: INSERT DATA, but for the triples with blank
    nodes, which go in one INSERT ... WHERE {} (so a blank node stays one node; Virtuoso refuses blank
    nodes in INSERT DATA, and turns a big INSERT ... WHERE into too much SQL)."""
    plain = "".join(line for line in lines if "_:" not in line)
    blank = "".join(line for line in lines if "_:" in line)
    operations = [f"INSERT DATA {{ GRAPH <{graph}> {{\n{plain}}} }}"] if plain else []
    operations += [f"INSERT {{ GRAPH <{graph}> {{\n{blank}}} }} WHERE {{}}"] if blank else []
    return " ;\n".join(operations)


def _insert(endpoint: Endpoint, batch: list[str]) -> None:
    if batch:
        post_update(endpoint, " ;\n".join(batch))


def published_graphs(endpoint: Endpoint, base: str) -> dict[str, str]:
    """The graphs the store holds for the build published into it, each with its SHA-256."""
    rows = _select(endpoint, _in_publication(base, f"?g <{SHA256}> ?h", "?g ?h"))
    return {row["g"]["value"]: row["h"]["value"] for row in rows}


def _drop_staging(endpoint: Endpoint) -> None:
    rows = _select(endpoint, f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}')
    leftovers = [row["g"]["value"] for row in rows]
    if leftovers:
        post_update(endpoint, " ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in leftovers))


def _in_publication(base: str, pattern: str, variables: str) -> str:
    """A SELECT of `pattern` in the publication graph, named through a variable: Virtuoso with a default
    graph set finds nothing in `GRAPH <constant>` (tests/stores.py)."""
    return f"SELECT {variables} WHERE {{ VALUES ?pub {{ <{publication_graph(base)}> }} GRAPH ?pub {{ {pattern} }} }}"


def _check(endpoint: Endpoint, base: str, build_id: str) -> None:
    manifest = published_manifest(endpoint, base)
    found = manifest and manifest.get("build_id")
    if found != build_id:
        raise StoreError(f"{endpoint.update}: after the switch the store names build {found}, not {build_id}")


def _select(endpoint: Endpoint, query: str) -> Iterable[dict[str, dict[str, str]]]:
    with post_query(endpoint, query, "application/sparql-results+json") as response:
        return json.load(response)["results"]["bindings"]  # type: ignore[no-any-return]

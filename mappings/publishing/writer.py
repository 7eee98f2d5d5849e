"""Write one build's store and dumps from a stream of graphs in IRI order (mappings/publishing/publish.py calls it).

A stream item is either already `Rendered` (the build renders article graphs in worker processes) or a
(graph IRI, pyoxigraph triples) pair, rendered here. Nothing of a graph is kept once it is written,
except its IRI: memory does not grow with the corpus. The store's default graph gets each graph's own
triples as they come, and the triples graphs share once, deduplicated, with the shared part of the dumps.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, parse

from mappings.emission.graph_text import graph_text
from mappings.publishing.dumps import Dump, DumpWriter, Rendered, render
from mappings.publishing.store import StoreCounts, StoreWriter

Graphs = Iterable[Rendered | tuple[str, Iterable[Triple]]]
# The values articles state that the union does not keep (one per subject and property where the shapes allow
# one): a store that computes the union itself (mappings/publishing/remote.py) takes them out again.
UNION_LEFT_OUT = "union-left-out.nt"


def write_build(partial: Path, graphs: Graphs, *, context: object, prefixes: dict[str, str],
                sort_buffer: int) -> tuple[StoreCounts, list[Dump]]:
    """Fill `partial`/store and `partial`/dumps; raise ValueError when graphs are out of order or repeated."""
    store = StoreWriter(partial / "store")
    dumps = DumpWriter(partial / "dumps", context, prefixes, sort_buffer)
    seen: set[str] = set()
    last = ""
    try:
        for item in graphs:
            rendered = item if isinstance(item, Rendered) else render([graph_text(*item)], prefixes)
            for iri in rendered.iris:
                last = _in_order(iri, last, seen)
            store.add(rendered.store, rendered.empty)
            dumps.add(rendered)
        written = dumps.finish(owned=lambda line: _owned(line, seen, store), also=lambda text: store.add(text.encode()))
        _write_left_out(partial / UNION_LEFT_OUT, dumps.left_out_of_union)
    except BaseException:
        store.close(optimize=False)
        raise
    store.close()
    union = next(d.count for d in written if d.unit == "triples")
    return StoreCounts(len(seen), dumps.quads, union), written


def _write_left_out(path: Path, lines: list[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("".join(lines))
        out.flush()
        os.fsync(out.fileno())


def _in_order(iri: str, last: str, seen: set[str]) -> str:
    try:
        NamedNode(iri)
    except ValueError as error:
        raise ValueError(f"graph <{iri}>: not a valid IRI: {error}") from error
    if iri in seen:
        raise ValueError(f"graph <{iri}> is given twice; graph IRIs must be unique")
    if iri < last:
        raise ValueError(f"graphs must come sorted by IRI: <{iri}> came after <{last}>")
    seen.add(iri)
    return iri


def _owned(line: str, graphs: set[str], store: StoreWriter) -> bool:
    """Whether a union line about a graph or its fragments is that graph's own (so already written).

    Never so in the build, whose article graphs alone describe their article and its evidence; it keeps
    the union exact for any other input.
    """
    if not line.startswith("<"):
        return False
    subject = line[1:line.index(">")]
    scopes, cut = [subject], subject.find("#")
    while cut != -1:  # the graph <g> of a fragment <g#...>
        scopes.append(subject[:cut])
        cut = subject.find("#", cut + 1)
    for graph in (scope for scope in scopes if scope in graphs):
        triple = next(iter(parse(line, RdfFormat.N_TRIPLES))).triple
        if Quad(triple.subject, triple.predicate, triple.object, NamedNode(graph)) in store:
            return True
    return False

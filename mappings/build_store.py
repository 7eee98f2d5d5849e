"""Load the article graphs into the build's on-disk pyoxigraph store, and check it afterwards.

Every graph goes in as a named graph, and every triple once more into the default graph: the
deduplicated union, stored once (DESIGN.md "Measured facts": the store's union-default-graph mode
made joins ~150x slower, so the build never relies on it).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, Store, Triple

Graphs = Iterable[tuple[str, Iterable[Triple]]]

_COUNT_DEFAULT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class BuildCheckError(RuntimeError):
    """A partial build does not hold what was written into it; it must not be published."""


@dataclass(frozen=True, slots=True)
class StoreCounts:
    graphs: int
    quads: int  # named-graph quads: each article's distinct triples, summed over articles
    union_triples: int  # distinct triples over all graphs (the default graph)


@dataclass(slots=True)
class _Tally:
    seen: set[str] = field(default_factory=set)
    empty: list[NamedNode] = field(default_factory=list)
    quads: int = 0


def load_store(path: Path, graphs: Graphs) -> StoreCounts:
    """Bulk-load every graph into a new store at `path`; the store is closed on return, even on error."""
    tally = _Tally()
    store = Store(str(path))
    try:
        store.bulk_extend(_quads(graphs, tally))
        for graph in tally.empty:
            store.add_graph(graph)
        store.flush()
        store.optimize()
        union = _count_default_graph(store)
    finally:
        del store  # pyoxigraph has no close(): dropping the last reference closes the database
    return StoreCounts(len(tally.seen), tally.quads, union)


def check_store(path: Path, counts: StoreCounts) -> None:
    """Reopen the store read-only and compare what it holds with what was written."""
    store = Store.read_only(str(path))
    union = _count_default_graph(store)
    found = StoreCounts(sum(1 for _ in store.named_graphs()), len(store) - union, union)
    if found != counts:
        raise BuildCheckError(f"{path}: the store holds {found}, the build wrote {counts}")


def canonical_triples(graph: str, triples: Iterable[Triple]) -> list[Triple]:
    """The graph's distinct triples, blank nodes renamed from what surrounds them.

    The input normally has no blank nodes; when it does, the same graph given in another order gets
    the same labels, so dumps stay byte-identical. Labels are scoped to the graph.
    """
    unique = list({str(_checked(graph, t)): t for t in triples}.values())
    names = _blank_node_names(graph, unique)
    return [_renamed(t, names) for t in unique] if names else unique


def _quads(graphs: Graphs, tally: _Tally) -> Iterator[Quad]:
    for iri, triples in graphs:
        graph = _graph_node(iri, tally.seen)
        unique = canonical_triples(iri, triples)
        tally.quads += len(unique)
        if not unique:
            tally.empty.append(graph)
        for t in unique:
            yield Quad(t.subject, t.predicate, t.object, graph)
            yield Quad(t.subject, t.predicate, t.object, DefaultGraph())


def _graph_node(iri: str, seen: set[str]) -> NamedNode:
    if iri in seen:
        raise ValueError(f"graph <{iri}> is given twice; graph IRIs must be unique")
    seen.add(iri)
    try:
        return NamedNode(iri)
    except ValueError as error:
        raise ValueError(f"graph <{iri}>: not a valid IRI: {error}") from error


def _checked(graph: str, triple: object) -> Triple:
    if not isinstance(triple, Triple):
        raise TypeError(f"graph <{graph}>: expected pyoxigraph.Triple, got {type(triple).__name__}")
    return triple


def _count_default_graph(store: Store) -> int:
    solution = next(iter(store.query(_COUNT_DEFAULT_GRAPH)))
    return int(solution["n"].value)


def _blank_node_names(graph: str, triples: list[Triple]) -> dict[str, BlankNode]:
    around: dict[str, list[Triple]] = defaultdict(list)
    for t in triples:
        for node in {term.value for term in (t.subject, t.object) if isinstance(term, BlankNode)}:
            around[node].append(t)
    return _unique_names(_refine_colours(graph, around)) if around else {}


def _refine_colours(graph: str, around: dict[str, list[Triple]]) -> dict[str, str]:
    """Colour refinement: each round hashes a node's triples with its neighbours' previous colours,
    until the partition stops splitting (exact unless two blank nodes are indistinguishable)."""
    colours, classes = dict.fromkeys(around, ""), 0
    while True:
        colours = {node: _colour(graph, node, ts, colours) for node, ts in around.items()}
        if len(set(colours.values())) == classes:
            return colours
        classes = len(set(colours.values()))


def _colour(graph: str, node: str, triples: list[Triple], colours: dict[str, str]) -> str:
    def show(term: object) -> str:
        if isinstance(term, BlankNode):
            return "_:@" if term.value == node else f"_:{colours[term.value]}"
        return str(term)

    lines = sorted(f"{show(t.subject)} {t.predicate} {show(t.object)}" for t in triples)
    return hashlib.sha256("\n".join([graph, colours[node], *lines]).encode()).hexdigest()


def _unique_names(colours: dict[str, str]) -> dict[str, BlankNode]:
    names: dict[str, BlankNode] = {}
    used: Counter[str] = Counter()
    for node in sorted(colours, key=colours.__getitem__):  # ties (symmetric nodes) keep input order
        stem = colours[node][:20]
        names[node] = BlankNode(f"n{stem}" + (f"x{used[stem]}" if used[stem] else ""))
        used[stem] += 1
    return names


def _renamed(triple: Triple, names: dict[str, BlankNode]) -> Triple:
    subject, obj = triple.subject, triple.object
    return Triple(names[subject.value] if isinstance(subject, BlankNode) else subject, triple.predicate,
                  names[obj.value] if isinstance(obj, BlankNode) else obj)

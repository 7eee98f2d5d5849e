"""One named graph as the text the build publishes: its distinct triples as sorted N-Triples lines.

Blank nodes get labels computed from what surrounds them, so the same graph given with other labels,
or in another order, has the same text; labels are scoped to the graph.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, Triple


@dataclass(frozen=True, slots=True)
class GraphText:
    iri: str
    lines: list[str]   # "<s> <p> <o> .\n", distinct, sorted by code point


def graph_text(iri: str, triples: Iterable[Triple]) -> GraphText:
    """The graph's canonical text (pyoxigraph terms in; `TypeError` on anything else)."""
    unique = list({str(_checked(iri, t)): t for t in triples}.values())
    names = _blank_node_names(iri, unique)
    renamed = [_renamed(t, names) for t in unique] if names else unique
    return GraphText(iri, sorted({f"{t} .\n" for t in renamed}))


def _checked(graph: str, triple: object) -> Triple:
    if not isinstance(triple, Triple):
        raise TypeError(f"graph <{graph}>: expected pyoxigraph.Triple, got {type(triple).__name__}")
    return triple


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

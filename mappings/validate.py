"""Check article graphs against `ontology/shapes.ttl` with pySHACL.

Non-conformance is a value (`Report`), never an exception. `validate_many` checks a batch of
article graphs in one pySHACL call, which costs far less per triple than one call per graph.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

SHAPES_PATH = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"

# Objects of these predicates are vocabulary terms (classes, properties): shared, never renamed.
_VOCABULARY_SLOTS = frozenset({RDF.type, RDF.predicate})


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result. `path` is the property IRI, `^IRI` for an inverse path, None for a node constraint."""

    focus_node: str
    path: str | None
    component: str
    message: str
    severity: str


@dataclass(frozen=True, slots=True)
class Report:
    conforms: bool
    results: tuple[Violation, ...]


def validate(graph: Graph) -> Report:
    """Validate one article graph."""
    return _report([violation for _, violation in _run(graph)])


def validate_many(graphs: Mapping[str, Graph]) -> dict[str, Report]:
    """Validate many article graphs in one pySHACL run; one `Report` per key of `graphs`.

    Each graph enters the batch as a copy whose nodes are renamed apart (article-scoped), so the
    batch is a disjoint union: a node described by several articles is checked once per article,
    on that article's triples only. The result per key is exactly `validate(graphs[key])`, and a
    shared node is reported for each graph that has the offending data. (A plain union would
    hide a missing value that another article supplies and count values that no article repeats.)
    """
    batch = Graph()
    origin: dict[Node, tuple[str, Node]] = {}
    for index, (key, graph) in enumerate(graphs.items()):
        origin.update(_add_scoped(batch, graph, index, key))
    found: dict[str, list[Violation]] = {key: [] for key in graphs}
    for focus, violation in _run(batch):
        key, node = origin[focus]
        found[key].append(replace(violation, focus_node=str(node)))
    return {key: _report(violations) for key, violations in found.items()}


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES_PATH, format="turtle")


def _run(data: Graph) -> list[tuple[Node, Violation]]:
    """Run pySHACL once; return each result with its focus node as found in `data`."""
    _, results, _ = shacl_validate(data, shacl_graph=_shapes(), inference="none")
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    return [(results.value(result, SH.focusNode), _violation(results, result))
            for result in results.objects(report, SH.result)]


def _violation(results: Graph, result: Node) -> Violation:
    return Violation(
        focus_node=str(results.value(result, SH.focusNode)),
        path=_path_text(results, results.value(result, SH.resultPath)),
        component=str(results.value(result, SH.sourceConstraintComponent)),
        message=_message(results.objects(result, SH.resultMessage)),
        severity=str(results.value(result, SH.resultSeverity)),
    )


def _path_text(results: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    inverse = results.value(path, SH.inversePath)
    return f"^{inverse}" if inverse is not None else str(path)


def _message(messages: Iterable[Node]) -> str:
    """The English message if there is one, else an untagged one, else any."""
    rank = {"en": 0, None: 1}
    ranked = sorted(messages, key=lambda m: rank.get(m.language if isinstance(m, Literal) else None, 2))
    return str(ranked[0]) if ranked else ""


def _add_scoped(batch: Graph, graph: Graph, index: int, key: str) -> dict[Node, tuple[str, Node]]:
    """Add `graph` to `batch` with its nodes renamed apart; return renamed node -> (key, node)."""
    origin: dict[Node, tuple[str, Node]] = {}

    def scoped(node: Node) -> Node:
        if isinstance(node, URIRef):
            renamed: Node = URIRef(f"urn:x-vankien-batch:{index}:{node}")
        elif isinstance(node, BNode):
            renamed = BNode(f"b{index}x{node}")
        else:
            return node
        origin[renamed] = (key, node)
        return renamed

    for s, p, o in graph:
        batch.add((scoped(s), p, o if p in _VOCABULARY_SLOTS else scoped(o)))
    return origin


def _report(violations: list[Violation]) -> Report:
    """Deduplicate (a node typed twice may meet one shape twice) and sort for stable output."""
    unique = sorted(set(violations), key=lambda v: (v.focus_node, v.path or "", v.component, v.message))
    return Report(conforms=not unique, results=tuple(unique))

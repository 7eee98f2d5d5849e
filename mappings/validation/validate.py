"""Check article graphs against `ontology/shapes.ttl`.

Non-conformance is a value (`Report`), never an exception. The shapes are compiled once
(mappings/validation/shacl.py) and every graph is checked on its own: exact per article, and several times
faster than pySHACL, whose results those are (tests/test_shacl.py). If shapes.ttl ever needs a
construct the compiled checks do not implement, pySHACL runs instead, on batches of at most
`PYSHACL_BATCH` graphs: one pySHACL run costs far less per triple than one per graph, and the bounded
batch keeps memory flat however many graphs there are.
"""
from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from itertools import islice
from typing import Literal as Choice
from typing import TypeVar

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from mappings.emission.article_graph import ArticleGraph
from mappings.emission.ntriples import terms
from mappings.validation.shacl import (
    Data,
    Failure,
    TargetedShape,
    Unsupported,
    check,
    compile_shapes,
    message_text,
    path_text,
)
from ontology import DIR as ONTOLOGY_DIR

SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"

# Objects of these predicates are vocabulary terms (classes, properties): shared, never renamed.
_VOCABULARY_SLOTS = frozenset({RDF.type, RDF.predicate})
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
PYSHACL_BATCH = 100
Engine = Choice["auto", "pyshacl"]
K = TypeVar("K", bound=Hashable)  # what the caller names its graphs by


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result. `path` is the property IRI, or a SPARQL-like path over full IRIs (`^p`, `p/q`,
    `p|q`) for a complex one, or None for a constraint on the node itself."""

    focus_node: str
    path: str | None
    component: str
    message: str
    severity: str


@dataclass(frozen=True, slots=True)
class Report:
    """`conforms` is True exactly when there are no results."""

    conforms: bool
    results: tuple[Violation, ...]


def validate(graph: Graph, engine: Engine = "auto") -> Report:
    """Validate one article graph."""
    return validate_many({"": graph}, engine)[""]


def validate_many(graphs: Mapping[K, Graph], engine: Engine = "auto") -> dict[K, Report]:
    """One `Report` per key of `graphs`, each exactly `validate(graphs[key])`.

    `engine="pyshacl"` runs pySHACL even when the compiled shapes could: the reference the tests compare with.
    """
    compiled = compiled_shapes() if engine == "auto" else None
    if compiled is not None:
        return {key: _checked(compiled, Data(*terms(graph))) for key, graph in graphs.items()}
    reports: dict[K, Report] = {}
    keys = iter(graphs)
    while batch := list(islice(keys, PYSHACL_BATCH)):
        reports |= _pyshacl_many({key: graphs[key] for key in batch})
    return reports


def validate_article_graphs(graphs: Mapping[K, ArticleGraph]) -> dict[K, Report]:
    """`validate_many` for graphs of N-Triples terms, as the build's workers emit them: indexed for the compiled
    checks as they are, turned into rdflib graphs only for pySHACL (when the shapes do not compile)."""
    compiled = compiled_shapes()
    if compiled is None:
        return validate_many({key: graph.graph() for key, graph in graphs.items()})
    return {key: _checked(compiled, Data(graph.triples, graph.rdflib_literals())) for key, graph in graphs.items()}


def _checked(compiled: tuple[TargetedShape, ...], data: Data) -> Report:
    return _report([_violation_of(failure) for failure in check(compiled, data)])


@cache
def single_valued() -> dict[str, bool]:
    """The properties the shapes allow one value of, wherever they constrain them: property IRI → whether it is
    one value per language (sh:uniqueLang) rather than one in all. What the published union keeps one of."""
    shapes = Graph().parse(SHAPES_PATH)
    paths: dict[str, list[tuple[bool, bool]]] = {}
    for shape in set(shapes.subjects(SH.path, None)):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef):
            one = shapes.value(shape, SH.maxCount) == Literal(1)
            per_language = shapes.value(shape, SH.uniqueLang) == Literal(True)
            paths.setdefault(str(path), []).append((one, per_language))
    return {path: not all(one for one, _ in found) for path, found in paths.items()
            if all(one or per_language for one, per_language in found)}


@cache
def compiled_shapes() -> tuple[TargetedShape, ...] | None:
    """The shapes compiled (mappings/validation/shacl.py), or None when they need pySHACL."""
    try:
        return compile_shapes(_shapes())
    except Unsupported as reason:
        logging.getLogger(__name__).warning("shapes.ttl needs pySHACL (%s): validation will be slower", reason)
        return None


def _violation_of(failure: Failure) -> Violation:
    return Violation(failure.focus, failure.path, failure.component, failure.message, failure.severity)


def _pyshacl_many(graphs: Mapping[K, Graph]) -> dict[K, Report]:
    """Many article graphs in one pySHACL run.

    Each graph enters the batch as a copy whose nodes are renamed apart (article-scoped), so the
    batch is a disjoint union: a node described by several articles is checked once per article,
    on that article's triples only, and a shared node is reported for each graph that has the
    offending data. (A plain union would hide a missing value that another article supplies and
    count values that no article repeats.)
    """
    batch = Graph()
    origin: dict[Node, tuple[K, Node]] = {}
    for index, (key, graph) in enumerate(graphs.items()):
        origin.update(_add_scoped(batch, graph, index, key))
    found: dict[K, list[Violation]] = {key: [] for key in graphs}
    for focus, violation in _run(batch):
        key, node = origin[focus]
        found[key].append(replace(violation, focus_node=str(node)))
    return {key: _report(violations) for key, violations in found.items()}


@cache
def _shapes() -> Graph:
    """The shapes file, with each node shape's targets copied onto its property shapes.

    Same results, ~6x faster on the seeds: pySHACL runs a property shape reached through sh:property
    once per focus node, rebuilding its constraints each time, but a targeted one once for all.
    """
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    for node_shape, property_shape in list(shapes.subject_objects(SH.property)):
        targets = [(p, o) for p in _TARGETS for o in shapes.objects(node_shape, p)]
        if targets:
            shapes.remove((node_shape, SH.property, property_shape))
            shapes.addN((property_shape, p, o, shapes) for p, o in targets)
    return shapes


def _run(data: Graph) -> list[tuple[Node, Violation]]:
    """Run pySHACL once; return each result with its focus node as found in `data`."""
    _, results, _ = shacl_validate(data, shacl_graph=_shapes(), inference="none")
    return [(focus, _violation(results, result, focus))
            for result in results.objects(predicate=SH.result)  # top-level results, not sh:detail
            if (focus := results.value(result, SH.focusNode)) is not None]


def _violation(results: Graph, result: Node, focus: Node) -> Violation:
    return Violation(
        focus_node=str(focus),
        path=path_text(results, results.value(result, SH.resultPath)),
        component=str(results.value(result, SH.sourceConstraintComponent)),
        message=message_text(results.objects(result, SH.resultMessage)),
        severity=str(results.value(result, SH.resultSeverity)),
    )


def _add_scoped(batch: Graph, graph: Graph, index: int, key: K) -> dict[Node, tuple[K, Node]]:
    """Add `graph` to `batch` with its nodes renamed apart; return renamed node -> (key, node)."""
    renamed: dict[Node, Node] = {}

    def scoped(node: Node) -> Node:
        if isinstance(node, Literal):
            return node
        if node not in renamed:
            renamed[node] = (URIRef(f"urn:x-vankien-batch:{index}:{node}") if isinstance(node, URIRef)
                             else BNode(f"b{index}x{node}"))
        return renamed[node]

    batch.addN((scoped(s), p, o if p in _VOCABULARY_SLOTS else scoped(o), batch) for s, p, o in graph)
    return {new: (key, node) for node, new in renamed.items()}


def _report(violations: list[Violation]) -> Report:
    """Sorted, and deduplicated: results that differ only in their value node are one Violation."""
    unique = sorted(set(violations), key=lambda v: (v.focus_node, v.path or "", v.component, v.message))
    return Report(conforms=not unique, results=tuple(unique))

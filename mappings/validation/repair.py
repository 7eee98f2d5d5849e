"""Leave out what the shapes reject, publish the rest: one bad fact never costs its article.

An article graph that violates ontology/shapes.ttl loses, for each result, the smallest unit that carries it,
and is validated again (at most ROUNDS times, since taking out one unit may leave another incomplete):

  values on a path   the focus node's values on the result's path (`p`: its p triples; `^p`: the p triples
                     that point to it; `p|q`: both), each with the rdf:Statement that gives its evidence. Of
                     several values, the one whose removal alone clears the result, if only one does (a date
                     the calendar lacks beside a real one); if none or several do (two labels: which is
                     right?), all of them, once no result of the round is so clear-cut
  a statement        a result on an rdf:Statement takes out the statement and the fact it describes
  a node             a result with no value to take out (a value missing), on rdf:type, or on a longer path
                     takes out the node: every triple about it and every triple pointing to it, with their
                     statements (so a mention of it, or a meeting's chair that it was, goes too)

Evidence sentences that no statement cites any more go with their selectors. The article node itself is never
taken out: a result that would need it gone leaves the article rejected, as does a graph that still violates
the shapes after ROUNDS rounds.

    >>> from mappings.emission.article_graph import ArticleGraph
    >>> graph = ArticleGraph("http://example.org/a")
    >>> graph.add("<http://example.org/m>", "<https://w3id.org/vankien/ontology#heldOn>",
    ...           graph.literal("2023-02-29", datatype="http://www.w3.org/2001/XMLSchema#date"))
    >>> graph.add("<http://example.org/m>", "<http://www.w3.org/2000/01/rdf-schema#label>", '"hội nghị"@vi')
    >>> wrong = Violation("http://example.org/m", "https://w3id.org/vankien/ontology#heldOn", "datatype", "...", "")
    >>> def check(graph: ArticleGraph) -> Report:
    ...     return Report(True, ())
    >>> repaired = repair(graph, Report(False, (wrong,)), check)
    >>> [t[1] for t in repaired.graph.triples], repaired.left_out == (wrong,)
    (['<http://www.w3.org/2000/01/rdf-schema#label>'], True)
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib.namespace import RDF

from mappings.emission.article_graph import ArticleGraph
from mappings.emission.ntriples import Terms, term
from mappings.emission.vocab import OA, VK
from mappings.validation.validate import Report, Violation

ROUNDS = 6
TRIALS = 16   # values of one result tried one by one (each trial validates the article graph again)
_TYPE, _STATEMENT = term(RDF.type), term(RDF.Statement)
_SUBJECT, _PREDICATE, _OBJECT = term(RDF.subject), term(RDF.predicate), term(RDF.object)
_EVIDENCE, _HAS_SELECTOR = term(VK.evidence), term(OA.hasSelector)
# Between the steps of a path as `path_text` writes it: a `/` (sequence) or `|` (alternative) before a scheme.
_STEP_BREAK = re.compile(r"([/|])(?=\^?[A-Za-z][A-Za-z0-9+.-]*:)")


@dataclass(frozen=True, slots=True)
class Repaired:
    graph: ArticleGraph               # conforms
    left_out: tuple[Violation, ...]   # each result whose unit was taken out, in the order found


def repair(graph: ArticleGraph, report: Report, check: Callable[[ArticleGraph], Report]) -> Repaired | None:
    """`graph` without what carries the results of `report`, validated again by `check` until it conforms;
    None when that would take out the article node, or does not end within ROUNDS rounds."""
    left_out: dict[Violation, None] = {}
    for _ in range(ROUNDS):
        index = _Index(graph)
        clear: dict[Violation, set[Terms]] = {}
        unclear: dict[Violation, set[Terms]] = {}
        for violation in report.results:
            values = index.values(violation)
            if len(values) > 1:
                one = _clearing(graph, index, violation, values, check)
                (clear if one else unclear)[violation] = one or values
                continue
            unit = values or index.unit(violation)
            if unit is None:
                return None
            clear[violation] = unit
        taken = clear or unclear  # what is clear first: it may clear the rest
        left_out.update(dict.fromkeys(taken))
        graph = graph.without(index.closed(set().union(*taken.values())))
        report = check(graph)
        if report.conforms:
            return Repaired(graph, tuple(left_out))
    return None


def _clearing(graph: ArticleGraph, index: _Index, violation: Violation, values: set[Terms],
              check: Callable[[ArticleGraph], Report]) -> set[Terms]:
    """The one value whose removal alone clears `violation`, if exactly one does (at most TRIALS are tried)."""
    if len(values) > TRIALS:
        return set()
    key = (violation.focus_node, violation.path, violation.component)
    clearing = [value for value in values
                if key not in {(v.focus_node, v.path, v.component)
                               for v in check(graph.without(index.closed({value}))).results}]
    return set(clearing) if len(clearing) == 1 else set()


class _Index:
    """An article graph's triples by subject and by object, and its statements with the facts they describe."""

    def __init__(self, graph: ArticleGraph) -> None:
        self.article = f"<{graph.iri}>"
        self.triples = graph.triples
        self.about: dict[str, list[Terms]] = {}
        self.into: dict[str, list[Terms]] = {}
        for triple in self.triples:
            self.about.setdefault(triple[0], []).append(triple)
            self.into.setdefault(triple[2], []).append(triple)
        self.statements: dict[str, Terms] = {}
        for node, triples in self.about.items():
            if (node, _TYPE, _STATEMENT) in triples:
                parts = {p: o for _, p, o in triples}
                self.statements[node] = (parts.get(_SUBJECT, ""), parts.get(_PREDICATE, ""), parts.get(_OBJECT, ""))

    def values(self, violation: Violation) -> set[Terms]:
        """The focus node's triples on the result's path, when the focus is no statement."""
        focus = f"<{violation.focus_node}>"
        return set() if focus in self.statements else self._on_path(focus, violation.path)

    def unit(self, violation: Violation) -> set[Terms] | None:
        """What carries a result that has no values to take out: a statement and its fact, or the focus node
        (None: the article node itself)."""
        focus = f"<{violation.focus_node}>"
        if focus in self.statements:
            return {*self.about[focus], self.statements[focus]}
        if focus == self.article:
            return None
        return {*self.about.get(focus, ()), *self.into.get(focus, ())}

    def _on_path(self, focus: str, path: str | None) -> set[Terms]:
        """The focus node's triples on a path of one step (or alternatives of such); none for a longer path or
        rdf:type, whose results take out the node."""
        if path is None:
            return set()
        parts = _STEP_BREAK.split(path)
        if "/" in parts[1::2]:
            return set()
        found: set[Terms] = set()
        for step in parts[::2]:
            predicate = f"<{step.removeprefix('^')}>"
            if predicate == _TYPE:
                return set()
            if step.startswith("^"):
                found.update(t for t in self.into.get(focus, ()) if t[1] == predicate)
            else:
                found.update(t for t in self.about.get(focus, ()) if t[1] == predicate)
        return found

    def closed(self, drop: set[Terms]) -> set[Terms]:
        """`drop` with the statements of its facts (or of its parts), and the evidence sentences no remaining
        statement cites, with their selectors."""
        for node, fact in self.statements.items():
            own = self.about[node]
            if fact in drop or not drop.isdisjoint(own):
                drop.update(own)
        cited = {t[2] for t in self.triples if t[1] == _EVIDENCE}
        still = {t[2] for t in self.triples if t[1] == _EVIDENCE and t not in drop}
        for sentence in cited - still:
            for triple in self.about.get(sentence, ()):
                drop.add(triple)
                if triple[1] == _HAS_SELECTOR:
                    drop.update(self.about.get(triple[2], ()))
        return drop

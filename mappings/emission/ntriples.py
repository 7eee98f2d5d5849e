"""rdflib terms → canonical N-Triples text: the form in which the build validates, stores and dumps a graph.

Terms are plain `str` in N-Triples syntax (`<iri>`, `_:id`, `"lexical"@lang`, `"lexical"^^<datatype>`),
exactly as pyoxigraph writes them, so a line `f"{s} {p} {o} .\\n"` is what the dumps hold. Plain strings
also compare and hash in C, where rdflib terms run Python methods on every dictionary lookup.

    >>> from rdflib import Literal, URIRef
    >>> term(URIRef("http://example.org/a")), term(Literal("Thanh Hóa", lang="vi")), term(Literal(3))
    ('<http://example.org/a>', '"Thanh Hóa"@vi', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')
"""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

Terms = tuple[str, str, str]


def term(node: Node) -> str:
    """The N-Triples form of an rdflib IRI, blank node or literal."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return _literal(node)
    raise TypeError(f"not an RDF term: {node!r}")


def _literal(node: Literal) -> str:
    if node.language:
        return str(ox.Literal(str(node), language=node.language))
    if node.datatype:
        return str(ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype))))
    return str(ox.Literal(str(node)))


def terms(triples: Iterable[tuple[Node, Node, Node]]) -> tuple[list[Terms], dict[str, Literal]]:
    """The triples as N-Triples terms, and each literal's term → the rdflib literal (its value semantics)."""
    out: list[Terms] = []
    literals: dict[str, Literal] = {}
    for s, p, o in triples:
        if isinstance(o, Literal):
            text = _literal(o)
            literals[text] = o
        else:
            text = term(o)
        out.append((term(s), term(p), text))
    return out, literals


def lines(triples: Iterable[Terms]) -> list[str]:
    """Distinct N-Triples lines, sorted (code point order, as the dumps are)."""
    return sorted({f"{s} {p} {o} .\n" for s, p, o in triples})

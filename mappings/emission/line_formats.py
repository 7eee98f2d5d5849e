"""Turtle, TriG and JSON-LD written straight from N-Triples lines, with no parsing into RDF terms.

The build holds every graph as sorted N-Triples lines (mappings/emission/graph_text.py), exactly as pyoxigraph
writes them. Each of these formats is a regrouping of those lines: consecutive lines of one subject
become one Turtle block (`;` between predicates, `,` between objects) or one JSON-LD node object.
N-Triples terms are valid Turtle terms as they are; IRIs get a prefix where the local part is a
plain name. Parsing the lines into pyoxigraph terms only to serialise them again took twice as long.

    >>> names = Names({"vk": "https://w3id.org/vankien/ontology#"})
    >>> lines = ['<http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/vankien/ontology#Article> .\\n',
    ...          '<http://x/a> <https://w3id.org/vankien/ontology#title> "Tổng kết"@vi .\\n']
    >>> print(turtle(lines, names).expandtabs(4), end="")
    <http://x/a> a vk:Article ;
        vk:title "Tổng kết"@vi .
    >>> print(jsonld(lines))
    {"@id": "http://x/a", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": [{"@id": "https://w3id.org/vankien/ontology#Article"}], "https://w3id.org/vankien/ontology#title": [{"@value": "Tổng kết", "@language": "vi"}]}
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from pyoxigraph import NamedNode

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")  # a conservative PN_LOCAL: never needs escapes
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_CACHED = 1 << 12  # IRIs whose abbreviation is remembered
NODE_SEPARATOR = ",\n"  # between JSON-LD node objects, within and between gzip members


class Names:
    """IRI → prefixed name where a prefix covers it and the rest is a plain name."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = dict(prefixes)
        self._namespaces = {iri: name for name, iri in sorted(prefixes.items(), reverse=True)}
        self.short: dict[str, str] = {}   # term → how Turtle writes it (IRIs seen lately)
        self.verbs: dict[str, str] = {}   # predicate → how Turtle writes it (`a` for rdf:type)

    def header(self) -> str:
        """The @prefix lines of a Turtle or TriG file."""
        return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(self.prefixes.items()))

    def iri(self, term: str) -> str:
        """`<iri>` → `prefix:local`, or the term as it is; a ValueError if it is not a valid IRI (each IRI is
        checked here, where every line of every graph passes, so the store can load them unchecked)."""
        if term[1] == "<":
            raise ValueError(f"triple terms are not supported in the dumps: {term}")
        try:
            NamedNode(term[1:-1])
        except ValueError as error:
            raise ValueError(f"{term}: not a valid IRI: {error}") from error
        cut = max(term.rfind("#"), term.rfind("/")) + 1
        name = self._namespaces.get(term[1:cut])
        short = f"{name}:{term[cut:-1]}" if name is not None and _LOCAL.match(term, cut, len(term) - 1) else term
        if len(self.short) >= _CACHED:  # most IRIs are an article's own: forget them, keep the common ones coming
            self.short.clear()
        self.short[term] = short
        return short

    def verb(self, term: str) -> str:
        verb = "a" if term == RDF_TYPE else self.iri(term)
        if len(self.verbs) < _CACHED:
            self.verbs[term] = verb
        return verb

    def literal(self, term: str) -> str:
        """A literal, its datatype abbreviated."""
        if term[-1] != ">":
            return term
        lexical, _, datatype = term.rpartition("^^")
        return f"{lexical}^^{self.short.get(datatype) or self.iri(datatype)}"


def turtle(lines: Iterable[str], names: Names, indent: str = "") -> str:
    """Turtle statements (no @prefix lines) for N-Triples lines; a subject's lines must be consecutive to be
    grouped (sorted lines are)."""
    out: list[str] = []
    subject = predicate = ""
    short, verbs = names.short, names.verbs
    for line in lines:
        s, p, o = line[:-3].split(" ", 2)
        verb = verbs.get(p) or names.verb(p)
        if o[0] == '"':
            value = o if o[-1] != ">" else names.literal(o)
        else:
            value = short.get(o) or (o if o[0] == "_" else names.iri(o))
        if s != subject:
            if subject:
                out.append(" .\n")
            out += (indent, short.get(s) or (s if s[0] == "_" else names.iri(s)), " ", verb, " ", value)
            subject, predicate = s, p
        elif p != predicate:
            out += (" ;\n", indent, "\t", verb, " ", value)
            predicate = p
        else:
            out += (" ,\n", indent, "\t\t", value)
    if subject:
        out.append(" .\n")
    return "".join(out)


def trig(graph: str, lines: list[str], names: Names) -> str:
    """One TriG graph block (no @prefix lines)."""
    return f"<{graph}> {{\n{turtle(lines, names, chr(9))}}}\n" if lines else ""


def jsonld(lines: Iterable[str]) -> str:
    """JSON-LD node objects, separated by NODE_SEPARATOR, without the array's brackets; full IRIs throughout,
    so no context term can change what they mean."""
    out: list[str] = []
    subject = predicate = ""
    for line in lines:
        s, p, o = line[:-3].split(" ", 2)
        if o[0] == "<":
            if o[1] == "<":
                raise ValueError(f"triple terms are not supported in the dumps: {o}")
            value = f'{{"@id": "{o[1:-1]}"}}'
        elif o[0] == "_":
            value = f'{{"@id": "{o}"}}'
        else:
            end = o.rfind('"')
            lexical = _json_string(o[:end + 1])
            if end == len(o) - 1:
                value = f'{{"@value": {lexical}}}'
            elif o[end + 1] == "@":
                value = f'{{"@value": {lexical}, "@language": "{o[end + 2:]}"}}'
            else:
                value = f'{{"@value": {lexical}, "@type": "{o[end + 4:-1]}"}}'
        if s != subject:
            if subject:
                out += ("]}", NODE_SEPARATOR)
            out += ('{"@id": "', s[1:-1] if s[0] == "<" else s, '", "', p[1:-1], '": [', value)
            subject, predicate = s, p
        elif p != predicate:
            out += ('], "', p[1:-1], '": [', value)
            predicate = p
        else:
            out += (", ", value)
    if subject:
        out.append("]}")
    return "".join(out)


def _json_string(quoted: str) -> str:
    """An N-Triples string (with its quotes) as a JSON string. pyoxigraph escapes exactly what JSON must
    (quote, backslash, controls) and only with escapes JSON shares, so it usually is one already."""
    if "\\" not in quoted:
        return quoted
    return json.dumps(_ESCAPE.sub(_unescape, quoted[1:-1]), ensure_ascii=False)


def _unescape(match: re.Match[str]) -> str:
    short, long, char = match.groups()
    if short or long:
        return chr(int(short or long, 16))
    if char not in _ECHAR:
        raise ValueError(f"not an N-Triples escape: \\{char}")
    return _ECHAR[char]

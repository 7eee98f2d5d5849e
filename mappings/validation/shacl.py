"""SHACL Core, compiled: the constraints ontology/shapes.ttl uses, checked without pySHACL's per-lookup cost.

pySHACL evaluates every shape through rdflib graph lookups (~20 µs per triple of an article graph). Here
the shapes are compiled once into Python checks and each data graph is indexed once into dicts keyed
by N-Triples text (mappings/emission/ntriples.py). What a value means (datatypes, ill-typed literals,
comparisons, patterns, language tags) is decided exactly as pySHACL decides it, on the same rdflib
literals. `compile_shapes` raises `Unsupported` for anything outside the subset below, and
mappings.validation.validate then runs pySHACL itself: a new kind of constraint in shapes.ttl is never skipped.
tests/test_shacl.py compares every result with pySHACL's.

Supported: targets sh:targetClass/targetNode/targetSubjectsOf/targetObjectsOf; paths: a property,
^property, sequences and alternatives of those; components minCount, maxCount, datatype, nodeKind,
class, in, pattern (no flags), languageIn, uniqueLang, or, qualifiedValueShape with qualifiedMin/MaxCount,
disjoint, lessThanOrEquals, minInclusive; every reporting shape must carry its own sh:message.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from mappings.emission.ntriples import Terms, term

Check = Callable[["Data", str, list[str]], bool]   # True: the focus node violates the constraint

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_DESCRIPTIVE = frozenset({RDF.type, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group,
                          RDFS.label, RDFS.comment, SH.path, *_TARGETS})
_QUALIFIED = (SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint)
_NODE_KINDS: dict[Node, str] = {SH.IRI: "<", SH.BlankNode: "_", SH.Literal: '"', SH.BlankNodeOrIRI: "_<", SH.BlankNodeOrLiteral: '_"',
               SH.IRIOrLiteral: '<"'}   # the first character of each kind's N-Triples form
_TYPE, _SUBCLASS = term(RDF.type), term(RDFS.subClassOf)


class Unsupported(ValueError):
    """The shapes use a construct this module does not implement (pySHACL must run instead)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One violated constraint of one shape at one focus node (value nodes are not told apart)."""

    focus: str          # as rdflib's str() of the node: the IRI, the blank node id or the lexical form
    path: str | None
    component: str
    message: str
    severity: str


class Data:
    """A data graph indexed for the checks: subject → predicate → objects (and, when asked, the inverse).

    Nodes are N-Triples text; `literals` gives the rdflib literal of each literal's text, for its value.
    """

    def __init__(self, triples: Iterable[Terms], literals: dict[str, Literal]) -> None:
        self.out: dict[str, dict[str, list[str]]] = {}
        self.literals = literals
        for s, p, o in triples:
            self.out.setdefault(s, {}).setdefault(p, []).append(o)
        self._into: dict[str, dict[str, list[str]]] = {}   # predicate → object → subjects
        self._instances: dict[str, list[str]] | None = None

    def objects(self, node: str, predicate: str) -> list[str]:
        return self.out.get(node, {}).get(predicate, [])

    def subjects(self, predicate: str, node: str) -> list[str]:
        if predicate not in self._into:
            index: dict[str, list[str]] = {}
            for subject, by_predicate in self.out.items():
                for obj in by_predicate.get(predicate, ()):
                    index.setdefault(obj, []).append(subject)
            self._into[predicate] = index
        return self._into[predicate].get(node, [])

    def objects_of(self, predicate: str) -> list[str]:
        """Every node that is the object of `predicate`."""
        return list(dict.fromkeys(o for by_predicate in self.out.values() for o in by_predicate.get(predicate, ())))

    def instances(self, cls: str) -> list[str]:
        """Nodes typed `cls` or a subclass of it (rdfs:subClassOf in the data graph, as SHACL says)."""
        if self._instances is None:
            self._instances = {}
            for node, by_predicate in self.out.items():
                for direct in by_predicate.get(_TYPE, ()):
                    for ancestor in self._ancestors(direct):
                        self._instances.setdefault(ancestor, []).append(node)
        return list(dict.fromkeys(self._instances.get(cls, [])))

    def is_instance(self, node: str, cls: str) -> bool:
        return any(cls in self._ancestors(t) for t in self.objects(node, _TYPE))

    def node(self, text: str) -> Node:
        """The rdflib node of a term."""
        if text[0] == '"':
            return self.literals[text]
        return BNode(text[2:]) if text[0] == "_" else URIRef(text[1:-1])

    def _ancestors(self, cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self.objects(todo.pop(), _SUBCLASS):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


# -- paths ---------------------------------------------------------------------------------------

Path = Callable[[Data, str], list[str]]


def _path(shapes: Graph, node: Node) -> Path:
    if isinstance(node, URIRef):
        predicate = term(node)
        return lambda data, focus: data.objects(focus, predicate)
    if (inverse := shapes.value(node, SH.inversePath)) is not None:
        if not isinstance(inverse, URIRef):
            raise Unsupported(f"sh:inversePath of a complex path at {node}")
        backwards = term(inverse)
        return lambda data, focus: data.subjects(backwards, focus)
    if (alternatives := shapes.value(node, SH.alternativePath)) is not None:
        steps = [_path(shapes, p) for p in Collection(shapes, alternatives)]
        return lambda data, focus: list(dict.fromkeys(v for step in steps for v in step(data, focus)))
    if (shapes.value(node, RDF.first)) is not None:
        sequence = [_path(shapes, p) for p in Collection(shapes, node)]

        def walk(data: Data, focus: str) -> list[str]:
            nodes = [focus]
            for step in sequence:
                nodes = list(dict.fromkeys(v for n in nodes for v in step(data, n)))
            return nodes
        return walk
    raise Unsupported(f"path {node}: only properties, ^property, sequences and alternatives")


def path_text(graph: Graph, path: Node | None) -> str | None:
    """The property IRI, or a SPARQL-like path over full IRIs: `^p`, `p/q`, `p|q`."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    if (inverse := graph.value(path, SH.inversePath)) is not None:
        return f"^{path_text(graph, inverse)}"
    if (alternatives := graph.value(path, SH.alternativePath)) is not None:
        return "|".join(str(path_text(graph, p)) for p in Collection(graph, alternatives))
    return "/".join(str(path_text(graph, p)) for p in Collection(graph, path))


def message_text(messages: Iterable[Node]) -> str:
    """The English message if there is one, else an untagged one, else any."""
    rank = {"en": 0, None: 1}
    ranked = sorted(messages, key=lambda m: rank.get(m.language if isinstance(m, Literal) else None, 2))
    return str(ranked[0]) if ranked else ""


# -- what values mean: pySHACL's own rules, on rdflib terms ---------------------------------------

_PYTHON_KINDS: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float, XSD.decimal: Decimal,
    XSD.boolean: bool, XSD.date: dt.date, XSD.time: dt.time, XSD.dateTime: dt.datetime}


def _datatype_test(datatype: Node) -> Callable[[Data, str], bool]:
    """pySHACL's sh:datatype test, with the answers for plain and language-tagged strings decided once."""
    plain = datatype in (XSD.string, RDFS.Literal)
    tagged = datatype in (RDF.langString, RDFS.Literal)
    integer = datatype == XSD.integer

    def test(data: Data, value: str) -> bool:
        if value[0] != '"':
            return False
        if integer and _integer(value) is not None:
            return True
        suffix = value[value.rindex('"') + 1:]
        if not suffix:
            return plain
        if suffix[0] == "@" and tagged:
            return True
        return _has_datatype(data.literals[value], datatype)
    return test


def _has_datatype(literal: Literal, datatype: Node) -> bool:
    if literal.datatype == datatype:
        return getattr(literal, "ill_typed", None) is not True and _holds_type(literal, datatype)
    if datatype == RDFS.Literal or (datatype == RDFS.Datatype and literal.datatype):
        return True
    if literal.datatype is None and literal.language is None and datatype == XSD.string:
        return _holds_type(literal, datatype)
    return bool(datatype == RDF.langString and literal.language and _holds_type(literal, datatype))


def _holds_type(value: Literal, datatype: Node) -> bool:
    """pySHACL's check that rdflib read the lexical form into a Python value of the datatype's kind."""
    return datatype not in _PYTHON_KINDS or isinstance(value.value, _PYTHON_KINDS[datatype])


def _string(node: Node) -> str:
    """SPARQL str(): the lexical form of a literal (its value for strings), the IRI of an IRI."""
    if isinstance(node, Literal) and node.value is not None and node.datatype in (None, RDF.langString, XSD.string):
        return str(node.value)
    return str(node)


def _at_least(node: Node, minimum: Literal) -> bool:
    if not isinstance(node, Literal) or isinstance(minimum.value, str) != isinstance(node.value, str):
        return False
    try:
        return bool(compare_literal(node, minimum) >= 0)  # type: ignore[no-untyped-call]
    except (TypeError, NotImplementedError):
        return False


def _not_after(value: Node, bound: Node) -> bool:
    """sh:lessThanOrEquals for one pair, as pySHACL compares: strings with strings, else Python <=."""
    if isinstance(value, BNode) or isinstance(bound, BNode):
        raise TypeError("sh:lessThanOrEquals cannot compare a blank node")
    if isinstance(value, Literal) and isinstance(bound, Literal) and type(value.value) is type(bound.value) is int:
        return bool(value.value <= bound.value)  # what rdflib's <= does for two integers, without its detours
    (left, left_is_string), (right, right_is_string) = _comparable(value), _comparable(bound)
    return left_is_string == right_is_string and bool(left <= right)


def _comparable(node: Node) -> tuple[Any, bool]:
    """(what to compare, whether it is a string): IRIs and string literals compare as strings."""
    if isinstance(node, URIRef):
        return str(node), True
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value, True
    return node, False


def _language(data: Data, value: str) -> str | None:
    """The language tag, lower-cased (pySHACL compares them so), of a language-tagged literal."""
    if value[0] != '"':
        return None
    language = data.literals[value].language
    return language.lower() if language else None


def _language_in(data: Data, value: str, wanted: set[str]) -> bool:
    language = _language(data, value)
    return language is not None and ("*" in wanted or language in wanted or language.split("-")[0] in wanted)


def _repeats_a_language(data: Data, values: list[str]) -> bool:
    languages = [language for v in values if (language := _language(data, v))]
    return len(languages) != len(set(languages))


# -- shapes ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Shape:
    """A compiled shape: where its value nodes come from and the checks they must pass."""

    node: Node
    path: Path | None                       # None: a node shape, whose value node is the focus node
    checks: tuple[tuple[str, Check], ...]   # (constraint component IRI, check)

    def values(self, data: Data, focus: str) -> list[str]:
        return [focus] if self.path is None else self.path(data, focus)

    def conforms(self, data: Data, focus: str) -> bool:
        values = self.values(data, focus)
        return not any(check(data, focus, values) for _, check in self.checks)


@dataclass(frozen=True, slots=True)
class TargetedShape:
    """A shape with targets: it reports its failures under its own path, message and severity."""

    shape: Shape
    targets: tuple[tuple[str, str], ...]  # (targetClass ..., object as N-Triples text)
    path: str | None
    message: str
    severity: str

    def focus_nodes(self, data: Data) -> list[str]:
        found: list[str] = []
        for kind, target in self.targets:
            if kind == "targetClass":
                found += data.instances(target)
            elif kind == "targetNode":
                found.append(target)
            elif kind == "targetSubjectsOf":
                found += [s for s, by_predicate in data.out.items() if target in by_predicate]
            else:
                found += data.objects_of(target)
        return list(dict.fromkeys(found))

    def failures(self, data: Data) -> Iterator[Failure]:
        for focus in self.focus_nodes(data):
            values = self.shape.values(data, focus)
            for component, check in self.shape.checks:
                if check(data, focus, values):
                    yield Failure(str(data.node(focus)), self.path, component, self.message, self.severity)


def compile_shapes(shapes: Graph) -> tuple[TargetedShape, ...]:
    """Every shape with targets, compiled; `Unsupported` if any shape needs more than this module does."""
    if any(True for _ in shapes.subjects(RDF.type, RDFS.Class)):
        raise Unsupported("a shape that is also an rdfs:Class (implicit class target)")
    compiled = []
    for node in dict.fromkeys(s for target in _TARGETS for s in shapes.subjects(target, None)):
        if shapes.value(node, SH.deactivated) == Literal(True):
            continue
        shape = _shape(shapes, node)
        messages = list(shapes.objects(node, SH.message))
        if not shape.checks:
            continue
        if not messages:
            raise Unsupported(f"{node}: no sh:message (pySHACL would write its own)")
        targets = tuple((p.removeprefix(str(SH)), term(o)) for p in _TARGETS for o in shapes.objects(node, p))
        compiled.append(TargetedShape(shape, targets, path_text(shapes, shapes.value(node, SH.path)),
                                      message_text(messages), str(shapes.value(node, SH.severity) or SH.Violation)))
    return tuple(compiled)


def _shape(shapes: Graph, node: Node) -> Shape:
    path = shapes.value(node, SH.path)
    checks: list[tuple[str, Check]] = []
    for parameter in set(shapes.predicates(node)) - _DESCRIPTIVE - set(_QUALIFIED) - {SH.deactivated}:
        if parameter not in _COMPONENTS:
            raise Unsupported(f"{node}: {parameter}")
        values = list(shapes.objects(node, parameter))
        if len(values) != 1:
            raise Unsupported(f"{node}: {len(values)} values of {parameter}")
        checks += _COMPONENTS[parameter](shapes, node, values[0])
    return Shape(node, _path(shapes, path) if path is not None else None, tuple(checks))


Compiler = Callable[[Graph, Node, Node], list[tuple[str, Check]]]


def _component(name: str) -> str:
    return str(SH[f"{name}ConstraintComponent"])


def _count(name: str, too_few: bool) -> Compiler:
    def compile_count(shapes: Graph, node: Node, value: Node) -> list[tuple[str, Check]]:
        bound = int(str(value))
        if too_few:
            return [(_component(name), lambda data, focus, values: len(values) < bound)]
        return [(_component(name), lambda data, focus, values: len(values) > bound)]
    return compile_count


def _each(name: str, ok: Callable[[Data, str, str], bool]) -> list[tuple[str, Check]]:
    """A component that every value node must pass on its own."""
    return [(_component(name), lambda data, focus, values: not all(ok(data, focus, v) for v in values))]


def _datatype(shapes: Graph, node: Node, datatype: Node) -> list[tuple[str, Check]]:
    test = _datatype_test(datatype)
    return _each("Datatype", lambda data, focus, v: test(data, v))


def _node_kind(shapes: Graph, node: Node, kind: Node) -> list[tuple[str, Check]]:
    if kind not in _NODE_KINDS:
        raise Unsupported(f"{node}: sh:nodeKind {kind}")
    starts = _NODE_KINDS[kind]
    return _each("NodeKind", lambda data, focus, v: v[0] in starts)


def _class(shapes: Graph, node: Node, cls: Node) -> list[tuple[str, Check]]:
    wanted = term(cls)
    return _each("Class", lambda data, focus, v: data.is_instance(v, wanted))


def _in(shapes: Graph, node: Node, members: Node) -> list[tuple[str, Check]]:
    allowed = frozenset(term(member) for member in Collection(shapes, members))
    return _each("In", lambda data, focus, v: v in allowed)


def _pattern(shapes: Graph, node: Node, pattern: Node) -> list[tuple[str, Check]]:
    if shapes.value(node, SH.flags) is not None:
        raise Unsupported(f"{node}: sh:flags")
    regex = re.compile(str(pattern))
    return _each("Pattern", lambda data, focus, v:
                 v[0] != "_" and regex.search(_string(data.node(v))) is not None)


def _language_in_check(shapes: Graph, node: Node, languages: Node) -> list[tuple[str, Check]]:
    wanted = {str(language).lower() for language in Collection(shapes, languages)}
    return _each("LanguageIn", lambda data, focus, v: _language_in(data, v, wanted))


def _unique_lang(shapes: Graph, node: Node, flag: Node) -> list[tuple[str, Check]]:
    if flag != Literal(True):
        return []
    return [(_component("UniqueLang"), lambda data, focus, values: _repeats_a_language(data, values))]


def _or(shapes: Graph, node: Node, members: Node) -> list[tuple[str, Check]]:
    options = [_shape(shapes, member) for member in Collection(shapes, members)]
    return _each("Or", lambda data, focus, v: any(option.conforms(data, v) for option in options))


def _qualified(shapes: Graph, node: Node, qualified: Node) -> list[tuple[str, Check]]:
    if shapes.value(node, SH.qualifiedValueShapesDisjoint) not in (None, Literal(False)):
        raise Unsupported(f"{node}: sh:qualifiedValueShapesDisjoint")
    shape = _shape(shapes, qualified)
    checks: list[tuple[str, Check]] = []
    if (least := shapes.value(node, SH.qualifiedMinCount)) is not None:
        low = int(str(least))
        checks.append((_component("QualifiedMinCount"), lambda data, focus, values:
                       sum(shape.conforms(data, v) for v in values) < low))
    if (most := shapes.value(node, SH.qualifiedMaxCount)) is not None:
        high = int(str(most))
        checks.append((_component("QualifiedMaxCount"), lambda data, focus, values:
                       sum(shape.conforms(data, v) for v in values) > high))
    return checks


def _disjoint(shapes: Graph, node: Node, predicate: Node) -> list[tuple[str, Check]]:
    other = term(predicate)
    return [(_component("Disjoint"), lambda data, focus, values:
             not set(values).isdisjoint(data.objects(focus, other)))]


def _less_than_or_equals(shapes: Graph, node: Node, predicate: Node) -> list[tuple[str, Check]]:
    other = term(predicate)

    def ok(data: Data, focus: str, v: str) -> bool:
        for bound in data.objects(focus, other):
            if (low := _integer(v)) is not None and (high := _integer(bound)) is not None:
                if low > high:
                    return False
            elif not _not_after(data.node(v), data.node(bound)):
                return False
        return True
    return _each("LessThanOrEquals", ok)


def _min_inclusive(shapes: Graph, node: Node, minimum: Node) -> list[tuple[str, Check]]:
    if not isinstance(minimum, Literal):
        raise Unsupported(f"{node}: sh:minInclusive {minimum}")
    low = minimum.value if minimum.datatype == XSD.integer and type(minimum.value) is int else None

    def ok(data: Data, focus: str, v: str) -> bool:
        if low is not None and (number := _integer(v)) is not None:
            return number >= low
        return _at_least(data.node(v), minimum)
    return _each("MinInclusive", ok)


_INTEGER = re.compile(r'"([+-]?[0-9]+)"\^\^<http://www\.w3\.org/2001/XMLSchema#integer>')


def _integer(value: str) -> int | None:
    """The number an `xsd:integer` literal's N-Triples text writes, as rdflib reads it; None for anything else.

    Spans and offsets are compared on every statement: reading them as rdflib literals cost a third of the checks."""
    found = _INTEGER.fullmatch(value)
    return int(found[1]) if found else None


_COMPONENTS: dict[Node, Compiler] = {
    SH.minCount: _count("MinCount", too_few=True), SH.maxCount: _count("MaxCount", too_few=False),
    SH.datatype: _datatype, SH.nodeKind: _node_kind, SH["class"]: _class, SH["in"]: _in, SH.pattern: _pattern,
    SH.languageIn: _language_in_check, SH.uniqueLang: _unique_lang, SH["or"]: _or, SH.qualifiedValueShape: _qualified,
    SH.disjoint: _disjoint, SH.lessThanOrEquals: _less_than_or_equals, SH.minInclusive: _min_inclusive,
}


def check(shapes: tuple[TargetedShape, ...], data: Data) -> list[Failure]:
    """Every failure of the indexed data graph against the compiled `shapes`."""
    return [failure for shape in shapes for failure in shape.failures(data)]

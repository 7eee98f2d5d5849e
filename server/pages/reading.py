"""Reading a description in the page's language: labels, linked values and the quotes behind facts.

Labels come in the page language first, then the other one (`server.http.i18n.LANGUAGES`), then any.
"""

from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from server.http.i18n import LANGUAGES, translate
from server.http.namespaces import PREFIXES, RDFS_LABEL, curie
from server.http.urls import Urls
from server.pages.description import OA, VK, Description, Fact, Term

PLAIN = PREFIXES["xsd"] + "string"


@dataclass(frozen=True, slots=True)
class Quote:
    """One article reporting a fact: the sentence, split around the mention when its span is known."""

    title: str
    href: str
    published: str | None
    before: str
    mention: str
    after: str


@dataclass(frozen=True, slots=True)
class Value:
    text: str
    href: str | None = None
    lang: str | None = None
    note: str | None = None  # a literal's datatype, or the compact IRI behind a label
    iri: str | None = None
    quotes: tuple[Quote, ...] = ()
    reported: int = 0  # how many articles report the fact (some may not be quoted)


class Reader:
    def __init__(self, description: Description, lang: str, urls: Urls) -> None:
        self.description = description
        self.graph = description.graph
        self.urls = urls
        self.lang = lang
        self._rank = {code: rank for rank, code in enumerate(sorted(LANGUAGES, key=lambda c: c != lang))}

    def t(self, key: str, **values: object) -> str:
        """A UI string in the page language (`server.http.i18n.translate`)."""
        return translate(self.lang, key, **values)

    def order(self, value: Value) -> tuple[int, str]:
        """Sort key of values: the page language first, then the other, then the rest; by text."""
        return self._language_rank(value.lang), value.text

    def labels(self, node: Term | None) -> list[Literal]:
        """Every label of `node`, the page language first."""
        found = [label for label in self.graph.objects(node, RDFS_LABEL) if isinstance(label, Literal)]
        return sorted(found, key=lambda label: (self._language_rank(label.language), label.value))

    def label(self, node: Term | None) -> str | None:
        labels = self.labels(node)
        return labels[0].value if labels else None

    def name(self, node: NamedNode) -> str:
        """The best label, else the compact IRI."""
        return self.label(node) or curie(node.value)

    def value(self, term: Term, fact: Fact | None = None) -> Value:
        """How a term shows: a label linking to its page, or a literal with its language or datatype;
        with the quotes of `fact` when it is one the articles report."""
        quotes = self.quotes(fact) if fact else ()
        reported = self.description.reported.get(fact, 0) if fact else 0
        if isinstance(term, NamedNode):
            label, short = self.label(term), curie(term.value)
            note = short if label and short != term.value else None
            return Value(label or short, self.urls.href(term.value), None, note, term.value, quotes, reported)
        datatype = None if term.language or term.datatype.value == PLAIN else curie(term.datatype.value)
        return Value(term.value, None, term.language, datatype, None, quotes, reported)

    def quotes(self, fact: Fact) -> tuple[Quote, ...]:
        return tuple(self._quote(statement) for statement in self.graph.statements(fact))

    def _language_rank(self, lang: str | None) -> int:
        return self._rank.get(lang or "", len(self._rank))

    def _quote(self, statement: NamedNode) -> Quote:
        """The article and sentence of a statement (offsets count code points of the article body)."""
        evidence = self.graph.value(statement, VK + "evidence")
        article = self.graph.value(evidence, OA + "hasSource")
        selector = self.graph.value(evidence, OA + "hasSelector")
        assert isinstance(article, NamedNode)  # EVIDENCE requires it
        offsets = [
            _number(self.graph.value(selector, OA + "start")),
            _number(self.graph.value(statement, VK + "spanStart")),
            _number(self.graph.value(statement, VK + "spanEnd")),
        ]
        parts = _split(_text(self.graph.value(selector, OA + "exact")), *offsets)
        published = _text(self.graph.value(article, VK + "published")) or None
        return Quote(self.name(article), self.urls.href(article.value), published, *parts)


def _split(sentence: str, at: int | None, start: int | None, end: int | None) -> tuple[str, str, str]:
    """The sentence (which starts at offset `at`) around the mention at [start, end), or all of it
    before an empty mention when the span is unknown or falls outside.

    >>> _split("thực hiện Chỉ thị 39 của", 100, 110, 120)
    ('thực hiện ', 'Chỉ thị 39', ' của')
    >>> _split("short", 0, 3, 9)
    ('short', '', '')
    """
    if at is None or start is None or end is None or not at <= start < end <= at + len(sentence):
        return sentence, "", ""
    return sentence[: start - at], sentence[start - at : end - at], sentence[end - at :]


def _text(term: Term | None) -> str:
    return term.value if term is not None else ""


def _number(term: Term | None) -> int | None:
    return int(term.value) if isinstance(term, Literal) and term.value.lstrip("-").isdigit() else None

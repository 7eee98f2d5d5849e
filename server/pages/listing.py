"""Class lists, `/class/{name}`: every member of a class of the ontology, one page at a time, each with
its key facts. Documents, articles and meetings come newest first (undated last), the rest by label.
`/class/` is the index of classes with their counts.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode, QuerySolutions, Triple

from mappings.reading.text import fold
from server.data.per_build import PerBuild
from server.data.store import GraphStore
from server.http.errors import NotFound
from server.http.namespaces import PREFIXES, curie
from server.http.urls import Urls
from server.pages import labels, paging, tabular
from server.pages.rendering import Alternate
from server.pages.vocabulary import Vocabulary, name, vocabulary

VK, ORG = PREFIXES["vk"], PREFIXES["org"]
INDEX_PATH = "/class/"  # a class's list is INDEX_PATH + its name: /class/Directive
PAGE_SIZE = 50
LATEST = 10  # articles on the home page
WEB_LINK = PREFIXES["xsd"] + "anyURI"


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # its name in JSON and CSV, and its heading, the message `list_columns.<key>`
    predicate: str


COLUMNS = {  # the key facts of each class's members; a subclass shows its parent's
    VK + "Document": (
        Column("symbol", VK + "symbol"), Column("issued", VK + "issuedOn"),
        Column("issuer", VK + "issuedBy"), Column("province", VK + "province"),
    ),
    VK + "Article": (Column("published", VK + "published"), Column("source", VK + "sourceUrl")),
    VK + "Meeting": (Column("held", VK + "heldOn"), Column("place", VK + "heldIn")),
    VK + "Province": (
        Column("code", VK + "code"), Column("from", VK + "validFrom"), Column("until", VK + "validUntil"),
    ),
    VK + "Organization": (Column("code", VK + "issuerCode"), Column("province", VK + "province")),
    VK + "Official": (Column("positions", ORG + "hasMembership"),),
}
DATES = {VK + "Document": VK + "issuedOn", VK + "Article": VK + "published", VK + "Meeting": VK + "heldOn"}
MEMBERS = """
SELECT ?resource ?label ?type WHERE {
  ?resource a ?type FILTER(isIRI(?resource))
  OPTIONAL { ?resource rdfs:label ?label }
}"""
DATED_MEMBERS = """
SELECT ?resource ?label ?date ?type ?dated WHERE {
  ?resource a ?type FILTER(isIRI(?resource))
  OPTIONAL { ?resource rdfs:label ?label }
  OPTIONAL { ?resource ?dated ?date }
}"""


@dataclass(frozen=True, slots=True)
class Fact:
    text: str  # what the page shows: a literal, a resource's label, a web address's host
    value: str  # the literal, the resource's IRI or the web address
    href: str | None = None
    lang: str | None = None
    resource: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    iri: str
    href: str
    label: str
    facts: tuple[tuple[Fact, ...], ...]  # one tuple per column


@dataclass(frozen=True, slots=True)
class ClassList:
    iri: str
    name: str
    label: str
    columns: tuple[Column, ...]
    page: paging.Page
    rows: list[Row]
    pager: paging.Pager
    alternates: list[Alternate]  # this page as JSON and CSV


@dataclass(frozen=True, slots=True)
class ClassEntry:
    iri: str
    name: str
    label: str
    curie: str
    count: int
    href: str


def member_order(store: GraphStore, class_iri: str, dated: str | None) -> list[str]:
    """Every member's IRI in list order: by `dated` (newest first, undated last), then by label."""
    names: dict[str, dict[str, str]] = {}
    dates: dict[str, str] = {}
    bindings = {"type": class_iri, "dated": dated} if dated else {"type": class_iri}
    rows = store.select(DATED_MEMBERS if dated else MEMBERS, **bindings)
    assert isinstance(rows, QuerySolutions)
    for row in rows:
        iri = row["resource"].value
        names.setdefault(iri, {})
        if (label := row["label"]) is not None:
            labels.add(names, iri, label.value, label.language)
        if dated and (date := row["date"]) is not None:
            dates[iri] = max(dates.get(iri, ""), date.value)
    by_label = sorted(names, key=lambda iri: _label_key(labels.pick(names[iri], "vi"), iri))
    return sorted(by_label, key=lambda iri: dates.get(iri, ""), reverse=True)  # stable: labels order ties


ORDER = PerBuild(member_order)


def class_list(store: GraphStore, urls: Urls, class_name: str, page: str | None, size: str | None, lang: str) -> (
    ClassList
):
    """One page of a class's list (blocking: call it in a worker thread)."""
    number, per_page = paging.numbers(page, size, PAGE_SIZE)
    vocab = vocabulary(store)
    iri = vocab.named(class_name)
    if iri is None:
        raise NotFound(f"no class called {class_name!r}; the classes are listed at {INDEX_PATH}")
    columns = _first(COLUMNS, vocab, iri) or ()
    order = ORDER.get(store, iri, _first(DATES, vocab, iri))
    at = paging.page_of(number, per_page, len(order))
    rows = [row(store, urls, member, columns, lang) for member in paging.window(order, at)]
    path, params = INDEX_PATH + class_name, {"page": page, "size": size}
    links = paging.pager(at, path, params), tabular.alternates(path, params)
    return ClassList(iri, class_name, vocab.label(iri, lang), columns, at, rows, *links)


def latest_articles(store: GraphStore, urls: Urls, lang: str) -> list[Row]:
    """The newest articles with their date and source, for the home page."""
    if vocabulary(store).named("Article") is None:
        return []
    return class_list(store, urls, "Article", None, str(LATEST), lang).rows


def row(store: GraphStore, urls: Urls, iri: str, columns: tuple[Column, ...], lang: str) -> Row:
    """One member with its facts, from its description (`GraphStore.describe`)."""
    triples = store.describe(iri)
    names = labels.by_subject(triples)
    own = [t for t in triples if t.subject == NamedNode(iri)]
    facts = tuple(
        tuple(sorted((_fact(t, names, urls, lang) for t in own if t.predicate.value == c.predicate),
                     key=lambda f: f.text))
        for c in columns
    )
    return Row(iri, urls.href(iri), labels.pick(names.get(iri, {}), lang) or curie(iri), facts)


def class_entries(vocab: Vocabulary, lang: str, *, used_only: bool = False) -> list[ClassEntry]:
    """The classes with their counts, most members first: the index, or the home page's (`used_only`)."""
    entries = [
        ClassEntry(c, name(c), vocab.label(c, lang), curie(c), vocab.counts.get(c, 0), INDEX_PATH + name(c))
        for c in vocab.classes
        if vocab.counts.get(c) or not used_only
    ]
    return sorted(entries, key=lambda e: (-e.count, fold(e.label)))


def as_json(listed: ClassList) -> dict[str, Any]:
    page = listed.page
    return {
        "class": listed.iri, "name": listed.name, "label": listed.label,
        "page": page.number, "size": page.size, "pages": page.last, "total": page.total,
        "previous": listed.pager.previous, "next": listed.pager.next,
        "members": [
            {"iri": r.iri, "href": r.href, "label": r.label}
            | {c.key: [_json(f) for f in facts] for c, facts in zip(listed.columns, r.facts, strict=True)}
            for r in listed.rows
        ],
    }


def csv_header(listed: ClassList) -> list[str]:
    return ["iri", "label", *(c.key for c in listed.columns)]


def as_rows(listed: ClassList) -> Iterator[list[str]]:
    for r in listed.rows:
        yield [r.iri, r.label, *("; ".join(f.text if f.resource else f.value for f in facts) for facts in r.facts)]


def _fact(triple: Triple, names: dict[str, dict[str, str]], urls: Urls, lang: str) -> Fact:
    term = triple.object
    if isinstance(term, NamedNode):
        text = labels.pick(names.get(term.value, {}), lang) or curie(term.value)
        return Fact(text, term.value, urls.href(term.value), resource=True)
    if isinstance(term, Literal):
        if term.datatype.value == WEB_LINK and _is_web(term.value):
            return Fact(urlsplit(term.value).hostname or term.value, term.value, term.value)
        return Fact(term.value, term.value, lang=term.language)
    return Fact(str(term), str(term))  # a blank node


def _json(fact: Fact) -> Any:
    return {"iri": fact.value, "label": fact.text} if fact.resource else fact.value


def _is_web(address: str) -> bool:
    """Only http(s) addresses become links: a `javascript:` URL in an article header must not."""
    return urlsplit(address).scheme in ("http", "https")


def _first(table: dict[str, Any], vocab: Vocabulary, iri: str) -> Any:
    """The entry of the class, or of the nearest class it specialises."""
    return next((table[c] for c in vocab.lineage(iri) if c in table), None)


def _label_key(label: str | None, iri: str) -> tuple[bool, str, str]:
    return label is None, fold(label or ""), iri

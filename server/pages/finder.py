"""What `/search` answers: the search index of the build being served, and one page of ranked results."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyoxigraph import QuerySolutions

from server.data.fulltext import Found, open_index
from server.data.per_build import PerBuild
from server.data.store import GraphStore
from server.http.errors import BadRequest
from server.http.urls import Urls
from server.pages import labels, paging, tabular
from server.pages.rendering import Alternate
from server.pages.search import KINDS, Hit, SearchIndex, tokens
from server.pages.vocabulary import Vocabulary, vocabulary

SEARCHABLE = f"""
SELECT ?resource ?property ?text ?base WHERE {{
  VALUES ?property {{ {" ".join(f"<{p}>" for p in KINDS)} }}
  ?resource ?property ?text
  FILTER(isIRI(?resource) && STRSTARTS(STR(?resource), STR(?base)) && isLITERAL(?text))
}}"""
TYPED = """
SELECT ?resource ?class ?base WHERE {
  ?resource a ?class
  FILTER(isIRI(?resource) && STRSTARTS(STR(?resource), STR(?base)))
}"""
PATH = "/search"
MAX_LENGTH = 200
PAGE_SIZE = 20
CSV_HEADER = ("iri", "label", "class", "description", "matched")
SEPARATOR = " · "


@dataclass(frozen=True, slots=True)
class Asked:
    """The query string of `/search`, as given."""

    q: str | None
    class_name: str | None = None
    page: str | None = None
    size: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    iri: str
    href: str
    label: str
    class_iri: str | None
    class_label: str | None
    matched: str | None  # the text that matched, when it is not the label shown
    description: str | None = None  # class, date, province, title or posts: namesakes told apart


@dataclass(frozen=True, slots=True)
class Results:
    asked: Asked
    page: paging.Page
    results: list[Result]
    pager: paging.Pager
    alternates: list[Alternate]  # this page as JSON and CSV


def load_index(store: GraphStore, id_base: str) -> SearchIndex:
    """The index of our own resources (IRIs under `id_base`): their labels, names, symbols and titles."""
    types: defaultdict[str, set[str]] = defaultdict(set)
    for row in _rows(store, TYPED, id_base):
        types[row["resource"].value].add(row["class"].value)
    texts = (
        (row["resource"].value, row["property"].value, row["text"].value, row["text"].language)
        for row in _rows(store, SEARCHABLE, id_base)
    )
    return SearchIndex.build(texts, types)


INDEX = PerBuild(load_index)  # a build without search.sqlite (an older one, --dataset, --store)
FULLTEXT = PerBuild(open_index)


def find(store: GraphStore, urls: Urls, asked: Asked, lang: str) -> Results:
    """One page of results; a bad parameter is a `BadRequest` that names it (blocking: a worker thread)."""
    number, size = paging.numbers(asked.page, asked.size, PAGE_SIZE)
    vocab = vocabulary(store)
    within, q = _class(vocab, asked.class_name), checked(asked.q)
    if (fulltext := FULLTEXT.get(store)) is not None:
        ranked = fulltext.ranked(q, within)
        page = paging.page_of(number, size, len(ranked))
        shown = [_found(found, vocab, urls, lang) for found in fulltext.found(list(paging.window(ranked, page)), q)]
    else:
        hits = INDEX.get(store, urls.id_base).search(q, within)
        page = paging.page_of(number, size, len(hits))
        shown = [_result(hit, vocab, urls, lang) for hit in paging.window(hits, page)]
    params = {"q": asked.q, "class": asked.class_name, "size": asked.size}
    return Results(asked, page, shown, paging.pager(page, PATH, params),
                   tabular.alternates(PATH, params | {"page": asked.page}))


def checked(q: str | None) -> str:
    """The query text `q`, if it is one that can be searched."""
    if q is None or not q.strip():
        raise BadRequest("q is missing: give the words to search for, /search?q=...")
    if len(q) > MAX_LENGTH:
        raise BadRequest(f"q is too long: {len(q)} characters, at most {MAX_LENGTH}")
    if not tokens(q):
        raise BadRequest(f"q has no letters or digits to search for: {q!r}")
    return q.strip()


def as_json(results: Results) -> dict[str, Any]:
    page = results.page
    return {
        "q": results.asked.q,
        "class": results.asked.class_name,
        "page": page.number,
        "size": page.size,
        "pages": page.last,
        "total": page.total,
        "previous": results.pager.previous,
        "next": results.pager.next,
        "results": [
            {"iri": r.iri, "href": r.href, "label": r.label, "class": r.class_iri, "description": r.description,
             "matched": r.matched}
            for r in results.results
        ],
    }


def as_rows(results: Results) -> Iterator[list[str]]:
    for r in results.results:
        yield [r.iri, r.label, r.class_iri or "", r.description or "", r.matched or ""]


def _class(vocab: Vocabulary, name: str | None) -> str | None:
    if not name:
        return None
    if found := vocab.named(name):
        return found
    raise BadRequest(f"class must be one of {', '.join(vocab.names())}, not {name!r}")


def _result(hit: Hit, vocab: Vocabulary, urls: Urls, lang: str) -> Result:
    kind = vocab.most_specific(hit.entry.classes)
    label = labels.pick(hit.entry.labels, lang) or hit.text.value
    matched = hit.text.value if hit.text.value != label else None
    return Result(hit.entry.iri, urls.href(hit.entry.iri), label, kind, kind and vocab.label(kind, lang), matched)


def _found(found: Found, vocab: Vocabulary, urls: Urls, lang: str) -> Result:
    kind = vocab.most_specific(found.classes)
    label = labels.pick(found.labels, lang) or found.iri
    matched = found.matched if found.matched != label else None
    class_label = kind and vocab.label(kind, lang)
    return Result(found.iri, urls.href(found.iri), label, kind, class_label, matched,
                  describe(class_label, found.description, lang))


def describe(class_label: str | None, parts: dict[str, Any], lang: str) -> str | None:
    """The line that tells a result from its namesakes: class, date, posts, provinces, title.

    >>> describe("Chỉ thị", {"date": "2014-08-18", "places": [], "title": "về tăng cường ...", "posts": []}, "vi")
    'Chỉ thị · 18/8/2014 · về tăng cường ...'
    >>> describe("Official", {"date": None, "places": [{"vi": "Thanh Hóa", "en": "Thanh Hoa Province"}],
    ...          "title": None, "posts": ["Bí thư Tỉnh ủy", "Chủ tịch HĐND tỉnh"]}, "en")
    'Official · Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh · Thanh Hoa Province'
    """
    date = parts.get("date")
    places = [label for place in parts.get("places", ()) if (label := labels.pick(place, lang))]
    line = [class_label, date and _date(date, lang), ", ".join(parts.get("posts", ())), ", ".join(places),
            parts.get("title")]
    return SEPARATOR.join(part for part in line if part) or None


def _date(value: str, lang: str) -> str:
    """`2014-08-18` as a Vietnamese reader writes it, `18/8/2014` (`8/2014`, `2014`); as is in English."""
    if lang != "vi":
        return value
    return "/".join(str(int(part)) if part.isdigit() else part for part in reversed(value.split("-")))


def _rows(store: GraphStore, sparql: str, id_base: str) -> QuerySolutions:
    rows = store.select(sparql, base=id_base)
    assert isinstance(rows, QuerySolutions)
    return rows

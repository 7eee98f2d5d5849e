"""Which label a page shows: the page language first, then the other, then any (`server.http.i18n`)."""

from collections.abc import Iterable, Mapping

from pyoxigraph import Literal, NamedNode, Triple

from server.http.i18n import LANGUAGES
from server.http.namespaces import RDFS_LABEL

Labels = Mapping[str, str]  # language tag ('' when none) → label


def pick(labels: Labels, lang: str) -> str | None:
    """
    >>> pick({"en": "Politburo", "vi": "Bộ Chính trị"}, "en")
    'Politburo'
    >>> pick({"vi": "Bộ Chính trị"}, "en")
    'Bộ Chính trị'
    >>> pick({}, "vi") is None
    True
    """
    for code in (lang, *LANGUAGES, *sorted(labels)):
        if code in labels:
            return labels[code]
    return None


def add(table: dict[str, dict[str, str]], subject: str, label: str, lang: str | None) -> None:
    """Records one label; of several in one language the least is kept, so pages never flicker."""
    known = table.setdefault(subject, {})
    code = lang or ""
    known[code] = min(known.get(code, label), label)


def by_subject(triples: Iterable[Triple]) -> dict[str, dict[str, str]]:
    """Subject IRI → language → its `rdfs:label`."""
    table: dict[str, dict[str, str]] = {}
    for t in triples:
        if t.predicate.value == RDFS_LABEL and isinstance(t.subject, NamedNode) and isinstance(t.object, Literal):
            add(table, t.subject.value, t.object.value, t.object.language)
    return table

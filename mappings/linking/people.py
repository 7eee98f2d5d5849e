"""Who is who: one identity per real person, decided from the name and what the articles say of them
(docs/people.md gives the rule and its limits).

In each article an official is a `Sighting`: the name, and where the titles place them. A central title (Bộ Chính
trị, Ban Bí thư, Trung ương Đảng, Ban ... Trung ương, Quốc hội, Chính phủ, a ministry: mappings/linking/positions.py)
makes a central official; a provincial title places them in its province; a person whose titles place them nowhere
(no title, or a body the gazetteer does not know) is placed in the province the article is about, if any.

Across the corpus, for one name, the places are joined when one article joins them: a sighting that is central and
holds a post in Thanh Hóa makes the central official the person of that name in Thanh Hóa. Each joined group is one
person; its identity is "tw" when it is central, else its province. A sighting placed nowhere is the one person of
its name, if there is one; else a person of its own ("article:<identifier>"): two people are never fused on a name.

    >>> hung = Sighting("nguyen van hung", central=False, provinces=frozenset({"kon-tum"}))
    >>> namesake = Sighting("nguyen van hung", central=False, provinces=frozenset({"ben-tre"}))
    >>> sorted(identities({"a1": [hung], "a2": [namesake]}).values())
    ['ben-tre', 'kon-tum']
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mappings.linking.iris import Minter
from mappings.linking.positions import Post, read_title
from mappings.linking.records import ArticleRecord, OfficialRef
from mappings.reading.text import fold

CENTRAL = "tw"


@dataclass(frozen=True, slots=True)
class Sighting:
    name: str                    # the folded name: people of one name are told apart among themselves
    central: bool
    provinces: frozenset[str]
    posts: tuple[tuple[str, str | None], ...] = ()   # each title as written, with the province it is held in

    @property
    def places(self) -> frozenset[str]:
        return self.provinces | ({CENTRAL} if self.central else frozenset())


def name_key(name: str) -> str:
    return " ".join(fold(name).split())


def posts(official: OfficialRef, record: ArticleRecord) -> list[Post]:
    """What each of the official's titles names, placed in the article's province when the title names none."""
    return [read_title(position.label, record.main_province) for position in official.positions]


def sighting(official: OfficialRef, record: ArticleRecord) -> Sighting:
    read = posts(official, record)
    central = any(post.central for post in read)
    provinces = frozenset(post.province for post in read if post.province)
    if not central and not provinces and record.main_province:
        provinces = frozenset({record.main_province})
    held = tuple((position.label, post.province) for position, post in zip(official.positions, read))
    return Sighting(name_key(official.name), central, provinces, held)


def sightings(record: ArticleRecord) -> list[Sighting]:
    return [sighting(official, record) for official in record.officials]


def identities(seen: Mapping[str, Iterable[Sighting]]) -> dict[tuple[str, str], str]:
    """(article identifier, folded name) → the identity of that person, over every article of the corpus."""
    by_name: dict[str, list[tuple[str, Sighting]]] = {}
    for article, found in seen.items():
        for one in found:
            by_name.setdefault(one.name, []).append((article, one))
    out: dict[tuple[str, str], str] = {}
    for name, sighted in by_name.items():
        groups = _Groups()
        for _, one in sighted:
            groups.join(one.places)
        people = groups.identities()
        for article, one in sighted:
            if one.places:
                out[article, name] = groups.identity(next(iter(one.places)))
            else:
                out[article, name] = next(iter(people)) if len(people) == 1 else f"article:{article}"
    return out


Minted = dict[tuple[str, ...], str]   # ("person", name) or ("position", name, title) → IRI, in one article


def minted(seen: Mapping[str, Iterable[Sighting]], people: Mapping[tuple[str, str], str], minter: Minter) -> dict[str, Minted]:
    """Article → the IRIs its people and posts get, keyed by what names them in the article."""
    out: dict[str, Minted] = {}
    for article, found in seen.items():
        iris: Minted = out.setdefault(article, {})
        for one in found:
            person = minter.person(one.name, people.get((article, one.name)) or identity_alone(one, article))
            iris["person", one.name] = str(person)
            for title, province in one.posts:
                iris["position", one.name, " ".join(title.split())] = str(minter.position(person, title, province))
    return out


def replacements(before: Mapping[str, Minted], after: Mapping[str, Minted],
                 earlier: Mapping[str, Iterable[str]] | None = None) -> dict[str, tuple[str, ...]]:
    """An IRI once published → what it is now, when a build splits or merges people: in each article still
    published, the person (the post) of the same name (and title). IRIs replaced by earlier builds (`earlier`)
    follow theirs to what they are now."""
    now = {iri for found in after.values() for iri in found.values()}
    out: dict[str, set[str]] = {}
    for article, old in before.items():
        new = after.get(article, {})
        for key, iri in old.items():
            if iri not in now and key in new:
                out.setdefault(iri, set()).add(new[key])
    for iri, targets in (earlier or {}).items():
        final = {t for t in targets if t in now} | {n for t in targets if t not in now for n in out.get(t, ())}
        if final and iri not in now:
            out.setdefault(iri, set()).update(final)
    return {iri: tuple(sorted(targets)) for iri, targets in sorted(out.items())}


def identity_alone(one: Sighting, article: str) -> str:
    """The identity a sighting has when its article is the whole corpus."""
    return identities({article: [one]})[article, one.name]


class _Groups:
    """Places joined into groups (union-find); a group's identity is "tw" if it holds it, else its first province."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _root(self, place: str) -> str:
        self._parent.setdefault(place, place)
        while self._parent[place] != place:
            self._parent[place] = self._parent[self._parent[place]]
            place = self._parent[place]
        return place

    def join(self, places: Iterable[str]) -> None:
        roots = sorted({self._root(place) for place in places}, key=_rank)
        for other in roots[1:]:
            self._parent[other] = roots[0]

    def identity(self, place: str) -> str:
        return self._root(place)

    def identities(self) -> set[str]:
        return {self._root(place) for place in self._parent}


def _rank(place: str) -> tuple[bool, str]:
    """Roots: "tw" first, then provinces in order, so a group's identity does not depend on the order of articles."""
    return (place != CENTRAL, place)

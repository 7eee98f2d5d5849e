"""The cast of a synthetic corpus: provinces, officials and documents, reused across articles.

Everything is drawn from one `random.Random`, so a seed gives the same cast. Provinces, central
documents and central officials are drawn with a Zipf-like skew (a few are in most articles, most in
a few); each province has one official per role and party term, and its own documents implementing
central ones, made the first time an article needs them.
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from mappings.extraction.reference import Unit, load_units
from mappings.reading.text import fold

TEMPLATES = Path(__file__).resolve().parent / "templates"
T = TypeVar("T")
PROVINCE_SKEW = 0.8  # the most reported province is in ~1 article in 8


@cache
def template(name: str) -> dict[str, Any]:
    """One file of bench/templates/, parsed."""
    return tomllib.loads((TEMPLATES / f"{name}.toml").read_text(encoding="utf-8"))


class Zipf(Generic[T]):
    """Draws items with weight 1 / rank**exponent: the first items are drawn most often."""

    def __init__(self, items: list[T], exponent: float = 1.1) -> None:
        self.items = items
        self._cumulative = list(itertools.accumulate(1 / (rank ** exponent) for rank in range(1, len(items) + 1)))

    def draw(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self._cumulative, rng.random() * self._cumulative[-1])]


@dataclass(frozen=True, slots=True)
class Place:
    """A province or city and the words an article uses for it."""

    unit: Unit

    @property
    def city(self) -> bool:
        return self.unit.kind == "city"

    @property
    def name(self) -> str:
        """As written: the name, or for a name that needs a prefix its "TP. ..." alias."""
        if self.unit.needs_prefix:
            return next(a for a in self.unit.aliases if a.startswith("TP. "))
        return self.unit.name

    def words(self) -> dict[str, str]:
        unit = "thành phố" if self.city else "tỉnh"
        return {"place": self.name, "unit": unit, "committee": "Thành ủy" if self.city else "Tỉnh ủy",
                "unit_place": self.name if self.unit.needs_prefix else f"{unit} {self.name}",
                "council": f"HĐND {unit}", "government": f"UBND {unit}"}


@dataclass(frozen=True, slots=True)
class Official:
    name: str
    titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Document:
    type: str               # ontology class (Directive ...)
    word: str               # type word as written (Chỉ thị, Chương trình hành động ...)
    number: int
    symbol: str             # canonical, as the extractor writes it: 05-CT/TW, 09/NQ-CP, 152/2025/NĐ-CP
    date: dt.date
    issuer: str             # as written after "của"
    topic: str
    party_style: bool
    family: str             # abbreviation and issuer code: CT/TW, NQ/CP; a document replaces one of its family
    replaces: Document | None = None


class Cast:
    """The pools one corpus draws from; `articles` scales the number of central documents."""

    def __init__(self, rng: random.Random, articles: int) -> None:
        self.rng = rng
        self._names: set[str] = set()
        self._numbers: dict[tuple[str, ...], set[int]] = {}
        self._places = [Place(u) for u in load_units()]
        rng.shuffle(self._places)
        self._place_forms = frozenset(fold(form) for u in load_units() for form in (u.name, *u.aliases))
        self.central = Zipf(self._central_documents(articles), template("documents")["pool"]["skew"])
        central = template("positions")["central"]
        self.central_officials = Zipf([self._official(rng.choice(central["titles"])) for _ in range(central["size"])],
                                      central["skew"])
        self._casts: dict[tuple[str, int], dict[str, Official]] = {}
        self._provincial: dict[tuple[str, str], Document] = {}

    # -- provinces -------------------------------------------------------------------------------

    def place(self, day: dt.date) -> Place:
        """A province or city that exists on `day`, skewed towards the first of a shuffled list."""
        valid = [p for p in self._places if p.unit.valid_on(day)]
        return Zipf(valid, PROVINCE_SKEW).draw(self.rng)

    # -- officials -------------------------------------------------------------------------------

    def officials(self, place: Place, day: dt.date) -> dict[str, Official]:
        """The province's official for each role in the party term of `day` (terms of five years from 2015)."""
        key = (place.unit.key, (day.year - 2015) // 5)
        if key not in self._casts:
            words = place.words()
            self._casts[key] = {role["role"]: self._official([t.format(**words) for t in self.rng.choice(role["titles"])])
                                for role in template("positions")["provincial"]}
        return self._casts[key]

    def _official(self, titles: list[str]) -> Official:
        return Official(self._new_name(), tuple(titles))

    def _new_name(self) -> str:
        names = template("names")
        while True:
            female = self.rng.random() < names["female_share"]
            middle = names["middle_female" if female else "middle_male"]
            given = names["given_female" if female else "given_male"]
            parts = [Zipf(names["family"]).draw(self.rng), self.rng.choice(middle), self.rng.choice(given)]
            roll = self.rng.random()
            if roll < names["two_syllables"]:
                del parts[1]
            elif roll < names["two_syllables"] + names["four_syllables"]:
                parts.insert(2, self.rng.choice(middle))
            name = " ".join(parts)
            if name not in self._names and not self._names_a_place(parts):
                self._names.add(name)
                return name

    def _names_a_place(self, parts: list[str]) -> bool:
        return any(fold(" ".join(parts[i:j])) in self._place_forms
                   for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))

    # -- documents -------------------------------------------------------------------------------

    def central_before(self, day: dt.date) -> Document:
        """A central document issued at least a month before `day` (the skewed draw, retried)."""
        for _ in range(50):
            doc = self.central.draw(self.rng)
            if doc.date <= day - dt.timedelta(days=30):
                return doc
        return min(self.central.items, key=lambda d: d.date)

    def provincial(self, place: Place, implements: Document, day: dt.date) -> Document | None:
        """The province's document carrying out `implements`, issued before `day` (None: no time for one)."""
        key = (place.unit.key, implements.symbol)
        if key in self._provincial:
            found = self._provincial[key]
            return found if found.date < day else None
        earliest = max(implements.date + dt.timedelta(days=10), place.unit.valid_from or dt.date.min)
        latest = min(day - dt.timedelta(days=3), implements.date + dt.timedelta(days=400))
        if earliest > latest:
            return None
        family = self._weighted(template("documents")["provincial"])
        date = earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))
        issuer = family["issuer"].format(**place.words())
        number = self._number((place.unit.key, family["abbr"], family["code"]), 300)
        doc = Document(family["type"], family["word"], number, f"{number:02d}-{family['abbr']}/{family['code']}", date,
                       issuer, self.rng.choice(template("documents")["topics"]), True,
                       f"{family['abbr']}/{family['code']}")
        self._provincial[key] = doc
        return doc

    def _central_documents(self, articles: int) -> list[Document]:
        pool = template("documents")["pool"]
        size = min(pool["central_max"], pool["central_min"] + articles // pool["central_per_articles"])
        docs: list[Document] = []
        for _ in range(size):
            family = self._weighted(template("documents")["central"])
            day = dt.date(self.rng.randint(pool["first_year"], pool["last_year"]), self.rng.randint(1, 12),
                          self.rng.randint(1, 28))
            older = [d for d in docs if d.family == f"{family['abbr']}/{family['code']}"
                     and d.date < day - dt.timedelta(days=365)]
            replaced = self.rng.choice(older) if older and self.rng.random() < pool["replaced_share"] else None
            docs.append(self._central(family, day, replaced))
        self.rng.shuffle(docs)
        return docs

    def _central(self, family: dict[str, Any], day: dt.date, replaced: Document | None) -> Document:
        state = family.get("state", False)
        number = self._number((family["abbr"], family["code"]), 999 if state else 400)
        if not state:
            symbol = f"{number:02d}-{family['abbr']}/{family['code']}"
        elif family.get("year_in_symbol"):
            symbol = f"{number:02d}/{day.year}/{family['abbr']}-{family['code']}"
        else:
            symbol = f"{number:02d}/{family['abbr']}-{family['code']}"
        return Document(family["type"], family["word"], number, symbol, day, self.rng.choice(family["issuers"]),
                        self.rng.choice(template("documents")["topics"]), not state,
                        f"{family['abbr']}/{family['code']}", replaced)

    def _number(self, family: tuple[str, ...], top: int) -> int:
        """A number not yet used in the family (numbers grow past `top` once it is full)."""
        used = self._numbers.setdefault(family, set())
        while (number := self.rng.randint(1, max(top, 2 * len(used)))) in used:
            pass
        used.add(number)
        return number

    def _weighted(self, families: list[dict[str, Any]]) -> dict[str, Any]:
        return self.rng.choices(families, weights=[f["weight"] for f in families])[0]

"""One synthetic article: what it says (drawn from the cast) and how (bench/templates/articles.toml).

`compose` returns the article's text and its expectation: the documents, provinces, officials,
relations and meeting the extractor must find in it. The text follows the project's article format
(`url ...`, `date ...` header lines, a blank line, the title, then paragraphs).
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from bench.cast import Cast, Document, Official, Place, template


@dataclass
class Expectation:
    """What the extractor must find (docs/graph-model.md terms; symbols as the extractor writes them)."""

    article: str
    published: str | None
    provinces: list[str] = field(default_factory=list)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)   # symbol → type, date, province
    officials: dict[str, list[str]] = field(default_factory=dict)        # name → titles
    links: list[tuple[str, str, str]] = field(default_factory=list)       # (symbol, relation, symbol)
    meeting: dict[str, Any] | None = None                                 # date, chairs

    def to_json(self) -> dict[str, Any]:
        return {"article": self.article, "published": self.published, "provinces": self.provinces,
                "documents": self.documents, "officials": self.officials,
                "links": [list(link) for link in self.links], "meeting": self.meeting}


class _Writer:
    """Writes one article, recording in `expect` every entity it writes."""

    def __init__(self, rng: random.Random, cast: Cast, expect: Expectation, kind: str, place: Place,
                 day: dt.date) -> None:
        self.rng, self.cast, self.expect, self.kind, self.place, self.day = rng, cast, expect, kind, place, day
        self.forms = template("articles")["forms"]
        self.words: dict[str, str] = {}

    def line(self, section: str, **words: str) -> str:
        """A template of `section` for this kind of article, filled in."""
        lines = template("articles")[section]
        text = self.rng.choice(lines.get(self.kind, []) + lines.get("any", []))
        return text.format(**(self.words | words | self._counts()))

    def _counts(self) -> dict[str, str]:
        return {"n": str(self.rng.randint(2, 40)), "m": str(self.rng.randint(50, 3000))}

    # -- entities --------------------------------------------------------------------------------

    def mention_place(self, place: Place) -> None:
        if place.unit.key not in self.expect.provinces:
            self.expect.provinces.append(place.unit.key)

    def cite(self, doc: Document, bare: bool = False) -> str:
        """The document in full: type word, symbol, date, issuer and (sometimes) its subject."""
        text = self.rng.choice(self.forms["citation"]).format(word=doc.word, symbol=doc.symbol, date=self._date(doc),
                                                              issuer=doc.issuer)
        subject = self.rng.choice(self.forms["bare_subject" if bare else "subject"])
        subject = subject.format(topic=doc.topic, Topic=doc.topic[0].upper() + doc.topic[1:])
        self._expect_document(doc, dated=True, province=None)
        return f"{text} {subject}".rstrip()

    def cite_dated(self, doc: Document, province: Place) -> str:
        """A provincial document with its date, sometimes its issuer, never its subject."""
        self._expect_document(doc, dated=True, province=province)
        text = f"{doc.word} số {doc.symbol} {self._date(doc)}"
        return f"{text} của {doc.issuer}" if self.rng.random() < 0.5 else text

    def _date(self, doc: Document) -> str:
        d = doc.date
        return self.rng.choice(self.forms["date"]).format(d=d.day, m=d.month, y=d.year, dd=f"{d.day:02d}",
                                                          mm=f"{d.month:02d}")

    def ref(self, doc: Document, province: Place | None = None) -> str:
        """Type word and symbol: "Chỉ thị số 39-CT/TW"."""
        self._expect_document(doc, dated=False, province=province)
        return f"{doc.word} số {doc.symbol}"

    def _expect_document(self, doc: Document, dated: bool, province: Place | None) -> None:
        entry = self.expect.documents.setdefault(doc.symbol, {"type": doc.type, "date": None})
        if dated:
            entry["date"] = doc.date.isoformat()
        if province:
            entry["province"] = province.unit.key

    def after(self, official: Official) -> str:
        """"Name, title, title": the form that gives every title."""
        self._expect_titles(official, official.titles)
        return ", ".join((official.name, *official.titles))

    def before(self, official: Official) -> str:
        """"Title Name": the last title only."""
        self._expect_titles(official, official.titles[-1:])
        return f"{official.titles[-1]} {official.name}"

    def _expect_titles(self, official: Official, titles: tuple[str, ...]) -> None:
        known = self.expect.officials.setdefault(official.name, [])
        known += [t for t in titles if t not in known]

    def people(self, officials: list[Official]) -> str:
        return "; ".join(self.after(o) for o in officials)

    def when(self) -> str:
        d = self.day
        return self.rng.choice(self.forms["when"]).format(d=d.day, m=d.month, y=d.year)

    def stage(self, doc: Document) -> str:
        years = (self.day - doc.date).days // 365
        stages = self.forms["stage"]
        key = "fresh" if years < 1 else "midterm" if years < 5 else "final"
        return stages[key].format(years=years)

    def filler(self) -> str:
        """A paragraph of 3-6 sentences that name nothing."""
        parts = template("articles")["filler"]
        sentences = []
        for _ in range(self.rng.randint(3, 6)):
            if self.rng.random() < 0.2:
                sentences.append(self.rng.choice(parts["counted"]).format(**self._counts()))
                continue
            sentences.append(f"{self.rng.choice(parts['actors'])} {self.rng.choice(parts['actions'])} "
                             f"{self.rng.choice(parts['objects'])}{self.rng.choice(parts['tails'])}.")
        return " ".join(sentences)


def article_length(rng: random.Random) -> int:
    """A body length drawn from [length] in articles.toml."""
    spec = template("articles")["length"]
    drawn = spec["median"] * math.exp(rng.gauss(0, spec["spread"]))
    return int(min(spec["longest"], max(spec["shortest"], drawn)))


def compose(rng: random.Random, cast: Cast, stem: str, day: dt.date) -> tuple[str, Expectation]:
    """The article `stem` reporting on `day`: its file text and what the extractor must find in it."""
    header, published = _header(rng, day)
    kinds = template("articles")["kinds"]
    kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
    place = cast.place(day)
    doc = cast.central_before(day)
    plan = cast.provincial(place, doc, day)
    if kind == "plan" and plan is None:
        kind = "meeting"
    expect = Expectation(stem, published)
    writer = _Writer(rng, cast, expect, kind, place, day)
    writer.words = {**place.words(), "issuer": doc.issuer, "when": writer.when(), "stage": writer.stage(doc)}
    writer.mention_place(place)
    paragraphs = _BUILDERS[kind](writer, doc, plan)
    if expect.meeting is not None:
        expect.meeting["date"] = _meeting_date(day, published, writer.words["when"])
    _lengthen(writer, paragraphs, article_length(rng))
    return header + "\n\n".join(paragraphs) + "\n", expect


def _header(rng: random.Random, day: dt.date) -> tuple[str, str | None]:
    published_day = day + dt.timedelta(days=rng.randint(0, 2))
    roll = rng.random()
    merged = published_day >= dt.date(2025, 7, 1)  # undated articles are read as before the 2025 merger
    published = (published_day.isoformat() if roll < 0.7 or (merged and roll >= 0.9)
                 else published_day.isoformat()[:7] if roll < 0.9 else None)
    lines = []
    if rng.random() < 0.8:
        lines.append(f"url https://tin-tuc.example.vn/chinh-tri/{published_day:%Y%m%d}-{rng.randrange(10**6):06d}.html")
    if published:
        lines.append(f"date {published}")
    return "".join(f"{line}\n" for line in lines) + ("\n" if lines else ""), published


def _meeting_date(day: dt.date, published: str | None, when: str) -> str | None:
    """What the extractor can know: the day, if its year is written or the article is dated."""
    return day.isoformat() if published or str(day.year) in when else None


def _lengthen(writer: _Writer, paragraphs: list[str], length: int) -> None:
    """Filler paragraphs between the others (never before the lead) until the body is `length` long."""
    total = sum(len(p) + 2 for p in paragraphs)
    while total < length:
        filler = writer.filler()
        paragraphs.insert(writer.rng.randint(2, len(paragraphs)), filler)
        total += len(filler) + 2


def _central_words(writer: _Writer, doc: Document, plan: Document | None) -> None:
    """{doc}, {doc_ref}, {doc_num}: "Chỉ thị 39" only when no other document of the article shares its type and number."""
    others = [d for d in (doc.replaces, plan) if d]
    clash = any((d.type, d.number) == (doc.type, doc.number) for d in others)
    writer.words["doc_ref"] = writer.ref(doc)
    writer.words["doc_num"] = (f"{doc.word} {doc.number:02d}" if doc.party_style and not clash
                               else writer.words["doc_ref"])
    writer.words["doc"] = writer.cite(doc)


def _plan_paragraphs(writer: _Writer, doc: Document, plan: Document, chance: float) -> list[str]:
    """The province's document carrying out `doc`, sometimes with its bases and what it replaces."""
    out = []
    expect = writer.expect
    if writer.rng.random() < chance:
        out.append(writer.line("plan", plan=writer.cite_dated(plan, writer.place)))
        expect.links.append((plan.symbol, "implements", doc.symbol))
    if writer.rng.random() < 0.35:
        basis = list(dict.fromkeys(writer.cast.central_before(plan.date) for _ in range(writer.rng.randint(1, 2))))
        if not any((b.type, b.number) == (d.type, d.number) for b in basis for d in (doc, doc.replaces, plan) if d
                   and b is not d):
            out.append(writer.line("basis", basis="; ".join(writer.cite(b) for b in basis),
                                   plan=writer.cite_dated(plan, writer.place)))
            expect.links += [(plan.symbol, "based_on", b.symbol) for b in basis]
    return out


def _replacement(writer: _Writer, doc: Document) -> list[str]:
    if doc.replaces is None or writer.rng.random() < 0.4 or doc.replaces.number == doc.number:
        return []
    writer.expect.links.append((doc.symbol, "replaces", doc.replaces.symbol))
    return [writer.line("replace", new=writer.cite(doc, bare=True), old=writer.ref(doc.replaces))]


def _meeting(writer: _Writer, doc: Document, plan: Document | None) -> list[str]:
    rng, cast = writer.rng, writer.cast
    officials = cast.officials(writer.place, writer.day)
    chair = officials["secretary" if rng.random() < 0.8 else "standing_deputy"]
    others = [o for o in officials.values() if o is not chair]
    _central_words(writer, doc, plan)
    writer.words["host"] = rng.choice([f"Ban Thường vụ {writer.words['committee']} {writer.words['place']}",
                                       f"{writer.words['committee']} {writer.words['place']}"])
    out = [writer.line("title"), writer.line("lead"), writer.line("chair", chair=writer.after(chair))]
    if rng.random() < 0.8:
        out.append(writer.line("attend", people=writer.people(rng.sample(others, rng.randint(1, 3)))))
    if rng.random() < 0.7:
        out.append(writer.line("report", person=writer.after(officials["organization"])))
    out += _plan_paragraphs(writer, doc, plan, 0.7) if plan else []
    out += _replacement(writer, doc)
    out.append(writer.line("speech", speaker=writer.before(chair)))
    if rng.random() < 0.5:
        out.append(writer.line("closing"))
    writer.expect.meeting = {"chairs": [chair.name]}
    return out


def _plan_issued(writer: _Writer, doc: Document, plan: Document | None) -> list[str]:
    assert plan is not None
    _central_words(writer, doc, plan)
    out = [writer.line("title"), writer.line("lead", plan=writer.cite_dated(plan, writer.place))]
    writer.expect.links.append((plan.symbol, "implements", doc.symbol))
    out += _plan_paragraphs(writer, doc, plan, 0.0)
    out += _replacement(writer, doc)
    if writer.rng.random() < 0.4:
        secretary = writer.cast.officials(writer.place, writer.day)["secretary"]
        out.append(writer.line("speech", speaker=writer.before(secretary)))
    return out


def _inspection(writer: _Writer, doc: Document, plan: Document | None) -> list[str]:
    rng = writer.rng
    chair = writer.cast.central_officials.draw(rng)
    local = writer.cast.officials(writer.place, writer.day)
    _central_words(writer, doc, plan)
    out = [writer.line("title"), writer.line("lead"), writer.line("chair", chair=writer.after(chair)),
           writer.line("attend", people=writer.people([local["secretary"], local["organization"]][:rng.randint(1, 2)])),
           writer.line("report", person=writer.after(local["secretary"]))]
    out += _plan_paragraphs(writer, doc, plan, 0.5) if plan else []
    out.append(writer.line("speech", speaker=writer.before(chair)))
    writer.expect.meeting = {"chairs": [chair.name]}
    return out


def _central(writer: _Writer, doc: Document, plan: Document | None) -> list[str]:
    rng = writer.rng
    chair = writer.cast.central_officials.draw(rng)
    _central_words(writer, doc, None)
    out = [writer.line("title"), writer.line("lead"), writer.line("chair", chair=writer.after(chair))]
    places = [writer.place] + ([writer.cast.place(writer.day)] if rng.random() < 0.3 else [])
    for place in dict.fromkeys(places):
        writer.mention_place(place)
        local = writer.cast.officials(place, writer.day)
        out.append(writer.line("attend", **place.words(),
                               people=writer.people([local["secretary"], local["chairman"]][:rng.randint(1, 2)])))
    out += _replacement(writer, doc)
    out.append(writer.line("speech", speaker=writer.before(chair)))
    writer.expect.meeting = {"chairs": [chair.name]}
    return out


_BUILDERS = {"meeting": _meeting, "plan": _plan_issued, "inspection": _inspection, "central": _central}

"""`ArticleRecord` → the article's named graph (docs/graph-model.md), every fact with its evidence.

Each fact (s, p, o) read from the text is also described as an `rdf:Statement` naming the rule that read it,
the characters it was read from and the sentence around them (a W3C Web Annotation selector).

`emit` writes N-Triples terms (mappings/emission/article_graph.py), which is what the build validates and publishes;
`to_graph` gives the same graph as an rdflib `Graph`.
"""
from __future__ import annotations

import bisect
import hashlib
from functools import cache

from rdflib import RDF, RDFS, XSD, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF

from mappings.emission.article_graph import ArticleGraph, LiteralParts
from mappings.emission.ntriples import term
from mappings.emission.vocab import OA, ORG, VK
from mappings.extraction.reference import load_bodies, load_provincial_bodies, load_units
from mappings.extraction.rules import document_types
from mappings.extraction.segment import Sentence, sentences
from mappings.linking.iris import Minter
from mappings.linking.people import identity_alone, name_key, posts, sighting
from mappings.linking.positions import Post
from mappings.linking.records import ArticleRecord, DocumentRef, Evidence, MeetingRef, OfficialRef, Position
from mappings.linking.roles import load_roles

# The vocabulary as N-Triples terms, looked up once (an rdflib namespace lookup costs microseconds).
TYPE, LABEL, STATEMENT = term(RDF.type), term(RDFS.label), term(RDF.Statement)
SUBJECT, PREDICATE, OBJECT = term(RDF.subject), term(RDF.predicate), term(RDF.object)
ARTICLE, PROVINCE, ORGANIZATION, DOCUMENT = term(VK.Article), term(VK.Province), term(VK.Organization), term(VK.Document)
OFFICIAL, MEETING, EVIDENCE, MEMBERSHIP = term(VK.Official), term(VK.Meeting), term(VK.Evidence), term(ORG.Membership)
IDENTIFIER, PUBLISHED, SOURCE_URL = term(DCTERMS.identifier), term(VK.published), term(VK.sourceUrl)
SAME_STORY = term(VK.sameStoryAs)
MENTIONS, REPORTS, IN_PROVINCE = term(VK.mentions), term(VK.reports), term(VK.province)
NUMBER, SYMBOL, UNRESOLVED, ISSUED_ON = term(VK.number), term(VK.symbol), term(VK.unresolved), term(VK.issuedOn)
ISSUED_BY, TITLE, NAME = term(VK.issuedBy), term(VK.title), term(FOAF.name)
MEMBER, HAS_MEMBERSHIP = term(ORG.member), term(ORG.hasMembership)
IN_ORGANIZATION, HAS_ROLE, ROLE, ATTESTED_ON = term(ORG.organization), term(ORG.role), term(ORG.Role), term(VK.attestedOn)
HELD_ON, HELD_IN, CHAIRED_BY, PARTICIPANT, ABOUT = (term(VK.heldOn), term(VK.heldIn), term(VK.chairedBy),
                                                    term(VK.participant), term(VK.about))
RULE, SPAN_START, SPAN_END, SPAN_TEXT, EVIDENCE_OF = (term(VK.rule), term(VK.spanStart), term(VK.spanEnd),
                                                      term(VK.spanText), term(VK.evidence))
SPECIFIC_RESOURCE, HAS_SOURCE, HAS_SELECTOR = term(OA.SpecificResource), term(OA.hasSource), term(OA.hasSelector)
POSITION_SELECTOR, QUOTE_SELECTOR = term(OA.TextPositionSelector), term(OA.TextQuoteSelector)
START, END, EXACT = term(OA.start), term(OA.end), term(OA.exact)
RELATIONS = {"replaces": term(VK.replaces), "implements": term(VK.implements), "based_on": term(VK.basedOn)}
DATE, YEAR_MONTH, ANY_URI, INTEGER, BOOLEAN = (str(XSD.date), str(XSD.gYearMonth), str(XSD.anyURI), str(XSD.integer),
                                               str(XSD.boolean))
PREFIXES = (("vk", VK._NS), ("oa", OA), ("org", ORG), ("foaf", FOAF), ("dcterms", DCTERMS))


@cache
def _type_words() -> dict[str, str]:
    return {t.id: t.words[0] for t in document_types()}


@cache
def _type_classes() -> dict[str, str]:
    """Document type id → its class ("Other" has none)."""
    return {t.id: term(VK[t.id]) for t in document_types() if t.id != "Other"}


@cache
def _units() -> dict[str, tuple[str, str, str]]:
    """key → (name, English label, kind)."""
    return {u.key: (u.name, u.en, u.kind) for u in load_units()}


@cache
def _central_keys() -> frozenset[str]:
    return frozenset(b.key for b in load_bodies())


@cache
def _body_labels() -> dict[str, tuple[str, str, str]]:
    """key → (name, city form, English label)."""
    central = {b.key: (b.name, b.name, b.en) for b in load_bodies()}
    return central | {b.key: (b.name, b.city_name, b.en) for b in load_provincial_bodies()}


def _iri(node: URIRef) -> str:
    return f"<{node}>"


class _Emitter:
    def __init__(self, graph: ArticleGraph, text: str) -> None:
        self.graph, self.text = graph, text
        self.article = f"<{graph.iri}>"
        self.sentences: list[Sentence] = sentences(text)
        self._starts = [s.start for s in self.sentences]
        self._statements: set[str] = set()
        self._evidence: set[str] = set()
        self.named: set[str] = set()   # people and positions given their name or label in this graph

    def add(self, s: str, p: str, o: str, evidence: Evidence | None = None) -> None:
        self.graph.add(s, p, o)
        if evidence is not None:
            self._statement(s, p, o, evidence)

    def tagged(self, text: str, language: str = "vi") -> str:
        return self.graph.literal(text, language=language)

    def plain(self, text: str) -> str:
        return self.graph.literal(text)

    def typed(self, lexical: str, datatype: str) -> str:
        return self.graph.literal(lexical, datatype=datatype)

    def integer(self, value: int) -> str:
        return self.graph.literal(str(value), datatype=INTEGER)

    def _statement(self, s: str, p: str, o: str, evidence: Evidence) -> None:
        """The first evidence of a fact describes it (a statement node is written once)."""
        shown = _rdflib_n3(self.graph.literals[o]) if o[0] == '"' else o
        digest = hashlib.sha1(f"{s[1:-1]} {p[1:-1]} {shown}".encode()).hexdigest()[:12]
        node = f"<{self.graph.iri}#f-{digest}>"
        if node in self._statements:
            return
        self._statements.add(node)
        for pred, obj in ((TYPE, STATEMENT), (SUBJECT, s), (PREDICATE, p), (OBJECT, o),
                          (RULE, self.plain(evidence.rule)), (SPAN_START, self.integer(evidence.start)),
                          (SPAN_END, self.integer(evidence.end)),
                          (SPAN_TEXT, self.plain(self.text[evidence.start:evidence.end])),
                          (EVIDENCE_OF, self._sentence(evidence.start))):
            self.graph.add(node, pred, obj)

    def _sentence(self, offset: int) -> str:
        index = max(0, bisect.bisect_right(self._starts, offset) - 1)
        sentence = self.sentences[index] if self.sentences else Sentence(0, len(self.text), self.text)
        name = f"{self.graph.iri}#s-{sentence.start}-{sentence.end}"
        node, selector = f"<{name}>", f"<{name}-selector>"
        if node not in self._evidence:
            self._evidence.add(node)
            for triple in ((node, TYPE, EVIDENCE), (node, TYPE, SPECIFIC_RESOURCE),
                           (node, HAS_SOURCE, self.article), (node, HAS_SELECTOR, selector),
                           (selector, TYPE, POSITION_SELECTOR), (selector, TYPE, QUOTE_SELECTOR),
                           (selector, START, self.integer(sentence.start)), (selector, END, self.integer(sentence.end)),
                           (selector, EXACT, self.plain(sentence.text))):
                self.graph.add(*triple)
        return node


def _rdflib_n3(parts: LiteralParts) -> str:
    """rdflib's `Literal.n3()` of the literal: statement IRIs hash it, as they did when rdflib wrote the graphs."""
    text = parts.lexical
    if "\n" in text:
        encoded = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        if encoded[-1] == '"' and encoded[-2] != "\\":
            encoded = encoded[:-1] + '\\"'
        quoted = '"""' + encoded.replace("\r", "\\r") + '"""'
    else:
        quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"'
    if parts.language:
        return f"{quoted}@{parts.language}"
    return f"{quoted}^^<{parts.datatype}>" if parts.datatype else quoted


def to_graph(record: ArticleRecord, text: str, minter: Minter) -> Graph:
    """The named graph of one article as an rdflib graph: `text` is the article body the record's spans point into."""
    graph = emit(record, text, minter).graph()
    for prefix, namespace in PREFIXES:
        graph.bind(prefix, namespace)
    return graph


def emit(record: ArticleRecord, text: str, minter: Minter) -> ArticleGraph:
    """The named graph of one article as N-Triples terms."""
    out = _Emitter(ArticleGraph(str(minter.article(record.identifier))), text)
    article = out.article
    _article(out, record)
    for copy in minter.stories.get(record.identifier, ()):
        if copy != record.identifier:
            out.add(article, SAME_STORY, _iri(minter.article(copy)))
    for province in record.provinces:
        _province(out, province.key, minter)
        out.add(article, MENTIONS, _iri(minter.province(province.key)), province.evidence)
    docs = {d.key: _document(out, d, record, minter) for d in record.documents}
    for link in record.links:
        out.add(docs[link.source], RELATIONS[link.relation], docs[link.target], link.evidence)
    attested = _attested_on(record)
    people = {o.name: _official(out, o, record, minter, attested.get(o.name, ())) for o in record.officials}
    for meeting in record.meetings:
        _meeting(out, meeting, record, minter, docs, people)
    return out.graph


def _article(out: _Emitter, record: ArticleRecord) -> None:
    article = out.article
    out.add(article, TYPE, ARTICLE)
    out.add(article, IDENTIFIER, out.plain(record.identifier))
    out.add(article, LABEL, out.tagged(record.title))
    if record.published:
        datatype = DATE if len(record.published) == 10 else YEAR_MONTH
        out.add(article, PUBLISHED, out.typed(record.published, datatype))
    if record.url:
        out.add(article, SOURCE_URL, out.typed(record.url, ANY_URI))


def _province(out: _Emitter, key: str, minter: Minter) -> str:
    iri = _iri(minter.province(key))
    name, english, _ = _units()[key]
    out.add(iri, TYPE, PROVINCE)
    out.add(iri, LABEL, out.tagged(name))
    out.add(iri, LABEL, out.tagged(english, "en"))
    return iri


def _organization(out: _Emitter, doc: DocumentRef, minter: Minter) -> str | None:
    if not doc.issuer or doc.issuer not in _body_labels():
        return None
    return _body(out, doc.issuer, doc.province if doc.issuer not in _central_keys() else None, minter)


def _body(out: _Emitter, key: str, province: str | None, minter: Minter) -> str:
    """A body of the gazetteer, a provincial one in its province (named in that province's form)."""
    name, city_name, english = _body_labels()[key]
    iri = _iri(minter.org(key, province))
    label = city_name if province and _units()[province][2] == "city" else name
    out.add(iri, TYPE, ORGANIZATION)
    out.add(iri, LABEL, out.tagged(label))
    out.add(iri, LABEL, out.tagged(english, "en"))
    if province:
        out.add(iri, IN_PROVINCE, _province(out, province, minter))
    return iri


def _document(out: _Emitter, doc: DocumentRef, record: ArticleRecord, minter: Minter) -> str:
    iri = _iri(minter.document(doc, record.identifier))
    written = doc.evidence["symbol"]
    out.add(iri, TYPE, DOCUMENT)
    if doc.type != "Other":
        out.add(iri, TYPE, _type_classes()[doc.type])
    out.add(iri, LABEL, out.tagged(f"{_type_words()[doc.type]} {doc.symbol or 'số ' + doc.number}"))
    out.add(iri, NUMBER, out.plain(doc.number), written)
    if doc.symbol:
        out.add(iri, SYMBOL, out.plain(doc.symbol), written)
    if not doc.symbol or minter.resolved_year(doc) is None:
        out.add(iri, UNRESOLVED, out.typed("true", BOOLEAN))
    if doc.date:
        out.add(iri, ISSUED_ON, out.typed(doc.date, DATE), doc.evidence.get("date"))
    if org := _organization(out, doc, minter):
        out.add(iri, ISSUED_BY, org, doc.evidence.get("issuer"))
        out.add(out.article, MENTIONS, org, doc.evidence.get("issuer"))
    if doc.title:
        out.add(iri, TITLE, out.tagged(doc.title), doc.evidence.get("title"))
    if doc.province:
        out.add(iri, IN_PROVINCE, _province(out, doc.province, minter), written)
    out.add(out.article, MENTIONS, iri, written)
    return iri


def _official(out: _Emitter, official: OfficialRef, record: ArticleRecord, minter: Minter,
              dates: tuple[str, ...]) -> str:
    """The person and their posts. A name or title written two ways that mint one IRI keeps the first
    writing as its only name or label (two would make the shapes reject the whole article)."""
    key = name_key(official.name)
    identity = minter.people.get((record.identifier, key)) or identity_alone(sighting(official, record), record.identifier)
    person = minter.person(official.name, identity)
    iri = _iri(person)
    out.add(iri, TYPE, OFFICIAL)
    if iri not in out.named:
        out.named.add(iri)
        out.add(iri, NAME, out.tagged(official.name), official.evidence)
        out.add(iri, LABEL, out.tagged(official.name))
    out.add(out.article, MENTIONS, iri, official.evidence)
    for position, post in zip(official.positions, posts(official, record)):
        _membership(out, iri, position, post, minter.position(person, position.label, post.province), minter, dates)
    return iri


def _membership(out: _Emitter, person: str, position: Position, post: Post, node: URIRef, minter: Minter,
                dates: tuple[str, ...]) -> None:
    """A post held: its label as written, the body and role the title names, the dates the article attests it."""
    membership = _iri(node)
    out.add(membership, TYPE, MEMBERSHIP)
    if membership in out.named:
        return
    out.named.add(membership)
    out.add(membership, LABEL, out.tagged(position.label))
    out.add(membership, MEMBER, person)
    out.add(person, HAS_MEMBERSHIP, membership, position.evidence)
    if post.org and (org := _post_body(out, post.org, post, minter)):
        out.add(membership, IN_ORGANIZATION, org, position.evidence)
    if post.role:
        out.add(membership, HAS_ROLE, _role(out, post.role, minter), position.evidence)
    for day in () if post.former else dates:
        out.add(membership, ATTESTED_ON, out.typed(day, _DATATYPES[len(day)]), position.evidence)


_DATATYPES = {10: DATE, 7: YEAR_MONTH, 4: str(XSD.gYear)}


def _post_body(out: _Emitter, key: str, post: Post, minter: Minter) -> str | None:
    """The body `key` a post is in; a provincial body only where its province is known, a ministry by its name."""
    if key in _body_labels():
        if post.provincial and not post.province:
            return None
        return _body(out, key, post.province, minter)
    iri = _iri(minter.org(key))
    out.add(iri, TYPE, ORGANIZATION)
    out.add(iri, LABEL, out.tagged(post.org_label or key))
    return iri


def _role(out: _Emitter, key: str, minter: Minter) -> str:
    role = load_roles().by_key(key)
    iri = _iri(minter.role(key))
    out.add(iri, TYPE, ROLE)
    out.add(iri, LABEL, out.tagged(role.vi))
    out.add(iri, LABEL, out.tagged(role.en, "en"))
    return iri


def _attested_on(record: ArticleRecord) -> dict[str, tuple[str, ...]]:
    """Name → the dates the article attests its people's posts on: the dates of the meetings they are at, else the
    article's publication date."""
    dates: dict[str, list[str]] = {}
    for meeting in record.meetings:
        for name in (*meeting.chairs, *meeting.participants):
            if meeting.date and meeting.date not in dates.setdefault(name, []):
                dates[name].append(meeting.date)
    fallback = (record.published,) if record.published else ()
    return {o.name: tuple(dates.get(o.name, ())) or fallback for o in record.officials}


MEETING_WORDS = 90  # characters at most of what a meeting's label quotes of the sentence reporting it


def meeting_label(words: str, place: str | None, date: str | None) -> str:
    """A meeting's label: what it was, as the article names it (its first MEETING_WORDS characters, cut at a word),
    then where and when.

    >>> meeting_label("hội nghị tổng kết 10 năm thực hiện Chỉ thị 39-CT/TW", "Thanh Hóa", "2024-05-27")
    'Hội nghị tổng kết 10 năm thực hiện Chỉ thị 39-CT/TW (Thanh Hóa, 27/5/2024)'
    >>> meeting_label("gặp mặt kỷ niệm 60 năm Ngày truyền thống Bảo vệ chính trị nội bộ Đảng, với sự tham dự của nhiều "
    ...               "đồng chí nguyên lãnh đạo", None, None)
    'Gặp mặt kỷ niệm 60 năm Ngày truyền thống Bảo vệ chính trị nội bộ Đảng, với sự tham dự của…'
    """
    words = " ".join(words.split())
    if len(words) > MEETING_WORDS:
        cut = words.rfind(" ", 0, MEETING_WORDS)
        words = words[:cut if cut > 0 else MEETING_WORDS - 1].rstrip(" ,;:-–") + "…"
    words = words[:1].upper() + words[1:]
    day = "/".join(str(int(part)) for part in reversed(date.split("-"))) if date else None
    where_when = ", ".join(part for part in (place, day) if part)
    return f"{words} ({where_when})" if where_when else words


def _meeting(out: _Emitter, meeting: MeetingRef, record: ArticleRecord, minter: Minter,
             docs: dict[str, str], people: dict[str, str]) -> None:
    iri = _iri(minter.meeting(meeting, record.identifier))
    label_evidence = meeting.evidence["label"]
    out.add(iri, TYPE, MEETING)
    place = _units()[meeting.province][0] if meeting.province in _units() else None
    out.add(iri, LABEL, out.tagged(meeting_label(meeting.label, place, meeting.date)), label_evidence)
    out.add(out.article, REPORTS, iri, label_evidence)
    if meeting.date:
        out.add(iri, HELD_ON, out.typed(meeting.date, DATE), meeting.evidence.get("date"))
    if meeting.province:
        out.add(iri, HELD_IN, _province(out, meeting.province, minter), label_evidence)
    for name in meeting.chairs:
        out.add(iri, CHAIRED_BY, people[name], label_evidence)
    for name in meeting.participants:
        out.add(iri, PARTICIPANT, people[name], label_evidence)
    for key in meeting.documents:
        out.add(iri, ABOUT, docs[key], label_evidence)

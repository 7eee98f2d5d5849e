"""`ArticleRecord` → the article's named graph (docs/graph-model.md), every fact with its evidence.

Each fact (s, p, o) read from the text is also described as an `rdf:Statement` naming the rule that read it,
the characters it was read from and the sentence around them (a W3C Web Annotation selector).
"""
from __future__ import annotations

import bisect
import hashlib
from functools import cache

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from mappings.iris import Minter
from mappings.records import ArticleRecord, DocumentRef, Evidence, MeetingRef, OfficialRef
from mappings.reference import load_bodies, load_provincial_bodies, load_units
from mappings.rules import document_types
from mappings.segment import Sentence, sentences
from mappings.vocab import OA, ORG, VK

RELATIONS = {"replaces": VK.replaces, "implements": VK.implements, "based_on": VK.basedOn}


@cache
def _type_words() -> dict[str, str]:
    return {t.id: t.words[0] for t in document_types()}


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


class _Emitter:
    def __init__(self, graph: Graph, article: URIRef, text: str) -> None:
        self.graph, self.article, self.text = graph, article, text
        self.sentences: list[Sentence] = sentences(text)
        self._starts = [s.start for s in self.sentences]

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal, evidence: Evidence | None = None) -> None:
        self.graph.add((s, p, o))
        if evidence is not None:
            self._statement(s, p, o, evidence)

    def _statement(self, s: URIRef, p: URIRef, o: URIRef | Literal, evidence: Evidence) -> None:
        digest = hashlib.sha1(f"{s} {p} {o.n3()}".encode()).hexdigest()[:12]
        node = URIRef(f"{self.article}#f-{digest}")
        for pred, obj in ((RDF.type, RDF.Statement), (RDF.subject, s), (RDF.predicate, p), (RDF.object, o),
                          (VK.rule, Literal(evidence.rule)), (VK.spanStart, Literal(evidence.start)),
                          (VK.spanEnd, Literal(evidence.end)),
                          (VK.spanText, Literal(self.text[evidence.start:evidence.end])),
                          (VK.evidence, self._sentence(evidence.start))):
            if (node, pred, None) not in self.graph:
                self.graph.add((node, pred, obj))

    def _sentence(self, offset: int) -> URIRef:
        index = max(0, bisect.bisect_right(self._starts, offset) - 1)
        sentence = self.sentences[index] if self.sentences else Sentence(0, len(self.text), self.text)
        node = URIRef(f"{self.article}#s-{sentence.start}-{sentence.end}")
        selector = URIRef(f"{node}-selector")
        if (node, RDF.type, VK.Evidence) not in self.graph:
            for triple in ((node, RDF.type, VK.Evidence), (node, RDF.type, OA.SpecificResource),
                           (node, OA.hasSource, self.article), (node, OA.hasSelector, selector),
                           (selector, RDF.type, OA.TextPositionSelector), (selector, RDF.type, OA.TextQuoteSelector),
                           (selector, OA.start, Literal(sentence.start)), (selector, OA.end, Literal(sentence.end)),
                           (selector, OA.exact, Literal(sentence.text))):
                self.graph.add(triple)
        return node


def to_graph(record: ArticleRecord, text: str, minter: Minter) -> Graph:
    """The named graph of one article: `text` is the article body the record's spans point into."""
    graph = Graph(identifier=minter.article(record.identifier))
    for prefix, namespace in (("vk", VK._NS), ("oa", OA), ("org", ORG), ("foaf", FOAF), ("dcterms", DCTERMS)):
        graph.bind(prefix, namespace)
    article = URIRef(str(graph.identifier))
    out = _Emitter(graph, article, text)
    _article(out, record)
    for province in record.provinces:
        _province(out, province.key, minter)
        out.add(article, VK.mentions, minter.province(province.key), province.evidence)
    docs = {d.key: _document(out, d, record, minter) for d in record.documents}
    for link in record.links:
        out.add(docs[link.source], RELATIONS[link.relation], docs[link.target], link.evidence)
    people = {o.name: _official(out, o, minter) for o in record.officials}
    for meeting in record.meetings:
        _meeting(out, meeting, record, minter, docs, people)
    return graph


def _article(out: _Emitter, record: ArticleRecord) -> None:
    article = out.article
    out.add(article, RDF.type, VK.Article)
    out.add(article, DCTERMS.identifier, Literal(record.identifier))
    out.add(article, RDFS.label, Literal(record.title, lang="vi"))
    if record.published:
        datatype = XSD.date if len(record.published) == 10 else XSD.gYearMonth
        out.add(article, VK.published, Literal(record.published, datatype=datatype))
    if record.url:
        out.add(article, VK.sourceUrl, Literal(record.url, datatype=XSD.anyURI))


def _province(out: _Emitter, key: str, minter: Minter) -> URIRef:
    iri = minter.province(key)
    name, english, _ = _units()[key]
    out.add(iri, RDF.type, VK.Province)
    out.add(iri, RDFS.label, Literal(name, lang="vi"))
    out.add(iri, RDFS.label, Literal(english, lang="en"))
    return iri


def _organization(out: _Emitter, doc: DocumentRef, minter: Minter) -> URIRef | None:
    if not doc.issuer or doc.issuer not in _body_labels():
        return None
    name, city_name, english = _body_labels()[doc.issuer]
    provincial = doc.issuer not in _central_keys()
    province = doc.province if provincial else None
    iri = minter.org(doc.issuer, province)
    label = city_name if province and _units()[province][2] == "city" else name
    out.add(iri, RDF.type, VK.Organization)
    out.add(iri, RDFS.label, Literal(label, lang="vi"))
    out.add(iri, RDFS.label, Literal(english, lang="en"))
    if province:
        out.add(iri, VK.province, _province(out, province, minter))
    return iri


def _document(out: _Emitter, doc: DocumentRef, record: ArticleRecord, minter: Minter) -> URIRef:
    iri = minter.document(doc, record.identifier)
    written = doc.evidence["symbol"]
    out.add(iri, RDF.type, VK.Document)
    if doc.type != "Other":
        out.add(iri, RDF.type, VK[doc.type])
    out.add(iri, RDFS.label, Literal(f"{_type_words()[doc.type]} {doc.symbol or 'số ' + doc.number}", lang="vi"))
    out.add(iri, VK.number, Literal(doc.number), written)
    if doc.symbol:
        out.add(iri, VK.symbol, Literal(doc.symbol), written)
    if not doc.symbol or minter.resolved_year(doc) is None:
        out.add(iri, VK.unresolved, Literal(True))
    if doc.date:
        out.add(iri, VK.issuedOn, Literal(doc.date, datatype=XSD.date), doc.evidence.get("date"))
    if org := _organization(out, doc, minter):
        out.add(iri, VK.issuedBy, org, doc.evidence.get("issuer"))
        out.add(out.article, VK.mentions, org, doc.evidence.get("issuer"))
    if doc.title:
        out.add(iri, VK.title, Literal(doc.title, lang="vi"), doc.evidence.get("title"))
    if doc.province:
        out.add(iri, VK.province, _province(out, doc.province, minter), written)
    out.add(out.article, VK.mentions, iri, written)
    return iri


def _official(out: _Emitter, official: OfficialRef, minter: Minter) -> URIRef:
    iri = minter.person(official.name)
    out.add(iri, RDF.type, VK.Official)
    out.add(iri, FOAF.name, Literal(official.name, lang="vi"), official.evidence)
    out.add(iri, RDFS.label, Literal(official.name, lang="vi"))
    out.add(out.article, VK.mentions, iri, official.evidence)
    for position in official.positions:
        membership = minter.position(iri, position.label)
        out.add(membership, RDF.type, ORG.Membership)
        out.add(membership, RDFS.label, Literal(position.label, lang="vi"))
        out.add(membership, ORG.member, iri)
        out.add(iri, ORG.hasMembership, membership, position.evidence)
    return iri


def _meeting(out: _Emitter, meeting: MeetingRef, record: ArticleRecord, minter: Minter,
             docs: dict[str, URIRef], people: dict[str, URIRef]) -> None:
    iri = minter.meeting(meeting, record.identifier)
    label_evidence = meeting.evidence["label"]
    out.add(iri, RDF.type, VK.Meeting)
    out.add(iri, RDFS.label, Literal(meeting.label, lang="vi"), label_evidence)
    out.add(out.article, VK.reports, iri, label_evidence)
    if meeting.date:
        out.add(iri, VK.heldOn, Literal(meeting.date, datatype=XSD.date), meeting.evidence.get("date"))
    if meeting.province:
        out.add(iri, VK.heldIn, _province(out, meeting.province, minter), label_evidence)
    for name in meeting.chairs:
        out.add(iri, VK.chairedBy, people[name], label_evidence)
    for name in meeting.participants:
        out.add(iri, VK.participant, people[name], label_evidence)
    for key in meeting.documents:
        out.add(iri, VK.about, docs[key], label_evidence)


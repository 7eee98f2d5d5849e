"""The project's namespaces. `VK` fails on a misspelt term instead of minting a new IRI.

Every term here is declared in `ontology/vankien.ttl` (checked by tests/test_ontology.py).
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

VK_IRI = "https://w3id.org/vankien/ontology#"


class VK(DefinedNamespace):
    _NS = Namespace(VK_IRI)
    _fail = True

    # classes
    Document: URIRef
    Directive: URIRef
    Conclusion: URIRef
    Regulation: URIRef
    Decision: URIRef
    Resolution: URIRef
    Guideline: URIRef
    Plan: URIRef
    Rules: URIRef
    Notice: URIRef
    Program: URIRef
    Project: URIRef
    OfficialLetter: URIRef
    Decree: URIRef
    Law: URIRef
    Province: URIRef
    Official: URIRef
    Meeting: URIRef
    Organization: URIRef
    Article: URIRef
    Evidence: URIRef

    # document properties
    symbol: URIRef
    number: URIRef
    issuedOn: URIRef
    issuedBy: URIRef
    title: URIRef
    province: URIRef
    replaces: URIRef
    implements: URIRef
    basedOn: URIRef
    unresolved: URIRef

    # article properties
    mentions: URIRef
    reports: URIRef
    published: URIRef
    sourceUrl: URIRef
    sameStoryAs: URIRef

    # position properties
    attestedOn: URIRef

    # meeting properties
    heldOn: URIRef
    heldIn: URIRef
    chairedBy: URIRef
    participant: URIRef
    about: URIRef

    # reference data
    code: URIRef
    issuerCode: URIRef
    absorbed: URIRef
    validFrom: URIRef
    validUntil: URIRef

    # provenance of each fact
    evidence: URIRef
    rule: URIRef
    spanStart: URIRef
    spanEnd: URIRef
    spanText: URIRef


ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

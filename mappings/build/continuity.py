"""IRIs once published keep answering: what the people and posts of the published build are called now.

When a build tells people apart differently (a namesake found, two sightings joined), their IRIs change. This
reads, from the build `current` points to, each article's officials and posts with what names them there, and
the IRIs earlier builds replaced; `mappings.linking.people.replacements` matches them with this build's; the
result is published as the graph `<base>graph/replaced`: `<old> dcterms:isReplacedBy <new>`, which the server
answers with a redirect (one) or a choice (several).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pyoxigraph import QuerySolutions, Store
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from mappings.linking.people import Minted, name_key, replacements
from mappings.publishing.publish import current_build, read_manifest

_PUBLISHED = """
PREFIX vk: <https://w3id.org/vankien/ontology#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?g ?s ?name ?title WHERE {
  GRAPH ?g {
    { ?s a vk:Official ; foaf:name ?name }
    UNION
    { ?s a org:Membership ; rdfs:label ?title ; org:member ?holder . ?holder foaf:name ?name }
  }
}"""
_REPLACED = "SELECT ?old ?new WHERE { GRAPH <%s> { ?old <http://purl.org/dc/terms/isReplacedBy> ?new } }"


def replaced_graph(out: Path, base: str, now: Mapping[str, Minted], changed: set[str] | None = None) -> Graph:
    """`now`: article graph IRI → the IRIs this build gives its people and posts (`people.minted`); `changed`: the
    graphs of the published build that this build does not take as they are (None: all), the only ones whose
    names can have changed."""
    graph = Graph()
    before, earlier = _published(out, base, changed)
    for old, new in replacements(before, now, earlier).items():
        for target in new:
            graph.add((URIRef(old), DCTERMS.isReplacedBy, URIRef(target)))
    return graph


def _published(out: Path, base: str, graphs: set[str] | None) -> tuple[dict[str, Minted], dict[str, list[str]]]:
    """What the published build (made with the same base) named, in `graphs` (None: all); what it had replaced."""
    build = current_build(out)
    if build is None or _base_of(build) != base:
        return {}, {}
    store = Store.read_only(str(build / "store"))
    before: dict[str, Minted] = {}
    values = "" if graphs is None else "VALUES ?g { " + " ".join(f"<{g}>" for g in sorted(graphs)) + " }"
    rows = store.query(_PUBLISHED.replace("SELECT ?g ?s ?name ?title WHERE {", "SELECT ?g ?s ?name ?title WHERE { " + values))
    assert isinstance(rows, QuerySolutions)
    for row in rows:
        iris = before.setdefault(row["g"].value, {})
        name = name_key(row["name"].value)
        key = ("person", name) if row["title"] is None else ("position", name, " ".join(row["title"].value.split()))
        iris[key] = row["s"].value
    earlier: dict[str, list[str]] = {}
    replaced = store.query(_REPLACED % f"{base}graph/replaced")
    assert isinstance(replaced, QuerySolutions)
    for row in replaced:
        earlier.setdefault(row["old"].value, []).append(row["new"].value)
    return before, earlier


def _base_of(build: Path) -> object:
    meta = read_manifest(build).get("meta")
    return meta.get("base_uri") if isinstance(meta, dict) else None

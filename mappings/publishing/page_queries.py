"""The queries behind the page data (`page_data`): the neighbours a page draws, by class of the resource, and
every statement with what choosing its quotes needs. A store without page data (a remote one) draws the
neighbours from the same texts per request (`server.pages.description`): they are written for any SPARQL 1.1
store, not for Oxigraph alone."""

PREFIXES = {
    "vk": "https://w3id.org/vankien/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "oa": "http://www.w3.org/ns/oa#",
}
VK, RDF, OA = PREFIXES["vk"], PREFIXES["rdf"], PREFIXES["oa"]

# The neighbours a page draws, by class of the resource: which items, best first (`?resource` is the page's
# resource, bound when a page asks; `server.pages.neighbourhoods` says what is shown of each), and how many.
LINEAGE_ITEMS = """
SELECT ?resource ?item (MIN(?hops) AS ?near) (MIN(?day) AS ?date) WHERE {
  { ?resource (vk:replaces|^vk:replaces)* ?item BIND(2 AS ?hops) }
  UNION
  { ?resource (vk:replaces|vk:implements|vk:basedOn|^vk:replaces|^vk:implements|^vk:basedOn) ?item
    BIND(1 AS ?hops) }
  OPTIONAL { ?item vk:issuedOn ?day }
} GROUP BY ?resource ?item ORDER BY ?near ?date ?item
"""
MEETINGS_ABOUT_ITEMS = """
SELECT DISTINCT ?resource ?item ?date
WHERE { ?item vk:about ?resource OPTIONAL { ?item vk:heldOn ?date } } ORDER BY DESC(?date) ?item
"""
# A province's documents and meetings, and those of the units it absorbed (the 2025 merger). Not a subquery per
# branch, though Oxigraph then joins faster (every province 1.1 -> 0.35 s at 4,000 articles): a remote store serves
# pages from this text too, and Virtuoso found no events with the binding of ?resource inside the subqueries.
PLACE_EVENTS_ITEMS = """
SELECT DISTINCT ?resource ?item ?date WHERE {
  ?resource vk:absorbed* ?place .
  { ?item vk:province ?place ; a vk:Document OPTIONAL { ?item vk:issuedOn ?date } }
  UNION
  { ?item vk:heldIn ?place OPTIONAL { ?item vk:heldOn ?date } }
} ORDER BY DESC(?date) ?item
"""
POSITION_ITEMS = """
SELECT ?resource ?item (MIN(?day) AS ?first) WHERE {
  ?resource org:hasMembership ?item
  OPTIONAL { ?item vk:attestedOn ?day }
} GROUP BY ?resource ?item ORDER BY ?first ?item
"""
# Other people of the same name (docs/people.md): the same name literal, another IRI.
NAMESAKE_ITEMS = """
SELECT DISTINCT ?resource ?item WHERE {
  ?resource foaf:name ?name .
  ?item foaf:name ?name .
  FILTER(?item != ?resource)
} ORDER BY ?item
"""
MEETINGS_ATTENDED_ITEMS = """
SELECT DISTINCT ?resource ?item ?date WHERE {
  VALUES ?role { vk:chairedBy vk:participant }
  ?item ?role ?resource
  OPTIONAL { ?item vk:heldOn ?date }
} ORDER BY DESC(?date) ?item
"""
NEIGHBOURS: dict[str, tuple[tuple[str, str, int], ...]] = {  # class: (name, items, limit) ...
    VK + "Document": (("lineage", LINEAGE_ITEMS, 20), ("meetings", MEETINGS_ABOUT_ITEMS, 25)),
    VK + "Province": (("events", PLACE_EVENTS_ITEMS, 40),),
    VK + "Official": (
        ("positions", POSITION_ITEMS, 25), ("meetings", MEETINGS_ATTENDED_ITEMS, 12),
        ("namesakes", NAMESAKE_ITEMS, 12),
    ),
}
# Every statement with its fact, its article's publication date and the article's other copies.
STATEMENTS = """
SELECT ?s ?p ?o ?statement ?article ?published ?copy WHERE {
  ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; vk:evidence ?evidence .
  ?evidence oa:hasSource ?article .
  OPTIONAL { ?article vk:published ?published }
  OPTIONAL { ?article vk:sameStoryAs ?copy }
}
"""

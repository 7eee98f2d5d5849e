"""What the page of a document, a province or an official draws around it, as SPARQL: a document's
lineage and the meetings about it, a province's documents and meetings (with those of the units it
absorbed in 2025), an official's positions and meetings. `server.pages.description` runs them.
"""

from dataclasses import dataclass

from server.data.page_data import NEIGHBOURS
from server.http.namespaces import PREFIXES

VK = PREFIXES["vk"]

# Neighbourhoods, each in two steps: SELECT the items (?item, best first: `mappings.publishing.page_data`, whose
# build prepares them for every resource), then CONSTRUCT what the page shows of the first `limit` of them
# (`{items}`: VALUES), so a popular resource stays bounded.
LINEAGE = """
CONSTRUCT {{
  ?item ?relation ?other ; rdfs:label ?label ; vk:issuedOn ?date ; vk:province ?province .
  ?province rdfs:label ?provinceLabel .
}} WHERE {{
  VALUES ?item {{ {items} }}
  OPTIONAL {{
    VALUES ?other {{ {items} }} VALUES ?relation {{ vk:replaces vk:implements vk:basedOn }}
    ?item ?relation ?other
  }}
  OPTIONAL {{ ?item rdfs:label ?label }}
  OPTIONAL {{ ?item vk:issuedOn ?date }}
  OPTIONAL {{ ?item vk:province ?province OPTIONAL {{ ?province rdfs:label ?provinceLabel }} }}
}}
"""
MEETINGS_ABOUT = """
CONSTRUCT {{
  ?item vk:about ?resource ; a vk:Meeting ; rdfs:label ?label ; vk:heldOn ?date ; vk:heldIn ?place .
  ?place rdfs:label ?placeLabel .
}} WHERE {{
  VALUES ?item {{ {items} }}
  ?item vk:about ?resource
  OPTIONAL {{ ?item rdfs:label ?label }}
  OPTIONAL {{ ?item vk:heldOn ?date }}
  OPTIONAL {{ ?item vk:heldIn ?place OPTIONAL {{ ?place rdfs:label ?placeLabel }} }}
}}
"""
# A province's documents and meetings, and those of the units it absorbed (the 2025 merger).
PLACE_EVENTS = """
CONSTRUCT {{
  ?item ?where ?place ; a ?class ; rdfs:label ?label ; ?when ?date .
  ?place rdfs:label ?placeLabel .
}} WHERE {{
  VALUES ?item {{ {items} }}
  VALUES (?where ?class ?when) {{ (vk:province vk:Document vk:issuedOn) (vk:heldIn vk:Meeting vk:heldOn) }}
  ?resource vk:absorbed* ?place .
  ?item ?where ?place ; a ?class .
  OPTIONAL {{ ?item rdfs:label ?label }}
  OPTIONAL {{ ?item ?when ?date }}
  OPTIONAL {{ ?place rdfs:label ?placeLabel }}
}}
"""
POSITIONS = """
CONSTRUCT {{
  ?item rdfs:label ?label ; org:organization ?org ; org:role ?role ; vk:attestedOn ?day .
  ?org rdfs:label ?orgLabel . ?role rdfs:label ?roleLabel .
}} WHERE {{
  VALUES ?item {{ {items} }}
  OPTIONAL {{ ?item rdfs:label ?label }}
  OPTIONAL {{ ?item vk:attestedOn ?day }}
  OPTIONAL {{ ?item org:organization ?org OPTIONAL {{ ?org rdfs:label ?orgLabel }} }}
  OPTIONAL {{ ?item org:role ?role OPTIONAL {{ ?role rdfs:label ?roleLabel }} }}
}}
"""
# Other people of the same name (docs/people.md), with their posts.
NAMESAKES = """
CONSTRUCT {{ ?item rdfs:label ?label ; org:hasMembership ?post . ?post rdfs:label ?postLabel }}
WHERE {{
  VALUES ?item {{ {items} }}
  OPTIONAL {{ ?item rdfs:label ?label }}
  OPTIONAL {{ ?item org:hasMembership ?post OPTIONAL {{ ?post rdfs:label ?postLabel }} }}
}}
"""
MEETINGS_ATTENDED = """
CONSTRUCT {{
  ?item ?role ?resource ; a vk:Meeting ; rdfs:label ?label ; vk:heldOn ?date ; vk:heldIn ?place ;
    vk:about ?document .
  ?place rdfs:label ?placeLabel . ?document rdfs:label ?documentLabel .
}} WHERE {{
  VALUES ?item {{ {items} }}
  VALUES ?role {{ vk:chairedBy vk:participant }}
  ?item ?role ?resource
  OPTIONAL {{ ?item rdfs:label ?label }}
  OPTIONAL {{ ?item vk:heldOn ?date }}
  OPTIONAL {{ ?item vk:heldIn ?place OPTIONAL {{ ?place rdfs:label ?placeLabel }} }}
  OPTIONAL {{ ?item vk:about ?document OPTIONAL {{ ?document rdfs:label ?documentLabel }} }}
}}
"""


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """One kind of neighbour a page draws: which items to list, and what to show of each."""

    name: str
    items: str  # SELECT ?item ..., best first
    construct: str  # CONSTRUCT over `{items}`
    limit: int


CONSTRUCTS = {
    (VK + "Document", "lineage"): LINEAGE, (VK + "Document", "meetings"): MEETINGS_ABOUT,
    (VK + "Province", "events"): PLACE_EVENTS,
    (VK + "Official", "positions"): POSITIONS, (VK + "Official", "meetings"): MEETINGS_ATTENDED,
    (VK + "Official", "namesakes"): NAMESAKES,
}
NEIGHBOURHOODS = {  # by class of the resource; the items and limits are the build's (`NEIGHBOURS`)
    cls: tuple(Neighbourhood(name, items, CONSTRUCTS[(cls, name)], limit) for name, items, limit in kinds)
    for cls, kinds in NEIGHBOURS.items()
}

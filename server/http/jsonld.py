"""JSON-LD as people read it: the node objects pyoxigraph writes (full IRIs, expanded form), given a `@context`
of the known prefixes and written with compact IRIs (`vk:title`, `"@id": "vk:Directive"`). A JSON-LD processor
expands them back to the same graph (tests/test_pages.py checks it with pyld, rdflib and pyoxigraph).

    >>> compact(b'[{"@id": "https://w3id.org/vankien/ontology#x", "http://www.w3.org/2000/01/rdf-schema#label": '
    ...         b'[{"@value": "x"}]}]', {"vk": "https://w3id.org/vankien/ontology#",
    ...                               "rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
    b'{"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#", "vk": "https://w3id.org/vankien/ontology#"}, "@graph": [{"@id": "vk:x", "rdfs:label": [{"@value": "x"}]}]}'
"""

import json
from collections.abc import Mapping
from typing import Any

_IRI_KEYS = ("@id", "@type")


def compact(expanded: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Expanded JSON-LD (a list of node objects) → `{"@context": prefixes used, "@graph": ...}`, compact IRIs."""
    nodes = json.loads(expanded or b"[]")
    # longest namespace first, so "org:" never takes what a longer namespace names
    ordered = sorted(prefixes.items(), key=lambda item: -len(item[1]))
    used: dict[str, str] = {}

    def short(iri: str) -> str:
        for name, namespace in ordered:
            rest = iri[len(namespace):]
            if iri.startswith(namespace) and rest and not rest.startswith("//") and ":" not in rest:
                used[name] = namespace
                return f"{name}:{rest}"
        return iri

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key in _IRI_KEYS:
                    out[key] = [short(i) for i in item] if isinstance(item, list) else short(item)
                else:
                    out[key if key.startswith("@") else short(key)] = walk(item)
            return out
        return value

    graph = walk(nodes)
    document = {"@context": dict(sorted(used.items())), "@graph": graph}
    return json.dumps(document, ensure_ascii=False).encode()

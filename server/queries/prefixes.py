"""The prefixes a query may use without declaring them, as on the Wikidata Query Service: the missing
`PREFIX` lines are added before the query is parsed, by the protocol and the query page alike (both
reach `server.queries.query_worker`). Only prefixes the query uses and does not declare are added, so
a query's own declarations always win, and a query that declares everything is left as it is.

The added declarations go on one line before the user's text, so a parser's line number is the user's
plus one (`Completed.added_lines`); columns are unchanged.

>>> completed = complete("SELECT ?d WHERE { ?d a vk:Directive }")
>>> completed.text.splitlines()[0]
'PREFIX vk: <https://w3id.org/vankien/ontology#>'
>>> completed.added_lines
1
>>> complete("PREFIX vk: <urn:x#> ASK { ?s vk:p 'rdfs:label' }").added_lines
0
>>> unknown_prefix("SELECT *\\nWHERE { ?s wd:P31 ?o }")
UnknownPrefix(prefix='wd', line=2, column=12)
"""

import re
from dataclasses import dataclass

from server.http.namespaces import PREFIXES
from server.queries.precheck import TOKENS

KNOWN: dict[str, str] = {**PREFIXES, "schema": "https://schema.org/"}  # the project's own schema.org IRI
# A prefixed name's prefix (SPARQL's PN_PREFIX, or none) up to its colon; variables and numbers are not.
PREFIXED = re.compile(r"([A-Za-z\u00C0-\uFFFD][\w\-.\u00B7]*)?:")


@dataclass(frozen=True, slots=True)
class Completed:
    text: str  # the query the parser sees
    added_lines: int  # lines added before the user's first line


@dataclass(frozen=True, slots=True)
class UnknownPrefix:
    prefix: str
    line: int  # 1-based, in the user's text
    column: int  # 1-based, in characters


def complete(query: str) -> Completed:
    """The query with a declaration for each known prefix it uses but does not declare."""
    declared, used = _prefixes(query)
    missing = [p for p in KNOWN if p in used and p not in declared]
    if not missing:
        return Completed(query, 0)
    lines = " ".join(f"PREFIX {p}: <{KNOWN[p]}>" for p in missing)
    return Completed(f"{lines}\n{query}", 1)


def unknown_prefix(query: str) -> UnknownPrefix | None:
    """The first prefixed name whose prefix is neither declared nor known, with where it is."""
    declared, used = _prefixes(query)
    for prefix, offset in used.items():
        if prefix not in declared and prefix not in KNOWN:
            line = query.count("\n", 0, offset) + 1
            return UnknownPrefix(prefix, line, offset - (query.rfind("\n", 0, offset) + 1) + 1)
    return None


def _prefixes(query: str) -> tuple[set[str], dict[str, int]]:
    """(prefixes declared, prefixes used with the offset of their first use), read from the query's tokens
    (strings, IRIs and comments are skipped)."""
    declared: set[str] = set()
    used: dict[str, int] = {}
    previous = ""
    for token in TOKENS.finditer(query):
        kind = token.lastgroup
        if kind in ("space", "comment"):
            continue
        text = token.group()
        if kind == "word" and (name := PREFIXED.match(text)) is not None:
            prefix = name.group(1) or ""
            if previous.upper() == "PREFIX":
                declared.add(prefix)
            else:
                used.setdefault(prefix, token.start())
        previous = text
    return declared, used

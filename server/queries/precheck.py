"""Checks on a query's text before any parser sees it: size, nesting, outbound calls, huge numbers.

A pure function over the text. It reads the query as the SPARQL grammar's tokens that matter here
(strings, IRIs and comments are skipped, so `"SERVICE"` or `<http://x/(>` count for nothing) and
refuses what could hurt the service: a deep nesting that could exhaust a parser's stack, `SERVICE`
(an outbound request), a `LIMIT`/`OFFSET` beyond 64 bits.

>>> precheck("SELECT * WHERE { ?s ?p ?o } LIMIT 10")
>>> precheck("SELECT * WHERE { SERVICE <http://evil/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
server.queries.precheck.QueryRefused: SERVICE is not allowed: this endpoint makes no outbound requests
>>> precheck('SELECT * WHERE { ?s ?p "SERVICE <http://x/> {" }')
>>> precheck("SELECT * WHERE { ?s ?p ?o } OFFSET 99999999999999999999")
Traceback (most recent call last):
...
server.queries.precheck.QueryRefused: OFFSET 99999999999999999999 is beyond 64 bits
"""

import re

MAX_BYTES = 64 * 1024  # query text, UTF-8
MAX_DEPTH = 64  # nested ( [ { ; real queries stay far below, parsers recurse on each
MAX_INTEGER = 2**63 - 1

# One alternative per token kind, tried left to right at each position (SPARQL 1.1 grammar, §19.8).
TOKENS = re.compile(
    r"""
      (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\n\r]*)
    | (?P<space>\s+)
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    | (?P<word>[?$]?[\w\-.:%\\]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
BOUNDED = ("LIMIT", "OFFSET")
SKIPPED = ("comment", "space")


class QueryRefused(ValueError):
    """The query may not run here; the message says why in plain words."""


class QueryTooLong(QueryRefused):
    """Longer than `MAX_BYTES`."""


def precheck(query: str) -> None:
    """Raises `QueryRefused` for a query this endpoint will not evaluate."""
    if len(query.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise QueryTooLong(f"the query is longer than {MAX_BYTES // 1024} KiB")
    depth = 0
    previous = ""
    for token in TOKENS.finditer(query):
        kind, text = token.lastgroup, token.group()
        if kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                raise QueryRefused(f"the query nests deeper than {MAX_DEPTH} brackets")
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "word":
            _check_word(text, previous)
        if kind not in SKIPPED:
            previous = text


def _check_word(word: str, previous: str) -> None:
    upper = word.upper()
    if upper == "SERVICE":
        raise QueryRefused("SERVICE is not allowed: this endpoint makes no outbound requests")
    if previous.upper() in BOUNDED and word.isdigit() and int(word) > MAX_INTEGER:
        raise QueryRefused(f"{previous.upper()} {word} is beyond 64 bits")

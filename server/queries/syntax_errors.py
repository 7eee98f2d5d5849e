"""A SPARQL syntax error in words, placed in the user's own text.

pyoxigraph says `error at 3:16: expected one of LANGDIR, MINUTES, NOT, ...`: a line, a column in UTF-8
bytes of the text it parsed (which may start with the known prefixes' line, `prefixes.complete`), and
what its grammar would have taken there, character classes included. The message here names the line
and column (in characters) of the user's text, shows that line with a caret, says what was found there,
and keeps of the grammar's list only what a person can read: its own sentences ("The SELECT contains a
variable that is unbound"), then punctuation and keywords. An unknown prefix is named with the known ones.

>>> print(explain("error at 2:10: expected one of \\",\\", \\"}\\", ['0'..='9']", "ASK { ?s ?p ?o ?x }", 1))
SPARQL syntax error at line 1, column 10: unexpected "?p"
  ASK { ?s ?p ?o ?x }
           ^
expected one of: ",", "}"
>>> print(explain("error at 1:20: expected one of Prefix not found", "SELECT * { ?s wd:P31 ?o }", 0))
SPARQL syntax error at line 1, column 15: unknown prefix 'wd:' (known: dcterms, foaf, oa, org, owl, prov, rdf, rdfs, schema, skos, vk, xsd; declare others with PREFIX wd: <...>)
  SELECT * { ?s wd:P31 ?o }
                ^
"""

import re

from server.queries.prefixes import KNOWN, unknown_prefix

POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
TOKEN = re.compile(r"[?$]?[\w:.\-]+|\S")  # what the parser met: a word, a variable, or one character
EXPECTED_SHOWN = 12


def explain(message: str, query: str, added_lines: int) -> str:
    """The parser's `message` about the text it parsed (`query` after `added_lines` lines) as a person reads it."""
    unknown = unknown_prefix(query)
    if unknown is not None:
        known = ", ".join(sorted(KNOWN))
        said = (f"unknown prefix '{unknown.prefix}:' (known: {known}; "
                f"declare others with PREFIX {unknown.prefix}: <...>)")
        return _placed(said, query, unknown.line, unknown.column)
    found = POSITION.match(message)
    if found is None:
        return f"SPARQL syntax error: {message}"
    line, byte_column, expected = int(found[1]) - added_lines, int(found[2]), found[3]
    lines = query.split("\n")
    if not 1 <= line <= len(lines):
        return f"SPARQL syntax error: {expected}"
    text = lines[line - 1]
    column = len(text.encode("utf-8")[: byte_column - 1].decode("utf-8", "ignore")) + 1
    while column > 1 and (text[column - 2 : column - 1].isalnum() or text[column - 2 : column - 1] in "_:?$"):
        column -= 1  # the parser stopped inside a word: name the word
    sentences, tokens = _readable(expected)
    said = "; ".join(sentences) if sentences else _unexpected(lines, line, column, bool(tokens))
    placed = _placed(said, query, line, column)
    if tokens and not sentences:
        more = ", …" if len(tokens) > EXPECTED_SHOWN else ""
        placed += f"\nexpected one of: {', '.join(tokens[:EXPECTED_SHOWN])}{more}"
    return placed


def _placed(said: str, query: str, line: int, column: int) -> str:
    text = query.split("\n")[line - 1].rstrip("\r")
    prefix = text[: column - 1]
    caret = "".join("\t" if c == "\t" else " " for c in prefix) + "^"
    return f"SPARQL syntax error at line {line}, column {column}: {said}\n  {text}\n  {caret}"


def _unexpected(lines: list[str], line: int, column: int, expecting: bool) -> str:
    rest = "\n".join([lines[line - 1][column - 1 :], *lines[line:]])
    met = TOKEN.search(_without_comments(rest))
    if met:
        return f'unexpected "{met.group()}"'
    return "the query ends too early" if expecting else "the query is not valid SPARQL 1.1 up to here"


def _without_comments(text: str) -> str:
    return re.sub(r"#[^\n]*", "", text)


def _readable(expected: str) -> tuple[list[str], list[str]]:
    """(the grammar's own sentences, the tokens and keywords it expected), character classes left out."""
    items = _items(expected.removeprefix("expected one of ").removeprefix("expected "))
    sentences = [i for i in items if " " in i and not i.startswith(("[", '"', "'"))]
    tokens = [i for i in items if i not in sentences and not i.startswith("[")]
    return [s for s in sentences if s != "Prefix not found"], tokens


def _items(listed: str) -> list[str]:
    """`a, "," , [x, y], b` → the items, splitting at commas outside quotes and brackets."""
    items: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in listed:
        if quote:
            quote = "" if char == quote and current[-1:] != ["\\"] else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    items.append("".join(current).strip())
    return [i for i in items if i]

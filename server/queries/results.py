"""SPARQL 1.1 results written row by row (JSON, XML, CSV, TSV), so an answer can be cut at the row
cap and sent in chunks. pyoxigraph only serializes a whole `QuerySolutions`; the output here has the
same shape as pyoxigraph's.

>>> from pyoxigraph import NamedNode, Literal, Variable
>>> rows = [[NamedNode("http://a"), Literal("x", language="vi")]]
>>> b"".join(write_solutions("csv", [Variable("s"), Variable("o")], rows)).decode()
's,o\\r\\nhttp://a,x\\r\\n'
"""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring  # type: ignore[attr-defined]  # C: a JSON string, non-ASCII kept
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, Variable

Term = NamedNode | BlankNode | Literal | Triple
Row = Sequence[Term | None]
CHUNK = 64 * 1024
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
FORMATS = ("json", "xml", "csv", "tsv")


def write_solutions(fmt: str, variables: Sequence[Variable], rows: Iterable[Row]) -> Iterator[bytes]:
    """The results document in chunks of about `CHUNK` bytes; `fmt` is one of `FORMATS`."""
    names = [v.value for v in variables]
    if fmt == "json":
        return _chunked(_json_head(names), _json_lines(names, rows), _json_tail())
    head, line, separator, tail = WRITERS[fmt]
    lines = (("" if i == 0 else separator) + line(names, row) for i, row in enumerate(rows))
    return _chunked(head(names), lines, tail())


def write_boolean(fmt: str, value: bool) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return f'<?xml version="1.0"?><sparql xmlns="{XML_NS}"><head/><boolean>{str(value).lower()}</boolean></sparql>'.encode()
    return str(value).lower().encode()  # CSV and TSV define no boolean form: pyoxigraph's bare word


def _chunked(head: str, lines: Iterator[str], tail: str) -> Iterator[bytes]:
    buffer = [head]
    size = len(head)
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    buffer.append(tail)
    yield "".join(buffer).encode()


# --- SPARQL 1.1 Query Results JSON Format (compact, as pyoxigraph writes it)
def _json_head(names: list[str]) -> str:
    return '{"head":{"vars":' + json.dumps(names, ensure_ascii=False, separators=(",", ":")) + '},"results":{"bindings":['


def _json_lines(names: list[str], rows: Iterable[Row]) -> Iterator[str]:
    """Each binding as text, the terms written directly (a dict and `json.dumps` per row cost 3-5x more)."""
    keys = [encode_basestring(name) + ":" for name in names]
    separator = "{"
    for row in rows:
        if len(row) != len(keys):
            raise ValueError(f"a row of {len(row)} terms for {len(keys)} variables")
        yield separator + ",".join([key + _json_text(term) for key, term in zip(keys, row) if term is not None]) + "}"
        separator = ",{"


def _json_text(term: Term) -> str:
    if type(term) is NamedNode:
        return '{"type":"uri","value":' + encode_basestring(term.value) + "}"
    if type(term) is Literal:
        value = '{"type":"literal","value":' + encode_basestring(term.value)
        if term.language:
            return value + ',"xml:lang":' + encode_basestring(term.language) + "}"
        datatype = term.datatype.value
        return value + "}" if datatype == XSD_STRING else value + ',"datatype":' + encode_basestring(datatype) + "}"
    if type(term) is BlankNode:
        return '{"type":"bnode","value":' + encode_basestring(term.value) + "}"
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _json_tail() -> str:
    return "]}}"


def _json_term(term: Term) -> dict[str, object]:  # RDF-star triples, nested
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {k: _json_term(getattr(term, k)) for k in ("subject", "predicate", "object")}}


# --- SPARQL Query Results XML Format
XML_NS = "http://www.w3.org/2005/sparql-results#"


def _xml_head(names: list[str]) -> str:
    variables = "".join(f"<variable name={quoteattr(n)}/>" for n in names)
    return f'<?xml version="1.0"?><sparql xmlns="{XML_NS}"><head>{variables}</head><results>'


def _xml_row(names: list[str], row: Row) -> str:
    bindings = "".join(
        f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
        for name, term in zip(names, row, strict=True)
        if term is not None
    )
    return f"<result>{bindings}</result>"


def _xml_tail() -> str:
    return "</results></sparql>"


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            attribute = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD_STRING:
            attribute = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attribute = ""
        return f"<literal{attribute}>{_xml_text(term.value)}</literal>"
    parts = "".join(f"<{k}>{_xml_term(getattr(term, k))}</{k}>" for k in ("subject", "predicate", "object"))
    return f"<triple>{parts}</triple>"


def _xml_text(value: str) -> str:
    """Escaped so that a reader that trims white space keeps it: line breaks and tabs always, and
    spaces at either end."""
    text = escape(value, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
    body = text.strip(" ")
    if not body:
        return "&#32;" * len(text)
    start = len(text) - len(text.lstrip(" "))
    end = len(text) - len(text.rstrip(" "))
    return "&#32;" * start + body + "&#32;" * end


# --- SPARQL 1.1 Query Results CSV and TSV Formats
def _csv_head(names: list[str]) -> str:
    return ",".join(_csv_field(n) for n in names) + "\r\n"


def _csv_row(names: list[str], row: Row) -> str:
    return ",".join("" if t is None else _csv_field(_csv_value(t)) for t in row) + "\r\n"


def _csv_value(term: Term) -> str:
    if isinstance(term, BlankNode):
        return "_:" + term.value
    return term.value if isinstance(term, NamedNode | Literal) else str(term)


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def _tsv_head(names: list[str]) -> str:
    return "\t".join("?" + n for n in names) + "\n"


def _tsv_row(names: list[str], row: Row) -> str:
    return "\t".join("" if t is None else str(t) for t in row) + "\n"


def _empty() -> str:
    return ""


WRITERS: dict[str, tuple[Callable[[list[str]], str], Callable[[list[str], Row], str], str, Callable[[], str]]] = {
    # head, row, between rows, tail (JSON: `_json_lines`)
    "xml": (_xml_head, _xml_row, "", _xml_tail),
    "csv": (_csv_head, _csv_row, "", _empty),
    "tsv": (_tsv_head, _tsv_row, "", _empty),
}

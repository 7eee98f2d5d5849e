"""Deterministic gzip dumps of a built store, and their check before publishing.

Named graphs go to N-Quads and TriG, so a consumer sees each triple in the graph of the article it
came from and only there; the deduplicated union (the default graph) goes to N-Triples, Turtle and
JSON-LD. The same store content always gives the same bytes: graphs and lines are sorted and the
gzip header carries no file name or time. Nothing is held whole in memory: named graphs are
written one at a time and the union is sorted in runs on disk, then merged.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import islice, takewhile
from pathlib import Path
from typing import IO, Literal, cast

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, parse, serialize

from mappings.build_store import BuildCheckError, StoreCounts

STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
NQUADS, TRIG = "vankien.nq.gz", "vankien.trig.gz"
NTRIPLES, TURTLE, JSONLD = "vankien.nt.gz", "vankien.ttl.gz", "vankien.jsonld.gz"
FORMATS = {NQUADS: RdfFormat.N_QUADS, TRIG: RdfFormat.TRIG, NTRIPLES: RdfFormat.N_TRIPLES,
           TURTLE: RdfFormat.TURTLE, JSONLD: RdfFormat.JSON_LD}
NAMED_GRAPH_DUMPS = (NQUADS, TRIG)  # the others hold the union, in the default graph


@dataclass(frozen=True, slots=True)
class Dump:
    """One written dump file (`file` is relative to the build directory)."""

    file: str
    format: RdfFormat
    unit: Literal["quads", "triples"]
    count: int
    bytes: int
    sha256: str

    def manifest_entry(self) -> dict[str, object]:
        return {"file": self.file, "media_type": self.format.media_type, "encoding": "gzip",
                "bytes": self.bytes, "sha256": self.sha256, self.unit: self.count}


def write_dumps(store_path: Path, build: Path, *, context: object, sort_buffer: int) -> list[Dump]:
    """Write the five dumps (FORMATS) and SHA256SUMS into `build`/dumps."""
    directory = build / "dumps"
    directory.mkdir(parents=True, exist_ok=True)
    prefixes = context_prefixes(context)
    store = Store.read_only(str(store_path))
    quads = _write_named_graphs(store, directory, prefixes)
    triples = _write_union_ntriples(store, directory, sort_buffer)
    _write_union_turtle(directory, prefixes)
    _write_union_jsonld(directory, context)
    dumps = [_describe(build, name, quads if name in NAMED_GRAPH_DUMPS else triples) for name in FORMATS]
    _write_checksums(directory, dumps)
    fsync_dir(directory)
    return dumps


def check_dumps(build: Path, dumps: list[Dump], counts: StoreCounts) -> None:
    """Parse every dump back and compare its size, checksum and statement count with the build's."""
    for dump in dumps:
        path = build / dump.file
        expected = counts.quads if dump.unit == "quads" else counts.union_triples
        statements = _parsed_count(path, dump.format, named=dump.unit == "quads")
        found = (path.stat().st_size, file_sha256(path), statements)
        if found != (dump.bytes, dump.sha256, expected) or dump.count != expected:
            raise BuildCheckError(f"{path}: (bytes, sha256, {dump.unit}) on disk are {found}, "
                                  f"expected ({dump.bytes}, {dump.sha256}, {expected})")


def context_prefixes(context: object) -> dict[str, str]:
    """Turtle/TriG prefixes: rdf, rdfs, xsd plus every prefix-like term of the JSON-LD context."""
    prefixes = dict(STANDARD_PREFIXES)
    for definitions in context if isinstance(context, list) else [context]:
        if isinstance(definitions, dict):
            prefixes.update((name, iri) for name, value in definitions.items()
                            if (iri := _prefix_iri(name, value)) is not None)
    return prefixes


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_durably(path: Path, data: bytes) -> None:
    """Write and fsync a small file (manifest, checksums)."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (new files, renames) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and directory under `root` (the store writes its own files)."""
    for directory, _, files in os.walk(root):
        for name in files:
            fd = os.open(Path(directory, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(directory))


def _prefix_iri(name: str, value: object) -> str | None:
    if isinstance(value, dict) and value.get("@prefix") is True:
        value = value.get("@id")
    if not isinstance(value, str) or not _PREFIX_NAME.match(name):
        return None
    return value if "://" in value and value.endswith(("/", "#")) else None


@contextmanager
def _gzip_out(path: Path) -> Iterator[IO[bytes]]:
    """A gzip stream without file name or mtime in its header, fsynced on close."""
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as stream:
            yield cast(IO[bytes], stream)
        raw.flush()
        os.fsync(raw.fileno())


def _line(quad: Quad) -> str:
    """The quad's triple in canonical N-Triples: the sort key of every dump."""
    return f"{quad.triple} .\n"


def _write_named_graphs(store: Store, directory: Path, prefixes: dict[str, str]) -> int:
    header = _trig_header(prefixes)
    count = 0
    with _gzip_out(directory / NQUADS) as nquads, _gzip_out(directory / TRIG) as trig:
        trig.write(header)
        for graph in sorted(store.named_graphs(), key=str):
            quads = sorted(store.quads_for_pattern(None, None, None, graph), key=_line)
            nquads.write(serialize(quads, format=RdfFormat.N_QUADS))
            trig.write(_without_header(serialize(quads, format=RdfFormat.TRIG, prefixes=prefixes), header))
            count += len(quads)
    return count


def _trig_header(prefixes: dict[str, str]) -> bytes:
    """The @prefix lines exactly as pyoxigraph writes them (its order is its own), to write them once."""
    probe = Quad(NamedNode("urn:x:s"), NamedNode("urn:x:p"), NamedNode("urn:x:o"), NamedNode("urn:x:g"))
    lines = serialize([probe], format=RdfFormat.TRIG, prefixes=prefixes).splitlines(keepends=True)
    return b"".join(takewhile(lambda line: line.startswith(b"@prefix "), lines))


def _without_header(trig: bytes, header: bytes) -> bytes:
    """One graph's TriG block: the shared @prefix lines are written once, at the top of the file."""
    if trig and not trig.startswith(header):
        raise ValueError(f"pyoxigraph wrote an unexpected TriG prefix header: {trig[:200]!r}")
    return trig[len(header):]


def _write_union_ntriples(store: Store, directory: Path, sort_buffer: int) -> int:
    lines = (_line(q) for q in store.quads_for_pattern(None, None, None, DefaultGraph()))
    with tempfile.TemporaryDirectory(dir=directory, prefix=".sort-") as tmp, ExitStack() as runs:
        files = [runs.enter_context(open(p, encoding="utf-8", newline=""))
                 for p in _sorted_runs(lines, Path(tmp), sort_buffer)]
        with _gzip_out(directory / NTRIPLES) as out:
            return _write_lines(heapq.merge(*files), out)


def _write_lines(lines: Iterable[str], out: IO[bytes]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")  # buffers: gzip writes are costly
    count = 0
    for line in lines:
        text.write(line)
        count += 1
    text.flush()
    text.detach()  # leave `out` open for its owner to close
    return count


def _sorted_runs(lines: Iterator[str], tmp: Path, size: int) -> list[Path]:
    """Sort the lines `size` at a time into files, so memory stays bounded however big the union."""
    runs: list[Path] = []
    while batch := sorted(islice(lines, size)):
        runs.append(tmp / f"run-{len(runs):05d}.nt")
        runs[-1].write_text("".join(batch), encoding="utf-8")
    return runs


def _union_triples(directory: Path) -> Iterator[Triple]:
    """The sorted union read back from the N-Triples dump: subjects come grouped, in order."""
    with gzip.open(directory / NTRIPLES, "rb") as nt:
        for quad in parse(nt, RdfFormat.N_TRIPLES):
            yield quad.triple


def _write_union_turtle(directory: Path, prefixes: dict[str, str]) -> None:
    with _gzip_out(directory / TURTLE) as out:
        serialize(_union_triples(directory), out, RdfFormat.TURTLE, prefixes=prefixes)


def _write_union_jsonld(directory: Path, context: object) -> None:
    """Node objects (pyoxigraph, full IRIs) under the project's @context, embedded, never referenced."""
    head = '{"@context": ' + json.dumps(context, ensure_ascii=False) + ', "@graph": '
    with _gzip_out(directory / JSONLD) as out:
        out.write(head.encode())
        serialize(_union_triples(directory), out, RdfFormat.JSON_LD)
        out.write(b"}\n")


def _describe(build: Path, name: str, count: int) -> Dump:
    path = build / "dumps" / name
    unit: Literal["quads", "triples"] = "quads" if name in NAMED_GRAPH_DUMPS else "triples"
    return Dump(f"dumps/{name}", FORMATS[name], unit, count, path.stat().st_size, file_sha256(path))


def _write_checksums(directory: Path, dumps: Iterable[Dump]) -> None:
    """sha256sum format, names relative to dumps/ so `sha256sum -c SHA256SUMS` runs there."""
    lines = sorted(f"{d.sha256}  {Path(d.file).name}\n" for d in dumps)
    write_durably(directory / "SHA256SUMS", "".join(lines).encode())


def _parsed_count(path: Path, fmt: RdfFormat, named: bool) -> int:
    """Statements in the file; named-graph dumps must hold no default-graph quad, union dumps only those."""
    count = 0
    with gzip.open(path, "rb") as stream:
        for quad in parse(stream, fmt):
            if isinstance(quad.graph_name, DefaultGraph) == named:
                raise BuildCheckError(f"{path}: holds a quad in the wrong graph: {quad}")
            count += 1
    return count

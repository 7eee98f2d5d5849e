"""Deterministic gzip dumps, written while the build streams its graphs, and their check before publishing.

Named graphs go to N-Quads and TriG, so a consumer sees each triple in the graph of the article it
came from and only there; the deduplicated union (the default graph) goes to N-Triples, Turtle and
JSON-LD. The same graphs always give the same bytes, and nothing is held whole in memory:

- graphs come in IRI order, already rendered (`render`, in the build's worker processes) into gzip
  members that are appended as they come: each dump is a multi-member gzip file (RFC 1952), read by
  every gzip reader as one stream. Member headers carry no file name and no time.
- named graphs: by IRI; within a graph, lines sorted.
- the union: first, graph by graph, the triples about the graph itself or its fragments (`<g>`,
  `<g#...>`: an article's own node and evidence, which no other graph repeats), sorted; then every
  other triple (documents, people, places: repeated across articles) once, sorted, merged from
  sorted runs on disk, with the number of graphs that state it. Where articles disagree on a property the
  shapes allow one value of (a document's title, a person's name, a label in one language), the union holds
  the value the most graphs state (ties: the first in sorted order); the others stay in their articles' graphs.
- Turtle, TriG and JSON-LD are written from the N-Triples lines themselves (mappings/emission/line_formats.py):
  the text of a graph does not depend on which other graphs share its chunk, so the decompressed dumps
  are the same however the graphs were grouped.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO, Literal

from pyoxigraph import RdfFormat

from mappings.emission.graph_text import GraphText
from mappings.emission.line_formats import NODE_SEPARATOR, Names, jsonld, trig, turtle
from mappings.publishing.store import BuildCheckError
from mappings.validation.validate import single_valued

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
COMPRESSION = 3  # gzip -6 took twice the time for files 20 % smaller
_SHARED_MEMBER = 50_000  # union lines per gzip member in the shared part


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


@dataclass(frozen=True, slots=True)
class Rendered:
    """Consecutive graphs (in IRI order) rendered for the store and the dumps."""

    iris: tuple[str, ...]
    empty: tuple[str, ...]       # graphs without triples (the store must still hold them)
    quads: int                   # named-graph quads
    own: int                     # union triples about the graphs themselves (never repeated elsewhere)
    store: bytes                 # N-Quads: every quad, and the own triples again in the default graph
    members: dict[str, bytes]    # dump file → gzip member (JSON-LD: node objects, without the brackets)
    shared: dict[str, int]       # the other union lines → how many of the graphs state each


def render(graphs: Sequence[GraphText], prefixes: dict[str, str]) -> Rendered:
    """The graphs' share of the store and of every dump."""
    names = _names(tuple(sorted(prefixes.items())))
    nquads: list[str] = []
    trig_blocks: list[str] = []
    own: list[str] = []
    shared: Counter[str] = Counter()
    for graph in graphs:
        suffix = f" <{graph.iri}> .\n"
        nquads += [line[:-3] + suffix for line in graph.lines]
        trig_blocks.append(trig(graph.iri, graph.lines, names))
        scope = (f"<{graph.iri}> ", f"<{graph.iri}#")
        for line in graph.lines:
            if line.startswith(scope):
                own.append(line)
            else:
                shared[line] += 1
    nquads_bytes, own_bytes = "".join(nquads).encode(), "".join(own).encode()
    texts = {NQUADS: nquads_bytes, TRIG: "".join(trig_blocks).encode(), NTRIPLES: own_bytes,
             TURTLE: turtle(own, names).encode(), JSONLD: jsonld(own).encode()}
    return Rendered(tuple(g.iri for g in graphs), tuple(g.iri for g in graphs if not g.lines),
                    len(nquads), len(own), nquads_bytes + own_bytes,
                    {name: _member(text) for name, text in texts.items()}, dict(shared))


class DumpWriter:
    """The five dumps of one build, appended to as rendered graphs come; `finish` writes the shared union."""

    def __init__(self, directory: Path, context: object, prefixes: dict[str, str], sort_buffer: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.prefixes = directory, prefixes
        self._names = _names(tuple(sorted(prefixes.items())))
        self._files = {name: _Output(directory / name) for name in FORMATS}
        self._shared = _SortedRuns(directory, sort_buffer)
        self.left_out_of_union: list[str] = []   # values the union does not keep (`one_value_each`)
        self._jsonld_items = 0
        self.quads = self.own = 0
        self._files[TRIG].write(_member(self._names.header().encode()))
        self._files[TURTLE].write(_member(self._names.header().encode()))
        head = '{"@context": ' + json.dumps(context, ensure_ascii=False) + ', "@graph": ['
        self._files[JSONLD].write(_member(head.encode()))

    def add(self, rendered: Rendered) -> None:
        for name, member in rendered.members.items():
            if name == JSONLD:
                self._add_json_items(member, rendered.own)
            else:
                self._files[name].write(member)
        self._shared.add(rendered.shared)
        self.quads += rendered.quads
        self.own += rendered.own

    def finish(self, owned: Callable[[str], bool], also: Callable[[str], None]) -> list[Dump]:
        """Write the shared part of the union, each distinct line once (leaving out lines `owned` by a graph's
        own part), handing each batch of it to `also` too; then close and fsync."""
        shared = 0
        with self._shared.merged() as merged:
            chosen = one_value_each(merged, single_valued(), self.left_out_of_union)
            lines = (line for line in chosen if not owned(line))
            while batch := list(islice(lines, _SHARED_MEMBER)):
                self._add_shared(batch)
                also("".join(batch))
                shared += len(batch)
        self._files[JSONLD].write(_member(b"]}\n"))
        for output in self._files.values():
            output.close()
        dumps = [output.dump(name, self.quads if name in NAMED_GRAPH_DUMPS else self.own + shared)
                 for name, output in self._files.items()]
        _write_checksums(self.directory, dumps)
        fsync_dir(self.directory)
        return dumps

    def _add_shared(self, lines: list[str]) -> None:
        self._files[NTRIPLES].write(_member("".join(lines).encode()))
        self._files[TURTLE].write(_member(turtle(lines, self._names).encode()))
        self._add_json_items(_member(jsonld(lines).encode()), len(lines))

    def _add_json_items(self, member: bytes, count: int) -> None:
        """Node objects go into one JSON array: the same separator between those of two members as within one."""
        if not count:
            return
        if self._jsonld_items:
            self._files[JSONLD].write(_SEPARATOR_MEMBER)
        self._files[JSONLD].write(member)
        self._jsonld_items += count


class _Output:
    """An output file that hashes what it writes."""

    def __init__(self, path: Path) -> None:
        self.path, self._digest, self.bytes = path, hashlib.sha256(), 0
        self._handle: IO[bytes] = open(path, "wb")  # noqa: SIM115  # closed by close()

    def write(self, data: bytes) -> None:
        self._handle.write(data)
        self._digest.update(data)
        self.bytes += len(data)

    def close(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()

    def dump(self, name: str, count: int) -> Dump:
        unit: Literal["quads", "triples"] = "quads" if name in NAMED_GRAPH_DUMPS else "triples"
        return Dump(f"dumps/{name}", FORMATS[name], unit, count, self.bytes, self._digest.hexdigest())


class _SortedRuns:
    """Lines with their counts kept `size` at a time, sorted into run files; read back merged, each distinct
    line once with the sum of its counts."""

    def __init__(self, directory: Path, size: int) -> None:
        self._tmp = Path(tempfile.mkdtemp(dir=directory, prefix=".sort-"))
        self._size, self._buffer, self._runs = size, Counter[str](), list[Path]()

    def add(self, counted: dict[str, int]) -> None:
        self._buffer.update(counted)
        if len(self._buffer) >= self._size:
            self._spill()

    @contextmanager
    def merged(self) -> Iterator[Iterator[tuple[str, int]]]:
        self._spill()
        with ExitStack() as files:
            handles = [files.enter_context(open(run, encoding="utf-8", newline="")) for run in self._runs]
            yield _summed(heapq.merge(*handles))
        shutil.rmtree(self._tmp)

    def _spill(self) -> None:
        """A run file holds `line<TAB>count` rows, sorted: a line ends in " .", so the tab sorts as its end would."""
        if self._buffer:
            self._runs.append(self._tmp / f"run-{len(self._runs):05d}.nt")
            rows = (f"{line[:-1]}\t{count}\n" for line, count in sorted(self._buffer.items()))
            self._runs[-1].write_text("".join(rows), encoding="utf-8")
            self._buffer = Counter()


def _summed(rows: Iterable[str]) -> Iterator[tuple[str, int]]:
    """`line<TAB>count` rows in line order → each line once, with its counts added up."""
    previous, total = None, 0
    for row in rows:
        line, _, count = row.rpartition("\t")
        if line != previous:
            if previous is not None:
                yield previous + "\n", total
            previous, total = line, 0
        total += int(count)
    if previous is not None:
        yield previous + "\n", total


def one_value_each(counted: Iterable[tuple[str, int]], single: dict[str, bool],
                   left_out: list[str] | None = None) -> Iterator[str]:
    """Sorted union lines with the number of graphs stating each → the lines, keeping for each subject and
    property in `single` (IRI → one per language) the value the most graphs state; ties: the first in order.
    The lines not kept are appended to `left_out`.

        >>> list(one_value_each([('<d> <t> "A" .\\n', 1), ('<d> <t> "B" .\\n', 2), ('<d> <u> "C" .\\n', 1)], {"t": False}))
        ['<d> <t> "B" .\\n', '<d> <u> "C" .\\n']
    """
    group: list[tuple[str, int]] = []
    key: tuple[str, str] | None = None
    for line, count in counted:
        subject, predicate, _ = line.split(" ", 2)
        if (subject, predicate) != key:
            yield from _best(group, single.get(key[1][1:-1]) if key else None, left_out)
            group, key = [], (subject, predicate)
        group.append((line, count))
    yield from _best(group, single.get(key[1][1:-1]) if key else None, left_out)


def _best(group: list[tuple[str, int]], per_language: bool | None, left_out: list[str] | None) -> Iterator[str]:
    if per_language is None or len(group) == 1:
        yield from (line for line, _ in group)
        return
    chosen: dict[str, tuple[int, str]] = {}
    for line, count in group:
        language = _LANGUAGE.search(line)
        kind = language.group(1) if per_language and language else ""
        if kind not in chosen or count > chosen[kind][0]:
            chosen[kind] = (count, line)
    kept = {line for _, line in chosen.values()}
    if left_out is not None:
        left_out += [line for line, _ in group if line not in kept]
    yield from sorted(kept)


_LANGUAGE = re.compile(r'"@([A-Za-z0-9-]+) \.\n$')


def check_dumps(build: Path, dumps: list[Dump]) -> None:
    """Read every dump back: its size and SHA-256 on disk must be those the manifest records."""
    for dump in dumps:
        path = build / dump.file
        found = (path.stat().st_size, file_sha256(path))
        if found != (dump.bytes, dump.sha256):
            raise BuildCheckError(f"{path}: (bytes, sha256) on disk are {found}, expected ({dump.bytes}, {dump.sha256})")


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


def _member(data: bytes) -> bytes:
    """One gzip member: no file name, no time, so the same data always gives the same bytes."""
    return gzip.compress(data, compresslevel=COMPRESSION, mtime=0)


_SEPARATOR_MEMBER = _member(NODE_SEPARATOR.encode())


@lru_cache(maxsize=4)
def _names(prefixes: tuple[tuple[str, str], ...]) -> Names:
    """One `Names` per set of prefixes in a process: it remembers the abbreviations of common IRIs."""
    return Names(dict(prefixes))


def _write_checksums(directory: Path, dumps: Iterable[Dump]) -> None:
    """sha256sum format, names relative to dumps/ so `sha256sum -c SHA256SUMS` runs there."""
    lines = sorted(f"{d.sha256}  {Path(d.file).name}\n" for d in dumps)
    write_durably(directory / "SHA256SUMS", "".join(lines).encode())

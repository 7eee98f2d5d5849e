"""Deterministic gzip dumps, written while the build streams its graphs, and their check before publishing.

Named graphs go to N-Quads and TriG, so a consumer sees each triple in the graph of the article it
came from and only there; the deduplicated union (the default graph) goes to N-Triples, Turtle and
JSON-LD. The same graphs always give the same bytes, and nothing is held whole in memory:

- graphs come in IRI order, each already rendered (`render`, in the build's worker processes) into gzip
  members of its own that are appended as they come: each dump is a multi-member gzip file (RFC 1952), read
  by every gzip reader as one stream. Member headers carry no file name and no time. A graph's members do
  not depend on any other graph, so a build made from an earlier one copies those of the graphs that did
  not change, byte for byte (mappings/publishing/writer.py `update_build`).
- named graphs: by IRI; within a graph, lines sorted.
- the union: first, graph by graph, the triples about the graph itself or its fragments (`<g>`,
  `<g#...>`: an article's own node and evidence, which no other graph repeats), sorted; then every
  other triple (documents, people, places: repeated across articles) once, sorted, merged from
  sorted runs on disk, with the number of graphs that state it. Where articles disagree on a property the
  shapes allow one value of (a document's title, a person's name, a label in one language), the union holds
  the value the most graphs state (ties: the first in sorted order); the others stay in their articles' graphs.
  The shared lines are cut into chunks where their content says (`starts_chunk`), each its own members: an
  update makes again the chunks its changes reach, and copies the others.
- Turtle, TriG and JSON-LD are written from the N-Triples lines themselves (mappings/emission/line_formats.py).
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
import zlib
from bisect import bisect_right
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import IO, Literal

from pyoxigraph import RdfFormat

from mappings.emission.graph_text import GraphText
from mappings.emission.line_formats import NODE_SEPARATOR, Names, jsonld, trig, turtle
from mappings.publishing.parts import UNION_COUNTS, UnionChunk, counts_text, read_counts
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
    """One graph rendered for the store and the dumps."""

    iri: str
    quads: int                   # its quads (0: a graph without triples, which the store must still hold)
    own: int                     # union triples about the graph itself (never repeated elsewhere)
    store: bytes                 # N-Quads: every quad, and the own triples again in the default graph
    members: dict[str, bytes]    # dump file → gzip member (JSON-LD: node objects, without the brackets)
    shared: tuple[str, ...]      # the other union lines, sorted
    key: str = ""                # what it was made of (mappings/build/reuse.py); "" for a digest of its text
    trace: tuple[tuple[object, ...], ...] = ()   # its lookups in the corpus' tables, with their answers
    left_out: tuple[str, ...] = ()   # the facts the shapes rejected, left out of it


def render(graph: GraphText, prefixes: dict[str, str]) -> Rendered:
    """The graph's share of the store and of every dump."""
    names = _names(tuple(sorted(prefixes.items())))
    suffix = f" <{graph.iri}> .\n"
    nquads = "".join(line[:-3] + suffix for line in graph.lines)
    own, shared = split_own(graph.iri, graph.lines)
    own_text = "".join(own)
    texts = {NQUADS: nquads, TRIG: trig(graph.iri, graph.lines, names), NTRIPLES: own_text,
             TURTLE: turtle(own, names), JSONLD: jsonld(own)}
    return Rendered(graph.iri, len(graph.lines), len(own), (nquads + own_text).encode(),
                    {name: _member(text.encode()) for name, text in texts.items()}, tuple(shared))


def split_own(iri: str, lines: Iterable[str]) -> tuple[list[str], list[str]]:
    """A graph's lines about itself or its fragments (`<g>`, `<g#...>`: an article's own node and evidence, which no
    other graph repeats), and the others."""
    scope = (f"<{iri}> ", f"<{iri}#")
    own: list[str] = []
    shared: list[str] = []
    for line in lines:
        (own if line.startswith(scope) else shared).append(line)
    return own, shared


Placed = dict[str, tuple[int, int]]   # dump file → (offset, length) of a graph's gzip member in it


class DumpWriter:
    """The five dumps of one build, appended to graph by graph (rendered, or copied from an earlier build's dumps);
    `finish` writes the shared union. `placed` tells where each graph's members went."""

    def __init__(self, directory: Path, context: object, prefixes: dict[str, str], sort_buffer: int,
                 counting: bool = True) -> None:
        """`counting`: the writer counts the shared lines of the graphs added itself (else `finish` is given them)."""
        directory.mkdir(parents=True, exist_ok=True)
        self._counting = counting
        self.directory, self.prefixes = directory, prefixes
        self._names = _names(tuple(sorted(prefixes.items())))
        self._files = {name: _Output(directory / name) for name in FORMATS}
        self._shared = _SortedRuns(directory, sort_buffer)
        self.left_out_of_union: list[str] = []   # values the union does not keep (`one_value_each`)
        self.placed: dict[str, Placed] = {}
        self.union: list[UnionChunk] = []   # the union's chunks, as written
        self.dropped: list[str] = []        # an update: the lines the union no longer keeps
        self.kept: list[str] = []           # an update: the lines the union keeps anew
        self._kept = 0
        self._counts: _Output | None = None
        self._earlier: EarlierUnion | None = None
        self._sources: dict[Path, IO[bytes]] = {}   # earlier builds' dumps, open while members are copied
        self._jsonld_items = 0
        self.quads = self.own = 0
        self._files[TRIG].write(_member(self._names.header().encode()))
        self._files[TURTLE].write(_member(self._names.header().encode()))
        head = '{"@context": ' + json.dumps(context, ensure_ascii=False) + ', "@graph": ['
        self._files[JSONLD].write(_member(head.encode()))

    def add(self, rendered: Rendered) -> None:
        self._place(rendered.iri, rendered.members, rendered.own)
        if self._counting:
            self._shared.add(dict.fromkeys(rendered.shared, 1))
        self.quads += rendered.quads
        self.own += rendered.own

    def copy(self, iri: str, earlier: Path, placed: Placed, quads: int, own: int) -> None:
        """A graph's members copied from the dumps of an earlier build (the folder `earlier`); its shared lines are
        counted by the caller (`finish`'s `counted`)."""
        members = {}
        for name, (offset, length) in placed.items():
            source = self._sources.get(earlier / name)
            if source is None:
                source = self._sources[earlier / name] = open(earlier / name, "rb")  # noqa: SIM115  closed by finish
            source.seek(offset)
            members[name] = source.read(length)
            if len(members[name]) != length:
                raise BuildCheckError(f"{earlier / name}: ends before the member of <{iri}> at {offset}")
        self._place(iri, members, own)
        self.quads += quads
        self.own += own

    def _place(self, iri: str, members: dict[str, bytes], own: int) -> None:
        self.placed[iri] = self._put(members, own)

    def _put(self, members: dict[str, bytes], items: int) -> Placed:
        """Members written (JSON-LD's only with node objects, `items`, after a separator when others came first)."""
        placed: Placed = {}
        for name, member in members.items():
            if name == JSONLD:
                if not items:
                    continue
                if self._jsonld_items:
                    self._files[JSONLD].write(_SEPARATOR_MEMBER)
                self._jsonld_items += items
            placed[name] = (self._files[name].bytes, len(member))
            self._files[name].write(member)
        return placed

    def finish(self, owned: Callable[[str], bool], also: Callable[[str], None], counts: Path,
               earlier: EarlierUnion | None = None, change: Mapping[str, int] | None = None) -> list[Dump]:
        """Write the shared part of the union, each distinct line once (leaving out lines `owned` by a graph's own
        part), in chunks cut by their content (`starts_chunk`), each chunk's kept lines handed to `also` too; then
        close and fsync. The shared lines are those of the graphs added, counted here; or, for an update, those of
        the `earlier` build's union with `change` made (line → how many more graphs state it, fewer when negative):
        a chunk no change reaches is copied, and `dropped` and `kept` tell what the union loses and gains.
        `counts` receives every chunk's counted lines (mappings/publishing/parts.py)."""
        for source in self._sources.values():
            source.close()
        self._counts = counting = _Output(counts)
        self._earlier = earlier
        with self._shared.merged() as merged:
            rows = ((line, count, count) for line, count in merged)
            self._write_union(rows if earlier is None else earlier.items(change or {}), earlier, owned, also)
        counting.close()
        self._files[JSONLD].write(_member(b"]}\n"))
        for output in self._files.values():
            output.close()
        dumps = [output.dump(name, self.quads if name in NAMED_GRAPH_DUMPS else self.own + self._kept)
                 for name, output in self._files.items()]
        _write_checksums(self.directory, dumps)
        fsync_dir(self.directory)
        return dumps

    def _write_union(self, items: Iterable[Row | UnionChunk | Reopened], earlier: EarlierUnion | None,
                     owned: Callable[[str], bool], also: Callable[[str], None]) -> None:
        ahead = _Ahead(items)
        rows: list[Row] = []        # the chunk being made: its lines, the dead ones (no graph states them now) too
        live = False                # it has a line the union still has
        previous: str | None = None   # the subject of the last line the union still has
        diff = _Diff(single_valued(), self.dropped, self.kept)
        origin: UnionChunk | None = None   # the earlier chunk the rows come from, reopened by a change of counts
        changes = -1                # what the union had lost and gained when its rows began
        for item in ahead:
            if isinstance(item, Reopened):
                origin, changes = item.chunk, -1
                continue
            if isinstance(item, UnionChunk):
                assert earlier is not None
                following = ahead.next_subject()
                if starts_chunk(_subject(item.first), previous) and (
                        following is None or starts_chunk(following, item.last_subject)):
                    diff.close()
                    if live:
                        self._add_union_chunk(rows, owned, also, self._same(origin, rows, changes))
                    rows, live, origin = [], False, None
                    self._copy_union_chunk(item, earlier)
                    previous = item.last_subject
                    continue
                ahead.push([(line, count, count) for line, count in earlier.rows(item)])
                origin = None
                continue
            line, _, after = item
            diff.add(item)
            if changes < 0:
                changes = len(self.dropped) + len(self.kept)
            if after:
                subject = _subject(line)
                if live and starts_chunk(subject, previous):
                    self._add_union_chunk(rows, owned, also, self._same(origin, rows, changes))
                    rows, origin = [], None
                rows.append(item)
                live, previous = True, subject
            else:
                rows.append(item)
        diff.close()
        if live:
            self._add_union_chunk(rows, owned, also, self._same(origin, rows, changes))
        self.dropped[:] = [line for line in self.dropped if not owned(line)]
        self.kept[:] = [line for line in self.kept if not owned(line)]

    def _same(self, origin: UnionChunk | None, rows: list[Row], changes: int) -> UnionChunk | None:
        """`origin` when `rows` are its lines, only their counts changed, and the union keeps the same of them: its
        dump members then stand as they are."""
        if (origin is None or len(rows) != origin.lines or rows[0][0] != origin.first
                or changes != len(self.dropped) + len(self.kept)):
            return None
        return origin if all(before and after for _, before, after in rows) else None

    def _add_union_chunk(self, rows: list[Row], owned: Callable[[str], bool], also: Callable[[str], None],
                         same: UnionChunk | None = None) -> None:
        counted = [(line, after) for line, _, after in rows if after]
        place = self._count(_member(counts_text(counted).encode()))
        if same is not None and self._earlier is not None:
            self._reuse_union_chunk(same, self._earlier, place)
            return
        left_out: list[str] = []
        lines = [line for line in one_value_each(counted, single_valued(), left_out) if not owned(line)]
        texts = {NTRIPLES: "".join(lines), TURTLE: turtle(lines, self._names), JSONLD: jsonld(lines)}
        members = self._put({name: _member(text.encode()) for name, text in texts.items()}, len(lines))
        self.union.append(UnionChunk(counted[0][0], _subject(counted[-1][0]), place, members, len(lines),
                                     tuple(left_out), len(counted)))
        self.left_out_of_union += left_out
        self._kept += len(lines)
        if lines:
            also("".join(lines))

    def _count(self, member: bytes) -> tuple[int, int]:
        assert self._counts is not None
        place = (self._counts.bytes, len(member))
        self._counts.write(member)
        return place

    def _copy_union_chunk(self, chunk: UnionChunk, earlier: EarlierUnion) -> None:
        self._reuse_union_chunk(chunk, earlier, self._count(earlier.read(earlier.counts, *chunk.counts)))

    def _reuse_union_chunk(self, chunk: UnionChunk, earlier: EarlierUnion, counts: tuple[int, int]) -> None:
        """An earlier chunk's dump members copied; its counts are at `counts`."""
        members = self._put({name: earlier.read(earlier.dumps / name, *where) for name, where in chunk.members.items()},
                            chunk.kept)
        self.union.append(replace(chunk, counts=counts, members=members))
        self.left_out_of_union += chunk.left_out
        self._kept += chunk.kept



Row = tuple[str, int, int]   # a shared union line, the graphs that stated it before a change, and after
CUT = 64   # a shared union line starts a chunk when its subject is new and hashes to 0 modulo this


def starts_chunk(subject: str, previous: str | None) -> bool:
    """Whether a shared union line about `subject` after one about `previous` starts a chunk: the content says where
    chunks start, so a change moves no start but its own, and the chunks it does not reach stay as they were."""
    return previous is None or (subject != previous and zlib.crc32(subject.encode()) % CUT == 0)


def _subject(line: str) -> str:
    return line[: line.index(" ")]


@dataclass(frozen=True, slots=True)
class Reopened:
    """The rows that follow are those of this earlier chunk, with a change made."""

    chunk: UnionChunk


class EarlierUnion:
    """The union of an earlier build: its chunks, their counted lines and their dump members."""

    def __init__(self, build: Path, chunks: list[UnionChunk]) -> None:
        self.dumps, self.counts, self.chunks = build / "dumps", build / UNION_COUNTS, chunks
        self._open: dict[Path, IO[bytes]] = {}

    def read(self, path: Path, offset: int, length: int) -> bytes:
        source = self._open.get(path)
        if source is None:
            source = self._open[path] = open(path, "rb")  # noqa: SIM115  closed by close()
        source.seek(offset)
        data = source.read(length)
        if len(data) != length:
            raise BuildCheckError(f"{path}: ends before the member at {offset}")
        return data

    def close(self) -> None:
        for source in self._open.values():
            source.close()

    def rows(self, chunk: UnionChunk) -> list[tuple[str, int]]:
        return list(read_counts(self.read(self.counts, *chunk.counts)))

    def items(self, change: Mapping[str, int]) -> Iterator[Row | UnionChunk | Reopened]:
        """The chunks, each a change reaches as its lines with their counts before and after it (after a mark)."""
        changes = sorted((line[:-1] + "\t", line, count) for line, count in change.items() if count)
        starts = [chunk.first[:-1] + "\t" for chunk in self.chunks]
        reaching: dict[int, list[tuple[str, str, int]]] = {}
        for key, line, count in changes:
            reaching.setdefault(max(bisect_right(starts, key) - 1, 0), []).append((key, line, count))
        if not self.chunks:
            yield from _changed([], reaching.get(0, []))
        for number, chunk in enumerate(self.chunks):
            if number in reaching:
                yield Reopened(chunk)
                yield from _changed(self.rows(chunk), reaching[number])
            else:
                yield chunk


def _changed(rows: list[tuple[str, int]], changes: list[tuple[str, str, int]]) -> Iterator[Row]:
    merged = heapq.merge(((line[:-1] + "\t", line, count, 0) for line, count in rows),
                         ((key, line, 0, count) for key, line, count in changes))
    for _, same in groupby(merged, key=lambda row: row[0]):
        line, before, after = "", 0, 0
        for _, line, count, more in same:
            before, after = before + count, after + count + more
        if after < 0:
            raise BuildCheckError(f"the union's counts go below zero for {line.rstrip()}: the earlier build's are wrong")
        yield line, before, after


class _Ahead:
    """Items with a look ahead at the next subject the union keeps a line of, and rows pushed back in front."""

    def __init__(self, items: Iterable[Row | UnionChunk | Reopened]) -> None:
        self._items, self._buffer = iter(items), deque[Row | UnionChunk | Reopened]()

    def __iter__(self) -> Iterator[Row | UnionChunk | Reopened]:
        while True:
            if self._buffer:
                yield self._buffer.popleft()
                continue
            item = next(self._items, None)
            if item is None:
                return
            yield item

    def push(self, rows: list[Row]) -> None:
        self._buffer.extendleft(reversed(rows))

    def next_subject(self) -> str | None:
        for item in self._buffer:
            if (subject := _live_subject(item)) is not None:
                return subject
        for item in self._items:
            self._buffer.append(item)
            if (subject := _live_subject(item)) is not None:
                return subject
        return None


def _live_subject(item: Row | UnionChunk | Reopened) -> str | None:
    """The subject of the item's first line the union still has, if it has one."""
    if isinstance(item, UnionChunk):
        return _subject(item.first)
    if isinstance(item, Reopened):
        return None
    return _subject(item[0]) if item[2] else None


class _Diff:
    """The lines `one_value_each` keeps no longer (`dropped`) and anew (`kept`), group by group of changed rows."""

    def __init__(self, single: dict[str, bool], dropped: list[str], kept: list[str]) -> None:
        self._single, self._dropped, self._kept = single, dropped, kept
        self._group: list[Row] = []
        self._key: tuple[str, str] | None = None

    def add(self, row: Row) -> None:
        subject, predicate, _ = row[0].split(" ", 2)
        if (subject, predicate) != self._key:
            self.close()
            self._key = (subject, predicate)
        self._group.append(row)

    def close(self) -> None:
        group, key = self._group, self._key
        self._group, self._key = [], None
        if key is None or all(before == after for _, before, after in group):
            return
        per_language = self._single.get(key[1][1:-1])
        old = set(_best([(line, before) for line, before, _ in group if before], per_language, None))
        new = set(_best([(line, after) for line, _, after in group if after], per_language, None))
        self._dropped += sorted(old - new)
        self._kept += sorted(new - old)


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

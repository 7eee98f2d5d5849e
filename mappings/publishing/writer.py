"""Write one build's store and dumps from a stream of graphs in IRI order (mappings/publishing/publish.py calls it).

A stream item is a graph already `Rendered` (the build renders article graphs in worker processes), a
(graph IRI, pyoxigraph triples) pair, rendered here, or a graph `Reused` as an earlier build has it. Nothing of a
graph is kept once it is written, except its IRI and where it went (`parts.pickle`): memory does not grow with the
corpus.

`write_build` writes everything anew: the store's default graph gets each graph's own triples as they come, and
the triples graphs share once, deduplicated, with the shared part of the dumps. `update_build` makes the same
build from an earlier one in time proportional to what changed (issue 15): a checkpoint of its store (hard links
to its immutable files: the earlier build is not touched) changed by the lines of the graphs that changed alone,
reused graphs' dump members copied as they are, and the union's counts updated.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple, parse

from mappings.emission.graph_text import graph_text
from mappings.publishing.dumps import NQUADS, Dump, DumpWriter, EarlierUnion, Rendered, render, split_own
from mappings.publishing.parts import PARTS, UNION_COUNTS, Part, Parts, read_parts, write_parts
from mappings.publishing.store import StoreCounts, StoreWriter


@dataclass(frozen=True, slots=True)
class Reused:
    """A graph exactly as the earlier build has it."""

    iri: str
    part: Part


Graphs = Iterable[Rendered | Reused | tuple[str, Iterable[Triple]]]
# The values articles state that the union does not keep (one per subject and property where the shapes allow
# one): a store that computes the union itself (mappings/publishing/remote.py) takes them out again.
UNION_LEFT_OUT = "union-left-out.nt"


@dataclass
class Change:
    """What an update did to the earlier build's store (N-Quads lines), for the files made from the store."""

    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    def quads(self, lines: list[str]) -> list[Quad]:
        return list(parse("".join(lines), RdfFormat.N_QUADS)) if lines else []


def write_build(partial: Path, graphs: Graphs, *, context: object, prefixes: dict[str, str],
                sort_buffer: int) -> tuple[StoreCounts, list[Dump]]:
    """Fill `partial`/store and `partial`/dumps; raise ValueError when graphs are out of order or repeated."""
    store = StoreWriter(partial / "store")
    dumps = DumpWriter(partial / "dumps", context, prefixes, sort_buffer)
    seen: set[str] = set()
    parts: dict[str, Part] = {}
    try:
        for rendered in _ordered(graphs, prefixes, seen):
            if isinstance(rendered, Reused):
                raise TypeError(f"graph <{rendered.iri}>: a reused graph needs the earlier build (update_build)")
            store.add(rendered.store, () if rendered.quads else (rendered.iri,))
            dumps.add(rendered)
            parts[rendered.iri] = _part(rendered, dumps)
        written = dumps.finish(owned=lambda line: _owned(line, seen, store.__contains__),
                               also=lambda text: store.add(text.encode()), counts=partial / UNION_COUNTS)
        _write_left_out(partial / UNION_LEFT_OUT, dumps.left_out_of_union)
        write_parts(partial, Parts(parts, dumps.union))
    except BaseException:
        store.close(optimize=False)
        raise
    store.close()
    union = next(d.count for d in written if d.unit == "triples")
    return StoreCounts(len(seen), dumps.quads, union), written


def update_build(partial: Path, earlier: Path, graphs: Graphs, *, context: object, prefixes: dict[str, str],
                 sort_buffer: int) -> tuple[StoreCounts, list[Dump], Change]:
    """Fill `partial` with the build `graphs` make, from the `earlier` build (complete, with its parts): the same
    store contents and the same dump bytes as `write_build` would write."""
    earlier_parts = _earlier_parts(earlier)
    before, union = earlier_parts.graphs, EarlierUnion(earlier, earlier_parts.union)
    Store.read_only(str(earlier / "store")).backup(str(partial / "store"))
    store = Store(str(partial / "store"))
    dumps = DumpWriter(partial / "dumps", context, prefixes, sort_buffer, counting=False)
    earlier_nquads = open(earlier / "dumps" / NQUADS, "rb")  # noqa: SIM115  closed below
    change, counted = Change(), Counter[str]()
    seen: set[str] = set()
    parts: dict[str, Part] = {}
    try:
        for rendered in _ordered(graphs, prefixes, seen):
            if isinstance(rendered, Reused):
                dumps.copy(rendered.iri, earlier / "dumps", rendered.part.members, rendered.part.quads, rendered.part.own)
                parts[rendered.iri] = replace(rendered.part, members=dumps.placed[rendered.iri])
                continue
            old = _lines(earlier_nquads, rendered.iri, before[rendered.iri]) if rendered.iri in before else ([], [])
            new = set(rendered.store.decode().splitlines(keepends=True))
            change.removed += sorted(set(old[0]) - new)
            change.added += sorted(new - set(old[0]))
            counted.subtract(old[1])
            counted.update(rendered.shared)
            if not rendered.quads:
                store.add_graph(NamedNode(rendered.iri))
            dumps.add(rendered)
            parts[rendered.iri] = _part(rendered, dumps)
        for iri in sorted(before.keys() - seen):  # graphs this build no longer has
            lines, shared = _lines(earlier_nquads, iri, before[iri])
            change.removed += lines
            counted.subtract(shared)
            store.remove_graph(NamedNode(iri))
        _apply(store, change.removed, change.added)

        def owned(line: str) -> bool:
            return _owned(line, seen, store.__contains__)

        written = dumps.finish(owned=owned, also=lambda _: None, counts=partial / UNION_COUNTS, earlier=union,
                               change=counted)
        _apply(store, dumps.dropped, dumps.kept)
        change.removed += dumps.dropped
        change.added += dumps.kept
        _write_left_out(partial / UNION_LEFT_OUT, dumps.left_out_of_union)
        write_parts(partial, Parts(parts, dumps.union))
        store.flush()
    finally:
        earlier_nquads.close()
        union.close()
    union_count = next(d.count for d in written if d.unit == "triples")
    return StoreCounts(len(seen), dumps.quads, union_count), written, change


def _earlier_parts(earlier: Path) -> Parts:
    manifest = json.loads((earlier / "manifest.json").read_text(encoding="utf-8"))
    parts = read_parts(earlier, manifest.get("parts"))
    if parts is None or not (earlier / UNION_COUNTS).is_file():
        raise FileNotFoundError(f"{earlier}: no {PARTS} or {UNION_COUNTS}: the build cannot be updated, only replaced")
    return parts


def text_key(rendered: Rendered) -> str:
    """The key of a graph made from no article (the ontology, the reference data): its text's digest."""
    return hashlib.sha256(rendered.store).hexdigest()[:32]


def _part(rendered: Rendered, dumps: DumpWriter) -> Part:
    return Part(rendered.key or text_key(rendered), rendered.quads, rendered.own, dumps.placed[rendered.iri], rendered.trace, rendered.left_out,
                empty=not rendered.quads)


def _lines(nquads: IO[bytes], iri: str, part: Part) -> tuple[list[str], list[str]]:
    """An earlier graph's lines in the store (its quads, and its own lines in the default graph), from its N-Quads
    member; and its shared lines (N-Triples)."""
    offset, length = part.members[NQUADS]
    nquads.seek(offset)
    text = gzip.decompress(nquads.read(length)).decode()
    quads = text.splitlines(keepends=True)
    cut = len(f" <{iri}> .\n")
    own, shared = split_own(iri, (line[:-cut] + " .\n" for line in quads))
    return quads + own, shared


def _apply(store: Store, removed: list[str], added: list[str]) -> None:
    for quad in parse("".join(removed), RdfFormat.N_QUADS):
        store.remove(quad)
    if added:
        store.load(input="".join(added).encode(), format=RdfFormat.N_QUADS)


def _write_left_out(path: Path, lines: list[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("".join(lines))
        out.flush()
        os.fsync(out.fileno())


def _ordered(graphs: Graphs, prefixes: dict[str, str], seen: set[str]) -> Iterator[Rendered | Reused]:
    """The graphs, each rendered unless it is already, checked to come in IRI order once each (`seen`)."""
    last = ""
    for item in graphs:
        graph = item if isinstance(item, Rendered | Reused) else render(graph_text(*item), prefixes)
        last = _in_order(graph.iri, last, seen)
        yield graph


def _in_order(iri: str, last: str, seen: set[str]) -> str:
    try:
        NamedNode(iri)
    except ValueError as error:
        raise ValueError(f"graph <{iri}>: not a valid IRI: {error}") from error
    if iri in seen:
        raise ValueError(f"graph <{iri}> is given twice; graph IRIs must be unique")
    if iri < last:
        raise ValueError(f"graphs must come sorted by IRI: <{iri}> came after <{last}>")
    seen.add(iri)
    return iri


def _owned(line: str, graphs: set[str], contains: Callable[[Quad], bool]) -> bool:
    """Whether a union line about a graph or its fragments is that graph's own (so already written).

    Never so in the build, whose article graphs alone describe their article and its evidence; it keeps
    the union exact for any other input.
    """
    if not line.startswith("<"):
        return False
    subject = line[1:line.index(">")]
    scopes, cut = [subject], subject.find("#")
    while cut != -1:  # the graph <g> of a fragment <g#...>
        scopes.append(subject[:cut])
        cut = subject.find("#", cut + 1)
    for graph in (scope for scope in scopes if scope in graphs):
        triple = next(iter(parse(line, RdfFormat.N_TRIPLES))).triple
        if contains(Quad(triple.subject, triple.predicate, triple.object, NamedNode(graph))):
            return True
    return False

"""What a build keeps so that the next one pays only for what changed (issue 15): where each graph lies in its dumps,
what it was made of, and the union's counts.

    parts.pickle        graph IRI → `Part`: its gzip members' places in the dumps (each graph has its own), its key
                        and trace (mappings/build/reuse.py), its counts and the facts the shapes left out of it
    union-counts.gz     every line of the union that graphs share (not a graph's own), with the number of graphs
                        stating it, sorted as the dumps sort it: `line<TAB>count`, one gzip member per
                        `UnionChunk`

The next build copies a reused graph's members from these dumps as they are, reads a changed graph's old lines
from its N-Quads member, and updates the union's counts with the lines of the graphs that changed alone.
"""
from __future__ import annotations

import gzip
import hashlib
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PARTS, UNION_COUNTS = "parts.pickle", "union-counts.gz"
VERSION = 2
Trace = tuple[tuple[object, ...], ...]   # lookups with their answers (mappings/build/reuse.py)


@dataclass(frozen=True, slots=True)
class Part:
    """One graph of a build."""

    key: str                                  # what it was made of (`graph_key`; the build's own graphs: a digest)
    quads: int                                # its quads
    own: int                                  # its union lines about itself (`<g>`, `<g#...>`)
    members: dict[str, tuple[int, int]]       # dump file → (offset, length) of its gzip member
    trace: Trace = ()
    left_out: tuple[str, ...] = ()
    empty: bool = False                       # a graph without triples


@dataclass(frozen=True, slots=True)
class UnionChunk:
    """A run of the union's shared lines, cut where the content says (`dumps.starts_chunk`), so that a change
    leaves the other runs as they were: its counts and dump members are copied, not made again."""

    first: str                                # its first counted line
    last_subject: str                         # the subject of its last line
    counts: tuple[int, int]                   # (offset, length) of its gzip member in union-counts.gz
    members: dict[str, tuple[int, int]]       # dump file → (offset, length) of its gzip member
    kept: int                                 # lines of it the union keeps
    left_out: tuple[str, ...]                 # lines of it the union does not keep (`one_value_each`)
    lines: int                                # its counted lines


@dataclass(frozen=True, slots=True)
class Parts:
    graphs: dict[str, Part]
    union: list[UnionChunk]


def write_parts(build: Path, parts: Parts) -> None:
    (build / PARTS).write_bytes(pickle.dumps((VERSION, parts), protocol=pickle.HIGHEST_PROTOCOL))


def digests(build: Path) -> dict[str, str]:
    """The SHA-256 of the parts' files (the manifest records them)."""
    return {name: hashlib.sha256((build / name).read_bytes()).hexdigest() for name in (PARTS, UNION_COUNTS)}


def read_parts(build: Path, recorded: object) -> Parts | None:
    """The build's parts, or None when it has none (an older build), or they are not as the manifest `recorded` them
    (`digests`), or cannot be read: the next build is then made anew."""
    try:
        if digests(build) != recorded:
            return None
        version, parts = pickle.loads((build / PARTS).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, ImportError):
        return None
    return parts if version == VERSION and isinstance(parts, Parts) else None


def counts_text(rows: Iterable[tuple[str, int]]) -> str:
    return "".join(f"{line[:-1]}\t{count}\n" for line, count in rows)


def read_counts(member: bytes) -> Iterator[tuple[str, int]]:
    """A chunk's counted lines from its member of union-counts.gz."""
    for row in gzip.decompress(member).decode().splitlines():
        line, _, count = row.rpartition("\t")
        yield line + "\n", int(count)

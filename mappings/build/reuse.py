"""Which article graphs of the published build this build may take as they are: pay only for what changed (issue 15).

An article's graph is a function of what extraction made of its bytes (the cache entry), its identifier, the
build's base, the code and ontology that write and check graphs, and what linking found in the whole corpus: the
minter's tables (years, people, stories, story meetings). All but the last make its key (`graph_key`). The tables
change with every article added, so the lookups an article's graph made in them are recorded while it is written
(`recording`), each with the answer it got; a later build takes the graph as it is when its key is the same and
each recorded lookup gets the same answer from its own tables (`still_holds`): the build systems' verifying trace.

    >>> log: list = []
    >>> minter = recording(Minter("http://x/", {("tw", "", "CT", "39"): frozenset({2014})}), log)
    >>> minter.years.get(("tw", "", "CT", "39"))
    frozenset({2014})
    >>> still_holds(tuple(log), Minter("http://x/", {("tw", "", "CT", "39"): frozenset({2014, 2024})}))
    False
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mappings.extraction.rules import rules_version
from mappings.linking.iris import Minter
from ontology import DIR as ONTOLOGY_DIR

Lookup = tuple[str, Any, Any]   # (table, key, the answer: the value, None when absent)
Trace = tuple[Lookup, ...]
TABLES = ("years", "people", "stories", "story_meetings")   # the minter's tables of the whole corpus
_CODE = Path(__file__).parents[1]   # mappings/
LIBRARIES = ("pyoxigraph", "rdflib", "pyshacl")


@cache
def render_version() -> str:
    """A digest of everything besides the article that goes into a graph: the extraction rules, all of mappings/
    (emission, validation, rendering), the ontology (shapes, context, reference data) and the libraries that parse,
    check and write RDF."""
    libraries = "|".join(f"{name} {version(name)}" for name in LIBRARIES)
    digest = hashlib.sha256(f"{rules_version()}|{libraries}".encode())
    for root in (_CODE, ONTOLOGY_DIR):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".py", ".toml", ".ttl", ".jsonld"}):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def graph_key(base: str, identifier: str, sha256: str) -> str:
    """What an article's graph is made of, besides the corpus' tables."""
    return hashlib.sha256(f"{render_version()}|{base}|{identifier}|{sha256}".encode()).hexdigest()[:32]


class _Recorded(Mapping[Any, Any]):
    """A table whose lookups are written down with their answers."""

    def __init__(self, name: str, table: Mapping[Any, Any], log: list[Lookup]) -> None:
        self._name, self._table, self._log = name, table, log

    def __getitem__(self, key: Any) -> Any:
        value = self._table.get(key)
        self._log.append((self._name, key, value))
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        value = self._table.get(key)
        self._log.append((self._name, key, value))
        return value is not None

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._table.get(key)
        self._log.append((self._name, key, value))
        return default if value is None else value

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(f"a graph must not depend on the whole {self._name} table: it could never be reused")

    def __len__(self) -> int:
        raise TypeError(f"a graph must not depend on the whole {self._name} table: it could never be reused")


def recording(minter: Minter, log: list[Lookup]) -> Minter:
    """`minter`, writing each lookup in its corpus tables into `log`."""
    return replace(minter, years=_Recorded("years", minter.years, log), people=_Recorded("people", minter.people, log),
                   stories=_Recorded("stories", minter.stories, log),
                   story_meetings=_Recorded("story_meetings", minter.story_meetings, log))


def still_holds(trace: Sequence[tuple[Any, ...]], minter: Minter) -> bool:
    """Every lookup of `trace` gets the same answer from `minter`'s tables."""
    tables = {name: getattr(minter, name) for name in TABLES}
    return all(tables[name].get(key) == answer for name, key, answer in trace)

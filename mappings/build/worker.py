"""What the build's worker processes do, one chunk of articles at a time.

  phase 1  `read_chunk`   read each file, extract and resolve it (or take it from the cache, keyed by the
                          file's SHA-256), and tell which years the article gives each document
  phase 2  `render_chunk` emit each article's graph with IRIs minted for the whole corpus, validate it,
                          and render the chunk's valid graphs for the store and the dumps

Chunks and results are plain picklable values. Phase 2 needs what phase 1 found in the whole corpus
(`Linking`): the build writes it to a file that each process reads once. Each step's CPU time comes
back with its results, so the build can tell where the time goes.
"""
from __future__ import annotations

import os
import pickle
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from mappings.emission.article_graph import ArticleGraph
from mappings.emission.to_rdf import emit
from mappings.extraction.mentions import extract
from mappings.linking.iris import Minter, known_years
from mappings.linking.records import ArticleRecord
from mappings.linking.resolve import resolve
from mappings.publishing.dumps import Rendered, render
from mappings.reading.article import ArticleFormatError, read_article
from mappings.validation.validate import Report, validate_article_graphs

Years = dict[tuple[str, str, str, str], frozenset[int]]
Timings = dict[str, float]   # step → CPU seconds


@dataclass(frozen=True, slots=True)
class Cached:
    """A cache entry: what extraction made of an article's bytes, and the body text its spans point into."""

    record: ArticleRecord
    text: str


@dataclass(frozen=True, slots=True)
class ReadArticle:
    name: str          # file name
    identifier: str
    sha256: str
    years: Years       # the years this article dates each document identity with
    extracted: bool    # extracted anew, not taken from the cache


@dataclass(frozen=True, slots=True)
class Unreadable:
    name: str
    reason: str


@contextmanager
def clock(timings: Timings, step: str) -> Iterator[None]:
    start = time.process_time()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.process_time() - start


def read_chunk(task: tuple[list[Path], Path]) -> tuple[list[ReadArticle | Unreadable], Timings]:
    """Phase 1 for a chunk of files, with the cache directory."""
    paths, cache = task
    timings: Timings = {}
    return [_read(path, cache, timings) for path in paths], timings


def _read(path: Path, cache: Path, timings: Timings) -> ReadArticle | Unreadable:
    with clock(timings, "read"):
        try:
            article = read_article(path)
        except ArticleFormatError as err:
            return Unreadable(path.name, str(err))
        except OSError as err:
            return Unreadable(path.name, f"{path}: {err}")
        entry = cache / f"{article.sha256}.pickle"
        cached = load_cached(entry)
    extracted = cached is None
    if cached is None:
        with clock(timings, "extract"):
            found = extract(article)
        with clock(timings, "resolve"):
            cached = Cached(resolve(article, found), article.text)
        _store_cached(entry, cached)
    return ReadArticle(path.name, article.identifier, article.sha256, known_years([cached.record]), extracted)


def load_cached(entry: Path) -> Cached | None:
    """The entry, or None when it is missing or was written by another version or a killed build."""
    try:
        cached = pickle.loads(entry.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return None
    return cached if isinstance(cached, Cached) else None


def _store_cached(entry: Path, cached: Cached) -> None:
    temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    temporary.write_bytes(pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(entry)


@dataclass(frozen=True, slots=True)
class Linking:
    """What phase 2 needs from the whole corpus, and where it finds the articles."""

    base: str
    years: Years
    prefixes: dict[str, str]
    cache: Path


@lru_cache(maxsize=1)
def _linking(path: Path) -> tuple[Minter, Linking]:
    linking: Linking = pickle.loads(path.read_bytes())
    return Minter(linking.base, linking.years), linking


def render_chunk(task: tuple[list[tuple[str, str]], Path]) -> tuple[Rendered, list[tuple[str, str]], Timings]:
    """Phase 2 for (identifier, sha256) pairs in IRI order, with the file of the `Linking`: the rendered valid
    graphs, and why the others failed."""
    articles, setup = task
    minter, linking = _linking(setup)
    timings: Timings = {}
    graphs: dict[str, ArticleGraph] = {}
    for identifier, sha256 in articles:
        cached = load_cached(linking.cache / f"{sha256}.pickle")
        if cached is None:
            raise FileNotFoundError(f"{linking.cache}: the cache entry of {identifier} vanished during the build")
        with clock(timings, "emit"):
            graphs[identifier] = emit(replace(cached.record, identifier=identifier), cached.text, minter)
    with clock(timings, "validate"):
        reports = validate_article_graphs(graphs)
    rejected = [(identifier, describe(report)) for identifier, report in reports.items() if not report.conforms]
    with clock(timings, "render"):
        rendered = render([graphs[i].text() for i, report in reports.items() if report.conforms], linking.prefixes)
    return rendered, rejected, timings


def describe(report: Report) -> str:
    return "; ".join(f"{v.focus_node}: {v.message}" for v in report.results[:5])

"""What the build's worker processes do, one chunk of articles at a time.

  phase 1  `read_chunk`   read each source (a text, a page, a web archive's record), extract and resolve it (or
                          take it from the cache, keyed by the digest of its bytes, before any parsing), and
                          tell which years the article gives each document and its key
  phase 2  `render_chunk` emit each article's graph with IRIs minted for the whole corpus, recording what it looked
                          up in the corpus' tables (mappings/build/reuse.py), validate it (a graph that violates
                          the shapes loses the facts that do, mappings/validation/repair.py, and is published
                          without them), and render each valid graph for the store and the dumps

Chunks and results are plain picklable values. Phase 2 needs what phase 1 found in the whole corpus
(`Linking`): the build writes it to a file that each process reads once. Each step's CPU time comes
back with its results, so the build can tell where the time goes.

Whatever goes wrong with one article (an exception in reading, extraction, linking, emission, validation or
rendering) is that article's error: it comes back as `Unreadable` (phase 1) or among the rejected (phase 2),
named with its file and the reason on one line, and the chunk's other articles go on. Only what is not one
article's doing stops the build: the cache cannot be written (a full disk) or vanished under it.

Each article has a time budget in phase 1 (`time_budget`: wall seconds to read, extract and link it): past it,
it is left out, "took longer than N s", and the worker goes on with the next one.
"""
from __future__ import annotations

import logging
import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from mappings.build.parallel import in_worker
from mappings.build.reuse import Lookup, Trace, graph_key, recording
from mappings.emission.article_graph import ArticleGraph
from mappings.emission.to_rdf import emit
from mappings.extraction.mentions import extract
from mappings.linking.iris import Minter, known_years
from mappings.linking.people import Sighting, sightings
from mappings.linking.records import ArticleRecord, MeetingRef
from mappings.linking.resolve import resolve
from mappings.linking.stories import fingerprint
from mappings.publishing.dumps import Rendered, render
from mappings.reading.article import ArticleFormatError
from mappings.reading.sources import (
    Source,
    is_canonical,
    parse_source,
    read_source,
    source_digest,
    source_key,
)
from mappings.validation.repair import repair
from mappings.validation.validate import Report, Violation, validate_article_graphs

T = TypeVar("T")
R = TypeVar("R")
BACKSTOP_S = 5.0   # CPU seconds past twice the budget at which a worker stuck in C code is killed
Years = dict[tuple[str, str, str, str], frozenset[int]]
Timings = dict[str, float]   # step → CPU seconds


@dataclass(frozen=True, slots=True)
class Cached:
    """A cache entry: what extraction made of an article's bytes, and the body text its spans point into."""

    record: ArticleRecord
    text: str


@dataclass(frozen=True, slots=True)
class ReadArticle:
    name: str          # the source's name (`Source.name`)
    identifier: str    # its key; the build makes the keys of a build unique (`identifiers.unique`)
    sha256: str        # the cache key (`source_digest`)
    years: Years       # the years this article dates each document identity with
    sightings: tuple[Sighting, ...]   # where its officials' titles place them (mappings/linking/people.py)
    extracted: bool    # extracted anew, not taken from the cache
    canonical: bool = False   # the file's name is its key: it keeps the key when another source has it too
    fingerprint: bytes = b""          # the MinHash of its words, to find copies of its story (linking/stories.py)
    published: str | None = None
    meeting: MeetingRef | None = None   # the meeting it reports: its story's copies report the original's


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


def read_chunk(task: tuple[list[Source], Path, float | None]) -> tuple[list[ReadArticle | Unreadable], Timings]:
    """Phase 1 for a chunk of sources, with the cache directory and each article's time budget (seconds, None:
    none)."""
    sources, cache, budget = task
    timings: Timings = {}
    return [_read(source, cache, budget, timings) for source in sources], timings


def _read(source: Source, cache: Path, budget: float | None, timings: Timings) -> ReadArticle | Unreadable:
    """The article read, extracted and linked (or taken from the cache, looked up before the bytes are parsed)
    within its time budget; any failure of its own is `Unreadable`. Writing the cache entry is outside: a full disk
    is the build's error, not the article's."""
    name, shown = source.name, source.shown
    try:
        with time_budget(budget):
            with clock(timings, "read"):
                try:
                    data = read_source(source)
                    digest = source_digest(source, data)
                    entry = cache / f"{digest}.pickle"
                    cached = load_cached(entry)
                    article = parse_source(source, data) if cached is None else None
                except ArticleFormatError as err:
                    return Unreadable(name, str(err))
                except OSError as err:
                    return Unreadable(name, f"{shown}: {err.strerror if err.filename else err}")
                del data
            extracted = article is not None
            if article is not None:
                with clock(timings, "extract"):
                    found = extract(article)
                with clock(timings, "resolve"):
                    cached = Cached(resolve(article, found), article.text)
            assert cached is not None
            years = known_years([cached.record])
            key = source_key(source, cached.record.url)
            seen = tuple(sightings(cached.record))
            with clock(timings, "stories"):
                story = fingerprint(cached.text)
    except OverBudget:
        return Unreadable(name, f"{shown}: not published, took longer than {budget:g} s to read, extract and link "
                                "(the build's --article-timeout)")
    except Exception as err:  # noqa: BLE001  a bug the article's text runs into: its error, never the build's
        return Unreadable(name, f"{shown}: not published, an error while reading it: {one_line(err)}")
    if extracted:
        _store_cached(entry, cached)
    return ReadArticle(name, key, digest, years, seen, extracted, is_canonical(source, key), story,
                       cached.record.published, next(iter(cached.record.meetings), None))


class OverBudget(BaseException):
    """An article's time budget ran out. A BaseException, so that no `except Exception` on the way swallows it."""


_armed = False   # True while an article runs under its budget: a late SIGALRM after it ends is ignored


def _over_budget(_signal: int, _frame: object) -> None:
    if _armed:
        raise OverBudget


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise `OverBudget` in the block once `seconds` of wall time have passed (no limit: None or 0).

    A SIGALRM handler: Python runs it between bytecodes, and inside a regular expression's matching, which checks
    for signals, so it stops backtracking too. C code that never checks for signals cannot be stopped so: in a
    worker process a CPU-time timer also ends the whole process at twice the budget plus BACKSTOP_S (SIGPROF's
    default action), and the pool names the article whose worker died (mappings/build/parallel.py). Signals
    reach only the main thread: elsewhere the block runs without a limit."""
    global _armed
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _over_budget)
    backstop = in_worker()
    if backstop:
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_PROF, 2 * seconds + BACKSTOP_S)
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            _armed = False
        finally:  # runs even if the alarm rang just before the line above: the timers are one-shot
            signal.setitimer(signal.ITIMER_REAL, 0)
            if backstop:
                signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGALRM, previous)


def one_line(error: BaseException) -> str:
    """`Type: message (at module.py:line)`, on one line: what went wrong and where the code stood.

    >>> try:
    ...     {}["ban thường vụ\\ntỉnh ủy"]
    ... except KeyError as error:
    ...     print(one_line(error))  # doctest: +ELLIPSIS
    KeyError: 'ban thường vụ\\ntỉnh ủy' (at ...)
    """
    message = " ".join(str(error).split())
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {message}{where}" if message else f"{type(error).__name__}{where}"


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
    people: dict[tuple[str, str], str]   # (article identifier, folded name) → who that is (mappings/linking/people.py)
    stories: dict[str, tuple[str, ...]]  # article identifier → its story's copies, the original first
    story_meetings: dict[str, str]       # a copy's identifier → the IRI of its story's meeting
    prefixes: dict[str, str]
    cache: Path


@lru_cache(maxsize=1)
def _linking(path: Path) -> tuple[Minter, Linking]:
    linking: Linking = pickle.loads(path.read_bytes())
    return Minter(linking.base, linking.years, linking.people, linking.stories, linking.story_meetings), linking


@dataclass(frozen=True, slots=True)
class RenderedGraph:
    """One article's graph rendered for the store and the dumps, with what it was made of (mappings/build/reuse.py)."""

    identifier: str
    rendered: Rendered


@dataclass(frozen=True, slots=True)
class RenderedChunk:
    """What phase 2 made of a chunk: the valid graphs rendered one by one, the others with why they were left out."""

    graphs: list[RenderedGraph]
    rejected: list[tuple[str, str]]    # (identifier, why): "SHACL: ..." or the error its graph ran into
    timings: Timings


def render_chunk(task: tuple[list[tuple[str, str]], Path]) -> RenderedChunk:
    """Phase 2 for (identifier, sha256) pairs in IRI order, with the file of the `Linking`: the rendered valid
    graphs, and why the others failed."""
    articles, setup = task
    minter, linking = _linking(setup)
    # An ill-typed literal (a day the calendar lacks) is a SHACL result this build reports; rdflib's own warning,
    # a traceback, would only clutter stderr.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    timings: Timings = {}
    graphs: dict[str, ArticleGraph] = {}
    traces: dict[str, Trace] = {}
    failed: dict[str, str] = {}
    left_out: dict[str, list[str]] = {}
    for identifier, sha256 in articles:
        cached = load_cached(linking.cache / f"{sha256}.pickle")
        if cached is None:
            raise FileNotFoundError(f"{linking.cache}: the cache entry of {identifier} vanished during the build")
        with clock(timings, "emit"):
            log: list[Lookup] = []
            try:
                graphs[identifier] = emit(replace(cached.record, identifier=identifier), cached.text, recording(minter, log))
            except Exception as err:  # noqa: BLE001  that article's error
                failed[identifier] = f"an error while writing its graph: {one_line(err)}"
            traces[identifier] = tuple(dict.fromkeys(log))
    with clock(timings, "validate"):
        reports = _isolating(validate_article_graphs, graphs, failed, "validating it")
        for identifier, report in reports.items():
            if report.conforms:
                continue
            try:
                repaired = repair(graphs[identifier], report, lambda graph: validate_article_graphs({"": graph})[""])
            except Exception as err:  # noqa: BLE001  that article's error
                failed[identifier] = f"SHACL: {describe(report)}; an error while leaving out its facts: {one_line(err)}"
                continue
            if repaired is None:
                failed[identifier] = f"SHACL: {describe(report)}"
                continue
            graphs[identifier] = repaired.graph
            left_out[identifier] = [described(violation) for violation in repaired.left_out]
    rendered: list[RenderedGraph] = []
    with clock(timings, "render"):
        for identifier, sha256 in articles:
            if identifier in failed or identifier not in reports:
                continue
            try:
                one = render(graphs[identifier].text(), linking.prefixes)
            except Exception as err:  # noqa: BLE001  that article's error
                failed[identifier] = f"an error while rendering it: {one_line(err)}"
                continue
            rendered.append(RenderedGraph(identifier, replace(
                one, key=graph_key(linking.base, identifier, sha256), trace=traces[identifier],
                left_out=tuple(left_out.get(identifier, ())))))
    rejected = [(identifier, failed[identifier]) for identifier, _ in articles if identifier in failed]
    return RenderedChunk(rendered, rejected, timings)


def _isolating(step: Callable[[dict[str, T]], R], items: dict[str, T], failed: dict[str, str], doing: str) -> R:
    """`step(items)`; if it raises, `step` is tried on each item alone to find the items it fails on (each goes
    into `failed` with its error), then run on the others."""
    try:
        return step(items)
    except Exception:  # noqa: BLE001  some item makes it fail: which ones is found below
        for key, item in items.items():
            try:
                step({key: item})
            except Exception as err:  # noqa: BLE001  that article's error
                failed[key] = f"an error while {doing}: {one_line(err)}"
    return step({key: item for key, item in items.items() if key not in failed})


def describe(report: Report) -> str:
    return "; ".join(f"{v.focus_node}: {v.message}" for v in report.results[:5])


def described(violation: Violation) -> str:
    """One SHACL result: `<node> path: message`."""
    path = f" {violation.path}" if violation.path else ""
    return f"<{violation.focus_node}>{path}: {violation.message}"

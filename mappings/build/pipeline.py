"""The build: read → extract → link → emit → validate → publish, for the articles under the paths it is given.

  0. find                        here: the paths walked into sources (text articles, web pages, web archives'
                                 records; mappings/reading/sources.py), every other thing found named
  1. read, extract, resolve      in worker processes, chunk by chunk (mappings/build/worker.py); each
                                 article's extraction is cached, keyed by the digest of its bytes and
                                 `rules_version()`: adding or changing articles re-extracts only those;
                                 an article past its time budget (`article_timeout`) is left out
  2. link                        here: each article's identifier, unique in the build; the years the whole
                                 corpus gives each document (a citation's year may come from another
                                 article), and the order of the graphs by IRI
  3. emit, validate, render      in worker processes, chunk by chunk, in IRI order
  4. publish                     here, while 3 runs: each rendered chunk goes into the store and the
                                 dumps as it comes (mappings/publishing/publish.py), so memory stays flat

Chunks have a fixed size, so the output is byte for byte the same whatever the number of processes.
One article never stops the others: its errors, its time budget, even its worker process dying (the chunk is
run again article by article to find it) leave out that article alone, named with the reason. A build that
fails takes back the cache entries it wrote, so that a full disk does not stay full for the next one.
"""
from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyoxigraph import RdfFormat, Triple, parse
from rdflib import Graph
from tqdm import tqdm

from mappings.build.continuity import replaced_graph
from mappings.build.parallel import WorkerDied, Workers, chunked, default_jobs
from mappings.build.worker import (
    Linking,
    ReadArticle,
    RenderedChunk,
    Timings,
    Unreadable,
    Years,
    clock,
    load_cached,
    read_chunk,
    render_chunk,
)
from mappings.emission.ntriples import terms
from mappings.emission.reference_graph import reference_graph
from mappings.extraction.rules import rules_version
from mappings.linking.iris import Minter
from mappings.linking.people import identities, minted
from mappings.linking.stories import stories
from mappings.publishing.dumps import Rendered, context_prefixes
from mappings.publishing.publish import PublishedBuild, PublishError, build_lock, load_context, publish
from mappings.publishing.search_index import write_search_index
from mappings.reading.article import file_text
from mappings.reading.identifiers import unique
from mappings.reading.sources import READ, Source, find_sources
from ontology import DIR as ONTOLOGY_DIR

DEFAULT_BASE = "http://localhost:8000/"
CHUNK = 32  # articles per task; fixed, so that the dumps' gzip members do not depend on the process count
ARTICLE_TIMEOUT_S = 30.0  # wall seconds to read, extract and link one article (the slowest real one takes ms)
LINKING = ".linking-"  # out/.linking-*.pickle: what phase 2 needs, while a build runs


@dataclass
class BuildResult:
    published: PublishedBuild | None
    articles: int = 0
    extracted: int = 0                     # articles extracted anew (not from the cache)
    rejected: dict[str, str] = field(default_factory=dict)   # source → why it was not published
    skipped: dict[str, str] = field(default_factory=dict)    # file or folder found → why it is not read
    left_out: dict[str, list[str]] = field(default_factory=dict)  # file → the facts of it SHACL rejected (published)
    timings: Timings = field(default_factory=dict)            # step → CPU seconds over all processes; "wall"

    @property
    def ok(self) -> bool:
        return self.published is not None and not self.rejected and not self.skipped


def build(articles: Path | Sequence[Path], out: Path, *, base: str = DEFAULT_BASE, keep: int = 3,
          jobs: int | None = None, article_timeout: float | None = ARTICLE_TIMEOUT_S,
          report: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> BuildResult:
    """Build the articles under `articles` (folders walked, files; mappings/reading/sources.py) into `out` with
    `jobs` processes (default: one per CPU); an article that takes more than `article_timeout` seconds to read,
    extract and link (None or 0: no limit) is left out. Every file found that is not read is named by `report`."""
    if article_timeout is not None and article_timeout < 0:
        raise ValueError(f"article timeout {article_timeout}: must be positive (0: no limit)")
    paths = [articles] if isinstance(articles, Path) else list(articles)
    found = find_sources(paths)
    for line in [*found.notes, *found.skipped.values()]:
        report(line)
    if not found.sources:
        raise FileNotFoundError(f"{', '.join(file_text(str(p)) for p in paths)}: no articles to build "
                                f"(the build reads {READ} files)")
    with build_lock(out):  # the lock: for the whole build
        cache = out / "cache" / rules_version()
        before = _entries(cache)
        try:
            with Workers(jobs or default_jobs()) as workers:  # its workers have stopped before the cache is cleaned
                builder = _Build(out, base, keep, workers, report, article_timeout or None)
                builder.result.skipped = found.skipped
                return builder.run(found.sources)
        except BaseException:
            _take_back(cache, before)
            raise


def _entries(cache: Path) -> set[str]:
    try:
        return set(os.listdir(cache))
    except FileNotFoundError:
        return set()


def _take_back(cache: Path, before: set[str]) -> None:
    """The cache entries a failed build wrote removed (those there before it stay): on a full disk, they would
    leave the next build, even a smaller one, no room."""
    for name in _entries(cache) - before:
        (cache / name).unlink(missing_ok=True)


class _Build:
    def __init__(self, out: Path, base: str, keep: int, workers: Workers, report: Callable[[str], None],
                 budget: float | None) -> None:
        self.out, self.base, self.keep, self.workers, self.report = out, base, keep, workers, report
        self.budget = budget
        self.cache = out / "cache" / rules_version()
        self.result = BuildResult(published=None)
        self._outside = 0.0  # CPU time the publishing process spent outside publishing (phase 2 with jobs=1)
        self.names: dict[str, str] = {}   # article identifier → its source's name, for the reports
        self.bodies: list[tuple[str, str]] = []  # (article IRI, cache key) in IRI order, for the search index
        self.replaced = Graph()  # IRIs the published build had that this one replaces (mappings/build/continuity.py)

    def run(self, files: list[Source]) -> BuildResult:
        started = time.perf_counter()
        # left by a killed build or a full disk (this one holds the lock): linking files, half-written cache entries
        for stale in [*self.out.glob(f"{LINKING}*"), *self.cache.glob("*.tmp")]:
            stale.unlink()
        readable, years = self._read(files)
        readable = self._identify(readable)
        seen = {a.identifier: a.sightings for a in readable}
        people = identities(seen)
        if not readable:
            raise PublishError(f"none of the {len(files)} articles could be published: "
                               "the published dataset is unchanged")
        copies = stories({a.identifier: a.fingerprint for a in readable}, {a.identifier: a.published for a in readable})
        story_meetings = self._story_meetings(readable, copies, Minter(self.base, years, people))
        minter = Minter(self.base, years, people, copies, story_meetings)
        now = {str(minter.article(article)): iris for article, iris in minted(seen, people, minter).items()}
        self.replaced = replaced_graph(self.out, self.base, now)   # before this build is published
        ordered = [(a.identifier, a.sha256) for a in sorted(readable, key=lambda a: str(minter.article(a.identifier)))]
        self.bodies = [(str(minter.article(identifier)), sha256) for identifier, sha256 in ordered]
        del readable
        context = ONTOLOGY_DIR / "context.jsonld"
        linking = self.out / f"{LINKING}{os.getpid()}-{time.time_ns()}.pickle"
        linking.write_bytes(pickle.dumps(Linking(self.base, years, people, copies, story_meetings,
                                               context_prefixes(load_context(context)), self.cache)))
        try:
            chunks = self.workers.map(render_chunk, ((chunk, linking) for chunk in chunked(ordered, CHUNK)),
                                      salvage=self._salvage_render)
            before = time.process_time()
            self.result.published = publish(self.out, self._graphs(chunks, len(files)), meta=self._meta,
                                            context=context, keep=self.keep, beside=self._search_index)
            self._add({"publish": time.process_time() - before - self._outside})
        finally:
            linking.unlink(missing_ok=True)
        self.result.timings["wall"] = time.perf_counter() - started
        return self.result

    def _read(self, files: list[Source]) -> tuple[list[ReadArticle], Years]:
        """Phase 1: every file read (or its cache entry), the unreadable ones named; the corpus' years."""
        readable: list[ReadArticle] = []
        years: dict[tuple[str, str, str, str], set[int]] = {}
        tasks = ((chunk, self.cache, self.budget) for chunk in chunked(files, CHUNK))
        self.cache.mkdir(parents=True, exist_ok=True)
        bar = tqdm(total=len(files), desc="extract", unit="article", disable=not sys.stderr.isatty())
        for results, timings in self.workers.map(read_chunk, tasks, salvage=self._salvage_read):
            self._add(timings)
            bar.update(len(results))
            for item in results:
                if isinstance(item, Unreadable):
                    self.result.rejected[item.name] = item.reason
                    self.report(item.reason)
                    continue
                readable.append(item)
                self.result.extracted += item.extracted
                for key, found in item.years.items():
                    years.setdefault(key, set()).update(found)
        bar.close()
        return readable, {key: frozenset(value) for key, value in years.items()}

    @staticmethod
    def _story_meetings(readable: list[ReadArticle], copies: dict[str, tuple[str, ...]], minter: Minter) -> dict[str, str]:
        """A copy of a story reports its original's meeting, whatever day its own text makes of it."""
        meetings = {a.identifier: a.meeting for a in readable}
        out = {}
        for article, story in copies.items():
            original = story[0]
            if article != original and meetings.get(article) and (meeting := meetings.get(original)):
                out[article] = str(minter.meeting(meeting, original))
        return out

    def _identify(self, readable: list[ReadArticle]) -> list[ReadArticle]:
        """Each article's key made unique in the build (`A.txt` and `a.txt`: `a-<hash>` and `a`); the names the
        reports give each identifier."""
        keys = unique([a.identifier for a in readable], [a.name for a in readable], [a.canonical for a in readable])
        readable = [replace(article, identifier=key) for article, key in zip(readable, keys, strict=True)]
        self.names = {article.identifier: article.name for article in readable}
        return readable

    def _salvage_read(self, task: tuple[list[Source], Path, float | None]) -> tuple[list[ReadArticle | Unreadable], Timings]:
        """Phase 1 for a chunk whose worker died twice: article by article, each alone, so that the article whose
        worker dies is left out and named, and the others are read."""
        sources, cache, budget = task
        results: list[ReadArticle | Unreadable] = []
        timings: Timings = {}
        limit = f"or ran past twice its {budget:g} s in code that could not be stopped" if budget else "or hung"
        for source in sources:
            try:
                found, spent = self.workers.alone(read_chunk, ([source], cache, budget))
            except WorkerDied:
                found, spent = [Unreadable(source.name, f"{source.shown}: not published, the worker process reading "
                                           f"it died (it crashed, hit a memory limit {limit})")], {}
            results += found
            for step, seconds in spent.items():
                timings[step] = timings.get(step, 0.0) + seconds
        return results, timings

    def _salvage_render(self, task: tuple[list[tuple[str, str]], Path]) -> RenderedChunk:
        """Phase 2 for a chunk whose worker died twice: each article alone finds those whose worker dies; the
        chunk is rendered without them."""
        articles, linking = task
        died = []
        for article in articles:
            try:
                self.workers.alone(render_chunk, ([article], linking))
            except WorkerDied:
                died.append(article)
        chunk = self.workers.alone(render_chunk, ([a for a in articles if a not in died], linking))
        why = "the worker process writing, validating or rendering its graph died"
        return replace(chunk, rejected=[*chunk.rejected, *((identifier, why) for identifier, _ in died)])

    def _graphs(self, chunks: Iterable[RenderedChunk], files: int) -> Iterator[Rendered | tuple[str, Iterable[Triple]]]:
        """The ontology, the reference data and the article chunks, in IRI order; never none of the articles."""
        extra = sorted([(f"{self.base}graph/ontology", Graph().parse(ONTOLOGY_DIR / "vankien.ttl")),
                        (f"{self.base}graph/reference", reference_graph(self.base)),
                        *([(f"{self.base}graph/replaced", self.replaced)] if len(self.replaced) else [])],
                       key=lambda pair: pair[0])
        bar = tqdm(total=files, desc="publish", unit="article", disable=not sys.stderr.isatty())
        resumed = time.process_time()
        for chunk in chunks:  # with jobs=1, phase 2 runs here, in this process
            rendered = chunk.rendered
            self._reject(chunk.rejected)
            self._left_out(chunk.left_out)
            self.result.articles += len(rendered.iris)
            self._add(chunk.timings)
            bar.update(len(rendered.iris) + len(chunk.rejected))
            while extra and (not rendered.iris or extra[0][0] < rendered.iris[0]):
                yield _triples(*extra.pop(0))
            self._outside += time.process_time() - resumed
            yield rendered
            resumed = time.process_time()
        bar.close()
        yield from (_triples(*pair) for pair in extra)
        if not self.result.articles:
            raise PublishError(f"none of the {files} articles could be published: the published dataset is unchanged")

    def _search_index(self, partial: Path) -> None:
        """The build's full-text index: the store's names and texts, and each article's body from the cache,
        one at a time (articles left out are not in the store, and not indexed)."""
        with clock(self.result.timings, "search index"):
            write_search_index(partial, self.base, ((iri, cached.text) for iri, sha256 in self.bodies
                                                    if (cached := load_cached(self.cache / f"{sha256}.pickle"))))

    def _reject(self, rejected: list[tuple[str, str]]) -> None:
        for identifier, why in rejected:
            self.result.rejected[self.names[identifier]] = why
            self.report(f"{file_text(self.names[identifier])}: not published, {why}")

    def _left_out(self, facts: list[tuple[str, str]]) -> None:
        for identifier, what in facts:
            self.result.left_out.setdefault(self.names[identifier], []).append(what)
            self.report(f"{file_text(self.names[identifier])}: warning: published without a fact SHACL rejects, {what}")

    def _meta(self) -> dict[str, object]:
        return {"articles": self.result.articles, "rejected": sorted(self.result.rejected),
                "skipped": sorted(self.result.skipped),
                "rules_version": rules_version(), "base_uri": self.base}

    def _add(self, timings: Timings) -> None:
        for step, seconds in timings.items():
            self.result.timings[step] = self.result.timings.get(step, 0.0) + seconds


def _triples(iri: str, graph: Graph) -> tuple[str, list[Triple]]:
    """A graph of the ontology or reference data, as pyoxigraph triples."""
    lines = "".join(f"{s} {p} {o} .\n" for s, p, o in terms(graph)[0])
    return iri, [quad.triple for quad in parse(lines, RdfFormat.N_TRIPLES)]

"""The build: read → extract → link → emit → validate → publish, for the articles under the paths it is given.

  0. find                        here: the paths walked into sources (text articles, web pages, web archives'
                                 records; mappings/reading/sources.py), every other thing found named
  1. read, extract, resolve      in worker processes, chunk by chunk (mappings/build/worker.py); each
                                 article's extraction is cached, keyed by the digest of its bytes and
                                 `rules_version()`: adding or changing articles re-extracts only those; a file
                                 the last build read as it is now is not read at all (seen_sources.py);
                                 an article past its time budget (`article_timeout`) is left out
  2. link                        here: each article's identifier, unique in the build; the years the whole
                                 corpus gives each document (a citation's year may come from another
                                 article), who is who, the copies of a story, and the order of the graphs by
                                 IRI; which graphs of the published build hold as they are (reuse.py)
  3. emit, validate, render      in worker processes, chunk by chunk, in IRI order: the other graphs
  4. publish                     here, while 3 runs: each rendered graph goes into the store and the
                                 dumps as it comes (mappings/publishing/publish.py), so memory stays flat;
                                 from the published build, when most of its graphs hold: its store's
                                 checkpoint changed by what changed, its dumps' members copied

When nothing changed, the published build stays. A build made from the published one holds exactly what a
build anew holds (tests/test_incremental.py); `anew` makes one anyway.

Chunks have a fixed size, so the output is byte for byte the same whatever the number of processes.
One article never stops the others: its errors, its time budget, even its worker process dying (the chunk is
run again article by article to find it) leave out that article alone, named with the reason. A build that
fails takes back the cache entries it wrote, so that a full disk does not stay full for the next one.
"""
from __future__ import annotations

import heapq
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
from mappings.build.reuse import graph_key, still_holds
from mappings.build.seen_sources import KnownArchives, StatKey, load_seen, save_seen, stat_key
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
from mappings.emission.graph_text import graph_text
from mappings.emission.ntriples import terms
from mappings.emission.reference_graph import reference_graph
from mappings.extraction.rules import rules_version
from mappings.linking.iris import Minter
from mappings.linking.people import identities, minted
from mappings.linking.stories import stories
from mappings.publishing.dumps import Rendered, context_prefixes, render
from mappings.publishing.parts import Part, read_parts
from mappings.publishing.publish import (
    PublishedBuild,
    PublishError,
    build_lock,
    current_build,
    load_context,
    publish,
    read_manifest,
    remove_leftovers,
)
from mappings.publishing.search_index import write_search_index
from mappings.publishing.search_index_update import update_search_index
from mappings.publishing.writer import Change, Reused, text_key
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
    reused: int = 0                        # article graphs taken as the published build has them
    unchanged: bool = False                # nothing changed: the published build stays

    @property
    def ok(self) -> bool:
        return self.published is not None and not self.rejected and not self.skipped


def build(articles: Path | Sequence[Path], out: Path, *, base: str = DEFAULT_BASE, keep: int = 3,
          jobs: int | None = None, article_timeout: float | None = ARTICLE_TIMEOUT_S, anew: bool = False,
          report: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> BuildResult:
    """Build the articles under `articles` (folders walked, files; mappings/reading/sources.py) into `out` with
    `jobs` processes (default: one per CPU); an article that takes more than `article_timeout` seconds to read,
    extract and link (None or 0: no limit) is left out. Every file found that is not read is named by `report`.

    A build is made from the published one, paying for what changed alone, unless `anew` or most articles changed;
    it holds exactly what a build anew holds. When nothing changed, the published build stays (`result.unchanged`)."""
    if article_timeout is not None and article_timeout < 0:
        raise ValueError(f"article timeout {article_timeout}: must be positive (0: no limit)")
    paths = [articles] if isinstance(articles, Path) else list(articles)
    archives = KnownArchives(out / "cache" / rules_version())
    found = find_sources(paths, archives)
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
                builder = _Build(out, base, keep, workers, report, article_timeout or None, anew)
                builder.result.skipped = found.skipped
                result = builder.run(found.sources)
            archives.save()
            return result
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
                 budget: float | None, anew: bool) -> None:
        self.out, self.base, self.keep, self.workers, self.report = out, base, keep, workers, report
        self.budget, self.anew = budget, anew
        self.iris: dict[str, str] = {}   # article graph IRI → its identifier
        self._seen: list[tuple[StatKey, ReadArticle]] = []   # what phase 1 made of each source, by its file's stat
        self.earlier_parts: dict[str, Part] = {}   # the graphs of the published build this one is made from
        self.earlier: Path | None = None           # that build
        self.reused: dict[str, Part] = {}          # its article graphs this one takes as they are
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
        read, years = self._read(files)
        readable = self._identify(read)
        seen = {a.identifier: a.sightings for a in readable}
        people = identities(seen)
        if not readable:
            raise PublishError(f"none of the {len(files)} articles could be published: "
                               "the published dataset is unchanged")
        copies = stories({a.identifier: a.fingerprint for a in readable}, {a.identifier: a.published for a in readable})
        story_meetings = self._story_meetings(readable, copies, Minter(self.base, years, people))
        minter = Minter(self.base, years, people, copies, story_meetings)
        ordered = sorted((str(minter.article(a.identifier)), a.identifier, a.sha256) for a in readable)
        self.iris = {iri: identifier for iri, identifier, _ in ordered}
        del readable
        earlier, reused = self._reusable(ordered, minter)
        self.earlier, self.reused = earlier, reused
        now = {iri: found for iri, found in ((str(minter.article(article)), found)
                                             for article, found in minted(seen, people, minter).items())}
        changed = None if earlier is None else set(self.earlier_parts) - set(reused)
        self.replaced = replaced_graph(self.out, self.base, now, changed)
        self.bodies = [(iri, sha256) for iri, _, sha256 in ordered]
        extra = self._extra(earlier)
        if earlier is not None and self._unchanged(earlier, ordered, reused, extra):
            return self._keep(earlier, started)
        fresh = [(identifier, sha256) for iri, identifier, sha256 in ordered if iri not in reused]
        context = ONTOLOGY_DIR / "context.jsonld"
        linking = self.out / f"{LINKING}{os.getpid()}-{time.time_ns()}.pickle"
        linking.write_bytes(pickle.dumps(Linking(self.base, years, people, copies, story_meetings,
                                               context_prefixes(load_context(context)), self.cache)))
        try:
            chunks = self.workers.map(render_chunk, ((chunk, linking) for chunk in chunked(fresh, CHUNK)),
                                      salvage=self._salvage_render)
            before = time.process_time()
            graphs = heapq.merge(extra, self._reused(reused), self._rendered(chunks, len(files)),
                                 key=lambda item: item.iri)
            self.result.published = publish(self.out, self._checked(graphs, len(files)), meta=self._meta,
                                            context=context, keep=self.keep, beside=self._search_index,
                                            earlier=earlier)
            self._add({"publish": time.process_time() - before - self._outside})
        finally:
            linking.unlink(missing_ok=True)
        save_seen(self.cache, self._seen)
        self.result.timings["wall"] = time.perf_counter() - started
        return self.result

    def _keep(self, earlier: Path, started: float) -> BuildResult:
        """Nothing changed: the published build stays; what killed builds left is cleared all the same."""
        remove_leftovers(self.out)
        self.result.published = PublishedBuild(earlier.name, earlier, read_manifest(earlier))
        self.result.unchanged, self.result.articles = True, len(self.reused)
        self._report_reused(self.reused)
        save_seen(self.cache, self._seen)
        self.result.timings["wall"] = time.perf_counter() - started
        return self.result

    def _reusable(self, ordered: list[tuple[str, str, str]], minter: Minter) -> tuple[Path | None, dict[str, Part]]:
        """The published build this one is made from, and the article graphs of it that this build takes as they
        are (mappings/build/reuse.py); none when most articles changed (a build anew is then faster)."""
        earlier = current_build(self.out)
        if earlier is None or self.anew:
            return None, {}
        manifest = read_manifest(earlier)
        meta, parts = manifest.get("meta"), read_parts(earlier, manifest.get("parts"))
        if not isinstance(meta, dict) or meta.get("base_uri") != self.base or parts is None or not _dumps_whole(earlier, manifest):
            if parts is None and manifest.get("parts"):
                self.report(f"{earlier}: its parts are not as its manifest says: this build is made anew")
            return None, {}
        reused = {iri: part for iri, identifier, sha256 in ordered
                  if (part := parts.graphs.get(iri)) is not None and part.key == graph_key(self.base, identifier, sha256)
                  and still_holds(part.trace, minter)}
        if len(reused) * 2 < len(ordered):
            return None, {}
        self.result.reused, self.earlier_parts = len(reused), parts.graphs
        return earlier, reused

    def _extra(self, earlier: Path | None) -> list[Rendered | Reused]:
        """The ontology, the reference data and the IRIs replaced, rendered; reused when the earlier build has
        them the same."""
        parts = self.earlier_parts if earlier is not None else {}
        prefixes = context_prefixes(load_context(ONTOLOGY_DIR / "context.jsonld"))
        extra: list[Rendered | Reused] = []
        for iri, graph in sorted([(f"{self.base}graph/ontology", Graph().parse(ONTOLOGY_DIR / "vankien.ttl")),
                                  (f"{self.base}graph/reference", reference_graph(self.base)),
                                  *([(f"{self.base}graph/replaced", self.replaced)] if len(self.replaced) else [])],
                                 key=lambda pair: pair[0]):
            rendered = render(graph_text(*_triples(iri, graph)), prefixes)
            part = parts.get(iri)
            same = part is not None and part.key == text_key(rendered)
            extra.append(Reused(iri, part) if same and part is not None else rendered)
        return extra

    def _unchanged(self, earlier: Path, ordered: list[tuple[str, str, str]], reused: dict[str, Part],
                   extra: list[Rendered | Reused]) -> bool:
        """Every graph of the earlier build is taken as it is, and it has no other, nor another report."""
        parts = self.earlier_parts
        if len(reused) != len(ordered) or not all(isinstance(item, Reused) for item in extra):
            return False
        if set(parts) != set(reused) | {item.iri for item in extra}:
            return False
        return read_manifest(earlier).get("meta") == self._meta_for(len(reused))

    def _reused(self, reused: dict[str, Part]) -> Iterator[Reused]:
        self._report_reused(reused)
        self.result.articles += len(reused)
        yield from (Reused(iri, part) for iri, part in sorted(reused.items()))

    def _report_reused(self, reused: dict[str, Part]) -> None:
        for iri, part in sorted(reused.items()):
            self._left_out([(self.iris[iri], what) for what in part.left_out])

    def _read(self, files: list[Source]) -> tuple[list[ReadArticle], Years]:
        """Phase 1: every file read (or its cache entry; or nothing, when the last build read it as it is now:
        mappings/build/seen_sources.py), the unreadable ones named; the corpus' years."""
        self.cache.mkdir(parents=True, exist_ok=True)
        known = load_seen(self.cache)
        keys = [stat_key(source) for source in files]
        found: dict[int, ReadArticle] = {}
        for number, key in enumerate(keys):
            article = known.get(key) if key is not None else None
            if article is not None and os.path.exists(self.cache / f"{article.sha256}.pickle"):
                found[number] = article
        unseen = [number for number in range(len(files)) if number not in found]
        tasks = ((chunk, self.cache, self.budget) for chunk in chunked([files[n] for n in unseen], CHUNK))
        bar = tqdm(total=len(files), desc="extract", unit="article", disable=not sys.stderr.isatty())
        bar.update(len(found))
        numbers = iter(unseen)
        for items, timings in self.workers.map(read_chunk, tasks, salvage=self._salvage_read):
            self._add(timings)
            bar.update(len(items))
            for item in items:
                number = next(numbers)
                if isinstance(item, Unreadable):
                    self.result.rejected[item.name] = item.reason
                    self.report(item.reason)
                    continue
                found[number] = item
                self.result.extracted += item.extracted
        bar.close()
        readable = [found[number] for number in sorted(found)]
        self._seen = [(key, replace(article, extracted=False)) for number, article in sorted(found.items())
                      if (key := keys[number]) is not None]
        years: dict[tuple[str, str, str, str], set[int]] = {}
        for article in readable:
            for key, dated in article.years.items():
                years.setdefault(key, set()).update(dated)
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

    def _rendered(self, chunks: Iterable[RenderedChunk], files: int) -> Iterator[Rendered]:
        """The article graphs phase 2 renders, in IRI order; the rejected and the facts left out reported."""
        bar = tqdm(total=files, desc="publish", unit="article", disable=not sys.stderr.isatty())
        bar.update(self.result.reused)
        resumed = time.process_time()
        for chunk in chunks:  # with jobs=1, phase 2 runs here, in this process
            self._reject(chunk.rejected)
            self._add(chunk.timings)
            bar.update(len(chunk.graphs) + len(chunk.rejected))
            for graph in chunk.graphs:
                self._left_out([(graph.identifier, what) for what in graph.rendered.left_out])
                self.result.articles += 1
                self._outside += time.process_time() - resumed
                yield graph.rendered
                resumed = time.process_time()
        bar.close()
        # Every graph is rendered: the workers' memory (about 145 MiB each at 10k) goes back before the store is
        # closed and the page data and search index are made, in this process.
        self.workers.close()

    def _checked(self, graphs: Iterable[Rendered | Reused], files: int) -> Iterator[Rendered | Reused]:
        yield from graphs
        if not self.result.articles:
            raise PublishError(f"none of the {files} articles could be published: the published dataset is unchanged")

    def _search_index(self, partial: Path, change: Change | None) -> None:
        """The build's full-text index: the store's names and texts, and each article's body from the cache,
        one at a time (articles left out are not in the store, and not indexed). An update makes again the entries
        of what changed alone, with the bodies of the articles whose graphs were written anew."""
        def bodies(wanted: Callable[[str], bool] = lambda _: True) -> Iterator[tuple[str, str]]:
            return ((iri, cached.text) for iri, sha256 in self.bodies
                    if wanted(iri) and (cached := load_cached(self.cache / f"{sha256}.pickle")))

        with clock(self.result.timings, "search index"):
            if change is None or self.earlier is None:
                write_search_index(partial, self.base, bodies())
                return
            update_search_index(self.earlier, partial, self.base, change.quads(change.removed),
                                change.quads(change.added), bodies(lambda iri: iri not in self.reused),
                                all_bodies=bodies)

    def _reject(self, rejected: list[tuple[str, str]]) -> None:
        for identifier, why in rejected:
            self.result.rejected[self.names[identifier]] = why
            self.report(f"{file_text(self.names[identifier])}: not published, {why}")

    def _left_out(self, facts: list[tuple[str, str]]) -> None:
        for identifier, what in facts:
            self.result.left_out.setdefault(self.names[identifier], []).append(what)
            self.report(f"{file_text(self.names[identifier])}: warning: published without a fact SHACL rejects, {what}")

    def _meta(self) -> dict[str, object]:
        return self._meta_for(self.result.articles)

    def _meta_for(self, articles: int) -> dict[str, object]:
        return {"articles": articles, "rejected": sorted(self.result.rejected),
                "skipped": sorted(self.result.skipped),
                "rules_version": rules_version(), "base_uri": self.base}

    def _add(self, timings: Timings) -> None:
        for step, seconds in timings.items():
            self.result.timings[step] = self.result.timings.get(step, 0.0) + seconds


def _dumps_whole(build: Path, manifest: dict[str, object]) -> bool:
    """The build's dumps have the sizes its manifest says (their members are copied by offset)."""
    dumps = manifest.get("dumps")
    try:
        return isinstance(dumps, list) and all((build / d["file"]).stat().st_size == d["bytes"] for d in dumps)
    except (OSError, KeyError, TypeError):
        return False


def _triples(iri: str, graph: Graph) -> tuple[str, list[Triple]]:
    """A graph of the ontology or reference data, as pyoxigraph triples."""
    lines = "".join(f"{s} {p} {o} .\n" for s, p, o in terms(graph)[0])
    return iri, [quad.triple for quad in parse(lines, RdfFormat.N_TRIPLES)]

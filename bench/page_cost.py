"""The same pages in a small build and in a large one (issue 17: a page's cost flat as the corpus grows).

    python -m bench.page_cost SMALL LARGE [--pages 1500] [--rounds 5]

SMALL and LARGE are `vankien build` out directories of corpora of one seed (`bench.corpus --seed 1` at 3,000
and 30,000 articles: the larger holds the smaller's articles, so most of its resources have a page in both).
For the resources with a page in both, each page is made in this process as a page worker makes it (`make_page`:
own triples, description, HTML), and CPU time is counted per kind of resource, the two builds in turn within
each round so that a machine that slows down weighs on both. The first round fills what a worker keeps (labels,
articles' dates) and is left out of the medians.

A page with the same content (an article, a meeting) should cost within 1.5x at 30k what it costs at 3k. A hub
(a province, a committee, a cited document) shows more in a larger corpus, up to its bounds (25 links per
property, 5 quotes per fact, 40 events): the triples column says how much more it shows.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

from pyoxigraph import QuerySolutions

from bench.http import RESOURCES, kind_of
from server.data.store import GraphStore
from server.http.config import Settings
from server.http.urls import URLS, Urls
from server.pages.description import describe
from server.routes.resources import Asked, PageJob, make_page, open_page_worker

HEADER = ("| kind | pages | triples shown, small → large | CPU ms a page, small | large | large / small "
          "| per triple shown, large / small |\n|---|---:|---:|---:|---:|---:|---:|")


class Build:
    """One build opened as a page worker opens it."""

    def __init__(self, out: Path) -> None:
        self.store = open_page_worker(lambda: GraphStore.published(out, Settings()))
        self.urls = Urls("http://localhost:8000/", self.store.dataset_base)
        self.ids = self.store.id_base

    def paths(self) -> set[str]:
        """`/doc/` paths of every resource with a page."""
        rows = self.store.select(RESOURCES.format(id=self.ids))
        assert isinstance(rows, QuerySolutions)
        return {"/doc/" + row["s"].value.removeprefix(self.ids) for row in rows}

    def cpu_ms(self, paths: list[str]) -> float:
        """CPU a page, made whole (HTML, as a browser asks)."""
        begun = time.process_time()
        for path in paths:
            scope = {"type": "http", "method": "GET", "path": path, "query_string": b"",
                     "headers": [(b"accept", b"text/html")], URLS: self.urls}
            resource = path.removeprefix("/doc/")
            for _ in make_page(self.store, PageJob(scope, Asked(resource, "html", None, False))):
                pass
        return (time.process_time() - begun) / len(paths) * 1000

    def shown(self, paths: list[str]) -> int:
        return sum(len(describe(self.store, self.ids + p.removeprefix("/doc/")).graph.triples) for p in paths)


def measure(small: Build, large: Build, paths: list[str], rounds: int) -> str:
    """One table row: the pages' median CPU over the rounds after the first, in both builds."""
    times: dict[int, list[float]] = {0: [], 1: []}
    builds = (small, large)
    for round_ in range(rounds):
        for which in (0, 1) if round_ % 2 == 0 else (1, 0):
            times[which].append(builds[which].cpu_ms(paths))
    a, b = (statistics.median(times[which][1:]) for which in (0, 1))
    shown_small, shown_large = small.shown(paths), large.shown(paths)
    shown = f"{shown_small / len(paths):,.0f} → {shown_large / len(paths):,.0f}"
    per_triple = (b / shown_large) / (a / shown_small)
    return f"{len(paths):,} | {shown} | {a:.2f} | {b:.2f} | {b / a:.2f}x | {per_triple:.2f}x |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser("bench.page_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("small", type=Path)
    parser.add_argument("large", type=Path)
    parser.add_argument("--pages", type=int, default=1500, help="resources with a page in both, at random")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the first is left out)")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds: at least 2 (the first only fills what a worker keeps)")
    small, large = Build(args.small), Build(args.large)
    both = sorted(small.paths() & large.paths())
    random.Random(args.seed).shuffle(both)
    chosen = both[:args.pages]
    by_kind: defaultdict[str, list[str]] = defaultdict(list)
    for path in chosen:
        by_kind[kind_of(path)].append(path)
    print(f"{len(both):,} resources have a page in both builds; {len(chosen):,} of them, {args.rounds} rounds\n")
    print(HEADER)
    print("| all | " + measure(small, large, chosen, args.rounds), flush=True)
    for kind, paths in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        print(f"| {kind} | " + measure(small, large, paths, args.rounds), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

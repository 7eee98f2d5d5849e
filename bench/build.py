"""Build synthetic corpora of several sizes and print how fast each step goes, as a Markdown table.

    python -m bench.build                          # 1k and 10k articles, medians of 3 and 1 runs
    python -m bench.build --sizes 1000 10000 100000 --repeat 3 1 1 --work /tmp/vankien-bench

Corpora come from bench/corpus.py (kept in --work and reused). Every run builds into an empty out
directory, so extraction is never served from the cache: read → publish, end to end. Columns:

  articles/s        articles published / wall time of the build
  per core          the same, divided by the processes the build ran (--jobs)
  read ... publish  articles / CPU seconds spent in that step, summed over all processes
  peak RSS          the most resident memory the build process and its workers held together
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
from importlib.metadata import version
from pathlib import Path

from bench.corpus import EXPECTED, write_corpus
from bench.measure import Run, run_build
from mappings.build.parallel import default_jobs

STEPS = ("read", "extract", "resolve", "emit", "validate", "render", "publish")


def machine() -> str:
    """What the numbers were measured on."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    libraries = ", ".join(f"{name} {version(name)}" for name in ("pyoxigraph", "rdflib", "pyshacl"))
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores ({default_jobs()} usable), {memory:.0f} GiB; "
            f"Python {platform.python_version()}, {libraries}; load average at start {load}")


def corpus(size: int, seed: int, work: Path) -> Path:
    """The corpus of `size` articles for `seed`, written once."""
    directory = work / f"corpus-{size}-seed{seed}"
    expected = directory / EXPECTED
    if not expected.exists() or sum(1 for _ in expected.open(encoding="utf-8")) != size:
        write_corpus(size, directory, seed)
    return directory / "articles"


def row(size: int, runs: list[Run], jobs: int) -> str:
    """One table row: medians over `runs`."""
    wall = statistics.median(run.wall for run in runs)
    articles = runs[0].articles
    steps = [articles / statistics.median(run.timings.get(step, 0.0) or float("nan") for run in runs)
             for step in STEPS]
    peak = max(run.peak_rss for run in runs) / 2**20
    cells = [f"{size:,}", f"{len(runs)}", f"{wall:.1f}", f"{articles / wall:.0f}", f"{articles / wall / jobs:.0f}",
             *(f"{value:.0f}" for value in steps), f"{peak:,.0f} MiB"]
    return "| " + " | ".join(cells) + " |"


HEADER = ("| articles | runs | wall s | articles/s | per core | " + " | ".join(STEPS) + " | peak RSS |\n"
          "|" + "---:|" * (6 + len(STEPS)))


def arguments(program: str, doc: str | None, timeout: float) -> argparse.ArgumentParser:
    """The options the build benchmarks share."""
    parser = argparse.ArgumentParser(prog=f"python -m {program}", description=(doc or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="processes per build")
    parser.add_argument("--work", type=Path, default=Path("/tmp/vankien-bench"), help="corpora and builds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=timeout, help="seconds per build")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = arguments("bench.build", __doc__, timeout=3600)
    parser.add_argument("--repeat", type=int, nargs="+", default=[3, 1], help="runs per size (the last repeats)")
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}\nBuild: --jobs {args.jobs}; corpora: bench/corpus.py --seed {args.seed}\n")
    print(HEADER, flush=True)
    for index, size in enumerate(args.sizes):
        articles = corpus(size, args.seed, args.work)
        repeat = args.repeat[min(index, len(args.repeat) - 1)]
        runs = [run_build(articles, args.work / f"out-{size}", args.jobs, args.timeout) for _ in range(repeat)]
        print(row(size, runs, args.jobs), flush=True)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nLoad average at the end: {load} (other work on the machine slows the wall time, not the step columns)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The build made from the published one (issue 15): what adding, changing or removing 10 articles, or nothing,
costs beside a build of the whole corpus, as a Markdown table.

    python -m bench.incremental                                   # 1k and 10k articles
    python -m bench.incremental --sizes 1000 10000 100000         # 100k: about an hour, ~40 GB of disk

For each size, in one out directory (`--work`/incremental-N): the corpus built cold (from nothing), built again
anew with a warm extraction cache (what every build cost before issue 15; up to `--anew-up-to` articles), then,
each from the build before it: 10 articles added (from a corpus of another seed), 10 changed (a sentence with an
official and a document appended), 10 removed, and nothing changed. Each cell is the wall time of the build and
its share of the cold build; a build made from the published one holds exactly what a build anew holds
(tests/test_incremental.py).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from bench.build import arguments, corpus, machine
from bench.measure import Run, run_build

STEPS = ("add 10", "change 10", "remove 10", "nothing")
CHANGE = ("\n\nĐồng chí Lê Văn Thử, Phó Bí thư Tỉnh ủy, phát biểu tại hội nghị quán triệt Chỉ thị số 45-CT/TW "
          "ngày 14/4/2025 của Ban Bí thư.\n")
HEADER = ("| articles | cold build s | anew (warm) s | " + " | ".join(f"{step} s (share)" for step in STEPS)
          + " | peak RSS |\n|" + "---:|" * (4 + len(STEPS)))


def steps(articles: Path, spare: Path) -> dict[str, object]:
    """What each step does to the corpus folder."""
    names = sorted(path.name for path in articles.glob("*.txt"))
    added = sorted(spare.glob("*.txt"))[:10]
    return {
        "add 10": lambda: [shutil.copyfile(path, articles / f"spare-{path.name}") for path in added],
        "change 10": lambda: [(articles / name).open("a", encoding="utf-8").write(CHANGE) for name in names[::max(1, len(names) // 10)][:10]],
        "remove 10": lambda: [(articles / name).unlink() for name in names[1::max(1, len(names) // 10)][:10]],
        "nothing": lambda: None,
    }


def measure(size: int, seed: int, work: Path, jobs: int, timeout: float, anew_up_to: int) -> str:
    source = corpus(size, seed, work)
    articles = work / f"incremental-{size}" / "articles"
    shutil.rmtree(articles.parent, ignore_errors=True)
    shutil.copytree(source, articles)
    out = articles.parent / "out"
    cold = run_build(articles, out, jobs, timeout)
    runs: list[Run] = [cold]
    cells = [f"{size:,}", f"{cold.wall:.1f}", "-"]
    if size <= anew_up_to:
        runs.append(run_build(articles, out, jobs, timeout, fresh=False, anew=True))
        cells[-1] = f"{runs[-1].wall:.1f}"
    for name, change in steps(articles, corpus(40, seed + 1000, work)).items():
        change()  # type: ignore[operator]
        run = run_build(articles, out, jobs, timeout, fresh=False)
        if name == "nothing" and not run.unchanged:
            raise RuntimeError(f"{size}: a build with nothing changed published a new build")
        runs.append(run)
        cells.append(f"{run.wall:.2f} ({run.wall / cold.wall:.1%})")
    cells.append(f"{max(run.peak_rss for run in runs[-len(STEPS):]) / 2**20:,.0f} MiB")
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = arguments("bench.incremental", __doc__, timeout=7200)
    parser.add_argument("--anew-up-to", type=int, default=10000, help="build anew (warm) only corpora this big")
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}\nBuild: --jobs {args.jobs}; corpora: bench/corpus.py --seed {args.seed}\n")
    print(HEADER, flush=True)
    for size in args.sizes:
        print(measure(size, args.seed, args.work, args.jobs, args.timeout, args.anew_up_to), flush=True)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nLoad average at the end: {load}; peak RSS: the most any of the four updates held")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

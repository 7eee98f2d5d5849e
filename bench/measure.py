"""Run one build in a child process and measure it: wall time, CPU time per step, peak memory of the tree.

The child (`python -m bench.measure ARTICLES OUT JOBS [anew]`) runs `mappings.build.pipeline.build` and prints its
result as JSON; the parent samples the resident memory of the child and all its worker processes
(Linux /proc) every `SAMPLE` seconds and keeps the peak of their sum.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class Run:
    articles: int
    rejected: int
    wall: float                  # the build itself, interpreter start-up excluded
    timings: dict[str, float]    # step → CPU seconds over all processes
    peak_rss: int                # bytes, the build process and its workers together
    reused: int = 0              # article graphs taken from the published build
    unchanged: bool = False      # nothing changed: the published build stayed


def run_build(articles: Path, out: Path, jobs: int, timeout: float, *, fresh: bool = True, anew: bool = False) -> Run:
    """Build `articles` into `out`: a fresh one (cold: no extraction cache), or as it is, from its published build
    unless `anew`."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "bench.measure", str(articles), str(out), str(jobs), *(["anew"] if anew else [])]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
    peak, deadline = 0, time.monotonic() + timeout
    while child.poll() is None:
        peak = max(peak, tree_rss(child.pid))
        if time.monotonic() > deadline:
            child.kill()
            child.wait()
            raise TimeoutError(f"the build of {articles} took more than {timeout:.0f} s")
        time.sleep(SAMPLE)
    stdout, stderr = child.communicate()
    if child.returncode not in (0, 3):
        raise RuntimeError(f"the build of {articles} failed ({child.returncode}): {stderr[-2000:]}")
    result = json.loads(stdout)
    return Run(result["articles"], result["rejected"], result["timings"]["wall"], result["timings"], peak,
               result["reused"], result["unchanged"])


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * _PAGE
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # it ended while we looked
    return total


def _child(articles: str, out: str, jobs: str, anew: str = "") -> None:
    from mappings.build.pipeline import build

    result = build(Path(articles), Path(out), jobs=int(jobs), report=lambda line: None, anew=anew == "anew")
    print(json.dumps({"articles": result.articles, "rejected": len(result.rejected), "timings": result.timings,
                      "reused": result.reused, "unchanged": result.unchanged}))


if __name__ == "__main__":
    _child(*sys.argv[1:5])

"""Build faults: whatever happens to a build, the served dataset stays the previous one, byte for byte.

SIGKILL at random moments of a real `vankien build` and at each step of the switch, articles that are corrupt,
raise, run past their time budget or violate SHACL, a disk that fills up while the store or the dumps are
written. Each test starts from a copy of the seeds' published build (`seeds_build`, conftest.py) and checks
what lies on disk: what `current` points to and the SHA-256 of every file of that build.

The kill moments come from `random.Random(SEED)`; SEED is new on every run and printed in every failure:
`VANKIEN_FAULT_SEED=<seed> pytest tests/test_build_faults.py` replays the same moments (relative to a build
timed first, so the same stages give or take the machine's load). Mounting the small disk needs root;
elsewhere a simulated ENOSPC still runs.
"""
from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from tests.serving import running_server
from tests.test_build import (
    BASE,
    DUMPS,
    ROOT,
    SEEDS,
    STEMS,
    VANKIEN,
    article_graph,
    assert_complete,
    build,
    copy_out,
    copy_seeds,
    current,
    graph_names,
    nquads,
    vankien,
)

SEED = int(os.environ.get("VANKIEN_FAULT_SEED") or random.SystemRandom().randrange(1 << 32))
REPLAY = f"(replay: VANKIEN_FAULT_SEED={SEED})"
CORPUS = 80            # bench/corpus.py articles: ~5 s to build from cold on 2 cores
KILLS = {"start": 2, "streaming": 3, "checks": 2}  # kills timed from each moment of a build (`kill_plan`)
POLL = 0.005
SLACK = 512 << 10      # bytes a build writes besides cache, dumps and store (the store's LOG, OPTIONS ...)
DISK_MB = 64
STAGES = ("start", "streaming", "store", "checks", "switched")

SHACL_VIOLATING = """date 2024-06-10

Bộ Chính trị ban hành hai kết luận thay thế lẫn nhau

Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị thay thế Kết luận số 02-KL/TW ngày 18/5/2021.
Kết luận số 02-KL/TW ngày 18/5/2021 của Bộ Chính trị thay thế Kết luận số 01-KL/TW ngày 18/5/2021.
"""

# A short article of our own, and what a bug of the rules could make of it (planted in the extraction cache):
# the worker's steps must turn any exception into this article's error, whatever the bug.
PLAN_ARTICLE = """date 2024-09-12

Hà Tĩnh ban hành kế hoạch thực hiện chỉ thị về chuyển đổi số

Ngày 12/9, Ban Thường vụ Tỉnh ủy Hà Tĩnh ban hành Kế hoạch số 45-KH/TU ngày 10/9/2024 thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị về đẩy mạnh chuyển đổi số trong cơ quan đảng.
"""

KILL_AT = """
import os, shutil, signal, sys
from pathlib import Path
import mappings.publishing.publish as publish
from mappings.cli.commands import main

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

point = sys.argv[1]
if point == "renamed":      # the checked build renamed into builds/, `current` not switched yet
    switch = publish._point_current
    publish._point_current = lambda *args: (die(), switch(*args))
elif point == "linked":     # the new link made as .current-<id>.tmp, not yet renamed over `current`
    symlink = os.symlink
    os.symlink = lambda *args, **kwargs: (symlink(*args, **kwargs), die())
elif point == "switched":   # `current` switched, nothing pruned yet
    prune = publish._prune
    publish._prune = lambda *args: (die(), prune(*args))
elif point == "pruning":    # an old build renamed to .partial and half deleted
    prune = publish._prune
    def half(path, *_args, **_kwargs):
        next(p for p in Path(path).rglob("*") if p.is_file()).unlink()
        die()
    def pruning(*args):
        shutil.rmtree = half
        prune(*args)
    publish._prune = pruning
sys.exit(main(sys.argv[2:]))
"""

FULL_AFTER = """
import errno, os, sys
import mappings.publishing.dumps
from mappings.cli.commands import main

budget = int(sys.argv[1])
write = mappings.publishing.dumps._Output.write

def full(self, data):
    global budget
    if len(data) > budget:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    budget -= len(data)
    write(self, data)

mappings.publishing.dumps._Output.write = full
sys.exit(main(sys.argv[2:]))
"""


# --- helpers ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Served:
    """What `current` points to, and every file of that build: relative path → SHA-256."""

    target: str
    files: dict[str, str]

    @property
    def build_id(self) -> str:
        return Path(self.target).name


def served(out: Path) -> Served:
    return Served(os.readlink(out / "current"), files_of(current(out)))


def files_of(build_dir: Path) -> dict[str, str]:
    return {str(p.relative_to(build_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(build_dir.rglob("*")) if p.is_file()}


def assert_kept(out: Path, before: Served, when: str) -> None:
    """The build served before is still in builds/ (for rollback), byte for byte."""
    kept = out / before.target
    assert kept.is_dir(), f"{when}: the build served before, {before.target}, is gone"
    assert files_of(kept) == before.files, f"{when}: the build served before, {before.target}, changed"


def complete_builds(out: Path) -> set[str]:
    return {p.name for p in (out / "builds").iterdir() if not p.name.endswith(".partial")}


def leftovers(out: Path) -> list[str]:
    """What interrupted builds leave for the next build to clear."""
    found = [*(out / "builds").glob("*.partial"), *out.glob(".current-*.tmp"), *out.glob(".linking-*"),
             *out.glob("cache/*/*.tmp")]
    return sorted(str(p.relative_to(out)) for p in found)


def baseline(seeds_build: Path, out: Path) -> Served:
    """A private copy of the seeds' published build (with its warm cache), checked complete."""
    copy_out(seeds_build, out)
    assert_complete(current(out))
    return served(out)


def launch(*command: object) -> subprocess.Popen[str]:
    """A command in its own process group, so that its workers can be found after a SIGKILL."""
    return subprocess.Popen([*map(str, command)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, start_new_session=True)


def finish(process: subprocess.Popen[str], what: str,
           timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Wait for a `launch`ed process and check that its workers end with it (else they would hold its pipes
    open); none is left running either way."""
    try:
        process.wait(timeout=timeout)
        assert_group_ends(process.pid, what)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def python(script: str, *args: object) -> subprocess.CompletedProcess[str]:
    """`python -c SCRIPT ARGS`: a driver that changes the build from inside, then runs the real CLI."""
    return finish(launch(sys.executable, "-c", script, *args), f"python -c ... {' '.join(map(str, args))}")


def group(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgrp) == pgid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def assert_group_ends(pgid: int, what: str) -> None:
    deadline = time.monotonic() + 5
    while alive := group(pgid):
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: processes {alive} outlived the build")
        time.sleep(0.02)


def stage(out: Path, target: str, known: set[str]) -> str:
    """How far a running build has got, as the disk shows it (`known`: partials there before it began)."""
    if os.readlink(out / "current") != target:
        return "switched"
    partial = next((p for p in (out / "builds").glob("*.partial") if p.name not in known), None)
    if partial is None:
        return "start"                                   # reading, extracting, linking
    if (partial / "manifest.json").exists():
        return "checks"                                  # store and dumps written; checks, rename, switch
    if (partial / "dumps" / "SHA256SUMS").exists():
        return "store"                                   # dumps done; the store loaded and compacted
    return "streaming"                                   # rendered chunks going into the store and dumps


def reached(now: str, wanted: str) -> bool:
    return STAGES.index(now) >= STAGES.index(wanted)


def corrupt_articles(directory: Path) -> dict[str, tuple[Path, str]]:
    """A seed with a broken UTF-8 sequence and random binary bytes: file and what stderr must say of it."""
    directory.mkdir(exist_ok=True)
    seed = (SEEDS / f"{STEMS[0]}.txt").read_bytes()
    cut = seed.index(b"\n\n") + 2
    files = {
        "corrupt.txt": (seed[:cut] + b"\xc3\x28" + seed[cut:], "not UTF-8"),
        "garbage.txt": (random.Random(7).randbytes(4096) + b"\x00", "binary"),
    }
    for name, (data, _) in files.items():
        (directory / name).write_bytes(data)
    return {name: (directory / name, said) for name, (_, said) in files.items()}


def shacl_violating_article(directory: Path, out: Path) -> dict[str, tuple[Path, str]]:
    """An article whose graph violates ontology/shapes.ttl (two conclusions replacing each other): the build
    leaves out those two links and publishes the rest, with a warning for each.

    The rules no longer read two links turning back on each other (the first is kept), so the article's record,
    with both, is planted in the build's extraction cache under `out`, as a bug in the rules would leave it: the
    build takes it from there and SHACL must catch it."""
    from mappings.build.worker import Cached
    from mappings.extraction.mentions import extract
    from mappings.extraction.rules import rules_version
    from mappings.linking.records import DocumentLink
    from mappings.linking.resolve import resolve
    from mappings.reading.article import parse_article

    directory.mkdir(exist_ok=True)
    path = directory / "replaces_cycle.txt"
    article = parse_article(SHACL_VIOLATING.encode(), path)
    record = resolve(article, extract(article))
    (link,) = record.links
    cycle = replace(record, links=(link, DocumentLink(link.target, link.relation, link.source, link.evidence)))
    cache = out / "cache" / rules_version()
    cache.mkdir(parents=True, exist_ok=True)
    (cache / f"{article.sha256}.pickle").write_bytes(pickle.dumps(Cached(cycle, article.text)))
    path.write_text(SHACL_VIOLATING, encoding="utf-8")
    return {path.name: (path, "warning: published without a fact SHACL rejects")}


def assert_named(stderr: str, bad: dict[str, tuple[Path, str]]) -> None:
    lines = stderr.splitlines()
    for name, (path, said) in bad.items():
        named = [line for line in lines
                 if (str(path) in line or line.startswith(f"{name}:")) and said in line]
        assert named, f"{name}: no line of stderr names it with {said!r}:\n{stderr}"


# --- fixtures ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic articles (bench/corpus.py), all different: every one is extracted on a cold cache."""
    from bench.corpus import write_corpus

    return write_corpus(CORPUS, tmp_path_factory.mktemp("corpus"), seed=5)


@dataclass(frozen=True)
class Timeline:
    """Seconds from the start of an uninterrupted build of `corpus` to what it leaves on disk."""

    streaming: float   # builds/<id>.partial appears: reading and extraction are over
    checks: float      # the partial's manifest.json appears: store and dumps are written
    switched: float    # `current` points at the new build
    ended: float       # the process has exited


@dataclass(frozen=True)
class Calibrated:
    """One uninterrupted build of `corpus` over the seeds' build: how long it took, what it made."""

    timeline: Timeline
    out: Path
    build: Path


@pytest.fixture(scope="module")
def calibrated(seeds_build: Path, corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Calibrated:
    out = tmp_path_factory.mktemp("calibrated") / "out"
    before = baseline(seeds_build, out)
    started = time.monotonic()
    process = launch(VANKIEN, "build", "--articles", corpus, "--out", out)
    seen: dict[str, float] = {}
    while process.poll() is None:
        seen.setdefault(stage(out, before.target, set()), time.monotonic() - started)
        time.sleep(POLL)
    ended = time.monotonic() - started
    result = finish(process, "the calibration build")
    assert result.returncode == 0, result.stderr
    assert f"{CORPUS} articles ({CORPUS} extracted anew)" in result.stdout, result.stdout
    assert "streaming" in seen and "checks" in seen, f"the build's stages were not seen: {seen}"
    switched = seen.get("switched", ended)
    timeline = Timeline(seen["streaming"], seen["checks"], switched, ended)
    assert 0 < timeline.streaming < timeline.checks <= timeline.switched <= timeline.ended, timeline
    return Calibrated(timeline, out, current(out))


# --- SIGKILL ---------------------------------------------------------------------------------------------

def kill_plan(rng: random.Random, timeline: Timeline) -> list[tuple[str, float]]:
    """(stage, seconds after the build reaches it) per kill, spread evenly over each stage's window of the
    calibrated build: reading and extraction, streaming into the store and dumps (through store loading
    and compaction), and checks-rename-switch (twice as long as the checks took, so about half the kills
    there land before the switch and half after)."""
    windows = {"start": timeline.streaming, "streaming": timeline.checks - timeline.streaming,
               "checks": 2 * (timeline.switched - timeline.checks) + 0.05}
    plan = [(anchor, windows[anchor] * (i + rng.random()) / count)
            for anchor, count in KILLS.items() for i in range(count)]
    rng.shuffle(plan)
    return plan


def kill_build(articles: Path, out: Path, target: str, anchor: str, delay: float,
               moment: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    """`vankien build`, SIGKILLed `delay` seconds after it reaches `anchor` (after it starts, for "start"):
    the stage it was seen in just before, and how it ended."""
    known = {p.name for p in (out / "builds").glob("*.partial")}
    started = time.monotonic()
    process = launch(VANKIEN, "build", "--articles", articles, "--out", out, "--anew")
    try:
        while not reached(stage(out, target, known), anchor) and process.poll() is None:
            if time.monotonic() > started + 120:
                pytest.fail(f"the build never reached {anchor!r}: {moment}")
            time.sleep(POLL)
        kill_at = (started if anchor == "start" else time.monotonic()) + delay
        while (wait := kill_at - time.monotonic()) > 0 and process.poll() is None:
            time.sleep(min(wait, POLL))
        where = stage(out, target, known)
    finally:
        process.kill()
        result = finish(process, f"killed {moment}")
    return where, result


def test_sigkill_at_random_moments_leaves_the_previous_build_served(
        seeds_build: Path, corpus: Path, calibrated: Calibrated, tmp_path: Path) -> None:
    out = tmp_path / "out"
    now = baseline(seeds_build, out)
    complete = {now.build_id}
    rng = random.Random(SEED)
    plan = [*kill_plan(rng, calibrated.timeline), ("streaming", 0.0)]  # last: a half-written build to clear
    landed: list[str] = []
    for anchor, delay in plan:
        moment = f"{delay:.3f}s after {anchor!r} ({calibrated.timeline}) {REPLAY}"
        if anchor == "start":  # a cold cache, as in the calibrated build: extraction is what gets killed
            shutil.rmtree(out / "cache", ignore_errors=True)
        where, killed = kill_build(corpus, out, now.target, anchor, delay, moment)
        landed.append(f"{where} (exit {killed.returncode})")
        if os.readlink(out / "current") == now.target:  # the kill won: nothing moved
            assert killed.returncode == -signal.SIGKILL, f"{moment}: {killed.returncode}, {killed.stderr}"
            assert served(out) == now, f"killed {moment}: the served build changed"
            orphans = complete_builds(out) - complete
            for orphan in orphans:  # renamed into builds/, killed before the switch: complete, never served
                assert_complete(out / "builds" / orphan)
            complete |= orphans
        else:  # the build won: it switched before dying, or finished
            assert killed.returncode in (0, -signal.SIGKILL), f"{moment}: {killed.returncode} {killed.stderr}"
            assert_complete(current(out))
            assert_kept(out, now, f"killed {moment}")
            now = served(out)
            complete.add(now.build_id)
        assert complete_builds(out) <= complete, f"killed {moment}: builds/ holds {complete_builds(out)}"
    stages = " / ".join(landed)
    print(f"kills {REPLAY}: {stages}")
    assert any(s.startswith("start") for s in landed), f"no kill before publishing began: {stages} {REPLAY}"
    assert sum(s.startswith(("streaming", "store", "checks")) for s in landed) >= 2, (
        f"fewer than two kills while a build was being written: {stages} {REPLAY}")
    assert leftovers(out), f"the last kill, as publishing began, left nothing to clean: {stages} {REPLAY}"

    with running_server(out, log_dir=tmp_path) as url:  # the server serves what `current` says
        assert httpx.get(f"{url}/healthz", timeout=10).json()["build_id"] == now.build_id

    result = vankien("build", "--articles", corpus, "--out", out, "--anew")
    assert result.returncode == 0, result.stderr
    assert not leftovers(out), f"after the kills ({stages}) a good build left {leftovers(out)} {REPLAY}"
    published = current(out)
    assert published.name != now.build_id and assert_complete(published)["meta"]["articles"] == CORPUS
    assert_kept(out, now, f"the good build after the kills {REPLAY}")
    for name in [*DUMPS, "SHA256SUMS"]:  # cache entries written by killed builds give the same bytes
        assert ((published / "dumps" / name).read_bytes()
                == (calibrated.build / "dumps" / name).read_bytes()), f"{name} {REPLAY}"
    for name in complete_builds(out):
        assert_complete(out / "builds" / name)


MOVED = {"renamed": False, "linked": False, "switched": True, "pruning": True}


@pytest.mark.parametrize("made", ["anew", "from the published build"])
@pytest.mark.parametrize("point", list(MOVED))
def test_sigkill_inside_the_switch(seeds_build: Path, tmp_path: Path, point: str, made: str) -> None:
    """The rename and the switch take microseconds, too short for random kills: killed at each step here, in a build
    made anew and in one made from the published build (its store a checkpoint of the served one's)."""
    out = tmp_path / "out"
    before = baseline(seeds_build, out)
    keep = ["--keep", "1"] if point == "pruning" else []
    articles = copy_seeds(tmp_path / "articles")
    (articles / "plan.txt").write_text(PLAN_ARTICLE, encoding="utf-8")
    how = ["--anew"] if made == "anew" else []
    killed = python(KILL_AT, point, "build", "--articles", articles, "--out", out, *how, *keep)
    assert killed.returncode == -signal.SIGKILL, f"{point}: exit {killed.returncode}: {killed.stderr}"
    new = complete_builds(out) - {before.build_id}
    if MOVED[point]:
        assert current(out).name in new
        assert_complete(current(out))
    else:
        assert served(out) == before, f"killed when {point}: the served build changed"
    if point == "renamed":
        assert len(new) == 1, new
        assert_complete(out / "builds" / new.pop())
    if point == "linked":
        assert list(out.glob(".current-*.tmp")), "no .current-*.tmp left: the kill missed the switch"
    if point == "pruning":
        assert before.build_id not in complete_builds(out)
        assert (out / "builds" / f"{before.build_id}.partial").is_dir()
    else:
        assert_kept(out, before, f"killed when {point}")

    result = build(articles, out)
    assert result.returncode == 0, result.stderr
    assert not leftovers(out), leftovers(out)
    assert_complete(current(out))
    if point != "pruning":
        assert_kept(out, before, f"the good build after a kill when {point}")


def test_a_build_killed_before_its_switch_is_never_rolled_back_to(seeds_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = baseline(seeds_build, out)
    killed = python(KILL_AT, "renamed", "build", "--articles", SEEDS, "--out", out, "--anew")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert vankien("build", "--articles", SEEDS, "--out", out, "--anew").returncode == 0
    rolled = vankien("rollback", "--out", out)
    assert rolled.returncode == 0, rolled.stderr
    assert served(out) == before, f"rollback went to {os.readlink(out / 'current')}, not {before.target}"


# --- bad articles ------------------------------------------------------------------------------------------

def test_corrupt_articles_are_named_and_a_shacl_violating_one_loses_only_its_bad_facts(
        seeds_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = baseline(seeds_build, out)
    articles = copy_seeds(tmp_path / "articles")
    bad = corrupt_articles(articles)
    cycle = shacl_violating_article(articles, out)
    result = build(articles, out)
    assert result.returncode == 3, result.stderr
    assert_named(result.stderr, bad | cycle)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("replaces_cycle.txt: warning:")]
    assert len(warnings) == 2 and all("#replaces: A document cannot replace itself" in w for w in warnings), warnings
    assert "2 fact(s) left out of 1 published article(s), SHACL rejects them: replaces_cycle.txt" in result.stderr
    assert f"{len(bad)} article(s) not published: {', '.join(sorted(bad))}" in result.stderr
    published = current(out)
    assert published.name != before.build_id
    manifest = assert_complete(published)
    assert manifest["meta"]["articles"] == len(STEMS) + 1 and manifest["meta"]["rejected"] == sorted(bad)
    graphs = graph_names(published)
    assert {article_graph(stem) for stem in [*STEMS, "replaces_cycle"]} <= graphs
    assert not {article_graph(Path(name).stem) for name in bad} & graphs
    own = [q for q in nquads(published) if q.graph_name.value == article_graph("replaces_cycle")]
    assert not [q for q in own if q.predicate.value == "https://w3id.org/vankien/ontology#replaces"]
    assert {q.object.value for q in own if q.predicate.value.endswith("#symbol")} == {"01-KL/TW", "02-KL/TW"}
    assert_kept(out, before, "a build with bad articles")

    rolled = vankien("rollback", "--out", out)
    assert rolled.returncode == 0, rolled.stderr
    assert served(out) == before


def test_a_corpus_of_only_bad_articles_switches_nothing(seeds_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = baseline(seeds_build, out)
    bad = corrupt_articles(tmp_path / "articles")
    result = build(tmp_path / "articles", out)
    assert result.returncode == 2, result.stderr
    assert_named(result.stderr, bad)
    assert f"none of the {len(bad)} articles could be published" in result.stderr
    assert "published build" not in result.stdout
    assert served(out) == before
    assert complete_builds(out) == {before.build_id}


def poisoned_articles(directory: Path, out: Path) -> dict[str, tuple[str, str]]:
    """Articles on which a step of the build raises: file → (how stderr names it, what it must say).

    Two have a record planted in the extraction cache, as a bug of the rules would leave it: one whose document
    date cannot be read as a year (phase 1 raises in linking), one whose relation points to a document the
    record does not hold (phase 2 raises in emission). Two have date headers in other scripts' digits."""
    from mappings.build.worker import Cached
    from mappings.extraction.mentions import extract
    from mappings.extraction.rules import rules_version
    from mappings.linking.records import DocumentLink, Evidence
    from mappings.linking.resolve import resolve
    from mappings.reading.article import parse_article

    directory.mkdir(exist_ok=True)
    cache = out / "cache" / rules_version()
    cache.mkdir(parents=True, exist_ok=True)

    def plant(name: str, text: str, poison: object) -> None:
        article = parse_article(text.encode(), directory / name)
        record = resolve(article, extract(article))
        assert record.documents, "the article must cite a document for the poison to take"
        (cache / f"{article.sha256}.pickle").write_bytes(pickle.dumps(Cached(poison(record), article.text)))
        (directory / name).write_text(text, encoding="utf-8")

    plant("linking_error.txt", PLAN_ARTICLE, lambda record: replace(
        record, documents=(replace(record.documents[0], date="năm-09-10"), *record.documents[1:])))
    plant("emission_error.txt", PLAN_ARTICLE.replace("Ngày 12/9", "Sáng 12/9"), lambda record: replace(
        record, links=(DocumentLink(record.documents[0].key, "implements", "không có văn bản này",
                                    Evidence(0, 4, "links.test")),)))
    body = PLAN_ARTICLE.split("\n", 1)[1]
    (directory / "arabic_date.txt").write_text(f"date ٢٠٢٤-٠٩-١٢\n{body}", encoding="utf-8")
    (directory / "fullwidth_date.txt").write_text(f"date ２０２４-０９-１２\n{body}", encoding="utf-8")
    return {"linking_error.txt": (str(directory / "linking_error.txt"), "error while reading it: ValueError"),
            "emission_error.txt": ("emission_error.txt:", "error while writing its graph: KeyError"),
            "arabic_date.txt": (str(directory / "arabic_date.txt"), "is not a real date"),
            "fullwidth_date.txt": (str(directory / "fullwidth_date.txt"), "is not a real date")}


def test_an_exception_in_any_article_step_is_that_articles_error(seeds_build: Path, tmp_path: Path) -> None:
    """Named on stderr with its file and the reason on one line, exit 3, every other article published;
    a file name that is not UTF-8 is published, each undecodable byte in hex in its identifier."""
    out = tmp_path / "out"
    before = baseline(seeds_build, out)
    articles = copy_seeds(tmp_path / "articles")
    bad = poisoned_articles(articles, out)
    odd = articles / ("bài_" + b"\xe0\xff".decode("utf-8", "surrogateescape") + ".txt")
    odd.write_text(PLAN_ARTICLE.replace("Hà Tĩnh", "Quảng Bình"), encoding="utf-8")
    result = build(articles, out)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for name, (where, said) in bad.items():
        assert [line for line in lines if line.startswith(where) and said in line], (
            f"{name}: no line of stderr starts with {where!r} and says {said!r}:\n{result.stderr}")
    assert f"{len(bad)} article(s) not published: {', '.join(sorted(bad))}" in result.stderr
    manifest = assert_complete(current(out))
    assert manifest["meta"]["articles"] == len(STEMS) + 1 and manifest["meta"]["rejected"] == sorted(bad)
    graphs = graph_names(current(out))
    assert {article_graph(stem) for stem in STEMS} | {article_graph("bai_-e0-ff")} <= graphs
    assert not {article_graph(Path(name).stem) for name in bad} & graphs
    identifiers = {q.object.value for q in nquads(current(out)) if q.predicate.value.endswith("/identifier")}
    assert "bai_-e0-ff" in identifiers
    assert_kept(out, before, "a build with articles that raise")


def long_article(size: int = 1_900_000) -> str:
    """An article close to the reader's size limit, in the genre's own words, each paragraph with its own numbers:
    reading, extracting and linking it takes about two seconds on this machine, a seed a few milliseconds."""
    provinces = ["Nghệ An", "Hà Tĩnh", "Quảng Trị", "Thái Bình", "Cà Mau", "Lào Cai", "Đắk Lắk", "Bình Định"]
    given = ["Minh", "Hùng", "Lan", "Quang", "Thảo", "Dũng", "Hòa", "Phúc"]
    parts = ["date 2024-11-20\n\nCác tỉnh sơ kết việc thực hiện nhiều chỉ thị, kết luận của Trung ương\n\n"]
    length, index = 0, 0
    while length < size:
        place, name = provinces[index % len(provinces)], given[index % len(given)]
        paragraph = (
            f"Ngày {index % 28 + 1}/{index % 12 + 1}, Ban Thường vụ Tỉnh ủy {place} tổ chức hội nghị sơ kết việc "
            f"thực hiện Chỉ thị số {index % 97 + 1}-CT/TW ngày {index % 27 + 1}/{index % 11 + 1}/2019 của Ban Bí thư "
            f"về tăng cường công tác dân vận. Đồng chí Trần Văn {name}, Phó Bí thư Tỉnh ủy, chủ trì hội nghị. Tỉnh đã "
            f"ban hành Kế hoạch số {index + 10}-KH/TU thực hiện Kết luận số {index % 89 + 1}-KL/TW của Bộ Chính trị.\n\n")
        parts.append(paragraph)
        length += len(paragraph.encode())
        index += 1
    return "".join(parts)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_article_past_its_time_budget_is_named_and_the_build_goes_on(
        seeds_build: Path, tmp_path: Path, jobs: int) -> None:
    """Real input that is slow to read, extract and link (timed here first); the build gets a quarter of that
    time as its budget: the long article is left out with the reason, the short ones are published."""
    from mappings.extraction.mentions import extract
    from mappings.linking.resolve import resolve
    from mappings.reading.article import parse_article

    text = long_article()
    started = time.monotonic()
    article = parse_article(text.encode(), tmp_path / "long.txt")
    resolve(article, extract(article))
    took = time.monotonic() - started
    if took < 0.4:
        pytest.skip(f"the long article took only {took:.2f} s to read, extract and link: too fast to time out "
                    "reliably against the short ones (a few ms); give this test a longer input")
    budget = round(took / 4, 2)
    out = tmp_path / "out"
    before = baseline(seeds_build, out)
    articles = copy_seeds(tmp_path / "articles")
    (articles / "long.txt").write_text(text, encoding="utf-8")
    (articles / "short.txt").write_text(PLAN_ARTICLE, encoding="utf-8")  # extracted anew, well within the budget
    started = time.monotonic()
    result = vankien("build", "--articles", articles, "--out", out, "--jobs", jobs, "--article-timeout", budget)
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith(str(articles / "long.txt"))]
    assert f"took longer than {budget:g} s" in line, result.stderr
    assert "1 article(s) not published: long.txt" in result.stderr
    assert f"{len(STEMS) + 1} articles (1 extracted anew)" in result.stdout, result.stdout
    graphs = graph_names(current(out))
    assert {article_graph(stem) for stem in [*STEMS, "short"]} <= graphs and article_graph("long") not in graphs
    assert elapsed < 60, f"the build took {elapsed:.1f} s"
    assert_kept(out, before, "a build with an article past its budget")


def test_the_time_budget_is_documented_in_the_help() -> None:
    help_text = " ".join(vankien("build", "--help").stdout.split())
    assert "--article-timeout S" in help_text and "(default 30; 0: no limit)" in help_text


# --- disk full ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sizes:
    """Disk space (bytes in blocks) the calibrated build of `corpus` took, and its sort run."""

    cache: int   # the corpus' extraction cache entries
    dumps: int
    store: int
    run: int     # the union's shared lines, sorted on disk under dumps/ before the store is loaded

    @classmethod
    def of(cls, calibrated: Calibrated, seeds_build: Path) -> Sizes:
        ntriples = gzip.decompress((calibrated.build / "dumps" / "vankien.nt.gz").read_bytes())
        own = f"<{BASE}id/article/".encode()
        run = sum(len(line) + 1 for line in ntriples.splitlines() if not line.startswith(own))
        return cls(blocks(calibrated.out / "cache") - blocks(seeds_build / "cache"),
                   blocks(calibrated.build / "dumps"), blocks(calibrated.build / "store"), run)


def blocks(directory: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in directory.rglob("*") if p.is_file())


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of its own, so that a build really runs out of space; skipped where mounting is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CAP_SYS_ADMIN); test_disk_full_simulated covers ENOSPC")
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "vankien-faults",
                               str(mount)], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("no mount command")
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], check=False).returncode:
            subprocess.run(["umount", "-l", str(mount)], check=False)


def leave_free(mount: Path, free: int) -> Path:
    """Fill the disk with a ballast file until `free` bytes are left; delete the file to free the space."""
    stat = os.statvfs(mount)
    ballast = mount / "ballast"
    with open(ballast, "wb") as handle:
        os.posix_fallocate(handle.fileno(), 0, stat.f_bavail * stat.f_frsize - free)
    return ballast


def assert_failed_and_recovers(out: Path, before: Served, corpus: Path, calibrated: Calibrated,
                               result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0, result.stdout
    assert "No space left on device" in result.stderr, result.stderr
    assert "published build" not in result.stdout
    assert served(out) == before
    assert complete_builds(out) == {before.build_id}
    assert leftovers(out), "a failed build left no partial build behind: where did it write?"

    again = build(corpus, out)  # space freed: the next build clears the failed one's leftovers
    assert again.returncode == 0, again.stderr
    assert not leftovers(out), leftovers(out)
    published = current(out)
    assert assert_complete(published)["meta"]["articles"] == CORPUS
    for name in [*DUMPS, "SHA256SUMS"]:
        assert ((published / "dumps" / name).read_bytes()
                == (calibrated.build / "dumps" / name).read_bytes()), name
    assert_kept(out, before, "the good build after a full disk")


@pytest.mark.parametrize("writing", ["dumps", "store"])
def test_disk_full_while_writing_leaves_the_previous_build_served(
        seeds_build: Path, corpus: Path, calibrated: Calibrated, small_disk: Path, writing: str) -> None:
    sizes = Sizes.of(calibrated, seeds_build)
    assert sizes.run + SLACK < sizes.store // 2, f"the store would fit where the sort run did: {sizes}"
    out = small_disk / "out"
    before = baseline(seeds_build, out)
    room = {"dumps": sizes.cache + SLACK + sizes.dumps // 3,  # the cache fits, a third of the dumps does
            "store": sizes.cache + sizes.dumps + SLACK + max(sizes.run, sizes.store // 4)}[writing]
    ballast = leave_free(small_disk, room)
    result = build(corpus, out)
    partial = next((out / "builds").glob("*.partial"), None)
    assert partial is not None, f"no partial build: {result.stderr}"
    dumps_written = (partial / "dumps" / "SHA256SUMS").exists()
    assert dumps_written == (writing == "store"), (
        f"{sizes}, {room} bytes free: ran out elsewhere than the {writing}:\n{result.stderr}")
    if writing == "store":
        assert f"{partial}/store/" in result.stderr, result.stderr  # the message names the file
    ballast.unlink()
    assert_failed_and_recovers(out, before, corpus, calibrated, result)


@dataclass(frozen=True)
class SimulatedFull:
    out: Path
    before: Served
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def simulated_full(seeds_build: Path, corpus: Path, calibrated: Calibrated,
                   tmp_path_factory: pytest.TempPathFactory) -> SimulatedFull:
    """A build whose dump writes fail with ENOSPC once a third of the dumps is written (no root needed)."""
    out = tmp_path_factory.mktemp("simulated-full") / "out"
    before = baseline(seeds_build, out)
    budget = sum(e["bytes"] for e in assert_complete(calibrated.build)["dumps"]) // 3
    result = python(FULL_AFTER, budget, "build", "--articles", corpus, "--out", out)
    return SimulatedFull(out, before, result)


def test_disk_full_simulated_leaves_the_previous_build_served(
        simulated_full: SimulatedFull, corpus: Path, calibrated: Calibrated) -> None:
    partial = next((simulated_full.out / "builds").glob("*.partial"), None)
    assert partial is not None, f"no partial build: {simulated_full.result.stderr}"
    assert not (partial / "dumps" / "SHA256SUMS").exists(), "the dumps were finished: ENOSPC came too late"
    assert_failed_and_recovers(simulated_full.out, simulated_full.before, corpus, calibrated,
                               simulated_full.result)


def test_disk_full_is_reported_as_a_build_error(simulated_full: SimulatedFull) -> None:
    result = simulated_full.result
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("vankien: ") and os.strerror(errno.ENOSPC) in line
    assert str(simulated_full.out) in line  # which disk is full

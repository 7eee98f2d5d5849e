"""Write a synthetic corpus: N articles in the project's article format, and what each one holds.

    python -m bench.corpus --articles 1000 --out /tmp/corpus-1k --seed 1

writes `DIR/articles/NNNNNN_<hash>.txt` and `DIR/expected.jsonl` (one line per article: the documents,
provinces, officials, relations and meeting the build must find; tests/test_bench_corpus.py checks
it). The same seed and size give the same bytes. Templates: bench/templates/*.toml.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

from bench.cast import Cast
from bench.compose import Expectation, compose

FIRST_DAY, LAST_DAY = dt.date(2015, 1, 1), dt.date(2025, 12, 31)
EXPECTED = "expected.jsonl"


def generate(articles: int, seed: int) -> Iterator[tuple[str, str, Expectation]]:
    """(file stem, file text, expectation) for each article, in file-name order."""
    rng = random.Random(seed)
    cast = Cast(rng, articles)
    span = (LAST_DAY - FIRST_DAY).days
    for index in range(articles):
        digest = hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:16]
        stem = f"{index:06d}_{digest}"
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(span))
        text, expect = compose(rng, cast, stem, day)
        yield stem, text, expect


def write_corpus(articles: int, out: Path, seed: int) -> Path:
    """Write the corpus under `out` (replacing what was there); return the articles directory."""
    directory = out / "articles"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    with open(out / EXPECTED, "w", encoding="utf-8") as expected:
        for stem, text, expect in generate(articles, seed):
            (directory / f"{stem}.txt").write_text(text, encoding="utf-8")
            expected.write(json.dumps(expect.to_json(), ensure_ascii=False, sort_keys=True) + "\n")
    return directory


def read_expected(out: Path) -> dict[str, dict[str, object]]:
    """The expectations `write_corpus` wrote, by article stem."""
    lines = (out / EXPECTED).read_text(encoding="utf-8").splitlines()
    return {entry["article"]: entry for entry in map(json.loads, lines)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="how many articles")
    parser.add_argument("--out", type=Path, required=True, help="directory to write articles/ and expected.jsonl into")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    directory = write_corpus(args.articles, args.out, args.seed)
    size = sum(p.stat().st_size for p in directory.iterdir())
    print(f"{args.articles} articles, {size / args.articles / 1024:.1f} KiB each on average -> {directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

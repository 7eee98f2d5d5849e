"""The quotes of a whole build read by worker processes (`page_data.write_page_data`): reading them is most of
the page data's time (some twenty store lookups per fact), and a build's store opens read-only in as many
processes as there are cores. Facts go out in batches, a few batches ahead of the rows written, so that neither
side holds more than a few batches of the corpus's facts."""
from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path

from pyoxigraph import Store

from mappings.publishing.quotes import QuoteReader, StoreReads, packed_quotes

BATCH = 500  # facts per task: a tenth of a second of reading
Choice = tuple[tuple[str, str, str], int, list[str]]  # a fact, how many stories report it, the statements to quote
Row = tuple[str, str, str, int, bytes]  # the page data's evidence row

_reader: QuoteReader | None = None  # the worker's, over its store


def rows_in_workers(store: Path, choices: Iterable[Choice], workers: int) -> Iterator[Row]:
    """The evidence row of each choice, in their order, the quotes read from `store` by `workers` processes."""
    # Forked, as the build's own workers are (`mappings.build.parallel`): a spawned process runs the caller's
    # main module again. A worker opens the store anew and leaves the parent's copy alone.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_open, initargs=(str(store),)) as pool:
        pending: deque[Future[list[Row]]] = deque()
        todo = iter(choices)
        while batch := list(islice(todo, BATCH)):
            pending.append(pool.submit(_rows, batch))
            if len(pending) > 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _open(store: str) -> None:
    global _reader
    _reader = QuoteReader(StoreReads(Store.read_only(store)))


def _rows(batch: list[Choice]) -> list[Row]:
    assert _reader is not None, "the worker opens its store first"
    return [(*fact, reported, packed_quotes(_reader, kept)) for fact, reported, kept in batch]

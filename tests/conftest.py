"""Shared fixtures: the seeds mapped once per session; `--update-golden` rewrites tests/golden/."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from mappings.emission.to_rdf import to_graph
from mappings.extraction.mentions import extract
from mappings.linking.iris import Minter, known_years
from mappings.linking.records import ArticleRecord
from mappings.linking.resolve import resolve
from mappings.reading.article import Article, read_article

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BASE = "http://localhost:8000/"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current mapping")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def seed_records() -> dict[str, tuple[Article, ArticleRecord]]:
    out = {}
    for path in sorted(SEEDS.glob("*.txt")):
        article = read_article(path)
        out[article.identifier] = (article, resolve(article, extract(article)))
    return out


@pytest.fixture(scope="session")
def seed_graphs(seed_records: dict[str, tuple[Article, ArticleRecord]]) -> dict[str, Graph]:
    minter = Minter(BASE, known_years(record for _, record in seed_records.values()))
    return {key: to_graph(record, article.text, minter) for key, (article, record) in seed_records.items()}


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds built once by the real `vankien build` (a data directory with `current`)."""
    from tests.serving import build_seeds

    return build_seeds(tmp_path_factory.mktemp("seeds-build"))


@pytest.fixture(scope="session")
def seeds_server(seeds_build: Path) -> Iterator[str]:
    """The URL of a real `vankien serve` over the seeds build, for the whole session."""
    from tests.serving import running_server

    with running_server(seeds_build) as url:
        yield url

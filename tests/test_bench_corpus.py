"""bench/corpus.py: synthetic articles that the build reads as the generator meant, and that pass SHACL."""
from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from bench.cast import template
from bench.corpus import generate, read_expected, write_corpus
from mappings.emission.to_rdf import to_graph
from mappings.extraction.mentions import extract
from mappings.extraction.officials import position_heads
from mappings.extraction.rules import word_lists
from mappings.linking.iris import Minter, known_years
from mappings.linking.records import ArticleRecord
from mappings.linking.resolve import resolve
from mappings.reading.article import read_article
from mappings.validation.validate import validate_many

ARTICLES = 60


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(ARTICLES, out, seed=7)
    return out


@pytest.fixture(scope="module")
def records(corpus: Path) -> dict[str, tuple[str, ArticleRecord]]:
    found = {}
    for path in sorted((corpus / "articles").glob("*.txt")):
        article = read_article(path)
        found[article.identifier] = (article.text, resolve(article, extract(article)))
    return found


def test_the_same_seed_writes_the_same_articles_and_another_seed_others() -> None:
    first, again, other = (list(generate(12, seed)) for seed in (3, 3, 4))
    assert [(s, t) for s, t, _ in first] == [(s, t) for s, t, _ in again]
    assert [t for _, t, _ in first] != [t for _, t, _ in other]


def test_articles_are_seed_sized_and_reuse_documents_and_officials(corpus: Path) -> None:
    sizes = [path.stat().st_size for path in (corpus / "articles").glob("*.txt")]
    assert 6_000 < sum(sizes) / len(sizes) < 20_000  # the seeds: 7-16 kB
    expected = read_expected(corpus).values()
    documents = Counter(symbol for e in expected for symbol in e["documents"])
    officials = Counter(name for e in expected for name in e["officials"])
    assert documents.most_common(1)[0][1] >= ARTICLES // 10  # skewed: one document in many articles
    assert len(documents) > 2 * ARTICLES // 3  # and a long tail
    assert officials.most_common(1)[0][1] >= 3


def test_names_and_titles_are_ones_the_extractor_reads() -> None:
    surnames = set(word_lists("officials")["surnames"])
    assert set(template("names")["family"]) <= surnames
    roles = template("positions")
    titles = {t.format(committee="Tỉnh ủy", council="HĐND tỉnh", government="UBND tỉnh")
              for role in roles["provincial"] for titles in role["titles"] for t in titles}
    titles |= {t for titles in roles["central"]["titles"] for t in titles}
    for title in titles:
        assert position_heads().match(title), title
        assert not any(other.startswith(f"{title} ") for other in titles), title  # resolve keeps the longer


def test_the_extractor_finds_what_the_generator_wrote(corpus: Path, records: dict[str, tuple[str, ArticleRecord]]) -> None:
    for stem, expected in read_expected(corpus).items():
        _, record = records[stem]
        assert _found(record) == _wanted(expected), stem


def test_every_generated_article_passes_shacl(records: dict[str, tuple[str, ArticleRecord]]) -> None:
    minter = Minter("http://localhost:8000/", known_years(record for _, record in records.values()))
    graphs = {stem: to_graph(record, text, minter) for stem, (text, record) in records.items()}
    reports = validate_many(graphs)
    assert [stem for stem, report in reports.items() if not report.conforms] == []
    assert reports == validate_many(graphs, engine="pyshacl")


def _found(record: ArticleRecord) -> dict[str, Any]:
    symbol = {d.key: d.symbol for d in record.documents}
    meeting = record.meetings[0] if record.meetings else None
    return {
        "documents": {d.symbol: (d.type, d.date, d.province) for d in record.documents},
        "provinces": sorted(p.key for p in record.provinces),
        "officials": {o.name: sorted(p.label for p in o.positions) for o in record.officials},
        "links": sorted((symbol[link.source], link.relation, symbol[link.target]) for link in record.links),
        "meeting": meeting and {"date": meeting.date, "chairs": list(meeting.chairs)},
    }


def _wanted(expected: dict[str, Any]) -> dict[str, Any]:
    """The expectation in `_found`'s shape: a date only where the article writes one."""
    return {
        "documents": {symbol: (d["type"], d["date"], d.get("province")) for symbol, d in expected["documents"].items()},
        "provinces": sorted(expected["provinces"]),
        "officials": {name: sorted(titles) for name, titles in expected["officials"].items()},
        "links": sorted(tuple(link) for link in expected["links"]),
        "meeting": expected["meeting"],
    }


@pytest.mark.parametrize("section", ["title", "lead", "chair", "report", "plan", "basis", "replace", "speech",
                                     "closing"])
def test_templates_name_nothing_of_their_own(section: str) -> None:
    """Template text outside its placeholders holds no name (capitalised words after a family name)
    and no document number."""
    surnames = set(template("names")["family"])
    for lines in template("articles")[section].values():
        for line in lines:
            bare = re.sub(r"\{[a-z_]+\}", " ", line)
            assert not re.search(r"\d+\s*[-/]", bare), line
            words = bare.split()
            assert not [w for w, after in pairwise(words) if w in surnames and after[:1].isupper()], line

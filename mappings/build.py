"""The build: read → extract → link → emit → validate → publish, for a directory of articles.

Extraction is cached per article, keyed by the file's SHA-256 and `rules_version()`: adding or changing
articles re-extracts only those. Linking and emission always run over the whole corpus, because a
citation's year may come from another article.
"""
from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from tqdm import tqdm

from mappings.article import Article, ArticleFormatError, read_article
from mappings.extract import extract
from mappings.iris import Minter, known_years
from mappings.publish import PublishedBuild, PublishError, build_lock, publish
from mappings.records import ArticleRecord
from mappings.reference import reference_graph
from mappings.resolve import resolve
from mappings.rules import rules_version
from mappings.to_rdf import to_graph
from mappings.validate import Report, validate_many

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
DEFAULT_BASE = "http://localhost:8000/"


@dataclass
class BuildResult:
    published: PublishedBuild | None
    articles: int = 0
    extracted: int = 0                     # articles extracted anew (not from the cache)
    rejected: dict[str, str] = field(default_factory=dict)   # file → why it was not published

    @property
    def ok(self) -> bool:
        return self.published is not None and not self.rejected


def build(articles: Path, out: Path, *, base: str = DEFAULT_BASE, keep: int = 3,
          report: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> BuildResult:
    files = sorted(articles.glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"{articles}: no *.txt articles to build")
    with build_lock(out):  # the whole build: two builds never share the cache or the publish step
        return _build(files, out, base, keep, report)


def _build(files: list[Path], out: Path, base: str, keep: int, report: Callable[[str], None]) -> BuildResult:
    result = BuildResult(published=None)
    loaded = list(_records(files, out / "cache" / rules_version(), result, report))
    minter = Minter(base, known_years(record for _, record in loaded))
    graphs = {article.identifier: to_graph(record, article.text, minter) for article, record in loaded}
    for identifier, verdict in validate_many(graphs).items():
        if not verdict.conforms:
            result.rejected[f"{identifier}.txt"] = _describe(verdict)
            report(f"{identifier}.txt: not published, SHACL: {_describe(verdict)}")
            del graphs[identifier]
    if not graphs:
        raise PublishError(f"none of the {len(files)} articles could be published: the published dataset is unchanged")
    result.articles = len(graphs)
    meta = {"articles": len(graphs), "rejected": sorted(result.rejected), "rules_version": rules_version(),
            "base_uri": base}
    result.published = publish(out, _named_graphs(graphs, base), meta=meta, context=ONTOLOGY / "context.jsonld", keep=keep)
    return result


def _records(files: list[Path], cache: Path, result: BuildResult,
             report: Callable[[str], None]) -> Iterator[tuple[Article, ArticleRecord]]:
    cache.mkdir(parents=True, exist_ok=True)
    for path in tqdm(files, desc="extract", unit="article", disable=not sys.stderr.isatty()):
        try:
            article = read_article(path)
        except (ArticleFormatError, OSError) as err:
            result.rejected[path.name] = str(err)
            report(str(err) if isinstance(err, ArticleFormatError) else f"{path}: {err}")
            continue
        yield article, _cached_record(article, cache, result)


def _cached_record(article: Article, cache: Path, result: BuildResult) -> ArticleRecord:
    """The record of an article with the same bytes, renamed to this file; else extract and store it."""
    entry = cache / f"{article.sha256}.pickle"
    try:
        cached: ArticleRecord = pickle.loads(entry.read_bytes())
        return replace(cached, identifier=article.identifier)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        pass  # missing, or written by an older version or a killed build: extract again
    record = resolve(article, extract(article))
    result.extracted += 1
    temporary = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    temporary.write_bytes(pickle.dumps(record))
    temporary.replace(entry)
    return record


def _describe(report: Report) -> str:
    return "; ".join(f"{v.focus_node}: {v.message}" for v in report.results[:5])


def _named_graphs(graphs: dict[str, Graph], base: str) -> Iterable[tuple[str, Iterable[ox.Triple]]]:
    yield f"{base}graph/ontology", _triples(Graph().parse(ONTOLOGY / "vankien.ttl"))
    yield f"{base}graph/reference", _triples(reference_graph(base))
    for graph in graphs.values():
        yield str(graph.identifier), _triples(graph)


def _triples(graph: Graph) -> Iterator[ox.Triple]:
    data = graph.serialize(format="nt", encoding="utf-8")
    for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        yield quad.triple

"""The published union holds one value where articles disagree (issue 14): it conforms to ontology/shapes.ttl,
on the seeds and on a generated corpus; the values left out stay in their articles' graphs."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from bench.corpus import write_corpus
from mappings.validation.validate import validate
from tests.test_build import build, copy_seeds, current

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# Three articles on one directive: two give it one title, the third another; a plan's date disagrees too.
ARTICLE = """date 2024-0{month}-10

Tỉnh triển khai chỉ thị về dân vận

Sáng 10/{month}, Tỉnh ủy Hà Nam tổ chức hội nghị quán triệt Chỉ thị số 57-CT/TW ngày 2/3/2024 của Ban Bí thư {title}.
"""
TITLES = ("về tăng cường công tác dân vận", "về tăng cường công tác dân vận", "về công tác dân vận trong tình hình mới")


def union(out: Path) -> Graph:
    return Graph().parse(data=gzip.open(current(out) / "dumps" / "vankien.nt.gz", "rt").read(), format="nt")


def test_the_union_of_the_seeds_and_a_generated_corpus_conforms_to_the_shapes(tmp_path: Path) -> None:
    articles = copy_seeds(tmp_path / "articles")
    write_corpus(60, tmp_path / "generated", seed=7)
    for path in (tmp_path / "generated").rglob("*.txt"):
        (articles / path.name).write_bytes(path.read_bytes())
    assert build(articles, tmp_path / "out").returncode == 0
    report = validate(union(tmp_path / "out"))
    assert report.conforms, report.results[:5]


def test_the_union_keeps_the_value_most_articles_state_and_each_article_keeps_its_own(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for month, title in enumerate(TITLES, start=4):
        (articles / f"ha_nam_{month}.txt").write_text(ARTICLE.format(month=month, title=title), encoding="utf-8")
    assert build(articles, tmp_path / "out").returncode == 0
    graph = union(tmp_path / "out")
    directive = URIRef("http://localhost:8000/id/document/tw/2024/chi-thi/57")
    title = URIRef("https://w3id.org/vankien/ontology#title")
    assert set(graph.objects(directive, title)) == {Literal("về tăng cường công tác dân vận", lang="vi")}
    assert validate(graph).conforms
    named = gzip.open(current(tmp_path / "out") / "dumps" / "vankien.nq.gz", "rt").read()
    assert '"về công tác dân vận trong tình hình mới"@vi <http://localhost:8000/id/article/ha_nam_6>' in named

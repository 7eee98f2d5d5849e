"""Each seed's mapping against its golden files, compared as RDF graphs (linkml compare_rdf style).

Golden files record what the mapping produces, reviewed by a person when they change:
`pytest tests/test_golden.py --update-golden` rewrites them; review the diff before committing.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from tests.conftest import SEEDS

GOLDEN = Path(__file__).parent / "golden"
STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def _diff(expected: Graph, produced: Graph) -> str:
    _, missing, added = graph_diff(to_isomorphic(expected), to_isomorphic(produced))
    lines = ["----- Missing Triples -----", *sorted(" ".join(x.n3() for x in t) for t in missing),
             "----- Added Triples -----", *sorted(" ".join(x.n3() for x in t) for t in added)]
    return "\n".join(lines[:80])


@pytest.mark.parametrize("stem", STEMS)
def test_graph_matches_golden(stem, seed_graphs, update_golden):
    produced, path = seed_graphs[stem], GOLDEN / f"{stem}.ttl"
    if update_golden:
        path.write_text(produced.serialize(format="turtle"), encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} is missing: run pytest tests/test_golden.py --update-golden and review it")
    expected = Graph().parse(path)
    assert to_isomorphic(expected) == to_isomorphic(produced), _diff(expected, produced)


@pytest.mark.parametrize("stem", STEMS)
def test_record_matches_golden(stem, seed_records, update_golden):
    produced, path = seed_records[stem][1].to_dict(), GOLDEN / f"{stem}.json"
    if update_golden:
        path.write_text(json.dumps(produced, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == produced


@pytest.mark.parametrize("stem", STEMS)
def test_seed_graph_conforms_to_shapes(stem, seed_graphs):
    from mappings.validation.validate import validate

    report = validate(seed_graphs[stem])
    assert report.conforms, report.results

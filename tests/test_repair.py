"""One bad fact never costs its article (mappings/validation/repair.py): what the shapes reject is left out, the
smallest unit that carries it, with its evidence; the rest of the graph is published.

Each case starts from the graph the build emits for a short article of our own, breaks one fact the way a bug
upstream could, and checks what the repair leaves: a graph that conforms, without the broken fact, with every
other fact, and with no statement or evidence sentence left dangling.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from mappings.emission.article_graph import ArticleGraph
from mappings.emission.to_rdf import emit
from mappings.extraction.mentions import extract
from mappings.linking.iris import Minter
from mappings.linking.records import ArticleRecord
from mappings.linking.resolve import resolve
from mappings.reading.article import parse_article
from mappings.validation.repair import Repaired, repair
from mappings.validation.validate import Report, validate_article_graphs

BASE = "http://localhost:8000/"
VK = "https://w3id.org/vankien/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL, HAS_MEMBERSHIP = "<http://www.w3.org/2000/01/rdf-schema#label>", "<http://www.w3.org/ns/org#hasMembership>"
NAME, DATE = "<http://xmlns.com/foaf/0.1/name>", "http://www.w3.org/2001/XMLSchema#date"

ARTICLE = """date 2024-10-16

Lạng Sơn sơ kết chỉ thị về công tác kiểm tra

Sáng 15/10, Ban Thường vụ Tỉnh ủy Lạng Sơn tổ chức hội nghị sơ kết 5 năm thực hiện Chỉ thị số 28-CT/TW ngày \
12/11/2018 của Ban Bí thư. Kế hoạch số 61-KH/TU thực hiện Chỉ thị số 28-CT/TW. Đồng chí Hoàng Văn Nghiệm, Phó Bí thư \
Thường trực Tỉnh ủy, chủ trì hội nghị. Đồng chí Đoàn Thu Hà, Phó Chủ tịch UBND tỉnh, dự hội nghị.
"""


@cache
def source() -> tuple[ArticleRecord, str]:
    article = parse_article(ARTICLE.encode(), Path("lang_son.txt"))
    return resolve(article, extract(article)), article.text


def emitted(record: ArticleRecord | None = None) -> ArticleGraph:
    own, text = source()
    return emit(record or own, text, Minter(BASE, {}))


def check(graph: ArticleGraph) -> Report:
    return validate_article_graphs({"": graph})[""]


def repaired(graph: ArticleGraph) -> Repaired:
    report = check(graph)
    assert not report.conforms, "the broken graph was meant to violate the shapes"
    result = repair(graph, report, check)
    assert result is not None, report
    assert check(result.graph).conforms
    assert_nothing_dangles(result.graph)
    return result


def assert_nothing_dangles(graph: ArticleGraph) -> None:
    """Every statement describes a fact of the graph; every evidence sentence is cited by a statement."""
    triples = set(graph.triples)
    about: dict[str, dict[str, str]] = {}
    for s, p, o in triples:
        about.setdefault(s, {})[p] = o
    for node, parts in about.items():
        if parts.get(f"<{RDF}type>") == f"<{RDF}Statement>":
            fact = (parts[f"<{RDF}subject>"], parts[f"<{RDF}predicate>"], parts[f"<{RDF}object>"])
            assert fact in triples, f"{node} describes a fact no longer in the graph: {fact}"
    cited = {o for _, p, o in triples if p == f"<{VK}evidence>"}
    sentences = {s for s, p, o in triples if p == f"<{RDF}type>" and o == f"<{VK}Evidence>"}
    assert sentences == cited, sentences ^ cited


def lost(before: ArticleGraph, after: ArticleGraph) -> set[tuple[str, str, str]]:
    """The facts (not evidence) the repair took out."""
    return {t for t in set(before.triples) - set(after.triples) if "#f-" not in t[0] and "#s-" not in t[0]}


def test_the_emitted_graph_conforms() -> None:
    assert check(emitted()).conforms
    assert_nothing_dangles(emitted())


def test_a_meeting_date_the_calendar_lacks_is_left_out_with_its_evidence() -> None:
    record, _ = source()
    (meeting,) = record.meetings
    broken = emitted(replace(record, meetings=(replace(meeting, date="2023-02-29"),)))
    result = repaired(broken)
    bad = f'"2023-02-29"^^<{DATE}>'
    gone = {(p, o) for _, p, o in lost(broken, result.graph)}
    # the day the meeting was held, and the same day as the one its people's posts are attested on
    assert (f"<{VK}heldOn>", bad) in gone and gone <= {(f"<{VK}heldOn>", bad), (f"<{VK}attestedOn>", bad)}
    assert {v.path for v in result.left_out} <= {f"{VK}heldOn", f"{VK}attestedOn"}


def test_an_ill_typed_second_value_goes_and_the_real_one_stays() -> None:
    graph = emitted()
    article = f"<{graph.iri}>"
    graph.add(article, f"<{VK}published>", graph.literal("2024-02-30", datatype=DATE))
    result = repaired(graph)
    assert lost(graph, result.graph) == {(article, f"<{VK}published>", f'"2024-02-30"^^<{DATE}>')}


def test_a_position_with_two_labels_is_left_out_and_the_official_kept() -> None:
    graph = emitted()
    membership = next(o for s, p, o in graph.triples if p == HAS_MEMBERSHIP)
    graph.add(membership, LABEL, graph.literal("Phó Bí thư Tỉnh ủy (viết khác)", language="vi"))
    result = repaired(graph)
    gone = lost(graph, result.graph)
    assert {t for t in gone if t[0] == membership} == {t for t in graph.triples if t[0] == membership}
    pointing = {t for t in graph.triples if t[2] == membership and "#f-" not in t[0]}  # member's hasMembership
    assert {t for t in gone if t[0] != membership} == pointing and len(pointing) == 1
    person = next(s for s, p, o in graph.triples if p == HAS_MEMBERSHIP and o == membership)
    assert [o for s, p, o in result.graph.triples if s == person and p == NAME] == ['"Hoàng Văn Nghiệm"@vi']


def test_two_documents_implementing_each_other_lose_both_links() -> None:
    graph = emitted()
    (link,) = [(s, p, o) for s, p, o in graph.triples if p == f"<{VK}implements>"]
    graph.add(link[2], link[1], link[0])
    result = repaired(graph)
    assert lost(graph, result.graph) == {link, (link[2], link[1], link[0])}
    assert f"<{VK}implements>" not in {p for _, p, _ in result.graph.triples}


def test_a_statement_with_an_impossible_span_takes_its_fact_with_it() -> None:
    graph = emitted()
    start = next(t for t in graph.triples if t[1] == f"<{VK}spanStart>" and "Đoàn Thu Hà" not in t[0])
    statement = start[0]
    fact = tuple(next(o for s, p, o in graph.triples if s == statement and p == f"<{RDF}{part}>")
                 for part in ("subject", "predicate", "object"))
    broken = graph.without({start})
    broken.add(statement, start[1], broken.literal("-4", datatype="http://www.w3.org/2001/XMLSchema#integer"))
    result = repaired(broken)
    assert lost(broken, result.graph) == {fact}
    assert statement not in {s for s, _, _ in result.graph.triples}


def test_the_article_node_is_never_taken_out() -> None:
    graph = emitted()
    graph.add(f"<{graph.iri}>", "<http://purl.org/dc/terms/identifier>", graph.literal("mã thứ hai"))
    assert repair(graph, check(graph), check) is None


def test_two_names_that_mint_one_person_give_one_name() -> None:
    """Names apart only in their spaces are one person IRI: the first writing is the name."""
    record, _ = source()
    first = record.officials[0]
    graph = emitted(replace(record, officials=(*record.officials, replace(first, name=first.name.replace(" ", "  ")))))
    assert check(graph).conforms
    person = next(s for s, p, o in graph.triples if p == NAME and o == f'"{first.name}"@vi')
    assert [o for s, p, o in graph.triples if s == person and p in (NAME, LABEL)] == [f'"{first.name}"@vi'] * 2

"""Resource pages over HTTP: the seeds built by the real CLI and served by `vankien serve`, plus a small
hand-written dataset for what the seeds do not hold (more incoming links than a page, markup in labels).
What a page shows is checked against its RDF forms and against `/sparql`."""

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld

from tests.serving import BASE_URI, SEEDS, running_server

ID = BASE_URI + "id/"
VK = "https://w3id.org/vankien/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
DOC_58 = "document/tw/2022/quy-dinh/58"  # replaces Quy định 126; Hướng dẫn 01-HD/BTCTW implements it
DOC_126 = "document/tw/2018/quy-dinh/126"
HD_01 = "document/btctw/2022/huong-dan/1"
BAC_NINH_2025 = "province/bac-ninh-2025"  # absorbed Bắc Giang, whose documents the seeds cite
OFFICIAL = "person/do-trong-hung-e7ed49"
ARTICLE_000 = "article/000_a93f86c15c9b428d"
RDF_FORMS = {  # suffix: (rdflib parser, pyoxigraph format)
    "ttl": ("turtle", ox.RdfFormat.TURTLE),
    "nt": ("nt", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("json-ld", ox.RdfFormat.JSON_LD),
    "rdf": ("xml", ox.RdfFormat.RDF_XML),
}
Term = tuple[str, ...]
Spo = tuple[Term, Term, Term]


def get(
    server: str, path: str, accept: str | None = None, method: str = "GET", if_none_match: str | None = None
) -> httpx.Response:
    """One request without a cookie jar, so a language chosen in one test never leaks into the next."""
    headers = {name: value for name, value in (("Accept", accept), ("If-None-Match", if_none_match)) if value}
    return httpx.request(method, server + path, headers=headers, timeout=30)


def html(server: str, path: str) -> str:
    response = get(server, path, "text/html")
    assert response.status_code == 200, response.text
    return response.text


def select(server: str, query: str) -> list[dict[str, str]]:
    response = httpx.get(
        server + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


class Page(HTMLParser):
    """Links, text, `<script>` blocks and the `<svg>` pictures of a page."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self.scripts: list[tuple[str | None, str]] = []  # (type, content)
        self.canonical: str | None = None
        self._script: str | None = None
        super().feed(source)
        self.svgs = re.findall(r"<svg\b.*?</svg>", source, re.DOTALL)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes.get("href") or "")
        elif tag == "script":
            self._script = attributes.get("type")
            self.scripts.append((self._script, ""))
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical = attributes.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[-1] = (self._script, self.scripts[-1][1] + data)
        else:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def json_ld(self) -> Any:
        (block,) = [content for kind, content in self.scripts if kind == "application/ld+json"]
        return json.loads(block)


def term(node: Any) -> Term:
    """One comparable form for rdflib and pyoxigraph terms (no blank nodes in our descriptions)."""
    if isinstance(node, rdflib.URIRef | ox.NamedNode):
        return ("iri", str(node) if isinstance(node, rdflib.URIRef) else node.value)
    if isinstance(node, rdflib.Literal):
        lang = node.language or ""
        default = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString" if lang else XSD + "string"
        return ("literal", str(node), lang, str(node.datatype or default))
    assert isinstance(node, ox.Literal), node
    return ("literal", node.value, node.language or "", node.datatype.value)


def with_rdflib(body: bytes, parser: str) -> set[Spo]:
    return {(term(s), term(p), term(o)) for s, p, o in rdflib.Graph().parse(data=body, format=parser)}


def with_pyoxigraph(body: bytes, rdf_format: ox.RdfFormat) -> set[Spo]:
    return {(term(q.subject), term(q.predicate), term(q.object)) for q in ox.parse(body, format=rdf_format)}


def with_pyld(body: bytes) -> set[Spo]:
    nquads = jsonld.to_rdf(json.loads(body), {"format": "application/n-quads"})
    return with_pyoxigraph(nquads.encode(), ox.RdfFormat.N_QUADS)


def doc_href(iri: str) -> str:
    """Where the pages link an IRI: ours to its `/doc/` page, others as they are."""
    return "/doc/" + iri.removeprefix(ID) if iri.startswith(ID) else iri


# --- /id and /doc: redirects, negotiation, caching -------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", [DOC_58, BAC_NINH_2025, OFFICIAL])
def test_id_is_303_to_its_doc(seeds_server: str, method: str, path: str) -> None:
    response = get(seeds_server, "/id/" + path, method=method)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/" + path


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # inside rdflib's JSON-LD parser
def test_every_rdf_form_is_the_same_graph_with_rdflib_pyoxigraph_and_pyld(seeds_server: str) -> None:
    bodies = {suffix: get(seeds_server, f"/doc/{DOC_58}.{suffix}").content for suffix in RDF_FORMS}
    turtle = with_rdflib(bodies["ttl"], "turtle")
    assert len(turtle) > 50
    for suffix, (parser, rdf_format) in RDF_FORMS.items():
        assert with_rdflib(bodies[suffix], parser) == turtle, suffix
        assert with_pyoxigraph(bodies[suffix], rdf_format) == turtle, suffix
    assert with_pyld(bodies["jsonld"]) == turtle


def test_the_page_and_the_turtle_agree(seeds_server: str) -> None:
    """Every value of the resource is on its page; every link into it on the page is in the Turtle."""
    graph = rdflib.Graph().parse(data=get(seeds_server, f"/doc/{DOC_58}.ttl").text, format="turtle")
    page = Page(html(seeds_server, "/doc/" + DOC_58))
    me = rdflib.URIRef(ID + DOC_58)
    for _, predicate, value in graph.triples((me, None, None)):
        assert str(predicate) in page.links, predicate
        if isinstance(value, rdflib.URIRef):
            assert doc_href(str(value)) in page.links, value
        else:
            assert str(value) in page.all_text, value
    evidence = {rdflib.RDF.subject, rdflib.RDF.object}  # statements, shown as quotes rather than as links
    incoming = {str(s) for s, p, _ in graph.triples((None, None, me)) if p not in evidence}
    assert {ID + ARTICLE_000, ID + HD_01} <= incoming
    assert {doc_href(s) for s in incoming} <= set(page.links)
    linked_articles = {link for link in page.links if re.fullmatch(r"/doc/article/[^#]+", link)}
    assert linked_articles <= {doc_href(str(s)) for s in graph.subjects()}


@pytest.mark.parametrize("suffix", ["", ".ttl", ".html"])
def test_a_strong_etag_answers_304(seeds_server: str, suffix: str) -> None:
    path = f"/doc/{DOC_58}{suffix}"
    first = get(seeds_server, path, "text/turtle")
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('"') and tag.endswith('"')
    for sent in (tag, "W/" + tag, f'"other", {tag}', "*"):
        again = get(seeds_server, path, "text/turtle", if_none_match=sent)
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag), sent
    assert get(seeds_server, path, "text/turtle", if_none_match='"other"').status_code == 200


def test_etags_differ_by_representation_language_page_and_resource(seeds_server: str) -> None:
    tags = {
        get(seeds_server, path, accept).headers["etag"]
        for path, accept in [
            (f"/doc/{DOC_58}", "text/turtle"),
            (f"/doc/{DOC_58}", "application/n-triples"),
            (f"/doc/{DOC_58}", "text/html"),
            (f"/doc/{DOC_58}?lang=en", "text/html"),
            (f"/doc/{DOC_126}", "text/html"),
        ]
    }
    assert len(tags) == 5


@pytest.mark.parametrize("path", [f"/doc/{DOC_58}", f"/doc/{DOC_58}.ttl", f"/doc/{BAC_NINH_2025}.html"])
def test_head_answers_as_get_without_a_body(seeds_server: str, path: str) -> None:
    got, head = get(seeds_server, path, "text/turtle"), get(seeds_server, path, "text/turtle", method="HEAD")
    assert (head.status_code, head.content) == (200, b"")
    for header in ("content-type", "etag", "content-location", "content-length"):
        assert head.headers[header] == got.headers[header], header


@pytest.mark.parametrize(
    ("path", "accept", "location", "varies_on"),
    [
        (f"/doc/{DOC_58}", "text/html", f"/doc/{DOC_58}.html", {"Accept", "Cookie"}),
        (f"/doc/{DOC_58}", "text/turtle", f"/doc/{DOC_58}.ttl", {"Accept"}),
        (f"/doc/{DOC_58}.html", "text/turtle", f"/doc/{DOC_58}.html", {"Cookie"}),
        (f"/doc/{DOC_58}.nt", "text/html", f"/doc/{DOC_58}.nt", set()),
        (f"/doc/{DOC_58}?format=jsonld", "text/html", f"/doc/{DOC_58}.jsonld", set()),
    ],
)
def test_vary_and_content_location(
    seeds_server: str, path: str, accept: str, location: str, varies_on: set[str]
) -> None:
    response = get(seeds_server, path, accept)
    vary = {field.strip() for field in response.headers.get("vary", "").split(",")}
    assert vary & {"Accept", "Cookie"} == varies_on
    assert response.headers["content-location"] == location


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/doc/document/tw/2099/chi-thi/1", 404),
        ("/doc/document/tw/2099/chi-thi/1.ttl", 404),
        (f"/doc/{DOC_58}?in=vk:mentions&page=9", 404),
        (f"/doc/{DOC_58}?in=vk:nothing&page=2", 404),
        (f"/doc/{DOC_58}?in=vk:mentions&page=0", 400),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_unknown_resources_and_pages(seeds_server: str, path: str, status: int, method: str) -> None:
    assert get(seeds_server, path, "text/turtle", method=method).status_code == status


# --- what the pages show -----------------------------------------------------------------------------


def test_incoming_counts_equal_sparql_counts(seeds_server: str) -> None:
    source = html(seeds_server, f"/doc/{DOC_58}")
    for predicate in ("mentions", "implements", "about"):
        (row,) = select(seeds_server, f"SELECT (COUNT(*) AS ?n) {{ ?s <{VK}{predicate}> <{ID}{DOC_58}> }}")
        heading = re.search(rf'<h3 id="in-vk-{predicate}">.*?</h3>', source, re.DOTALL)
        assert heading, predicate
        assert re.search(rf"\b{row['n']} liên kết", heading.group(0)), (predicate, heading.group(0))


def test_an_evidence_sentence_of_a_seed_article_is_on_its_document_page(seeds_server: str) -> None:
    sentence = "Quy định số 58-QĐ/TW, ngày 08/02/2022 của Bộ Chính trị “Về một số vấn đề về bảo vệ chính trị"
    assert sentence in (SEEDS / f"{ARTICLE_000.removeprefix('article/')}.txt").read_text("utf-8")
    source = html(seeds_server, f"/doc/{DOC_58}")
    quotes = re.findall(r'<li>\s*<a href="(/doc/article/[^"]+)"[^>]*>(.*?)</blockquote>', source, re.DOTALL)
    quoted = {article for article, quote in quotes if f"<mark>{sentence[:20]}</mark>{sentence[20:]}" in quote}
    assert quoted == {"/doc/" + ARTICLE_000}
    assert sentence.split("“")[0] not in html(seeds_server, f"/doc/{BAC_NINH_2025}")


def test_a_document_page_draws_its_lineage_linking_the_related_documents(seeds_server: str) -> None:
    (svg,) = Page(html(seeds_server, f"/doc/{DOC_58}")).svgs
    picture = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    links = {a.get("href") for a in picture.iter(ns + "a")}
    assert {f"/doc/{DOC_58}", f"/doc/{DOC_126}", f"/doc/{HD_01}"} <= links
    assert picture.find(ns + "title") is not None and picture.find(ns + "desc") is not None
    edge_labels = {
        t.text for g in picture.iter(ns + "g") if g.get("class") == "edge" for t in g.iter(ns + "text")
    }
    assert {"thay thế", "thực hiện"} <= edge_labels


def test_a_merged_province_shows_a_timeline_of_what_its_predecessors_did(seeds_server: str) -> None:
    documents = select(
        seeds_server,
        f"""PREFIX vk: <{VK}> SELECT ?doc ?day WHERE {{
        <{ID}{BAC_NINH_2025}> vk:absorbed ?old . ?doc vk:province ?old ; a vk:Document ; vk:issuedOn ?day }}""",
    )
    assert documents
    (svg,) = Page(html(seeds_server, f"/doc/{BAC_NINH_2025}")).svgs
    picture = ET.fromstring(svg)
    assert "timeline" in (picture.get("class") or "")
    ns = "{http://www.w3.org/2000/svg}"
    links = {a.get("href") for a in picture.iter(ns + "a")}
    assert {doc_href(row["doc"]) for row in documents} <= links
    texts = " ".join(t.text or "" for t in picture.iter(ns + "text"))
    assert all(row["day"] in texts for row in documents) and min(r["day"][:4] for r in documents) in texts


def test_an_official_page_shows_positions_and_meetings(seeds_server: str) -> None:
    rows = select(
        seeds_server,
        f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX vk: <{VK}>
        SELECT ?label ?meeting WHERE {{ <{ID}{OFFICIAL}> org:hasMembership/<{RDFS_LABEL}> ?label .
        ?meeting vk:chairedBy <{ID}{OFFICIAL}> }}""",
    )
    page = Page(html(seeds_server, f"/doc/{OFFICIAL}"))
    assert {row["label"] for row in rows} <= set(page.text) and len(rows) >= 3
    assert {doc_href(row["meeting"]) for row in rows} <= set(page.links)
    (svg,) = page.svgs
    assert "chủ trì" in svg and all(row["label"] in svg for row in rows)


def test_an_official_page_lists_posts_by_organisation_with_role_and_days(seeds_server: str) -> None:
    rows = select(
        seeds_server,
        f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX vk: <{VK}>
        SELECT ?org ?role ?day WHERE {{ <{ID}{OFFICIAL}> org:hasMembership ?post . ?post org:organization ?o ;
            org:role ?r ; vk:attestedOn ?day . ?o <{RDFS_LABEL}> ?org . ?r <{RDFS_LABEL}> ?role
            FILTER(LANG(?org) = "vi" && LANG(?role) = "vi") }}""",
    )
    text = Page(html(seeds_server, f"/doc/{OFFICIAL}")).text
    assert rows and {row["org"] for row in rows} | {row["role"] for row in rows} | {row["day"] for row in rows} <= set(text)
    assert "Người khác cùng tên" not in text   # no namesake in the seeds


def test_the_embedded_json_ld_names_the_id_uri_as_main_entity(seeds_server: str) -> None:
    page = Page(html(seeds_server, f"/doc/{DOC_58}"))
    assert page.canonical == f"{BASE_URI}doc/{DOC_58}"
    graph = with_pyld(json.dumps(page.json_ld()).encode())
    main = (("iri", page.canonical), ("iri", "https://schema.org/mainEntity"), ("iri", ID + DOC_58))
    assert main in graph
    assert (("iri", ID + DOC_58), ("iri", VK + "symbol"), term(ox.Literal("58-QĐ/TW"))) in graph


def test_pages_speak_english_on_request(seeds_server: str) -> None:
    english, vietnamese = html(seeds_server, f"/doc/{DOC_58}?lang=en"), html(seeds_server, f"/doc/{DOC_58}")
    headings = re.findall(r"<h2>(.*?)</h2>", english)
    assert {"Lineage", "Properties", "Links to this"} <= set(headings)
    assert {"Dòng văn bản", "Thuộc tính", "Liên kết đến trang này"} <= set(
        re.findall(r"<h2>(.*?)</h2>", vietnamese)
    )
    assert "<h1>Politburo</h1>" in html(seeds_server, "/doc/org/bo-chinh-tri?lang=en")
    assert "<h1>Bộ Chính trị</h1>" in html(seeds_server, "/doc/org/bo-chinh-tri")


# --- a hand-written dataset: many incoming links, markup in labels -----------------------------------

TARGET = ID + "document/tw/2020/chi-thi/1"
EVIL = ID + "document/tw/2021/chi-thi/2"
EVIL_LABEL = '<script>alert("x&y")</script>'
MENTIONS = 30


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Turtle file served with `--dataset`: 30 articles mention one document, which a document with
    markup for a label replaces."""
    n = ox.NamedNode
    a, label, day = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(RDFS_LABEL), n(XSD + "date")

    def vi(text: str) -> ox.Literal:
        return ox.Literal(text, language="vi")

    triples = [
        ox.Triple(n(TARGET), a, n(VK + "Document")),
        ox.Triple(n(TARGET), label, vi("Chỉ thị 1-CT/TW")),
        ox.Triple(n(TARGET), n(VK + "issuedOn"), ox.Literal("2020-01-02", datatype=day)),
        ox.Triple(n(EVIL), a, n(VK + "Document")),
        ox.Triple(n(EVIL), label, vi(EVIL_LABEL)),
        ox.Triple(n(EVIL), n(VK + "replaces"), n(TARGET)),
        ox.Triple(n(EVIL), n(VK + "issuedOn"), ox.Literal("2021-03-04", datatype=day)),
    ]
    for i in range(MENTIONS):
        article = n(f"{ID}article/a{i:02}")
        triples += [
            ox.Triple(article, a, n(VK + "Article")),
            ox.Triple(article, label, vi(f"Bài {i:02}")),
            ox.Triple(article, n(VK + "mentions"), n(TARGET)),
        ]
    path = tmp_path_factory.mktemp("hand-made") / "data.ttl"
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    with running_server(dataset=path) as url:
        yield url


def mentioning(source: str) -> list[str]:
    return re.findall(r'href="/doc/(article/a\d\d)"', source.split('id="in-vk-mentions"')[1])


def test_incoming_links_page_through_every_subject_once(hand_made: str) -> None:
    path = "/doc/" + TARGET.removeprefix(ID)
    (row,) = select(hand_made, f"SELECT (COUNT(*) AS ?n) {{ ?s <{VK}mentions> <{TARGET}> }}")
    first = html(hand_made, path)
    assert f"{row['n']} liên kết" in first and int(row["n"]) == MENTIONS
    assert len(mentioning(first)) == 25
    assert 'href="/doc/document/tw/2020/chi-thi/1?in=vk%3Amentions&amp;page=2#in-vk-mentions"' in first
    second = html(hand_made, path + "?in=vk:mentions&page=2")
    assert len(mentioning(second)) == MENTIONS - 25
    assert sorted(mentioning(first) + mentioning(second)) == [f"article/a{i:02}" for i in range(MENTIONS)]
    turtle = rdflib.Graph().parse(
        data=get(hand_made, path + ".ttl?in=vk:mentions&page=2").text, format="turtle"
    )
    assert len(set(turtle.subjects(rdflib.URIRef(VK + "mentions"), rdflib.URIRef(TARGET)))) == MENTIONS - 25


def test_markup_in_a_label_is_escaped_in_html_svg_and_json_ld(hand_made: str) -> None:
    source = html(hand_made, "/doc/" + EVIL.removeprefix(ID))
    page = Page(source)
    assert [kind for kind, _ in page.scripts] == ["application/ld+json"]
    assert EVIL_LABEL in page.all_text
    (svg,) = page.svgs
    ns = "{http://www.w3.org/2000/svg}"
    assert any(EVIL_LABEL in (t.text or "") for t in ET.fromstring(svg).iter(ns + "title"))  # it parses
    block = page.scripts[0][1]
    assert not set("<>&") & set(block)
    expanded = jsonld.expand(page.json_ld())   # compact, with the known prefixes as its @context
    labels = [v["@value"] for node in expanded if node["@id"] == EVIL for v in node.get(RDFS_LABEL, [])]
    assert labels == [EVIL_LABEL]


# --- the page queries themselves ---------------------------------------------------------------------

FILLERS = {
    "items": "<urn:x>",
    "nodes": "<urn:x>",
    "statements": "<urn:a>",
    "limit": 1,
    "offset": 0,
}


def patterns_after_optional(sparql: str) -> list[str]:
    """Tokens that follow an OPTIONAL in the same group without being OPTIONALs themselves: Oxigraph does
    not move patterns around an OPTIONAL (DESIGN.md: one was 650× slower), so they must come first."""
    after_optional, depth, optionals, found = {0: False}, 0, [], []
    for token in re.findall(r"[{}]|[^\s{}]+", sparql):
        if token == "{":
            depth += 1
            after_optional[depth] = False
        elif token == "}":
            depth -= 1
            if optionals and optionals[-1] == depth:
                after_optional[optionals.pop()] = True
        elif token.upper() == "OPTIONAL":
            optionals.append(depth)
        elif after_optional[depth] and token != ".":
            found.append(token)
    return found


def test_page_queries_put_their_optionals_last() -> None:
    from server.pages import description, neighbourhoods

    queries = {
        f"{module.__name__}.{name}": text.format(**FILLERS) if "{{" in text else text
        for module in (description, neighbourhoods)
        for name, text in vars(module).items()
        if name.isupper() and isinstance(text, str) and re.search(r"\b(SELECT|CONSTRUCT)\b", text)
    }
    assert len(queries) >= 10
    late = {name: found for name, text in queries.items() if (found := patterns_after_optional(text))}
    assert late == {}
    assert patterns_after_optional("SELECT * { ?a ?b ?c OPTIONAL { ?a ?d ?e } ?a ?f ?g }") == [
        "?a",
        "?f",
        "?g",
    ]
    assert patterns_after_optional(
        "SELECT * { ?a ?b ?c OPTIONAL { ?a ?d ?e OPTIONAL { ?e ?f ?g } ?h ?i ?j } }"
    )


def test_a_resources_json_ld_is_compact_with_a_context(seeds_server: str) -> None:
    document = get(seeds_server, f"/doc/{DOC_58}.jsonld").json()
    assert document["@context"]["vk"] == VK and document["@graph"]
    node = next(n for n in document["@graph"] if n["@id"] == f"{ID}{DOC_58}")
    assert "vk:symbol" in node and {"@id": "vk:Regulation"} in node["rdf:type"]

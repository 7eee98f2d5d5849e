"""An IRI once published keeps working when a later build splits or merges people: a resource with no
description of its own but `dcterms:isReplacedBy` values is moved (301 to one, 300 listing several)."""

from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef

from tests.serving import BASE_URI, running_server

ID = BASE_URI + "id/"
IS_REPLACED_BY = URIRef("http://purl.org/dc/terms/isReplacedBy")
TURTLE = {"Accept": "text/turtle"}
HTML = {"Accept": "text/html"}
DATASET = f"""
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix vk: <https://w3id.org/vankien/ontology#> .
@prefix id: <{ID}> .
id:person\\/nguyen-van-a-old dcterms:isReplacedBy id:person\\/nguyen-van-a-1 .
id:person\\/nguyen-van-a-1 a vk:Official ; rdfs:label "Nguyễn Văn A"@vi .
id:person\\/tran-b-old dcterms:isReplacedBy id:person\\/tran-b-hn , id:person\\/tran-b-hcm .
id:person\\/tran-b-hn a vk:Official ; rdfs:label "Trần B (Hà Nội)"@vi , "Tran B (Hanoi)"@en .
id:person\\/tran-b-hcm a vk:Official ; rdfs:label "Trần B (TP. HCM)"@vi .
id:person\\/still-here a vk:Official ; rdfs:label "Còn đây"@vi ; dcterms:isReplacedBy id:person\\/nguyen-van-a-1 .
"""


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("replaced") / "people.ttl"
    path.write_text(DATASET, encoding="utf-8")
    with running_server(dataset=path) as server:
        yield server


@pytest.mark.parametrize("path", ["/id/person/nguyen-van-a-old", "/doc/person/nguyen-van-a-old"])
@pytest.mark.parametrize("accept", [HTML, TURTLE])
def test_one_replacement_is_a_permanent_redirect_to_its_id(url: str, path: str, accept: dict[str, str]) -> None:
    response = httpx.get(url + path, headers=accept)
    assert response.status_code == 301
    assert response.headers["location"] == "/id/person/nguyen-van-a-1"
    followed = httpx.get(url + path, headers=accept, follow_redirects=True)
    assert followed.status_code == 200 and "Nguyễn Văn A" in followed.text


def test_a_chosen_representation_is_kept_across_the_redirect(url: str) -> None:
    response = httpx.get(url + "/doc/person/nguyen-van-a-old.ttl")
    assert response.status_code == 301
    assert response.headers["location"] == "/doc/person/nguyen-van-a-1.ttl"


@pytest.mark.parametrize("path", ["/id/person/tran-b-old", "/doc/person/tran-b-old"])
def test_several_replacements_are_multiple_choices_with_their_labels(url: str, path: str) -> None:
    page = httpx.get(url + path, headers=HTML)
    assert page.status_code == 300
    assert 'href="/doc/person/tran-b-hn"' in page.text and "Trần B (Hà Nội)" in page.text
    assert 'href="/doc/person/tran-b-hcm"' in page.text and "Trần B (TP. HCM)" in page.text
    english = httpx.get(url + path + "?lang=en", headers=HTML)
    assert "Tran B (Hanoi)" in english.text
    rdf = httpx.get(url + path, headers=TURTLE)
    assert rdf.status_code == 300 and rdf.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=rdf.text, format="turtle")
    assert set(graph.objects(URIRef(ID + "person/tran-b-old"), IS_REPLACED_BY)) == {
        URIRef(ID + "person/tran-b-hn"), URIRef(ID + "person/tran-b-hcm")}
    assert len(list(graph.triples((None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None)))) == 3


def test_a_resource_with_a_description_of_its_own_is_described(url: str) -> None:
    assert httpx.get(url + "/id/person/still-here").status_code == 303
    assert httpx.get(url + "/doc/person/still-here", headers=HTML).status_code == 200


def test_an_unknown_iri_is_still_404(url: str) -> None:
    assert httpx.get(url + "/doc/person/nobody").status_code == 404
    assert httpx.get(url + "/id/person/nobody", follow_redirects=True).status_code == 404

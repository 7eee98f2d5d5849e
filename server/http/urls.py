"""Every URL the server emits or reads, built in one place (datasette's `url_builder.py`).

>>> urls = Urls("http://localhost:8000/")
>>> urls.iri("province/thanh-hoa")
'http://localhost:8000/id/province/thanh-hoa'
>>> urls.doc("province/thanh-hoa", "ttl")
'/doc/province/thanh-hoa.ttl'
>>> urls.href("http://localhost:8000/id/article/000_a#s-1-9")
'/doc/article/000_a#s-1-9'
>>> urls.href("https://w3id.org/vankien/ontology#Province")
'https://w3id.org/vankien/ontology#Province'
"""

from urllib.parse import urlencode

from starlette.requests import Request


class Urls:
    home = "/"

    def __init__(self, base_uri: str) -> None:
        self.base = base_uri
        self.id_base = base_uri + "id/"

    def absolute(self, href: str) -> str:
        """`/doc/x` → `<base_uri>doc/x`: a local link as the public address it stands for."""
        return self.base + href.removeprefix("/")

    def iri(self, path: str) -> str:
        """The resource IRI that `/id/{path}` and `/doc/{path}` stand for."""
        return self.id_base + path

    def id(self, path: str) -> str:
        return "/id/" + path

    def doc(self, path: str, suffix: str | None = None) -> str:
        """The page of a resource; with a suffix (`ttl`, `jsonld` ...) one fixed representation."""
        return f"/doc/{path}.{suffix}" if suffix else f"/doc/{path}"

    def href(self, iri: str) -> str:
        """Where a link to `iri` points: our own resources to their local page, others as they are."""
        if iri.startswith(self.id_base):
            return self.doc(iri[len(self.id_base) :])
        return iri

    def sparql(self, query: str | None = None) -> str:
        return "/sparql?" + urlencode({"query": query}) if query else "/sparql"

    def dumps(self, file: str = "") -> str:
        return "/dumps/" + file

    def search(self, text: str | None = None) -> str:
        return "/search?" + urlencode({"q": text}) if text else "/search"

    def static(self, file: str) -> str:
        return "/static/" + file


def urls_of(request: Request) -> Urls:
    """The URL builder `create_app` put on the application."""
    urls: Urls = request.app.state.urls
    return urls

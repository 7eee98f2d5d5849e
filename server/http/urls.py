"""Every URL the server emits or reads, built in one place (datasette's `url_builder.py`).

Two bases, as Trifid's dataset base: the address the server is reached at (`base`: canonical URLs, VoID,
dump links; the request's own address, or the configured public one behind a proxy), and the base of the
IRIs the data holds (`dataset_base`, a build's `--base-uri`), which stay as published. A dataset IRI
`<dataset_base>id/x` is served at `/id/x` and described at `/doc/x`, whatever the address.

>>> urls = Urls("http://localhost:8000/")
>>> urls.iri("province/thanh-hoa")
'http://localhost:8000/id/province/thanh-hoa'
>>> urls.doc("province/thanh-hoa", "ttl")
'/doc/province/thanh-hoa.ttl'
>>> urls.href("http://localhost:8000/id/article/000_a#s-1-9")
'/doc/article/000_a#s-1-9'
>>> urls.href("https://w3id.org/vankien/ontology#Province")
'https://w3id.org/vankien/ontology#Province'
>>> moved = Urls("http://127.0.0.1:8101/", "http://localhost:8000/")
>>> moved.iri("province/thanh-hoa"), moved.absolute(moved.doc("province/thanh-hoa"))
('http://localhost:8000/id/province/thanh-hoa', 'http://127.0.0.1:8101/doc/province/thanh-hoa')
"""

import re
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.types import Scope

HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
URLS = "vankien.urls"  # the scope key of the request's `Urls` (set by the layer that knows the dataset)


class Urls:
    home = "/"

    def __init__(self, base_uri: str, dataset_base: str | None = None) -> None:
        self.base = base_uri  # where the server is reached
        self.dataset_base = dataset_base or base_uri  # what the data's IRIs start with
        self.id_base = self.dataset_base + "id/"

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
    """The URL builder of the request: its address and the dataset it is served from."""
    urls: Urls = request.scope[URLS]
    return urls


def address_of(scope: Scope) -> str:
    """`scheme://host/` as the request reached the server (its `Host` header, else the server's address)."""
    host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), None)
    if not host or not HOST.fullmatch(host):  # absent, or no host name at all: the server's own
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}/"

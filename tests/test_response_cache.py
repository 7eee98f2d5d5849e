"""Kept responses (`server.http.response_cache`): a repeated request is answered with the first answer's bytes, and
only a request that the routes would answer the same way gets them.

The middleware is checked directly over a small ASGI app that counts its calls, then over the real server."""

import asyncio

import httpx

from server.http.response_cache import KeptResponses
from tests.serving import BASE_URI

DOC = "/doc/document/tw/2022/quy-dinh/58"
CHUNK = b"x" * 1000


class Counting:
    """An ASGI app that answers every request with its own number (so a kept answer shows), a cookie on `?c`,
    and in two messages on `?s`."""

    def __init__(self, status: int = 200) -> None:
        self.calls = 0
        self.status = status

    async def __call__(self, scope, receive, send) -> None:
        self.calls += 1
        headers = [(b"content-type", b"text/plain")]
        if scope["query_string"] == b"c":
            headers.append((b"set-cookie", b"lang=en"))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        body = str(self.calls).encode() + CHUNK
        if scope["query_string"] == b"s":  # streamed: in two messages
            await send({"type": "http.response.body", "body": body[:10], "more_body": True})
            body = body[10:]
        await send({"type": "http.response.body", "body": body})


def ask(app, path: str = "/doc/a", method: str = "GET", query: bytes = b"", **headers: str) -> tuple[int, bytes]:
    scope = {"type": "http", "method": method, "path": path, "query_string": query,
             "headers": [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_a_repeated_request_is_answered_without_the_app() -> None:
    inner = Counting()
    app = KeptResponses(inner, ["/doc/"], max_bytes=1 << 20)
    first = ask(app, accept="text/html")
    assert ask(app, accept="text/html") == first
    assert inner.calls == 1


def test_everything_the_routes_read_tells_answers_apart() -> None:
    inner = Counting()
    app = KeptResponses(inner, ["/doc/"], max_bytes=1 << 20)
    variants = [
        {}, {"accept": "text/turtle"}, {"host": "other.example"}, {"origin": "https://a.example"},
        {"cookie": "lang=en"}, {"cookie": "theme=dark; lang=vi"},
    ]
    answers = {ask(app, **variant)[1] for variant in variants}
    answers |= {ask(app, method="HEAD")[1], ask(app, "/doc/b")[1], ask(app, query=b"in=x")[1]}
    assert len(answers) == inner.calls == len(variants) + 3
    assert ask(app, cookie="other=1; lang=en") == ask(app, cookie="lang=en")  # other cookies are not read


def test_revalidations_ranges_other_paths_errors_cookies_and_streams_go_through() -> None:
    for request in (
        {"if_none_match": '"abc"'}, {"range": "bytes=0-1"}, {"path": "/sparql"}, {"method": "POST"}, {"query": b"c"},
        {"query": b"s"},
    ):
        inner = Counting()
        app = KeptResponses(inner, ["/doc/"], max_bytes=1 << 20)
        ask(app, **request)
        ask(app, **request)
        assert inner.calls == 2, request
    failing = Counting(status=500)
    app = KeptResponses(failing, ["/doc/"], max_bytes=1 << 20)
    ask(app), ask(app)
    assert failing.calls == 2


def test_the_least_recently_used_go_past_the_bound() -> None:
    inner = Counting()
    app = KeptResponses(inner, ["/doc/"], max_bytes=17 * (len(CHUNK) + 2))  # room for 17 answers
    for number in range(17):
        ask(app, f"/doc/{number}")
    ask(app, "/doc/1")  # kept, and now the most recent
    ask(app, "/doc/17")  # one too many: /doc/0 goes
    assert inner.calls == 18
    ask(app, "/doc/1")
    assert inner.calls == 18
    ask(app, "/doc/0")
    assert inner.calls == 19


def test_a_kept_page_is_the_page(seeds_server: str) -> None:
    """Over the real server: the second answer is the first, byte for byte, headers included (but the date),
    and a language asked for in the URL still sets its cookie every time."""
    def fetch(path: str, **headers: str) -> httpx.Response:
        return httpx.get(seeds_server + path, headers=headers, timeout=30)

    def exact(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
        return response.status_code, [h for h in response.headers.multi_items() if h[0] != "date"], response.content

    for path, headers in ((DOC, {"accept": "text/html"}), (DOC, {"accept": "text/turtle"}), (DOC + ".jsonld", {}),
                          ("/search?q=58", {}), (DOC, {"accept": "text/html", "cookie": "lang=en"})):
        assert exact(fetch(path, **headers)) == exact(fetch(path, **headers)), path
    english = [fetch(DOC + "?lang=en", accept="text/html") for _ in range(2)]
    assert all(r.cookies.get("lang") == "en" and '<html lang="en"' in r.text for r in english)
    assert '<html lang="en"' in fetch(DOC, accept="text/html", cookie="lang=en").text
    assert '<html lang="vi"' in fetch(DOC, accept="text/html").text
    assert BASE_URI in fetch(DOC, accept="text/turtle").text

"""Whole responses kept in memory, so that a page asked for again costs no query, no template and no pass
through the framework: the outermost ASGI layer answers it from here.

A published build never changes, so the bytes of a page are fixed by the build and the request: the
version an outer layer puts in `scope[VERSION]` (the build a request is served from: a running server
switches builds), method, path and query, `Host`, `Accept`, `Origin` (CORS) and the `lang` cookie (page
language), which is all the routes kept here read. Only `200` answers sent in one piece (not streamed) without a cookie to set are kept (a `?lang=`
that changes the cookie goes through each time), and requests that revalidate (`If-None-Match`) or ask for a
range go through too. The least recently used are dropped past `max_bytes`.
"""

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http import i18n

Key = tuple[str, str, str, bytes, bytes, bytes, bytes, str]
VERSION = "vankien.version"  # the scope key naming what is served (set by an outer layer)
KEYED_HEADERS = (b"host", b"accept", b"origin")  # with the cookie: every request header the kept routes read
BYPASS_HEADERS = {b"if-none-match", b"range"}


@dataclass(frozen=True, slots=True)
class _Kept:
    start: Message
    body: bytes


class KeptResponses:
    """Answers repeated GET and HEAD requests under `paths` (prefixes) with the bytes sent the first time."""

    def __init__(self, app: ASGIApp, paths: Iterable[str], max_bytes: int) -> None:
        self.app = app
        self.paths = tuple(paths)
        self.max_bytes = max_bytes
        self._kept: OrderedDict[Key, _Kept] = OrderedDict()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            await send(kept.start)
            await send({"type": "http.response.body", "body": kept.body})
            return
        start: Message | None = None  # None again once the body came in more than one message: not kept

        async def keeping(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None:
                if message.get("more_body", False):
                    start = None
                else:
                    self._put(key, start, bytes(message.get("body", b"")))
            await send(message)

        await self.app(scope, receive, keeping)

    def _key(self, scope: Scope) -> Key | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(self.paths):
            return None
        found = dict.fromkeys(KEYED_HEADERS, b"")
        cookie = ""
        for name, value in scope["headers"]:
            if name in BYPASS_HEADERS:
                return None
            if name in found:
                found[name] = value
            elif name == b"cookie":
                cookie = cookie_parser(value.decode("latin-1")).get(i18n.COOKIE, "")  # as `Request.cookies` reads it
        host, accept, origin = found.values()
        version = str(scope.get(VERSION, ""))
        return version, scope["method"], scope["path"], scope["query_string"], host, accept, origin, cookie

    def _put(self, key: Key, start: Message, body: bytes) -> None:
        if start.get("status") != 200 or len(body) > self.max_bytes // 16:  # a huge one would push out many
            return
        if key in self._kept or any(name == b"set-cookie" for name, _ in start.get("headers", ())):
            return
        self._kept[key] = _Kept(start, body)
        self._bytes += len(body)
        while self._bytes > self.max_bytes:
            _, dropped = self._kept.popitem(last=False)
            self._bytes -= len(dropped.body)

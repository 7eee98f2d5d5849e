"""Two ASGI middlewares: security headers on every response, and per-client limits on the routes
that evaluate client queries. Plain ASGI (no BaseHTTPMiddleware), so streamed answers stay streamed."""

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages load only their own stylesheet and script; JSON-LD blocks are data, not scripts.
SECURITY_HEADERS = [
    (b"content-security-policy",
     (b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
     b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in SECURITY_HEADERS if n not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


@dataclass(frozen=True, slots=True)
class ClientLimits:
    rate: float  # requests per second, sustained
    burst: int  # requests at once after a quiet spell
    concurrent: int  # requests in flight


@dataclass(slots=True)
class _Client:
    tokens: float
    updated: float
    in_flight: int = field(default=0)


class PerClientLimits:
    """429 + `Retry-After` when one client (by address) goes over its rate or its concurrency on the
    paths given; the bucket of a client refills at `rate` per second up to `burst`."""

    def __init__(self, app: ASGIApp, limits: ClientLimits, paths: Iterable[str]) -> None:
        self.app = app
        self.limits = limits
        self.paths = tuple(paths)
        self.clients: dict[str, _Client] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.paths) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        client = self._client(scope)
        refusal = self._refusal(client)
        if refusal:
            await _too_many(send, *refusal)
            return
        client.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            client.in_flight -= 1

    def _client(self, scope: Scope) -> _Client:
        address = (scope.get("client") or ("unknown", 0))[0]
        now = time.monotonic()
        if len(self.clients) > 100_000:  # forget idle clients rather than grow without bound
            self.clients = {a: c for a, c in self.clients.items() if c.in_flight or now - c.updated < 60}
        client = self.clients.setdefault(address, _Client(tokens=self.limits.burst, updated=now))
        client.tokens = min(self.limits.burst, client.tokens + (now - client.updated) * self.limits.rate)
        client.updated = now
        return client

    def _refusal(self, client: _Client) -> tuple[str, int] | None:
        if client.in_flight >= self.limits.concurrent:
            return f"more than {self.limits.concurrent} requests at once from one client", 1
        if client.tokens < 1:
            wait = math.ceil((1 - client.tokens) / self.limits.rate)
            return f"more than {self.limits.rate:g} requests per second from one client", wait
        client.tokens -= 1
        return None


async def _too_many(send: Send, reason: str, retry_after: int) -> None:
    body = f"429 Too Many Requests: {reason}; retry after {retry_after} s\n".encode()
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"retry-after", str(retry_after).encode()),
        (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})

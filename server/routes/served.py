"""The build being served, and the switch to a newly published one while requests run.

What a request reads of the data, the store and the pools of worker processes over it (clients' queries, pages),
is one `Served`. The outermost ASGI layer (`PinServed`) pins each request to the `Served` current when it arrives,
in `scope[SERVED]`, and the request finishes on it, streamed answers included.

`Following` watches `DATA/current` (every `follow_s`): when it points to another build (a new one, or a
rollback), the new build is opened and leased and its workers started, in a thread, while requests go on
to the old one; then new requests go to the new one, and the old one is retired: once its last request
ended, its workers are stopped and its lease released (`build --keep` may then delete it). A build that
cannot be opened is logged and the old one served on. Page workers open the build their server leased, and stop
before the lease goes. Kept responses are keyed by the build (`response_cache.VERSION`), values computed per
build by its id (`server.data.per_build`).
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from mappings.publishing.publish import current_build
from server.data.store import GraphStore
from server.http.response_cache import VERSION
from server.http.urls import URLS, Urls, address_of
from server.queries.workers import WorkerPool

SERVED = "vankien.served"  # the scope key of the request's `Served`
LOG = logging.getLogger("uvicorn.error")


@dataclass(eq=False)
class Served:
    store: GraphStore
    pool: WorkerPool  # clients' queries
    pages: WorkerPool | None = None  # first visits of resource pages; None: made in threads of this process
    requests: int = field(default=0)  # in flight on it
    retired: bool = field(default=False)

    def start(self) -> None:
        """Starts the workers (blocking); those started are stopped again if one cannot start."""
        try:
            for pool in self._pools():
                pool.start()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stops the workers, then lets the build go (blocking: call it in a thread)."""
        for pool in self._pools():
            pool.close()
        self.store.release()

    def _pools(self) -> list[WorkerPool]:
        return [self.pool, *([self.pages] if self.pages is not None else [])]


class Following:
    """The `Served` current now; with `data_dir`, switched to whatever `data_dir/current` points to."""

    def __init__(self, open_served: Callable[[], Served], data_dir: Path | None, follow_s: float) -> None:
        self._open = open_served  # opens the current build, its workers not started yet (blocking)
        self.data_dir = data_dir if follow_s > 0 else None
        self.follow_s = follow_s
        self.current: Served = open_served()  # raises when there is nothing to serve
        self._retiring: set[Served] = set()
        self._failed: str | None = None  # the build that could not be opened: not tried again
        self._closing: set[asyncio.Future[None]] = set()

    def start(self) -> None:
        """Starts the workers of the first build (blocking)."""
        self.current.start()

    def _open_and_start(self) -> Served:
        served = self._open()
        served.start()
        return served

    async def follow(self) -> None:
        """Switches to the build `data_dir/current` points to whenever it changes, until cancelled."""
        if self.data_dir is None:
            return
        while True:
            await asyncio.sleep(self.follow_s)
            await self.switch_if_changed()

    async def switch_if_changed(self) -> None:
        assert self.data_dir is not None
        published = current_build(self.data_dir)
        served = self.current.store.build_dir
        if published is None or served is None or published.name in (served.name, self._failed):
            return
        try:
            new = await anyio.to_thread.run_sync(self._open_and_start)
        except Exception as error:  # noqa: BLE001 - the old build is served on
            LOG.error("cannot serve the build %s, still serving %s: %s", published.name, served.name, error)
            self._failed = published.name
            return
        old, self.current = self.current, new
        LOG.info("serving build %s (was %s)", new.store.build_id, old.store.build_id)
        old.retired = True
        self._retiring.add(old)
        self._close_if_done(old)

    def pin(self) -> Served:
        served = self.current
        served.requests += 1
        return served

    def unpin(self, served: Served) -> None:
        served.requests -= 1
        self._close_if_done(served)

    def _close_if_done(self, served: Served) -> None:
        if served.retired and served.requests == 0 and served in self._retiring:
            self._retiring.discard(served)
            closing = asyncio.ensure_future(anyio.to_thread.run_sync(served.close))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)

    async def close(self) -> None:
        """Stops every pool and lets every build go (at shutdown)."""
        await asyncio.gather(*self._closing, return_exceptions=True)
        for served in (*self._retiring, self.current):
            await anyio.to_thread.run_sync(served.close)
        self._retiring.clear()


class PinServed:
    """Pins each HTTP request to the build served when it arrived, for as long as it runs, and gives it its
    URL builder: the address it came to (or `address`, the public one behind a proxy) over that build's IRIs."""

    def __init__(self, app: ASGIApp, following: Following, address: str | None) -> None:
        self.app = app
        self.following = following
        self.address = address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        served = self.following.pin()
        scope[SERVED] = served
        scope[VERSION] = served.store.build_id
        scope[URLS] = Urls(self.address or address_of(scope), served.store.dataset_base)
        try:
            await self.app(scope, receive, send)
        finally:
            self.following.unpin(served)

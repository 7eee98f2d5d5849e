"""The application factory and the entry point `vankien serve` calls."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from server.data.store import GraphStore
from server.http.config import Settings
from server.http.errors import HttpError
from server.http.middleware import ClientLimits, PerClientLimits, SecurityHeaders
from server.http.response_cache import KeptResponses
from server.pages import finder, listing, rendering
from server.queries import query_worker
from server.queries.workers import PoolLimits, WorkerPool
from server.routes import downloads, health, home, lists, resources, search, sparql, void
from server.routes.served import Following, PinServed, Served

KEPT_PATHS = ("/doc/", finder.PATH, listing.INDEX_PATH)  # answers that depend on the build and the request alone
STATIC = Path(__file__).parent / "static"  # the stylesheet and the query page's script: no CDN
ROUTERS = (
    home.router, resources.router, sparql.router, downloads.router, health.router,
    search.router, lists.router, void.router,
)


def create_app(settings: Settings) -> FastAPI:
    """The application over the build currently published in `settings.data_dir` (followed as new builds
    are published: `server.routes.served`), the file `settings.dataset`, or the remote store `settings.store`.

    Clients' queries run in a pool of worker processes per build served, started with it and stopped with it; so
    are the resource pages of a build (`settings.page_workers`: one process per core by default)."""
    data_dir = settings.data_dir if settings.dataset is None and settings.store is None else None
    following = Following(partial(_open_served, settings), data_dir, settings.follow_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(following.start)
        follower = asyncio.ensure_future(following.follow())
        try:
            yield
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
            await following.close()

    app = FastAPI(title="vankien", docs_url=None, redoc_url=None, lifespan=lifespan)  # docs pages use a CDN
    app.state.settings = settings
    app.state.following = following
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(HttpError, rendering.error_response)
    # Read-only open data: any web page may query it (preflights included: `application/sparql-query`).
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"])
    limits = ClientLimits(settings.client_rate, settings.client_burst, settings.client_concurrency)
    app.add_middleware(PerClientLimits, limits=limits, paths=["/sparql"])
    app.add_middleware(SecurityHeaders)
    app.add_middleware(KeptResponses, paths=KEPT_PATHS, max_bytes=settings.kept_responses_mb << 20)
    app.add_middleware(PinServed, following=following, address=settings.base_uri)  # outermost: kept responses are keyed by the build
    return app


def _open_served(settings: Settings) -> Served:
    """The build (or file, or remote store) to serve now, with its pools of query and page workers (not started;
    a file or a remote store has its pages made in this process)."""
    store = GraphStore.open(settings)
    queries = WorkerPool(store.open_for_worker, query_worker.handle, _pool_limits(settings))
    if store.open_for_pages is None or not settings.page_pool_size:
        return Served(store, queries)
    opener = partial(resources.open_page_worker, store.open_for_pages)
    return Served(store, queries, WorkerPool(opener, resources.make_page, _page_limits(settings), "page"))


def _pool_limits(settings: Settings) -> PoolLimits:
    return PoolLimits(
        size=settings.pool_size,
        timeout_s=settings.query_timeout_s,
        wait_s=settings.queue_wait_s,
        memory_bytes=settings.worker_memory_mb << 20,
        long_after_s=settings.long_query_s,
        long_slots=settings.long_slots,
    )


def _page_limits(settings: Settings) -> PoolLimits:
    return PoolLimits(
        size=settings.page_pool_size,
        timeout_s=settings.query_timeout_s,
        wait_s=settings.queue_wait_s,
        memory_bytes=settings.worker_memory_mb << 20,
    )


def serve(settings: Settings) -> None:
    """Serves the current build (or the dataset file) on `settings.host`:`settings.port` until interrupted."""
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)

"""What routes receive (full-stack-fastapi-template `api/deps.py`): the store, the query pool and the URL builder
that `create_app` put on `app.state`.

The dependencies are coroutines, though they never wait: FastAPI runs a plain function dependency in a
worker thread, a thread hop per dependency and request for the lookup of one attribute."""

from typing import Annotated

from fastapi import Depends, Request

from server.data.store import GraphStore
from server.http.urls import Urls, urls_of
from server.queries.workers import WorkerPool


async def _store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


async def _urls(request: Request) -> Urls:
    return urls_of(request)


async def _pool(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.pool
    return pool


StoreDep = Annotated[GraphStore, Depends(_store)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
UrlsDep = Annotated[Urls, Depends(_urls)]

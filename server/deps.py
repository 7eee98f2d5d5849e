"""What routes receive (full-stack-fastapi-template `api/deps.py`): the store and the URL builder
that `create_app` put on `app.state`.

The dependencies are coroutines, though they never wait: FastAPI runs a plain function dependency in a
worker thread, a thread hop per dependency and request for the lookup of one attribute. `get_*` are the
same lookups for plain code (`server.pages`)."""

from typing import Annotated

from fastapi import Depends, Request

from server.store import GraphStore
from server.urls import Urls
from server.workers import WorkerPool


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_urls(request: Request) -> Urls:
    urls: Urls = request.app.state.urls
    return urls


def get_pool(request: Request) -> WorkerPool:
    pool: WorkerPool = request.app.state.pool
    return pool


async def _store(request: Request) -> GraphStore:
    return get_store(request)


async def _urls(request: Request) -> Urls:
    return get_urls(request)


async def _pool(request: Request) -> WorkerPool:
    return get_pool(request)


StoreDep = Annotated[GraphStore, Depends(_store)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
UrlsDep = Annotated[Urls, Depends(_urls)]

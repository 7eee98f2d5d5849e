"""What routes receive (full-stack-fastapi-template `api/deps.py`): the store and the URL builder
that `create_app` put on `app.state`."""

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


StoreDep = Annotated[GraphStore, Depends(get_store)]
PoolDep = Annotated[WorkerPool, Depends(get_pool)]
UrlsDep = Annotated[Urls, Depends(get_urls)]

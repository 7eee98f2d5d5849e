"""What routes receive (full-stack-fastapi-template `api/deps.py`): the store and the query pool of the build
the request is pinned to (`server.routes.served`), and the URL builder.

The dependencies are coroutines, though they never wait: FastAPI runs a plain function dependency in a
worker thread, a thread hop per dependency and request for the lookup of one attribute."""

from typing import Annotated

from fastapi import Depends, Request

from server.data.store import GraphStore
from server.http.urls import Urls, urls_of
from server.queries.workers import WorkerPool
from server.routes.served import SERVED, Served


async def _store(request: Request) -> GraphStore:
    return served(request).store


async def _urls(request: Request) -> Urls:
    return urls_of(request)


async def _pool(request: Request) -> WorkerPool:
    return served(request).pool


def served(request: Request) -> Served:
    """The build the request is served from (pinned when it arrived)."""
    pinned: Served = request.scope[SERVED]
    return pinned


StoreDep = Annotated[GraphStore, Depends(_store)]
PoolDep = Annotated[WorkerPool, Depends(_pool)]
UrlsDep = Annotated[Urls, Depends(_urls)]

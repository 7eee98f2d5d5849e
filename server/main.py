"""The application factory and the entry point `vankien serve` calls."""

from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from server import pages
from server.config import Settings
from server.errors import HttpError
from server.routes import downloads, health, home, resources, sparql
from server.store import GraphStore
from server.urls import Urls

STATIC = Path(__file__).parent / "static"  # the stylesheet and the query page's script: no CDN
ROUTERS = (home.router, resources.router, sparql.router, downloads.router, health.router)


def create_app(settings: Settings) -> FastAPI:
    """The application over the build currently published in `settings.data_dir`."""
    app = FastAPI(title="vankien", docs_url=None, redoc_url=None)  # both pages load assets from a CDN
    app.state.store = GraphStore.open(settings)
    app.state.urls = Urls(settings.base_uri)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(HttpError, pages.error_response)
    return app


def serve(settings: Settings) -> None:
    """Serves the current build on `settings.host`:`settings.port` until interrupted."""
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)

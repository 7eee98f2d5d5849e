"""The application factory and the entry point `vankien serve` calls."""

from pathlib import Path

import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from server import pages
from server.config import Settings
from server.errors import HttpError
from server.routes import downloads, health, home, lists, resources, search, sparql, void
from server.store import GraphStore
from server.urls import Urls

STATIC = Path(__file__).parent / "static"  # the stylesheet and the query page's script: no CDN
ROUTERS = (
    home.router, resources.router, sparql.router, downloads.router, health.router,
    search.router, lists.router, void.router,
)


def create_app(settings: Settings) -> FastAPI:
    """The application over the build currently published in `settings.data_dir`, or the file `settings.dataset`."""
    app = FastAPI(title="vankien", docs_url=None, redoc_url=None)  # both pages load assets from a CDN
    app.state.store = GraphStore.open(settings)
    app.state.urls = Urls(settings.base_uri)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(HttpError, pages.error_response)
    # Read-only open data: any web page may query it (preflights included: `application/sparql-query`).
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"])
    return app


def serve(settings: Settings) -> None:
    """Serves the current build (or the dataset file) on `settings.host`:`settings.port` until interrupted."""
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server import pages
from server.deps import StoreDep, UrlsDep

router = APIRouter(tags=["home"])


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, store: StoreDep, urls: UrlsDep) -> Response:
    """What the dataset holds: resources per class, and the ways in."""
    counts = await store.run(store.counts)
    context = {"classes": pages.class_rows(counts, urls), "manifest": store.manifest}
    return pages.render(request, "home.html", context)

"""`/dumps/`: the files the build's manifest names, with their size and checksum; nothing else."""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from server import pages
from server.deps import StoreDep

router = APIRouter(tags=["downloads"])


@router.get("/dumps/", response_class=HTMLResponse)
def list_dumps(request: Request, store: StoreDep) -> Response:
    return pages.render(request, "dumps.html", {"dumps": store.dumps, "manifest": store.manifest})


@router.get("/dumps/{file}")
def download(file: str, store: StoreDep) -> FileResponse:
    dump, path = store.dump(file)
    media_type = "application/gzip" if dump.encoding == "gzip" else dump.media_type
    return FileResponse(path, media_type=media_type, filename=file)

"""`/dumps/`: the files the build's manifest names, with their size and checksum (HTML, or JSON by
`?format=json` or `Accept`); `/dumps/{file}` serves one of them and nothing else."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from server.data.store import GraphStore
from server.http import negotiation
from server.http.urls import Urls
from server.pages import rendering, tabular
from server.routes.deps import StoreDep, UrlsDep

router = APIRouter(tags=["downloads"])
OFFERS = (negotiation.HTML, tabular.JSON)


@router.get("/dumps/")
def list_dumps(
    request: Request, store: StoreDep, urls: UrlsDep, format_key: Annotated[str | None, Query(alias="format")] = None
) -> Response:
    if tabular.choose(request, format_key, OFFERS) is tabular.JSON:
        return tabular.negotiated(JSONResponse(as_json(store, urls)), format_key)
    json_href = urls.dumps() + "?format=json"
    response = rendering.render(request, "dumps.html", {"dumps": store.dumps, "manifest": store.manifest, "json": json_href})
    return tabular.negotiated(response, format_key)


@router.get("/dumps/{file}")
def download(file: str, store: StoreDep) -> FileResponse:
    dump, path = store.dump(file)
    media_type = "application/gzip" if dump.encoding == "gzip" else dump.media_type
    return FileResponse(path, media_type=media_type, filename=file)


def as_json(store: GraphStore, urls: Urls) -> dict[str, Any]:
    return {
        "build_id": store.build_id,
        "created": store.manifest.get("created"),
        "dumps": [
            {"name": d.name, "href": urls.dumps(d.name), "media_type": d.media_type, "encoding": d.encoding,
             "bytes": d.bytes, "sha256": d.sha256}
            for d in store.dumps
        ],
    }

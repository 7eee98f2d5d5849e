"""`/`: what the dataset holds (resources per class, the newest articles) and the ways in."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.http import i18n
from server.pages import listing, rendering
from server.pages.vocabulary import vocabulary
from server.routes.deps import StoreDep, UrlsDep

router = APIRouter(tags=["home"])


@router.get("/favicon.ico", include_in_schema=False)
def favicon(urls: UrlsDep) -> RedirectResponse:
    """Browsers ask for it on their own: the site's icon (SVG, linked from every page) is in /static/."""
    return RedirectResponse(urls.static("favicon.svg"), status_code=301)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, store: StoreDep, urls: UrlsDep) -> Response:
    lang = i18n.language(request)
    vocab = await store.run(vocabulary, store)
    context = {
        "classes": listing.class_entries(vocab, lang, used_only=True),
        "articles": await store.run(listing.latest_articles, store, urls, lang),
        "manifest": store.manifest,
        "index_path": listing.INDEX_PATH,
    }
    return rendering.render(request, "home.html", context)

"""`/`: what the dataset holds (resources per class, the newest articles) and the ways in."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server import i18n, listing, pages
from server.deps import StoreDep, UrlsDep
from server.vocabulary import vocabulary

router = APIRouter(tags=["home"])


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
    return pages.render(request, "home.html", context)

"""A saved web page (`.html`, `.htm`, or an HTML response in a web archive) → `Article`.

The field's own extractors do the reading: trafilatura finds the article's main text (menus, "Tin liên quan"
boxes, share bars and footers stay out) and the headline; htmldate the publication date, from the page's
metadata only (`extensive_search=False`: no guessing from dates in the text). The source is the page's
canonical URL (`<link rel="canonical">`, `og:url`), else the URL it was fetched from (a web archive's target
URI), and only an http(s) one. The body is the headline, a blank line and the main text, so that facts in the
headline have their evidence in the text like those of a text article's first line.

The page's digest (its cache key) covers the extractors' versions and the URL it came from with its bytes:
a new trafilatura re-reads every page, and the same bytes fetched from two URLs are two articles.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import htmldate
import trafilatura

from mappings.reading.article import Article, ArticleFormatError, is_web_url, make_article
from mappings.reading.identifiers import path_key, url_key

MAX_PAGE_BYTES = 16 * 1024 * 1024
EXTRACTORS = f"trafilatura {trafilatura.__version__}, htmldate {htmldate.__version__}"

# Both log what they discard at WARNING: a page that yields nothing is this module's error, named with its file.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


def page_digest(data: bytes, fetched_from: str | None = None) -> str:
    """The cache key of a page: its bytes, the URL it was fetched from, and the extractors' versions."""
    digest = hashlib.sha256(f"page\0{EXTRACTORS}\0{fetched_from or ''}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def parse_page(data: bytes, path: Path | str, stem: str, fetched_from: str | None = None) -> Article:
    """The article of a page's bytes: main text, headline, canonical URL, publication date. `stem` names the page
    (its key when it has no URL); `fetched_from` is the URL it was fetched from, when known."""
    if not data.strip():
        raise ArticleFormatError(path, "the page is empty")
    if len(data) > MAX_PAGE_BYTES:
        raise ArticleFormatError(path, f"the page has {len(data)} bytes, more than the {MAX_PAGE_BYTES} it may have")
    if b"\x00" in data[:1024] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ArticleFormatError(path, "the file is binary (it contains NUL bytes), not a web page")
    tree = trafilatura.load_html(data)
    if tree is None:
        raise ArticleFormatError(path, "not an HTML page (no HTML document could be parsed from it)")
    hint = fetched_from if fetched_from and is_web_url(fetched_from) else None
    found = trafilatura.bare_extraction(data, url=hint, with_metadata=True, include_comments=False,
                                        include_tables=True, favor_precision=True, deduplicate=False)
    # one paragraph a line, as trafilatura gives them; a blank line between, as in a text article
    text = "\n\n".join(line.strip() for line in (getattr(found, "text", None) or "").splitlines() if line.strip())
    if not text:
        raise ArticleFormatError(path, "no article text found in the page (trafilatura finds no main text)")
    title = " ".join((getattr(found, "title", None) or "").split())
    url = next((u for u in (getattr(found, "url", None), hint) if u and is_web_url(u)), None)
    date = htmldate.find_date(tree, extensive_search=False, original_date=True, url=url)
    body = text if not title or text.startswith(title) else f"{title}\n\n{text}"
    header = {"title": title, "url": url or "", "date": date or ""}
    return make_article(header, body, path, url_key(url) if url else path_key(stem), page_digest(data, fetched_from))

"""Page language: Vietnamese by default, English on request; every UI string comes from `messages/*.toml`.

The language is `?lang=` when given (and then remembered in a cookie), else the `lang` cookie,
else Vietnamese. Data labels follow the same order: the page language first, then the other.

>>> translate("vi", "nav.search")
'Tìm kiếm'
>>> translate("en", "nav.search")
'Search'
>>> translate("en", "error.title", status=404)
'Error 404'
"""

import tomllib
from functools import partial
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

LANGUAGES = ("vi", "en")
DEFAULT = LANGUAGES[0]
COOKIE = "lang"
MESSAGE_FILES = sorted((Path(__file__).parents[1] / "messages").glob("*.toml"))  # one per part of the site
MESSAGES: dict[str, Any] = {
    section: entries
    for path in MESSAGE_FILES
    for section, entries in tomllib.loads(path.read_text("utf-8")).items()
}


def language(request: Request) -> str:
    """The page language the request asks for, `vi` or `en`."""
    for asked in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    return DEFAULT


def translate(lang: str, key: str, **values: object) -> str:
    """The message `key` (`section.name`) in `lang`, Vietnamese if untranslated, `{name}`s filled in."""
    message: Any = MESSAGES
    for part in key.split("."):
        message = message[part]
    text = message.get(lang, message[DEFAULT])
    return text.format(**values) if values else text


def template_context(request: Request) -> dict[str, object]:
    """What every template gets: `lang`, `other_lang` and `t(key, **values)`."""
    lang = language(request)
    other = next(code for code in LANGUAGES if code != lang)
    return {"lang": lang, "other_lang": other, "t": partial(translate, lang)}


def remember(request: Request, response: Response) -> None:
    """Keeps an explicit `?lang=` for the next pages; pages then vary on the cookie."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and asked != request.cookies.get(COOKIE):
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="lax")
    response.headers["Vary"] = ", ".join(filter(None, (response.headers.get("Vary"), "Cookie")))

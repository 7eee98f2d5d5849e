"""Pages of a ranked or sorted list: `?page=` and `?size=` read strictly (a bad value is a 400 that
names the parameter), and the links to the neighbouring pages.

>>> page = Page(number=2, size=20, total=45)
>>> page.offset, page.last
(20, 3)
>>> window(["a", "b", "c"], Page(2, 2, 3))
['c']
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

from server.http.errors import BadRequest, NotFound

T = TypeVar("T")
MAX_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # from 1
    size: int
    total: int  # items on all pages

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True, slots=True)
class Pager:
    previous: str | None
    next: str | None


def numbers(page: str | None, size: str | None, default_size: int) -> tuple[int, int]:
    """`(page, size)` from the query string: whole numbers, `page` ≥ 1, `size` from 1 to `MAX_SIZE`.

    >>> numbers(None, None, 20)
    (1, 20)
    >>> numbers("0", None, 20)
    Traceback (most recent call last):
    server.http.errors.BadRequest: page must be a whole number from 1, not '0'
    """
    number = _whole("page", page, 1, None) if page is not None else 1
    return number, _whole("size", size, 1, MAX_SIZE) if size is not None else default_size


def page_of(number: int, size: int, total: int) -> Page:
    """The page asked for; one past the last page is not found (an empty list has one empty page)."""
    page = Page(number, size, total)
    if number > page.last:
        raise NotFound(f"page {number} is past the last page, {page.last}")
    return page


def window(items: Sequence[T], page: Page) -> list[T]:
    return list(items[page.offset : page.offset + page.size])


def pager(page: Page, path: str, params: Mapping[str, str | None]) -> Pager:
    """Links to the previous and next pages, keeping the other parameters."""
    kept = {key: value for key, value in params.items() if value is not None and key != "page"}

    def link(number: int) -> str:
        return f"{path}?{urlencode({**kept, 'page': number})}"

    return Pager(
        previous=link(page.number - 1) if page.number > 1 else None,
        next=link(page.number + 1) if page.number < page.last else None,
    )


def _whole(parameter: str, text: str, low: int, high: int | None) -> int:
    bounds = f"from {low} to {high}" if high else f"from {low}"
    if text.isascii() and text.isdigit() and len(text) < 10 and low <= int(text) <= (high or int(text)):
        return int(text)
    raise BadRequest(f"{parameter} must be a whole number {bounds}, not {text!r}")

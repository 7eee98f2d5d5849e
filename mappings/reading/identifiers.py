"""Article identifiers: lower-case ASCII keys, stable across builds, unique within one.

A text file's key is its stem folded (Vietnamese letters lose their marks, `đ` is `d`; anything else but
letters, digits and `_` becomes `-`); a web page's or an archive record's is its canonical URL's host and
path, folded, with a short hash of the whole URL:
    >>> path_key("Bài viết 01")
    'bai-viet-01'
    >>> path_key("000_a93f86c15c9b428d")
    '000_a93f86c15c9b428d'
    >>> url_key("https://www.baothanhhoa.vn/thoi-su/hoi-nghi-tong-ket-chi-thi-39-123.htm?utm=x")
    'baothanhhoa-vn-thoi-su-hoi-nghi-tong-ket-chi-thi-39-123-htm-da4451'

Two sources with one key (`A.txt` and `a.txt`, the same URL saved twice) are told apart by `unique`: the source
whose name is its key already, else the first by name, keeps the key; each other gets a hash of its own name
(its path relative to the input) appended, so its identifier depends on its own name, not on the order found.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from mappings.reading.text import fold, strip_invisible

MAX_KEY = 80   # characters of a key before its hash: an IRI segment one can still read
_NOT_KEY = re.compile(r"[^a-z0-9_]+")


def short_hash(text: str, size: int = 6) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:size]


def path_key(stem: str) -> str:
    """The key of a file's stem; a name with nothing left to read gives `article-` and a hash of the name.

    >>> path_key("bai_h" + bytes([0xf4]).decode("utf-8", "surrogateescape"))
    'bai_h-f4'
    >>> path_key("文章")
    'article-7d5a89'
    """
    readable = "".join(f"-{ord(c) - 0xdc00:02x}-" if 0xdc80 <= ord(c) <= 0xdcff else c for c in strip_invisible(stem))
    key = _key(readable)
    return key or f"article-{short_hash(stem)}"


def url_key(url: str) -> str:
    """Host (without `www.`) and path, folded and cut to MAX_KEY, then a hash of the whole URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return "-".join(filter(None, [_key(f"{host} {parts.path}")[:MAX_KEY].strip("-"), short_hash(url)]))


def _key(text: str) -> str:
    return _NOT_KEY.sub("-", fold(text)).strip("-")


def unique(keys: Sequence[str], names: Sequence[str], canonical: Sequence[bool]) -> list[str]:
    """One identifier per source, none twice: `keys[i]` as is when no other source has it; else the canonical
    source (its name is its key already), or the first by name, keeps it and each other gets `-` and a hash of
    its own name.

    >>> unique(["a", "a", "bai-viet"], ["A.txt", "a.txt", "bài viết.txt"], [False, True, False])
    ['a-48266a', 'a', 'bai-viet']
    """
    holders: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        holders.setdefault(key, []).append(index)
    result = list(keys)
    taken = set(keys)
    for key, indexes in holders.items():
        if len(indexes) == 1:
            continue
        keeper = min(indexes, key=lambda i: (not canonical[i], names[i]))
        for index in sorted(set(indexes) - {keeper}, key=lambda i: names[i]):
            size = 6
            while (candidate := f"{key}-{short_hash(names[index], size)}") in taken:
                size += 2
            result[index] = candidate
            taken.add(candidate)
    return result

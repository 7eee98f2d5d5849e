"""Rendered descriptions kept in memory, so that a page asked for again costs no query and no template.

A description's bytes are fixed by its strong ETag (the build served, the resource, the form, the page
language, the page of incoming links: `routes.resources.etag`) and the URL asked for; the published build
never changes under a running server. The least recently used are dropped past `max_bytes`. Cookies are
not kept: each response sets its own (`i18n.remember`).
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from starlette.responses import Response

Key = tuple[str, str]  # (ETag, URL)
NOT_KEPT = {"content-length", "set-cookie", "vary"}


@dataclass(frozen=True, slots=True)
class _Kept:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]


class ResponseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[Key, _Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Response | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            self._kept.move_to_end(key)
        return Response(kept.body, status_code=kept.status, headers=dict(kept.headers))

    def put(self, key: Key, response: Response) -> None:
        body = bytes(response.body)
        if len(body) > self.max_bytes // 16:  # a huge page would push out many small ones
            return
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() not in NOT_KEPT)
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = _Kept(body, response.status_code, headers)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped.body)

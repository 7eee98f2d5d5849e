"""What vankien says to a remote SPARQL store: queries by the SPARQL 1.1 Protocol, changes by SPARQL 1.1
Update over HTTP (https://www.w3.org/TR/sparql11-protocol/), nothing store-specific. Standard library
only: the build and the query workers use it without a web framework.

A query's answer comes back as the open HTTP response, a binary file: parsers read it as it arrives.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from http.client import HTTPResponse
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded; charset=utf-8"
ERROR_TEXT = 2000  # characters of a store's error page kept in the message


class StoreError(RuntimeError):
    """The store refused a request (`status` is its HTTP status) or could not be reached (`status` 0)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where a store answers: `query` (SPARQL 1.1 Protocol) and, to publish into it, `update`."""

    query: str
    update: str | None = None
    timeout_s: float = 60.0

    def __post_init__(self) -> None:
        for url in (self.query, self.update):
            if url is not None and not url.startswith(("http://", "https://")):
                raise ValueError(f"not an http(s) URL for a SPARQL store: {url!r}")


def post_query(endpoint: Endpoint, query: str, accept: str, default_graphs: Sequence[str] = (),
               named_graphs: Sequence[str] = (), timeout_s: float | None = None) -> HTTPResponse:
    """POSTs the query (form-encoded, with the dataset's graphs) and returns the open response."""
    fields = [("query", query), *(("default-graph-uri", g) for g in default_graphs),
              *(("named-graph-uri", g) for g in named_graphs)]
    return _post(endpoint.query, urlencode(fields).encode(), accept, timeout_s or endpoint.timeout_s)


def post_update(endpoint: Endpoint, update: str) -> None:
    """Runs one SPARQL Update request (all its operations, in order); raises StoreError when refused."""
    if endpoint.update is None:
        raise StoreError(f"{endpoint.query}: no update endpoint given, the store cannot be written")
    with _post(endpoint.update, urlencode({"update": update}).encode(), "*/*", endpoint.timeout_s) as response:
        response.read()


def _post(url: str, body: bytes, accept: str, timeout_s: float) -> HTTPResponse:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": FORM, "Accept": accept})
    try:
        response: HTTPResponse = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        text = error.read(ERROR_TEXT).decode("utf-8", "replace").strip()
        raise StoreError(f"{url}: the store answered {error.code}: {text}", error.code) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise StoreError(f"{url}: the store did not answer: {reason}") from None
    return response

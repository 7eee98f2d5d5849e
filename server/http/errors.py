"""Errors a request can end in. One handler (`main.create_app`) turns them into responses
(datasette's `DatasetteError(message, status)`)."""


class HttpError(Exception):
    """An error the client should see, with its HTTP status and a plain-words message."""

    status = 500
    retry_after: int | None = None  # seconds, sent as `Retry-After` (503, 429)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(HttpError):
    """A malformed request or SPARQL query (the message is the parser's)."""

    status = 400


class Forbidden(HttpError):
    """Something this read-only server never does (SPARQL Update)."""

    status = 403


class NotFound(HttpError):
    status = 404


class PayloadTooLarge(HttpError):
    """A query longer than the endpoint takes, refused before it is read whole."""

    status = 413


class QueryTimeout(HttpError):
    """The query ran out of time and its worker was stopped."""

    status = 503
    retry_after = 5


class ServiceBusy(HttpError):
    """Every query worker stayed busy for longer than a request may wait."""

    status = 503
    retry_after = 2


class StoreUnavailable(HttpError):
    """The remote store a `--store` server reads failed or did not answer."""

    status = 502

"""The server's one configuration object (full-stack-fastapi-template `core/config.py`).

pydantic-settings is not a dependency, so `Settings` is a frozen dataclass; `from_env` reads
`VANKIEN_<FIELD>` variables:

>>> Settings.from_env({"VANKIEN_PORT": "8080", "VANKIEN_DATA_DIR": "/srv/vankien"}).port
8080
>>> Settings.from_env({"VANKIEN_DATASET": "data.trig"}).dataset
PosixPath('data.trig')
"""

import os
import tempfile
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_PREFIX = "VANKIEN_"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")  # the build's output directory: holds `current -> builds/<id>`
    dataset: Path | None = None  # an RDF file to serve instead of a build (`vankien serve --dataset`)
    store: str | None = None  # the SPARQL query URL of a remote store a build was published into (`--store`)
    dumps_cache: Path = Path(tempfile.gettempdir()) / "vankien-dumps"  # a `--store` server's dumps, per build
    base_uri: str | None = None  # the public address, behind a proxy; None: the address each request came to
    dataset_base: str | None = None  # the IRIs' `<base>id/...` of a file or remote store (a build's manifest says)
    keep_default_graph: bool = False  # a file's empty default graph stays empty (else: the union of its graphs)
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout_s: float = 10.0  # per client query; its worker process is killed at the limit
    row_limit: int = 10_000  # SPARQL answers are cut there, and say so in `X-SPARQL-MaxRows`
    workers: int = 0  # query worker processes; 0: two per core (one lane for long queries, one for short)
    long_query_s: float = 1.0  # a client query still running after this long is a long one ...
    long_queries: int = 0  # ... and at most this many may run at once (0: one per core; fewer than `workers`)
    queue_wait_s: float = 5.0  # longest wait for a free worker, then 503 + Retry-After
    worker_memory_mb: int = 4096  # address space of each worker; a query past it fails alone
    client_rate: float = 20.0  # queries per second per client address, sustained ...
    client_burst: int = 40  # ... with bursts up to this; then 429 + Retry-After
    client_concurrency: int = 8  # queries in flight per client address
    follow_s: float = 1.0  # how often a `--data` server looks for a newly published build (0: never)
    kept_responses_mb: int = 64  # pages, search and lists answered again from memory (`server.http.response_cache`)
    page_workers: int | None = None  # processes that make resource pages (`--workers`); None: one per core, 0: none

    def __post_init__(self) -> None:
        if self.base_uri is not None:
            check_address(self.base_uri, "--base-uri")
        if self.dataset_base is not None and not self.dataset_base.endswith("/"):
            raise ValueError(f"the dataset base must end with '/': {self.dataset_base!r}")

    @property
    def pool_size(self) -> int:
        return self.workers or 2 * (os.cpu_count() or 1)

    @property
    def page_pool_size(self) -> int:
        """Page worker processes: a first visit's page is made in one, so pages are made on every core at once
        (0: in the server process, in threads that share one core)."""
        return os.cpu_count() or 1 if self.page_workers is None else max(0, self.page_workers)

    @property
    def long_slots(self) -> int:
        """Long queries at once: fewer than the workers (when there are two or more), so short ones find one."""
        return max(1, min(self.long_queries or os.cpu_count() or 1, self.pool_size - 1))

    def stated_limits(self) -> dict[str, str]:
        """The limits a client runs into, as the query page and the service description state them."""
        return {
            "timeout": f"{self.query_timeout_s:g}", "rows": str(self.row_limit), "long_after": f"{self.long_query_s:g}",
            "long_slots": str(self.long_slots), "wait": f"{self.queue_wait_s:g}", "rate": f"{self.client_rate:g}",
            "burst": str(self.client_burst), "concurrency": str(self.client_concurrency),
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """Defaults overridden by `VANKIEN_DATA_DIR`, `VANKIEN_BASE_URI`, `VANKIEN_PORT` ..."""
        values = {
            field.name: _converter(field.type)(environ[ENV_PREFIX + field.name.upper()])
            for field in fields(cls)
            if ENV_PREFIX + field.name.upper() in environ
        }
        return cls(**values)


def check_address(address: str, name: str) -> None:
    """An address the server can be reached at: `http(s)://host[:port]/`. The server answers at the root of
    its address (its links start with `/`), so a path is refused here rather than give 404s behind a proxy."""
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{name} must be an http(s) address like https://example.org/: {address!r}")
    if parts.path != "/":
        raise ValueError(
            f"{name} {address!r}: the server answers at the root of an address (http(s)://host[:port]/), "
            f"not under {parts.path!r}; give a proxy a host of its own for it"
        )


def _converter(annotation: Any) -> Callable[[str], Any]:
    """The type a variable's text becomes: `Path | None` reads as a `Path`."""
    if annotation is bool:
        return lambda text: text.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(annotation, types.UnionType):
        return next(arg for arg in annotation.__args__ if arg is not type(None))  # type: ignore[no-any-return]
    return annotation  # type: ignore[no-any-return]

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

ENV_PREFIX = "VANKIEN_"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("data")  # the build's output directory: holds `current -> builds/<id>`
    dataset: Path | None = None  # an RDF file to serve instead of a build (`vankien serve --dataset`)
    store: str | None = None  # the SPARQL query URL of a remote store a build was published into (`--store`)
    dumps_cache: Path = Path(tempfile.gettempdir()) / "vankien-dumps"  # a `--store` server's dumps, per build
    base_uri: str = "http://localhost:8000/"  # resource IRIs are `<base_uri>id/...`
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

    def __post_init__(self) -> None:
        if not self.base_uri.endswith("/"):
            raise ValueError(f"base_uri must end with '/': {self.base_uri!r}")

    @property
    def pool_size(self) -> int:
        return self.workers or 2 * (os.cpu_count() or 1)

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


def _converter(annotation: Any) -> Callable[[str], Any]:
    """The type a variable's text becomes: `Path | None` reads as a `Path`."""
    if isinstance(annotation, types.UnionType):
        return next(arg for arg in annotation.__args__ if arg is not type(None))  # type: ignore[no-any-return]
    return annotation  # type: ignore[no-any-return]

"""Running the real server for tests: `vankien serve` in a subprocess (uvicorn), reached over HTTP.

`running_server(data_dir)` serves a build directory, `running_server(dataset=FILE)` any RDF file,
`running_server(store=URL, log_dir=DIR)` what a build published into a remote SPARQL store;
settings (`row_limit`, `query_timeout_s` ...) go through `VANKIEN_*` environment variables.
`seeds_build` is the project's seeds built once per test session by `vankien build`.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
BASE_URI = "http://localhost:8000/"
UNTHROTTLED = {"client_rate": "100000", "client_burst": "100000", "client_concurrency": "1000"}
VANKIEN = [sys.executable, "-c", "import sys; from mappings.cli.commands import main; sys.exit(main())"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    data_dir: Path | None = None, *, dataset: Path | None = None, store: str | None = None,
    log_dir: Path | None = None, base_uri: str | None = BASE_URI, options: tuple[str, ...] = (), **settings: str
) -> Iterator[str]:
    """`vankien serve --data DIR` (or `--dataset FILE`) on a free loopback port; yields its URL once
    `/healthz` answers, and stops it afterwards. `base_uri=None`: served at its own address; `options`: more flags."""
    port = free_port()
    source = ["--dataset", str(dataset)] if dataset else ["--store", store] if store else ["--data", str(data_dir)]
    address = ["--base-uri", base_uri] if base_uri else []
    command = [*VANKIEN, "serve", *source, "--port", str(port), *address, *options]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Tests of other things fire requests faster than one client may: per-client limits opened wide
    # unless a test sets them.
    env.update({f"VANKIEN_{key.upper()}": value for key, value in {**UNTHROTTLED, **settings}.items()})
    log = (log_dir or data_dir or dataset.parent) / f"server-{port}.log"  # type: ignore[union-attr]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, proc, log)
        yield url
    finally:
        stop(proc, timeout_s=5)


def stop(proc: subprocess.Popen[bytes], timeout_s: float = 10) -> None:
    """SIGTERM, then SIGKILL after `timeout_s`; only this process (a vankien server stops its own workers)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"server did not answer /healthz within 60 s:\n{log.read_text()}")


def build_seeds(out: Path) -> Path:
    """`vankien build` of the project's seeds into `out`; returns `out`."""
    subprocess.run(
        [*VANKIEN, "build", "--articles", str(SEEDS), "--out", str(out), "--base-uri", BASE_URI],
        cwd=ROOT, check=True, capture_output=True,
    )
    return out

"""The servers `bench.http` compares, each started on loopback from one vankien build.

  vankien          `vankien serve --data OUT` (the build's own store; hardening as it ships: the pool of query
                   worker processes, time limit, row cap, pre-check; only the per-client rate limits are opened,
                   since every benchmark client comes from 127.0.0.1)
  oxigraph         the Oxigraph server (`oxigraph serve-read-only`, PyPI package `oxigraph`) over a store loaded
                   from the build's dumps: `vankien.nq.gz` (the named graphs) + `vankien.nt.gz` (the union, into
                   the default graph, as vankien's store has it); then `oxigraph optimize`, as the build does
  rdflib-endpoint  `rdflib-endpoint serve vankien.nq` (PyPI `rdflib-endpoint`): rdflib's in-memory Dataset with
                   `default_union=True`, so its default graph is the union of the named graphs, as vankien's

Stores and files prepared for the peers live in `OUT/peers/` and are reused while the build is the same.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.serving import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VANKIEN = [sys.executable, "-c", "import sys; from mappings.cli.commands import main; sys.exit(main())"]
# One address sends every request here: the per-client limits (20 queries/s, 8 at once) would measure the
# limiter, not the server. Everything else stays as `vankien serve` ships it.
UNTHROTTLED = {"VANKIEN_CLIENT_RATE": "1000000", "VANKIEN_CLIENT_BURST": "1000000", "VANKIEN_CLIENT_CONCURRENCY": "100000"}
NAMES = ("vankien", "oxigraph", "rdflib-endpoint")


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    root: str        # http://127.0.0.1:PORT
    sparql: str      # its SPARQL endpoint
    pid: int         # the process that answers HTTP (vankien's query workers are its children)
    log: Path


def build_info(out: Path) -> tuple[Path, dict]:
    """The directory of the build `out/current` points to, and its manifest."""
    build_dir = (out / "current").resolve()
    return build_dir, json.loads((build_dir / "manifest.json").read_text("utf-8"))


def _prepared(marker: Path, build_id: str) -> bool:
    return marker.exists() and marker.read_text().strip() == build_id


def prepare_oxigraph(out: Path, report=print) -> Path:
    """An Oxigraph store of the build's dumps (named graphs from N-Quads, the union from N-Triples)."""
    build_dir, manifest = build_info(out)
    location = out / "peers" / "oxigraph"
    marker = out / "peers" / "oxigraph.build"
    if _prepared(marker, manifest["build_id"]):
        return location
    shutil.rmtree(location, ignore_errors=True)
    location.parent.mkdir(parents=True, exist_ok=True)
    dumps = build_dir / "dumps"
    started = time.monotonic()
    oxigraph = str(BIN / "oxigraph")
    subprocess.run([oxigraph, "load", "--location", str(location), "--file",
                    str(dumps / "vankien.nq.gz"), str(dumps / "vankien.nt.gz")], check=True, capture_output=True)
    subprocess.run([oxigraph, "optimize", "--location", str(location)], check=True, capture_output=True)
    marker.write_text(manifest["build_id"])
    report(f"oxigraph: loaded vankien.nq.gz + vankien.nt.gz into {location} in {time.monotonic() - started:.0f} s")
    return location


def prepare_rdflib(out: Path, report=print) -> Path:
    """The build's N-Quads dump, uncompressed (rdflib reads files by extension)."""
    build_dir, manifest = build_info(out)
    path = out / "peers" / "vankien.nq"
    marker = out / "peers" / "vankien.nq.build"
    if _prepared(marker, manifest["build_id"]):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(build_dir / "dumps" / "vankien.nq.gz", "rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    marker.write_text(manifest["build_id"])
    report(f"rdflib-endpoint: wrote {path}")
    return path


@contextmanager
def running(name: str, out: Path, log_dir: Path, start_timeout: float = 900, report=print) -> Iterator[Server]:
    """Starts the server `name` over the build in `out` on 127.0.0.1 and stops it afterwards."""
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if name == "vankien":
        _, manifest = build_info(out)
        base = manifest["meta"].get("base_uri", "http://localhost:8000/")
        command = [*VANKIEN, "serve", "--data", str(out), "--host", "127.0.0.1", "--port", str(port), "--base-uri", base]
        env.update(UNTHROTTLED)
        sparql, ready = root + "/sparql", root + "/healthz"
    elif name == "oxigraph":
        location = prepare_oxigraph(out, report)
        command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        sparql, ready = root + "/query", root + "/"
    elif name == "rdflib-endpoint":
        path = prepare_rdflib(out, report)
        command = [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port), str(path)]
        sparql, ready = root + "/", root + "/"
    else:
        raise ValueError(f"unknown server {name!r}; one of {', '.join(NAMES)}")
    log = log_dir / f"{name}-{port}.log"
    log_dir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink, start_new_session=True)
    try:
        started = time.monotonic()
        _wait(ready, process, log, start_timeout)
        report(f"{name}: up on {root} after {time.monotonic() - started:.1f} s (pid {process.pid}, log {log})")
        yield Server(name, root, sparql, process.pid, log)
    finally:
        stop(process)


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"no answer from {url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def cpu_seconds(pid: int, children: bool = True) -> float:
    """User + system CPU time of `pid` and (unless `children` is false) all processes below it that are alive."""
    total = 0
    for current in tree(pid) if children else [pid]:
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / _TICK


def rss(pid: int) -> int:
    """VmRSS of one process, in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

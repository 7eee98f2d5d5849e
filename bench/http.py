"""HTTP benchmarks: vankien side by side with the Oxigraph server and rdflib-endpoint, on one build.

    python -m bench.http                         # 1k-article build; mix at c=1 and c=16, pages, dumps
    python -m bench.http --articles 10000 --peers vankien oxigraph --skip pages   # pages take seconds at 10k
    python -m bench.http --out data --seconds 3 --rounds 1     # any build directory, a short run

Builds the corpus `bench.corpus --articles N --seed S` into `WORK/http-N` once (reused afterwards), starts
the three servers on 127.0.0.1 over that build (`bench.peers`), checks that they hold the same triples
and give the same number of answers to every query of the mix (`bench/queries/*.rq`), then measures in
interleaved rounds (each round runs every server once, the order rotating), so that all servers share
the same moments of a noisy machine; a table gives the medians over rounds and the ratios of the
same rounds. Then, for vankien alone: linked-data pages and search at concurrency 16, and the time to
download each dump while the server's resident memory is sampled.

Load comes from a separate process (asyncio + aiohttp, HTTP/1.1 keep-alive, one connection per
client); its own ceiling is measured against a trivial request and printed with the results.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

from bench import peers

QUERIES = Path(__file__).resolve().parent / "queries"
QUERY_BASE = "http://localhost:8000/"  # the base URI the .rq files are written with
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
IDENTITY = {"Accept-Encoding": "identity"}  # no compression asked of any server: the same bytes cross for all
# Linked-data pages, search and a trivial route (vankien only); each kind cycles through its paths.
PAGES = {  # kind: (paths, distinct); distinct: each request made unique, so no kept answer serves it
    "document page": (["/doc/document/tw/2018/chi-thi/110"], False),
    "document page, first visit": (["/doc/document/tw/2018/chi-thi/110"], True),
    "province page": (["/doc/province/ho-chi-minh"], False),
    "search": (["/search?q=" + quote(q) for q in ("chi thi 18", "Thanh Hóa", "bí thư tỉnh ủy")], False),
    "search, first visit": (["/search?q=" + quote(q) for q in ("chi thi 18", "Thanh Hóa", "bí thư tỉnh ủy")], True),
    "healthz (trivial)": (["/healthz"], False),
}
COUNTS = {
    "default graph triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "named-graph quads": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "named graphs": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
}


# ---------------------------------------------------------------------------------------------- the mix

@dataclass(frozen=True, slots=True)
class Query:
    name: str
    text: str
    weight: int
    graph: bool  # DESCRIBE / CONSTRUCT: answered as N-Triples, counted in triples

    @property
    def accept(self) -> str:
        return N_TRIPLES if self.graph else JSON_RESULTS


# Resources that differ from corpus to corpus (officials' IRIs end in a hash): `<pick:NAME>` in a .rq file is
# replaced by what this query finds in the build's store.
PICKS = {
    "busiest-official": """SELECT ?pick WHERE { ?pick a <https://w3id.org/vankien/ontology#Official> ;
        <http://www.w3.org/ns/org#hasMembership> ?membership } GROUP BY ?pick ORDER BY DESC(COUNT(?membership)) ?pick
        LIMIT 1""",
}


def picks(store: Path) -> dict[str, str]:
    """`<pick:NAME>` → the IRI PICKS[NAME] finds in the store at `store`."""
    from pyoxigraph import Store

    opened = Store.read_only(str(store))
    return {f"<pick:{name}>": str(next(iter(opened.query(query)))["pick"]) for name, query in PICKS.items()}


def load_queries(directory: Path, base: str, picked: dict[str, str] | None = None) -> list[Query]:
    """The `.rq` files of `directory`; `# weight: N` in a file sets how often it comes in the mix."""
    queries = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text("utf-8").replace(QUERY_BASE, base)
        for placeholder, iri in (picked or {}).items():
            text = text.replace(placeholder, iri)
        weight = re.search(r"^#\s*weight:\s*(\d+)", text, re.MULTILINE)
        body = re.sub(r"^#.*$", "", text, flags=re.MULTILINE)
        graph = re.search(r"\b(DESCRIBE|CONSTRUCT)\b", body, re.IGNORECASE) is not None
        queries.append(Query(path.stem, text, int(weight.group(1)) if weight else 1, graph))
    if not queries:
        raise SystemExit(f"no .rq files in {directory}")
    return queries


def sequence(weights: list[int], seed: int) -> list[int]:
    """One cycle of the mix: each index `weight` times, spread out (a seeded shuffle)."""
    import random

    cycle = [index for index, weight in enumerate(weights) for _ in range(weight)]
    random.Random(seed).shuffle(cycle)
    return cycle


def query_url(endpoint: str, query: str) -> str:
    return endpoint + "?" + urlencode({"query": query}, quote_via=quote)


# ---------------------------------------------------------------------------------- the load generator

@dataclass(slots=True)
class LoadSpec:
    requests: list[tuple[str, dict[str, str]]]  # (URL, headers); a run cycles through `order` over these
    order: list[int]
    concurrency: int
    seconds: float  # no new request after this
    max_requests: int
    timeout: float  # per request
    stream: bool = False  # read bodies in chunks and drop them (downloads)
    distinct: bool = False  # add `n=<request number>` to each URL: no two requests alike
    once: bool = False  # each of `order` once, then stop (a crawler's first visit of every page)


@dataclass(slots=True)
class LoadResult:
    records: list[tuple[int, float, int, int]]  # (request index, latency s, status or -1, bytes)
    elapsed: float
    client_cpu: float  # CPU seconds the load process spent
    server_cpu: float = 0.0  # CPU seconds of the server's process tree during the run
    main_cpu: float = 0.0  # ... of which its main process (vankien: the event loop; not its query workers)
    errors: dict[str, int] = field(default_factory=dict)

    def ok(self) -> list[tuple[int, float, int, int]]:
        return [r for r in self.records if r[2] == 200]

    def rate(self) -> float:
        return len(self.ok()) / self.elapsed if self.elapsed else 0.0


def _child(conn) -> None:
    while True:
        try:
            spec = conn.recv()
        except EOFError:
            return
        conn.send(asyncio.run(_load(spec)))


async def _load(spec: LoadSpec) -> LoadResult:
    import aiohttp
    import yarl

    urls = [(yarl.URL(url, encoded=True), {**IDENTITY, **headers}) for url, headers in spec.requests]
    records: list[tuple[int, float, int, int]] = []
    errors: dict[str, int] = {}
    sent = 0
    cpu = time.process_time()
    timeout = aiohttp.ClientTimeout(total=spec.timeout)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as session:
        started = time.perf_counter()
        stop = started + spec.seconds

        async def client() -> None:
            nonlocal sent
            while sent < spec.max_requests and time.perf_counter() < stop and not (spec.once and sent >= len(spec.order)):
                index = spec.order[sent % len(spec.order)]
                sent += 1
                url, headers = urls[index]
                if spec.distinct:
                    url = url.update_query(n=sent)
                begun = time.perf_counter()
                try:
                    async with session.get(url, headers=headers, allow_redirects=False) as response:
                        if spec.stream:
                            size = 0
                            async for chunk in response.content.iter_chunked(1 << 16):
                                size += len(chunk)
                        else:
                            size = len(await response.read())
                        status = response.status
                except (TimeoutError, aiohttp.ClientError) as error:
                    status, size = -1, 0
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                records.append((index, time.perf_counter() - begun, status, size))

        await asyncio.gather(*(client() for _ in range(spec.concurrency)))
        elapsed = time.perf_counter() - started
    return LoadResult(records, elapsed, time.process_time() - cpu, errors=errors)


class LoadGenerator:
    """A separate process that runs one load at a time; the server's CPU is read around each run."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_child, args=(child,), daemon=True)
        self._process.start()
        child.close()

    def run(self, spec: LoadSpec, server_pid: int | None = None) -> LoadResult:
        before = peers.cpu_seconds(server_pid) if server_pid else 0.0
        main_before = peers.cpu_seconds(server_pid, children=False) if server_pid else 0.0
        self._conn.send(spec)
        result: LoadResult = self._conn.recv()
        if server_pid:
            result.server_cpu = peers.cpu_seconds(server_pid) - before
            result.main_cpu = peers.cpu_seconds(server_pid, children=False) - main_before
        return result

    def close(self) -> None:
        self._conn.close()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


# ------------------------------------------------------------------------------------------ statistics

def quantile(values: list[float], q: float) -> float:
    """The q-quantile (0..1), linear between order statistics; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: list[float]) -> float:
    values = [v for v in values if not math.isnan(v)]
    return statistics.median(values) if values else float("nan")


@dataclass(slots=True)
class Series:
    """The rounds of one (server, concurrency) or one page kind."""

    runs: list[LoadResult] = field(default_factory=list)

    def rate(self) -> float:
        return median([run.rate() for run in self.runs])

    def latency(self, q: float, index: int | None = None) -> float:
        """Median over rounds of each round's q-quantile, in ms (of one request index if given)."""
        return median([quantile([r[1] for r in run.ok() if index is None or r[0] == index], q) * 1000
                       for run in self.runs])

    def requests(self) -> int:
        return sum(len(run.records) for run in self.runs)

    def failed(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for run in self.runs:
            for record in run.records:
                if record[2] != 200:
                    key = "error" if record[2] < 0 else str(record[2])
                    counts[key] = counts.get(key, 0) + 1
            for name, n in run.errors.items():
                counts[name] = counts.get(name, 0) + n
        counts.pop("error", None)
        return counts

    def cpu_per_request(self) -> float:
        """Server CPU ms per answered request, median over rounds."""
        return median([run.server_cpu * 1000 / len(run.ok()) if run.ok() else float("nan") for run in self.runs])

    def cores(self, main: bool = False) -> float:
        """Cores the server (or only its main process) kept busy during a round, median over rounds."""
        return median([(run.main_cpu if main else run.server_cpu) / run.elapsed for run in self.runs if run.elapsed])

    def client_cpu(self) -> float:
        """The load process's share of one core, median over rounds."""
        return median([run.client_cpu / run.elapsed for run in self.runs if run.elapsed])


def fmt(value: float, digits: int = 1) -> str:
    return "–" if math.isnan(value) else f"{value:,.{digits}f}"


# ------------------------------------------------------------------------------------- checks, counts

def fetch(url: str, accept: str, timeout: float) -> httpx.Response:
    response = httpx.get(url, headers={"Accept": accept, **IDENTITY}, timeout=timeout)
    response.raise_for_status()
    return response


def answer_size(response: httpx.Response) -> int:
    """Rows of a SELECT, 1/0 for ASK, triples of a graph (any RDF syntax the server chose)."""
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if media.endswith("json") and "sparql-results" in media or media == "application/json":
        data = response.json()
        return int(data["boolean"]) if "boolean" in data else len(data["results"]["bindings"])
    import rdflib

    body = response.content
    if body.lstrip().startswith(b"<?xml") and b"<rdf:RDF" in body[:4096]:
        media = "application/rdf+xml"  # rdflib-endpoint labels a DESCRIBE's RDF/XML as SPARQL results
    graph = rdflib.Graph()
    graph.parse(data=body, format=rdflib.util.guess_format("x." + _suffix(media)) or media)
    return len(graph)


def _suffix(media: str) -> str:
    return {"application/n-triples": "nt", "text/turtle": "ttl", "application/rdf+xml": "rdf",
            "application/ld+json": "jsonld", "application/n-quads": "nq", "application/trig": "trig"}.get(media, "nt")


def count_of(response: httpx.Response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def verify(servers: list[peers.Server], queries: list[Query], timeout: float, out=print) -> bool:
    """Same triples, same number of answers to every query of the mix on every server; loud if not."""
    names = [s.name for s in servers]
    ok = True
    out("\n| dataset | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names))
    for label, query in COUNTS.items():
        values = []
        for server in servers:
            try:
                values.append(count_of(fetch(query_url(server.sparql, query), JSON_RESULTS, timeout)))
            except (httpx.HTTPError, KeyError, ValueError) as error:
                values.append(f"failed: {type(error).__name__}")
        same = len(set(values)) == 1
        ok &= same
        out(f"| {label} | " + " | ".join(f"{v:,}" if isinstance(v, int) else v for v in values) + " |"
            + ("" if same else "  **MISMATCH**"))
    out("\n| query (answers) | weight | " + " | ".join(names) + " |\n|---|---:|" + "---:|" * len(names))
    for query in queries:
        values = []
        for server in servers:
            try:
                values.append(answer_size(fetch(query_url(server.sparql, query.text), query.accept, timeout)))
            except Exception as error:  # noqa: BLE001 - shown in the table
                values.append(f"failed: {type(error).__name__}")
        same = len(set(values)) == 1 and isinstance(values[0], int) and values[0] > 0
        ok &= same
        out(f"| {query.name} | {query.weight} | " + " | ".join(f"{v:,}" if isinstance(v, int) else v for v in values)
            + " |" + ("" if same else "  **MISMATCH**" if len(set(values)) > 1 else "  **NO ANSWERS**"))
    if not ok:
        banner = "!" * 100
        print(f"\n{banner}\nMISMATCH: the servers do not hold the same data or give different answers; "
              f"ratios below compare different work\n{banner}\n", file=sys.stderr, flush=True)
        out("\n**MISMATCH: the servers disagree (see above); the comparison is not like for like.**")
    return ok


# ------------------------------------------------------------------------------------------ the runs

def sparql_mix(gen: LoadGenerator, servers: list[peers.Server], queries: list[Query], args: argparse.Namespace,
               report) -> dict[tuple[str, int], Series]:
    order = sequence([q.weight for q in queries], args.seed)
    results: dict[tuple[str, int], Series] = {}
    for concurrency in args.concurrency:
        for round_ in range(args.rounds):
            rotation = servers[round_ % len(servers):] + servers[: round_ % len(servers)]
            for server in rotation:
                bounded = server.name == "rdflib-endpoint"
                spec = LoadSpec(
                    requests=[(query_url(server.sparql, q.text), {"Accept": q.accept}) for q in queries],
                    order=order,
                    concurrency=concurrency,
                    seconds=args.rdflib_seconds if bounded else args.seconds,
                    max_requests=args.rdflib_requests if bounded else args.max_requests,
                    timeout=args.rdflib_timeout if bounded else args.timeout,
                )
                run = gen.run(spec, server.pid)
                results.setdefault((server.name, concurrency), Series()).runs.append(run)
                report(f"  mix c={concurrency} round {round_ + 1}/{args.rounds} {server.name}: "
                       f"{len(run.ok())}/{len(run.records)} ok in {run.elapsed:.1f} s = {run.rate():,.0f}/s, "
                       f"server CPU {run.server_cpu / run.elapsed:.2f} cores, load process {run.client_cpu / run.elapsed:.2f}")
    return results


def pages(gen: LoadGenerator, server: peers.Server, args: argparse.Namespace, report) -> dict[str, Series]:
    results: dict[str, Series] = {}
    kinds = list(PAGES)
    for round_ in range(args.rounds):
        for kind in kinds[round_ % len(kinds):] + kinds[: round_ % len(kinds)]:
            run = gen.run(page_spec(server, kind, args), server.pid)
            results.setdefault(kind, Series()).runs.append(run)
            report(f"  {kind} round {round_ + 1}/{args.rounds}: {len(run.ok())}/{len(run.records)} ok, "
                   f"{run.rate():,.0f}/s")
    return results


def page_spec(server: peers.Server, kind: str, args: argparse.Namespace) -> LoadSpec:
    paths, distinct = PAGES[kind]
    return LoadSpec([(server.root + path, {"Accept": "text/html"}) for path in paths], list(range(len(paths))), 16,
                    args.seconds, args.max_requests, args.timeout, distinct=distinct)


KEPT_VISITS = 1500  # pages fetched again after first visits: what the kept responses hold (64 MiB) at 3k-30k
# Every resource with a page: the subjects under the build's base (not the `#f-` statements inside articles).
RESOURCES = """SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{id}") && !CONTAINS(STR(?s), "#")) }}"""
MOST_CITED = """SELECT ?s (COUNT(*) AS ?n) WHERE { ?a <https://w3id.org/vankien/ontology#mentions> ?s .
  ?s a <https://w3id.org/vankien/ontology#Document> } GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 10"""


def resource_paths(store: Path, base: str, seed: int) -> tuple[list[str], list[str]]:
    """Every resource page of the build (`/doc/...`), in a seeded random order; and the ten most cited documents."""
    import random

    from pyoxigraph import Store

    opened = Store.read_only(str(store))
    rows = opened.query(RESOURCES.format(id=base + "id/"))
    paths = sorted("/doc/" + row["s"].value.removeprefix(base + "id/") for row in rows)
    random.Random(seed).shuffle(paths)
    cited = ["/doc/" + row["s"].value.removeprefix(base + "id/") for row in opened.query(MOST_CITED)]
    return paths, cited


def kind_of(path: str) -> str:
    """`/doc/document/tw/...` → document."""
    return path.split("/")[2]


@dataclass(slots=True)
class Visits:
    """First visits of distinct pages (each once, no kept answer can serve them), then the same pages again."""

    first: Series = field(default_factory=Series)
    kept: Series = field(default_factory=Series)
    cited_first: list[float] = field(default_factory=list)  # ms, one client, the most cited documents
    paths: list[list[str]] = field(default_factory=list)  # per round


def visits(gen: LoadGenerator, server: peers.Server, build_dir: Path, base: str, args: argparse.Namespace,
           report) -> Visits:
    """Each round fetches `args.visits` pages no round fetched before at c=16, once each (`--visits 0`: every page
    of the build, one round), then the last `KEPT_VISITS` of them again (kept); then the most cited documents once
    each at c=1 (not fetched before: the paths sorted last)."""
    paths, cited = resource_paths(build_dir / "store", base, args.seed)
    paths = [p for p in paths if p not in cited]
    size = args.visits or len(paths)
    found = Visits()
    for round_ in range(args.rounds if args.visits else 1):
        chosen = paths[round_ * size:(round_ + 1) * size]
        if not chosen:
            break
        found.paths.append(chosen)
        requests = [(server.root + path, {"Accept": "text/html"}) for path in chosen]
        for series, order in ((found.first, range(len(chosen))), (found.kept, range(len(chosen))[-KEPT_VISITS:])):
            spec = LoadSpec(requests, list(order), 16, 3600.0, len(order), args.timeout, once=True)
            run = gen.run(spec, server.pid)
            series.runs.append(run)
            report(f"  distinct pages round {round_ + 1} ({'kept' if series is found.kept else 'first'}):"
                   f" {len(run.ok())}/{len(run.records)} ok, {run.rate():,.0f}/s")
    for path in cited:
        begun = time.perf_counter()
        response = httpx.get(server.root + path, headers={"Accept": "text/html", **IDENTITY}, timeout=args.timeout)
        found.cited_first.append((time.perf_counter() - begun) * 1000)
        if response.status_code != 200:
            report(f"  {path}: {response.status_code}")
    return found


def visits_table(found: Visits, articles: object) -> list[str]:
    lines = [("| articles | pages | visit | not 200 | pages/s | p50 ms | p99 ms | server CPU ms/page | server cores "
              "(HTTP process) |"), "|---:|---|---|---|---:|---:|---:|---:|---:|"]
    for name, series in (("first", found.first), ("kept", found.kept)):
        failed = ", ".join(f"{k}×{v}" for k, v in sorted(series.failed().items())) or "0"
        pages = f"{series.requests():,} distinct" if series is found.first else f"{series.requests():,} of them again"
        lines.append(f"| {articles:,} | {pages}, c=16 | {name} | {failed} | {fmt(series.rate())} | "
                     f"{fmt(series.latency(0.5), 1)} | {fmt(series.latency(0.99), 1)} | "
                     f"{fmt(series.cpu_per_request(), 2)} | {series.cores():.2f} ({series.cores(main=True):.2f}) |")
    if found.cited_first:
        lines.append(f"| {articles:,} | 10 most cited documents, c=1 | first | – | – | "
                     f"{fmt(statistics.median(found.cited_first), 1)} | {fmt(max(found.cited_first), 1)} (max) | – | – |")
    return lines


def visits_by_kind(found: Visits) -> list[str]:
    """p50 / p99 of first visits per kind of resource, over all rounds."""
    latencies: dict[str, list[float]] = {}
    for run, chosen in zip(found.first.runs, found.paths, strict=True):
        for index, seconds, status, _ in run.records:
            if status == 200:
                latencies.setdefault(kind_of(chosen[index]), []).append(seconds * 1000)
    lines = ["| kind | first visits | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    for kind, values in sorted(latencies.items(), key=lambda item: -len(item[1])):
        lines.append(f"| {kind} | {len(values):,} | {fmt(quantile(values, 0.5))} | {fmt(quantile(values, 0.99))} |")
    return lines


def ceiling(gen: LoadGenerator, server: peers.Server, args: argparse.Namespace) -> Series:
    """What the load process can drive: `ASK {}` on the Oxigraph server at c=16 (a few µs of work each)."""
    series = Series()
    for _ in range(args.rounds):
        spec = LoadSpec([(query_url(server.sparql, "ASK {}"), {"Accept": JSON_RESULTS})], [0], 16,
                        args.seconds, args.max_requests, args.timeout)
        series.runs.append(gen.run(spec, server.pid))
    return series


@dataclass(slots=True)
class Download:
    name: str
    bytes: int
    seconds: list[float]
    rss_before: int
    rss_max: int
    rss_min: int
    samples: int


def _sample_rss(pid: int, done: threading.Event, samples: list[int]) -> None:
    while not done.is_set():
        samples.append(peers.rss(pid))
        time.sleep(0.005)


def downloads(gen: LoadGenerator, server: peers.Server, build_dir: Path, repeat: int) -> list[Download]:
    """Each dump of the manifest, `repeat` times, one at a time; VmRSS of the server sampled every 5 ms."""
    manifest = json.loads((build_dir / "manifest.json").read_text("utf-8"))
    found = []
    for dump in manifest["dumps"]:
        name = Path(dump["file"]).name
        seconds: list[float] = []
        samples: list[int] = []
        before = peers.rss(server.pid)
        for _ in range(repeat):
            done = threading.Event()
            sampler = threading.Thread(target=_sample_rss, args=(server.pid, done, samples))
            sampler.start()
            try:
                run = gen.run(LoadSpec([(f"{server.root}/dumps/{name}", {})], [0], 1, 300.0, 1, 300, stream=True))
            finally:
                done.set()
                sampler.join()
            (_, latency, status, size), = run.records
            if status != 200 or size != dump["bytes"]:
                raise RuntimeError(f"/dumps/{name}: status {status}, {size} bytes (manifest: {dump['bytes']})")
            seconds.append(latency)
        found.append(Download(name, dump["bytes"], seconds, before, max(samples), min(samples), len(samples)))
    return found


# ---------------------------------------------------------------------------------------- the report

def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB; Python {platform.python_version()}; "
            f"{versions()}; load average at start {load}")


def revision() -> str:
    """The commit measured, and whether the server's code differs from it (read-only git calls)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=peers.ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "server", "mappings"], cwd=peers.ROOT,
                                 capture_output=True, check=False).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "commit unknown"
    return f"commit {commit}" + (" (server/ or mappings/ modified in the work tree)" if changed else "")


def versions() -> str:
    found = []
    for name in ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "fastapi", "uvicorn", "httptools", "uvloop",
                 "aiohttp"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"no {name}")
    return ", ".join(found)


def mix_table(results: dict[tuple[str, int], Series], names: list[str], args: argparse.Namespace) -> list[str]:
    lines = [("| server | c | rounds | requests | not 200 | req/s | p50 ms | p99 ms | server CPU ms/req | server cores "
              "(main process) | load process |"),
             "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for concurrency in args.concurrency:
        for name in names:
            series = results.get((name, concurrency))
            if not series:
                continue
            bound = (f" (bounded: ≤{args.rdflib_requests} req or {args.rdflib_seconds:g} s a round, "
                     f"{args.rdflib_timeout:g} s timeout)" if name == "rdflib-endpoint" else "")
            failed = ", ".join(f"{k}×{v}" for k, v in sorted(series.failed().items())) or "0"
            lines.append(
                f"| {name}{bound} | {concurrency} | {len(series.runs)} | {series.requests():,} | {failed} | "
                f"{fmt(series.rate())} | {fmt(series.latency(0.5), 2)} | {fmt(series.latency(0.99), 2)} | "
                f"{fmt(series.cpu_per_request(), 2)} | {series.cores():.2f} ({series.cores(main=True):.2f}) | "
                f"{series.client_cpu():.0%} |")
    return lines


def round_ratios(results: dict[tuple[str, int], Series], a: str, b: str, concurrency: int) -> float:
    """Median over rounds of (req/s of `a` ÷ req/s of `b`) in the same round."""
    one, other = results.get((a, concurrency)), results.get((b, concurrency))
    if not one or not other:
        return float("nan")
    return median([x.rate() / y.rate() if y.rate() else float("nan") for x, y in zip(one.runs, other.runs)])


def ratio_table(results: dict[tuple[str, int], Series], names: list[str], args: argparse.Namespace) -> list[str]:
    others = [n for n in names if n != "vankien"]
    lines = ["| c | " + " | ".join(f"vankien ÷ {n} (req/s)" for n in others) + " |",
             "|---:|" + "---:|" * len(others)]
    for concurrency in args.concurrency:
        lines.append(f"| {concurrency} | " + " | ".join(
            f"{fmt(round_ratios(results, 'vankien', n, concurrency), 2)}×" for n in others) + " |")
    return lines


def per_query_table(results: dict[tuple[str, int], Series], names: list[str], queries: list[Query],
                    concurrency: int) -> list[str]:
    present = [n for n in names if (n, concurrency) in results]
    lines = ["| query | " + " | ".join(f"{n} p50 / p99 ms" for n in present) + " |", "|---|" + "---:|" * len(present)]
    for index, query in enumerate(queries):
        cells = []
        for name in present:
            series = results[(name, concurrency)]
            cells.append(f"{fmt(series.latency(0.5, index), 1)} / {fmt(series.latency(0.99, index), 1)}")
        lines.append(f"| {query.name} | " + " | ".join(cells) + " |")
    return lines


def pages_table(results: dict[str, Series]) -> list[str]:
    lines = [("| vankien, c=16 | requests | not 200 | req/s | p50 ms | p99 ms | server CPU ms/req | server cores "
              "(main process) | load process |"),
             "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for kind, series in results.items():
        failed = ", ".join(f"{k}×{v}" for k, v in sorted(series.failed().items())) or "0"
        lines.append(f"| {kind} | {series.requests():,} | {failed} | {fmt(series.rate())} | "
                     f"{fmt(series.latency(0.5), 2)} | {fmt(series.latency(0.99), 2)} | "
                     f"{fmt(series.cpu_per_request(), 2)} | {series.cores():.2f} ({series.cores(main=True):.2f}) | "
                     f"{series.client_cpu():.0%} |")
    return lines


def downloads_table(found: list[Download]) -> list[str]:
    mib = 2**20
    lines = ["| dump | MiB | median s | MiB/s | server VmRSS before | min–max during | growth | samples |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for d in found:
        seconds = statistics.median(d.seconds)
        lines.append(f"| {d.name} | {d.bytes / mib:.1f} | {seconds:.3f} | {d.bytes / mib / seconds:,.0f} | "
                     f"{d.rss_before / mib:.1f} MiB | {d.rss_min / mib:.1f}–{d.rss_max / mib:.1f} MiB | "
                     f"{(d.rss_max - d.rss_before) / mib:+.1f} MiB | {d.samples} |")
    return lines


def targets_table(results: dict[tuple[str, int], Series], page_results: dict[str, Series],
                  queries: list[Query], args: argparse.Namespace) -> list[str]:
    top = max(args.concurrency)
    rows = []
    if ("oxigraph", top) in results:
        value = round_ratios(results, "vankien", "oxigraph", top)
        rows.append((f"mix req/s ≥ 1.0× Oxigraph server (c={top})", f"{fmt(value, 2)}×", value >= 1.0))
    if ("rdflib-endpoint", top) in results:
        value = round_ratios(results, "vankien", "rdflib-endpoint", top)
        rows.append((f"mix req/s ≥ 30× rdflib-endpoint (c={top})", f"{fmt(value, 1)}×", value >= 30))
    lookups = [i for i, q in enumerate(queries) if q.name.startswith("lookup")]
    if ("vankien", top) in results and lookups:
        series = results[("vankien", top)]
        worst = max(series.latency(0.99, i) for i in lookups)
        rows.append((f"lookup p99 < 50 ms (worst lookup-* query, c={top})", f"{fmt(worst, 1)} ms", worst < 50))
    for kind in ("document page", "document page, first visit", "province page"):
        if kind in page_results:
            series = page_results[kind]
            rows.append((f"{kind} p50 < 5 ms (c=16)", f"{fmt(series.latency(0.5), 2)} ms", series.latency(0.5) < 5))
            rows.append((f"{kind} ≥ 500 req/s (c=16)", f"{fmt(series.rate(), 0)}/s", series.rate() >= 500))
    return ["| target | measured | met |", "|---|---:|---|"] + [
        f"| {what} | {value} | {'yes' if met else '**no**'} |" for what, value, met in rows]


# ---------------------------------------------------------------------------------------------- main

def ensure_build(args: argparse.Namespace, report) -> Path:
    if args.out:
        return args.out
    out = args.work / f"http-{args.articles}"
    if (out / "current" / "manifest.json").exists():
        return out
    from bench.build import corpus

    articles = corpus(args.articles, args.seed, args.work)
    report(f"building {articles} into {out} ...")
    started = time.monotonic()
    done = subprocess.run([*peers.VANKIEN, "build", "--articles", str(articles), "--out", str(out)],
                          cwd=peers.ROOT, env={**os.environ, "PYTHONPATH": str(peers.ROOT)}, check=False)
    if done.returncode not in (0, 3):
        raise SystemExit(f"the build failed ({done.returncode})")
    report(f"built in {time.monotonic() - started:.0f} s")
    return out


def profile(server: peers.Server, gen: LoadGenerator, spec: LoadSpec, path: Path, report) -> None:
    """py-spy (all of vankien's processes, native frames off) over one more run of `spec`; folded stacks."""
    command = [str(peers.BIN / "py-spy"), "record", "--pid", str(server.pid), "--subprocesses", "--rate", "200",
               "--format", "raw", "--output", str(path), "--duration", str(int(spec.seconds) + 2)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)
    gen.run(spec, server.pid)
    _, stderr = spy.communicate(timeout=spec.seconds + 60)
    report(f"profile: {path}" + ("" if spy.returncode == 0 else f" (py-spy: {stderr.decode()[-500:]})"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (built once into WORK/http-N)")
    parser.add_argument("--out", type=Path, help="use this vankien build directory instead of building")
    parser.add_argument("--work", type=Path, default=Path("/tmp/vankien-bench"), help="corpora and builds")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed and the order of the mix")
    parser.add_argument("--peers", nargs="+", default=list(peers.NAMES), choices=peers.NAMES, help="servers to run")
    parser.add_argument("--queries", type=Path, default=QUERIES, help="directory of .rq files (the mix)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians over them)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one server's turn in a round")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap on one turn's requests")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--rdflib-requests", type=int, help="cap on rdflib-endpoint's requests a turn "
                        "(default: two cycles of the mix)")
    parser.add_argument("--rdflib-seconds", type=float, default=30.0, help="cap on rdflib-endpoint's turn")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0, help="seconds per rdflib-endpoint request")
    parser.add_argument("--start-timeout", type=float, default=900.0, help="seconds for a server to load and answer")
    parser.add_argument("--dump-repeat", type=int, default=3, help="downloads of each dump")
    parser.add_argument("--skip", nargs="*", default=[], choices=["mix", "pages", "visits", "dumps", "ceiling"])
    parser.add_argument("--visits", type=int, default=2000,
                        help="distinct pages a round of first visits fetches (0: every page of the build, one round)")
    parser.add_argument("--profile", type=Path, help="also profile vankien with py-spy (folded stacks into DIR)")
    parser.add_argument("--json", type=Path, help="write the raw per-round numbers here")
    args = parser.parse_args(argv)

    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    names = [n for n in peers.NAMES if n in args.peers]
    out = ensure_build(args, report)
    build_dir, manifest = peers.build_info(out)
    base = manifest["meta"].get("base_uri", QUERY_BASE)
    queries = load_queries(args.queries, base, picks(build_dir / "store"))
    if args.rdflib_requests is None:
        args.rdflib_requests = 2 * sum(q.weight for q in queries)
    lines: list[str] = []

    def emit(line: str = "") -> None:
        lines.append(line)
        print(line, flush=True)

    counts = manifest["counts"]
    emit(f"Machine: {machine()}")
    emit(f"Code: {revision()}")
    emit(f"Dataset: {manifest['meta'].get('articles', '?'):,} articles (build {manifest['build_id']} in {out}): "
         f"{counts.get('union_triples', 0):,} triples in the default graph (the union), {counts['quads']:,} quads in "
         f"{counts['graphs']:,} named graphs")
    emit(f"Mix: {len(queries)} queries from {args.queries}, {sum(q.weight for q in queries)} requests a cycle; "
         f"{args.rounds} interleaved rounds of {args.seconds:g} s per server; load: aiohttp in its own process")
    ok = True
    with ExitStack() as stack:
        servers = [stack.enter_context(peers.running(name, out, args.work / "logs", args.start_timeout, report))
                   for name in names]
        by_name = {s.name: s for s in servers}
        gen = LoadGenerator()
        stack.callback(gen.close)
        ok = verify(servers, queries, max(args.timeout, args.rdflib_timeout) * 2, emit)
        mix: dict[tuple[str, int], Series] = {}
        page_results: dict[str, Series] = {}
        if "mix" not in args.skip:
            report("SPARQL mix ...")
            mix = sparql_mix(gen, servers, queries, args, report)
            emit("\n### SPARQL mix\n")
            for line in mix_table(mix, names, args):
                emit(line)
            if len(names) > 1 and "vankien" in names:
                emit("\nRatios of the same rounds (median):\n")
                for line in ratio_table(mix, names, args):
                    emit(line)
            for concurrency in args.concurrency:
                emit(f"\nPer query, c={concurrency} (median over rounds of each round's p50 / p99):\n")
                for line in per_query_table(mix, names, queries, concurrency):
                    emit(line)
        if "ceiling" not in args.skip and "oxigraph" in by_name:
            series = ceiling(gen, by_name["oxigraph"], args)
            emit(f"\nLoad-generator ceiling: {fmt(series.rate(), 0)} req/s of `ASK {{}}` on the Oxigraph server at "
                 f"c=16 (p50 {fmt(series.latency(0.5), 2)} ms), the load process using {series.client_cpu():.0%} "
                 f"of a core and Oxigraph {median([r.server_cpu / r.elapsed for r in series.runs]):.2f} cores")
        if "vankien" in by_name and "pages" not in args.skip:
            report("pages ...")
            page_results = pages(gen, by_name["vankien"], args, report)
            emit("\n### Linked-data pages and search (vankien)\n")
            for line in pages_table(page_results):
                emit(line)
        if "vankien" in by_name and "visits" not in args.skip:
            report("first visits of distinct pages ...")
            found_visits = visits(gen, by_name["vankien"], build_dir, base, args, report)
            emit("\n### First visits of distinct pages (vankien): every kind of resource, each page once\n")
            for line in visits_table(found_visits, manifest["meta"].get("articles", 0)):
                emit(line)
            emit("\nFirst visits by kind of resource (all rounds):\n")
            for line in visits_by_kind(found_visits):
                emit(line)
        if "vankien" in by_name and "dumps" not in args.skip:
            report("dumps ...")
            found = downloads(gen, by_name["vankien"], build_dir, args.dump_repeat)
            emit("\n### Dumps (vankien, one download at a time)\n")
            for line in downloads_table(found):
                emit(line)
        if mix or page_results:
            emit("\n### Targets\n")
            for line in targets_table(mix, page_results, queries, args):
                emit(line)
        if args.profile and "vankien" in by_name:
            args.profile.mkdir(parents=True, exist_ok=True)
            server = by_name["vankien"]
            order = sequence([q.weight for q in queries], args.seed)
            requests = [(query_url(server.sparql, q.text), {"Accept": q.accept}) for q in queries]
            profile(server, gen, LoadSpec(requests, order, 16, args.seconds, args.max_requests, args.timeout),
                    args.profile / "vankien-mix-c16.txt", report)
            for kind in ("document page, first visit", "search, first visit"):
                profile(server, gen, page_spec(server, kind, args),
                        args.profile / f"vankien-{kind.replace(',', '').replace(' ', '-')}-c16.txt", report)
        if args.json:
            raw = {"machine": machine(), "mix": {f"{n} c={c}": [
                {"rate": r.rate(), "elapsed": r.elapsed, "requests": len(r.records), "server_cpu": r.server_cpu,
                 "client_cpu": r.client_cpu} for r in s.runs] for (n, c), s in mix.items()},
                "pages": {k: [{"rate": r.rate(), "elapsed": r.elapsed} for r in s.runs] for k, s in page_results.items()},
                "table": lines}
            args.json.write_text(json.dumps(raw, indent=1, ensure_ascii=False))
    if not ok:
        print("\nMISMATCH between the servers' data or answers: see the tables above.", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

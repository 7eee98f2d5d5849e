"""Soak run: a real `vankien serve` on loopback under mixed load for a bounded time and count.

    python -m bench.soak --data data --seconds 60 --clients 32 --max-requests 50000

Starts the server itself (127.0.0.1, a free port), sends a mix of SPARQL queries (some slow, some
refused), linked-data pages, search and downloads from `--clients` concurrent clients, and prints the
requests served, the answers by status, errors, and latency percentiles per kind of request.
"""

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import httpx

from tests.serving import running_server

SELECTS = [
    "SELECT ?d ?label WHERE { ?d a vk:Directive ; rdfs:label ?label } LIMIT 20",
    "SELECT ?p (COUNT(?d) AS ?n) WHERE { ?d vk:implements ?x ; vk:province ?p } GROUP BY ?p ORDER BY DESC(?n)",
    "SELECT ?a ?b WHERE { ?a (vk:replaces|vk:implements|vk:basedOn)+ ?b } LIMIT 50",
    "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(LCASE(?l), \"chỉ thị\")) } LIMIT 20",
    "DESCRIBE ?d WHERE { ?d a vk:Document } LIMIT 3",
    "ASK { ?s a vk:Meeting }",
]
PREFIXES = ("PREFIX vk: <https://w3id.org/vankien/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HOSTILE = ["SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
           "SELECT * WHERE " + "{" * 5000 + "}" * 5000]
MIX = [("sparql", 100), ("page", 50), ("search", 30), ("slow", 1), ("hostile", 5), ("home", 10)]  # slow: 0.5 %


def request_for(kind: str, resources: list[str], rng: random.Random) -> tuple[str, dict[str, str]]:
    if kind == "sparql":
        return "/sparql?query=" + quote(PREFIXES + rng.choice(SELECTS)), {"Accept": "application/sparql-results+json"}
    if kind == "slow":
        return "/sparql?query=" + quote(SLOW), {}
    if kind == "hostile":
        return "/sparql?query=" + quote(rng.choice(HOSTILE)), {}
    if kind == "page":
        return rng.choice(resources), {"Accept": "text/html"}
    if kind == "search":
        return "/search?q=" + quote(rng.choice(["chi thi 39", "thanh hoa", "kết luận", "bi thu"])), {}
    return "/", {}


async def soak(url: str, seconds: float, clients: int, max_requests: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    latencies: defaultdict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    errors: Counter[str] = Counter()
    sent = 0
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        resources = await sample_resources(http)

        async def client() -> None:
            nonlocal sent
            while time.monotonic() < stop and sent < max_requests:
                sent += 1
                kind = rng.choices(kinds, weights)[0]
                path, headers = request_for(kind, resources, rng)
                started = time.perf_counter()
                try:
                    response = await http.get(path, headers=headers)
                    statuses[(kind, response.status_code)] += 1
                except httpx.HTTPError as error:
                    errors[type(error).__name__] += 1
                latencies[kind].append(time.perf_counter() - started)

        await asyncio.gather(*(client() for _ in range(clients)))
        alive = (await http.get("/healthz")).status_code == 200
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "sent": sent, "alive": alive}


async def sample_resources(http: httpx.AsyncClient) -> list[str]:
    query = PREFIXES + "SELECT DISTINCT ?s WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(vk:))) } LIMIT 200"
    response = await http.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    bindings = response.json()["results"]["bindings"]
    return ["/doc/" + b["s"]["value"].split("/id/", 1)[1] for b in bindings if "/id/" in b["s"]["value"]] or ["/"]


def report(result: dict[str, object], seconds: float) -> str:
    latencies: dict[str, list[float]] = result["latencies"]  # type: ignore[assignment]
    statuses: Counter[tuple[str, int]] = result["statuses"]  # type: ignore[assignment]
    lines = ["| kind | requests | statuses | p50 ms | p90 ms | p99 ms |", "| --- | ---: | --- | ---: | ---: | ---: |"]
    for kind, values in sorted(latencies.items()):
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        codes = ", ".join(f"{code}×{n}" for (k, code), n in sorted(statuses.items()) if k == kind)
        lines.append(f"| {kind} | {len(values)} | {codes} | {q[49] * 1000:.1f} | {q[89] * 1000:.1f} | {q[98] * 1000:.1f} |")
    total = sum(len(v) for v in latencies.values())
    lines.append(f"\n{total} requests in {seconds:.0f} s ({total / seconds:.0f}/s); transport errors: "
                 f"{dict(result['errors']) or 'none'}; server alive afterwards: {result['alive']}")  # type: ignore[call-overload]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data"), help="a build output directory")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        url = stack.enter_context(running_server(args.data.resolve(), log_dir=Path("/tmp")))
        started = time.monotonic()
        result = asyncio.run(soak(url, args.seconds, args.clients, args.max_requests, args.seed))
        print(report(result, time.monotonic() - started))
    return 0 if result["alive"] and not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""Resource pages made in page worker processes (`vankien serve --workers N`, issue 17) are the pages the server
process makes itself (`--workers 0`): every resource of the seeds in each form, the answers that are no page
(304, 404) and the headers; the workers are the server's own children, one per `--workers`."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serving import running_server

VOLATILE = {"date", "server"}
ASKED = (  # (path suffix, request headers)
    ("", {"Accept": "text/html"}),
    ("?lang=en", {"Accept": "text/html"}),
    (".jsonld", {}),
    ("", {"Accept": "application/n-triples"}),
)


@pytest.fixture(scope="module")
def in_process(seeds_build: Path) -> Iterator[str]:
    with running_server(seeds_build, options=("--workers", "0"), workers="1") as url:
        yield url


@pytest.fixture(scope="module")
def in_workers(seeds_build: Path) -> Iterator[str]:
    with running_server(seeds_build, options=("--workers", "3"), workers="1") as url:
        yield url


def answer(url: str, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
    response = httpx.get(url + path, headers=headers, timeout=30)
    kept = sorted((k, v) for k, v in response.headers.multi_items() if k not in VOLATILE)
    return response.status_code, kept, response.content


def test_every_seed_page_is_the_same_from_page_workers(in_process: str, in_workers: str) -> None:
    home = httpx.get(in_process + "/class/", timeout=30).text
    classes = sorted(set(re.findall(r'href="(/class/[^"?#]+)"', home)))
    paths = set()
    for listing in classes:
        paths |= set(re.findall(r'href="(/doc/[^"?#.]+)"', httpx.get(in_process + listing, timeout=30).text))
    assert len(paths) > 50
    for path in sorted(paths):
        for suffix, headers in ASKED:
            assert answer(in_process, path + suffix, headers) == answer(in_workers, path + suffix, headers), path


def test_revalidation_unknown_resources_and_heads_are_the_same_from_page_workers(
    in_process: str, in_workers: str
) -> None:
    page = "/doc/province/thanh-hoa"
    tag = httpx.get(in_workers + page, timeout=30).headers["etag"]
    for path, headers, method in (
        (page, {"If-None-Match": tag}, "GET"),
        (page, {}, "HEAD"),
        ("/doc/province/nowhere", {"Accept": "text/html"}, "GET"),
        ("/doc/province/nowhere.ttl", {}, "GET"),
        (page + "?in=vk:nothing&page=2", {}, "GET"),
    ):
        one, other = (httpx.request(method, url + path, headers=headers, timeout=30) for url in (in_process, in_workers))
        assert (one.status_code, one.content) == (other.status_code, other.content), path
        assert {k: v for k, v in one.headers.items() if k not in VOLATILE} == {
            k: v for k, v in other.headers.items() if k not in VOLATILE
        }


def test_the_page_workers_are_the_servers_children(in_process: str, in_workers: str) -> None:
    assert len(children(server_pid(in_workers))) == len(children(server_pid(in_process))) + 3


def server_pid(url: str) -> int:
    """The process of `vankien serve ... --port PORT` that serves `url`."""
    port = url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and b"--port" in argv and argv[argv.index(b"--port") + 1] == port.encode():
            return int(entry.name)
    raise AssertionError(f"no server process for {url}")


def children(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()

"""A running `vankien serve --data DIR` follows the builds published into DIR: it switches to a new build
(or a rollback) while requests run, with no error, and no `build --keep` deletes a build it still serves."""

import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import httpx

from mappings.publishing.publish import PublishedBuild, publish, rollback
from tests.serving import BASE_URI, ROOT, running_server
from tests.test_publish import sample_graphs

CONTEXT = ROOT / "ontology" / "context.jsonld"
LOAD = (  # what clients keep asking while builds are switched
    "/healthz", "/", "/doc/document/tw/2014/chi-thi/0", "/doc/document/tw/2014/chi-thi/1.ttl",
    "/sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}), "/dumps/vankien.nq.gz",
    "/dumps/", "/.well-known/void", "/search?q=chi", "/class/",
)


def publish_sample(out: Path, keep: int) -> PublishedBuild:
    return publish(out, sample_graphs(), meta={"base_uri": BASE_URI}, context=CONTEXT, keep=keep)


def served_build(url: str) -> str:
    return str(httpx.get(url + "/healthz", timeout=5).json()["build_id"])


def wait_for_build(url: str, build_id: str) -> None:
    deadline = time.monotonic() + 30
    while served_build(url) != build_id:
        assert time.monotonic() < deadline, f"still serving {served_build(url)}, not {build_id}"
        time.sleep(0.1)


def test_a_build_a_server_uses_is_never_pruned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = publish_sample(out, keep=1)
    with running_server(out, follow_s="0") as url:  # a server that does not follow keeps its build
        for _ in range(3):
            publish_sample(out, keep=1)
        assert first.path.is_dir()
        assert httpx.get(url + "/dumps/vankien.nq.gz").status_code == 200  # was a 500: the file deleted
        assert served_build(url) == first.build_id
    last = publish_sample(out, keep=1)  # the server is gone: the next build prunes its build
    assert sorted(p.name for p in (out / "builds").iterdir()) == [last.build_id]


def test_a_server_follows_new_builds_and_rollbacks_under_load_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "out"
    builds = [publish_sample(out, keep=2)]
    with running_server(out, follow_s="0.2", workers="2") as url:
        statuses: Counter[object] = Counter()
        stop = threading.Event()

        def load(path: str) -> None:
            with httpx.Client(base_url=url, timeout=30) as client:
                while not stop.is_set():
                    try:
                        statuses[client.get(path).status_code] += 1
                    except httpx.TransportError as error:
                        statuses[type(error).__name__] += 1

        threads = [threading.Thread(target=load, args=(path,)) for path in LOAD]
        for thread in threads:
            thread.start()
        try:
            for _ in range(3):
                builds.append(publish_sample(out, keep=2))
                wait_for_build(url, builds[-1].build_id)
            rolled_back = rollback(out)
            wait_for_build(url, rolled_back.name)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert set(statuses) == {200}, statuses
        assert statuses[200] > 100
        assert rolled_back.name == builds[-2].build_id
        # the first build was free once the server had switched away from it: `--keep 2` pruned it
        assert not builds[0].path.exists()
        assert httpx.get(url + "/doc/document/tw/2014/chi-thi/0.ttl").status_code == 200

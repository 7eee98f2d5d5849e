"""The dumps of a build served from a remote store (`vankien serve --store`): written once per build, at
startup, from the store's graphs into a cache directory, by the same writer as the build's own dumps
(mappings/publishing/writer.py), so they hold the same quads. A replica whose cache already holds the build
(a shared `VANKIEN_DUMPS_CACHE`) uses it as it is; a half-written one is never used (rename at the end).
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Triple, Variable

from mappings.publishing.dumps import context_prefixes
from mappings.publishing.publish import PARTIAL, load_context
from mappings.publishing.remote import published_graphs
from mappings.publishing.writer import write_build
from ontology import DIR as ONTOLOGY_DIR
from server.data.remote import RemoteStore

ENTRIES = "dumps.json"  # the manifest entries of the dumps, written last
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"


def remote_dumps(store: RemoteStore, base: str, build_id: str, cache: Path) -> tuple[Path, list[dict[str, object]]]:
    """The directory holding the build's `dumps/`, and their manifest entries."""
    done = cache / build_id
    if not (done / ENTRIES).is_file():
        partial = cache / f"{build_id}{PARTIAL}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        context = load_context(ONTOLOGY_DIR / "context.jsonld")
        _, written = write_build(partial, _graphs(store, sorted(published_graphs(store.endpoint, base))),
                                 context=context, prefixes=context_prefixes(context), sort_buffer=200_000)
        shutil.rmtree(partial / "store")  # written on the way, not served: queries go to the remote store
        (partial / ENTRIES).write_text(json.dumps([dump.manifest_entry() for dump in written]), "utf-8")
        shutil.rmtree(done, ignore_errors=True)
        partial.rename(done)
    return done, json.loads((done / ENTRIES).read_text("utf-8"))


def _graphs(store: RemoteStore, names: list[str]) -> Iterator[tuple[str, list[Triple]]]:
    for name in names:
        yield name, list(store.query(GRAPH, substitutions={Variable("graph"): NamedNode(name)}))  # type: ignore[arg-type]

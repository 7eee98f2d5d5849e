"""The data being served, read-only. The only module that touches the store or the disk.

Either a published build, `OUT/current -> builds/<id>` with `store/` (each article a named graph,
the deduplicated union in the default graph), `dumps/` and `manifest.json`, leased for as long as it is
served (`build --keep` never deletes it meanwhile; a running server moves to a newer build with a new
`GraphStore`, `server.routes.served`); or one RDF file
(`vankien serve --dataset`, gzipped or not) loaded into a temporary store on disk (an empty default
graph with named graphs becomes their union, as in a build), with a manifest made
up from the file; or a remote SPARQL store a build was published into (`vankien serve --store URL`,
`server.data.remote`), whose publication graph holds the manifest. Query workers open the same store
(`open_for_worker`). The server's own queries read the default graph; clients' queries run in
`server.queries.workers`.
"""

import atexit
import gzip
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
)

from mappings.publishing.publish import Lease, current_build, lease_build
from mappings.publishing.remote import published_manifest
from mappings.publishing.sparql_http import Endpoint, StoreError
from server.data.page_data import PageData
from server.data.remote import RemoteStore, RemoteTriples, with_values
from server.data.remote_dumps import remote_dumps
from server.http.config import Settings
from server.http.errors import NotFound, QueryTimeout, StoreUnavailable
from server.http.namespaces import PREFIXES

T = TypeVar("T")
LOG = logging.getLogger("uvicorn.error")
Readable = Store | RemoteStore  # the two stores served: both answer `query(...)` and `named_graphs()` alike
QueryResult = QuerySolutions | QueryBoolean | QueryTriples | RemoteTriples
Term = NamedNode | BlankNode | Literal | Triple

DEFAULT_BASE = "http://localhost:8000/"  # `vankien build`'s default base
RESOURCE = Variable("resource")
DCTERMS_REPLACED_BY = PREFIXES["dcterms"] + "isReplacedBy"
# A remote store's answer to `triples()`: the resource's own triples (with one predicate when bound).
OWN = "CONSTRUCT { ?resource ?p ?o } WHERE { ?resource ?p ?o }"
# trifid's DESCRIBE: the resource's own triples plus the labels of what they point to (OPTIONAL last).
DESCRIBE = """
CONSTRUCT { ?resource ?p ?o . ?o rdfs:label ?label }
WHERE { ?resource ?p ?o OPTIONAL { ?o rdfs:label ?label } }
"""
COUNTS = """
SELECT ?class ?n ?label WHERE {
  { SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
    WHERE { ?s a ?class FILTER(STRSTARTS(STR(?class), STR(vk:))) } GROUP BY ?class }
  OPTIONAL { ?class rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "vi")) }
} ORDER BY DESC(?n) ?class
"""
SIZE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMED_SIZE = "SELECT ?graph (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph"
KEPT_LOOKUPS = 32_768  # `GraphStore.kept`: lookups kept per build served (labels and dates: a few MB)
CHECKSUMS = "SHA256SUMS"  # beside the dumps: `sha256sum -c SHA256SUMS`
LISTED_GRAPHS = 100  # named graphs whose size `summary()` gives; the rest are only counted
DATASET_FORMATS = {  # by extension: every format a build's dumps are in, and RDF/XML
    "trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS, "ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD, "rdf": RdfFormat.RDF_XML, "owl": RdfFormat.RDF_XML,
}
OWN_RESOURCE = "ASK WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?base))) }"


@dataclass(frozen=True, slots=True)
class ClassCount:
    iri: str
    label: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Dump:
    """One downloadable file the manifest names (`file` is relative to the build directory)."""

    file: str
    media_type: str
    encoding: str | None
    bytes: int
    sha256: str

    @property
    def name(self) -> str:
        """The file name it is served under, `/dumps/{name}`."""
        return Path(self.file).name


@dataclass(frozen=True, slots=True)
class QueryDataset:
    """The graphs a request names (`default-graph-uri`, `named-graph-uri`): they replace the query's
    FROM and FROM NAMED, and a part left empty is empty (SPARQL 1.1 Protocol 2.1.4, Query 13.2)."""

    default_graphs: tuple[NamedNode, ...] = ()
    named_graphs: tuple[NamedNode, ...] = ()


@dataclass(frozen=True, slots=True)
class GraphSize:
    name: str
    triples: int


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """How big the default graph and the named graphs are (the first `LISTED_GRAPHS` by name)."""

    default_triples: int
    named: list[GraphSize]
    named_total: int


class GraphStore:
    def __init__(
        self, store: Readable, open_for_worker: Callable[[], Readable],
        manifest: dict[str, Any], settings: Settings, build_dir: Path | None = None
    ) -> None:
        self._store = store
        self.open_for_worker = open_for_worker  # picklable: each query worker process calls it once
        self._counts: list[ClassCount] | None = None
        self._summary: DatasetSummary | None = None
        self.query_timeout_s = settings.query_timeout_s
        self.row_limit = settings.row_limit
        self.build_dir = build_dir
        self.manifest = manifest
        self.dumps = [
            Dump(d["file"], d["media_type"], d.get("encoding"), d["bytes"], d["sha256"])
            for d in self.manifest["dumps"]
        ]
        # A build keeps the union of its named graphs in its default graph; a file's is as the file has it.
        self.union_default_graph = build_dir is not None
        self.dataset_base = dataset_base(manifest, settings)  # the data's IRIs are `<dataset_base>id/...`
        self._lease: Lease | None = None  # held while this build is served (`published`)
        # What the build prepared for its pages (`server.data.page_data`); None: computed per request.
        self.page_data: PageData | None = None
        # Opens this build again in a page worker process (picklable); None: pages are made in this process.
        self.open_for_pages: Callable[[], GraphStore] | None = None
        self.kept = lru_cache(maxsize=KEPT_LOOKUPS)(self._kept)

    def release(self) -> None:
        """Done serving this build: `build --keep` may delete it (call once no request and no worker uses it)."""
        lease, self._lease = self._lease, None
        data, self.page_data = self.page_data, None
        if data is not None:
            data.close()
        if lease is not None:
            lease.close()

    @classmethod
    def open(cls, settings: Settings) -> "GraphStore":
        """The remote store `settings.store`, the file `settings.dataset`, else the build `data_dir/current`
        points to now (read-only)."""
        if settings.store is not None:
            return cls.remote(Endpoint(settings.store, timeout_s=settings.query_timeout_s), settings)
        if settings.dataset is not None:
            return cls.load(settings.dataset, settings)
        return cls.published(settings.data_dir, settings)

    @classmethod
    def published(cls, data_dir: Path, settings: Settings) -> "GraphStore":
        """The build `data_dir/current` points to now, leased (`mappings.publishing.publish.lease_build`):
        no `build --keep` deletes it until `release()`."""
        for _ in range(10):  # the build may be pruned between reading the link and taking the lease
            build = current_build(data_dir)
            if build is None or not (build / "store").is_dir():
                raise FileNotFoundError(f"no published build at {data_dir / 'current'}: run `vankien build`")
            lease = lease_build(build)
            if lease is not None:
                break
        else:
            raise FileNotFoundError(f"{data_dir / 'current'}: the build kept changing while it was opened")
        try:
            opened = cls.at_build(build.resolve(), settings)
        except BaseException:
            lease.close()
            raise
        opened._lease = lease
        return opened

    @classmethod
    def at_build(cls, build_dir: Path, settings: Settings) -> "GraphStore":
        """The build in `build_dir`, not leased: what a page worker opens of the build its server leased."""
        manifest = json.loads((build_dir / "manifest.json").read_text("utf-8"))
        store_path = str(build_dir / "store")
        opened = cls(read_only(store_path), partial(read_only, store_path), manifest, settings, build_dir)
        opened.page_data = PageData.open(build_dir)
        opened.open_for_pages = partial(cls.at_build, build_dir, settings)
        return opened

    @classmethod
    def remote(cls, endpoint: Endpoint, settings: Settings) -> "GraphStore":
        """The build `vankien build --store` published into the store at `endpoint`."""
        base = settings.dataset_base or settings.base_uri or DEFAULT_BASE
        manifest = published_manifest(endpoint, base)
        if manifest is None:
            raise FileNotFoundError(
                f"{endpoint.query}: no vankien build published in this store for {base}: "
                "run `vankien build --store URL`, or give its base with --dataset-base"
            )
        store = RemoteStore(endpoint)
        cache, dumps = remote_dumps(store, base, str(manifest["build_id"]), settings.dumps_cache)
        return cls(store, partial(RemoteStore, endpoint), {**manifest, "dumps": dumps}, settings, cache)

    @classmethod
    def load(cls, path: Path, settings: Settings) -> "GraphStore":
        """One RDF file, its format told by its extension (gzipped or not: a build's dumps as they are),
        loaded into a store on disk that lives as long as the process; relative IRIs resolve against the
        file. An empty default graph with named graphs beside it becomes their union, as in a build,
        unless `settings.keep_default_graph`."""
        if not path.is_file():
            raise FileNotFoundError(f"no dataset file {path}")
        rdf_format, gzipped = _dataset_format(path)
        directory = Path(tempfile.mkdtemp(prefix="vankien-dataset-"))
        atexit.register(shutil.rmtree, directory, True)
        store = Store(str(directory))
        try:
            with (gzip.open if gzipped else open)(path, "rb") as data:
                store.bulk_load(data, format=rdf_format, base_iri=path.resolve().as_uri())
        except SyntaxError as error:
            raise ValueError(f"{path}: not valid {rdf_format.name}: {error.msg}") from None
        except (OSError, EOFError) as error:  # a damaged gzip stream
            raise ValueError(f"{path}: cannot be read: {error}") from None
        union = not settings.keep_default_graph and _fill_empty_default_graph(store)
        manifest = _file_manifest(path, store)
        store.flush()
        del store  # closes it: from here on it is read-only, for this process and the workers
        loaded = cls(read_only(str(directory)), partial(read_only, str(directory)), manifest, settings)
        loaded.union_default_graph = union
        loaded.warn_unless_described(path)
        return loaded

    def warn_unless_described(self, path: Path) -> None:
        """Says on stderr when no resource of the file has an IRI under the dataset base: no `/doc/` page
        could answer, which a wrong `--dataset-base` would otherwise only show as 404s."""
        if not self.select(OWN_RESOURCE, base=self.id_base):
            LOG.warning(
                "%s: no resource IRI starts with %s, so no /doc/ page will answer; give the IRIs' base "
                "with --dataset-base (SPARQL answers either way)", path, self.id_base
            )

    @property
    def id_base(self) -> str:
        return self.dataset_base + "id/"

    @property
    def build_id(self) -> str:
        """Names what is served (a build's id, or the file's hash): it changes whenever the data does."""
        return str(self.manifest["build_id"])

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Runs one of the server's own store calls in a thread, off the event loop, for at most
        `query_timeout_s`. These queries are bounded by design (one resource, one page); clients'
        queries, which are not, run in worker processes that can be killed (`server.queries.workers`)."""
        try:
            with anyio.fail_after(self.query_timeout_s):
                return await anyio.to_thread.run_sync(function, *args, abandon_on_cancel=True)
        except TimeoutError:
            raise QueryTimeout(
                f"the query ran longer than {self.query_timeout_s:g} s and was abandoned"
            ) from None
        except StoreError as error:
            raise StoreUnavailable(str(error)) from None

    @property
    def indexed(self) -> bool:
        """Whether a triple pattern is an index lookup here (the embedded store: no query to parse and plan, a
        few microseconds), rather than a query (a remote store: one request each)."""
        return isinstance(self._store, Store)

    def triples(self, subject: NamedNode | BlankNode, predicate: NamedNode | None = None) -> list[Triple]:
        """The default graph's triples of `subject` (with `predicate` when given), in no particular order."""
        if isinstance(self._store, Store):
            return [quad.triple for quad in self._store.quads_for_pattern(subject, predicate, None, DefaultGraph())]
        bindings: dict[Variable, Term] = {RESOURCE: subject}
        if predicate is not None:
            bindings[Variable("p")] = predicate
        found = self._store.query(with_values(OWN, bindings))
        assert isinstance(found, RemoteTriples)
        return list(found)

    def _kept(self, subject: NamedNode | BlankNode, predicate: NamedNode) -> tuple[Triple, ...]:
        """`triples(subject, predicate)`, kept (as `self.kept`): labels and articles' dates, which many pages read."""
        return tuple(self.triples(subject, predicate))

    def own(self, iri: str) -> list[Triple]:
        """The triples of the resource `iri` (none: nothing is known about it; an IRI that is no IRI: 404)."""
        return self.triples(_node(iri))

    def replacements(self, iri: str) -> list[str]:
        """The IRIs that replace `iri` (`dcterms:isReplacedBy`) when it has no description of its own, else []."""
        return replaced_by(self.own(iri))

    def describe(self, iri: str) -> list[Triple]:
        """The resource's outgoing triples, then the `rdfs:label`s of their objects; no repeats."""
        resource = _node(iri)
        triples = self._store.query(with_values(DESCRIBE, {RESOURCE: resource}), prefixes=PREFIXES)
        assert isinstance(triples, QueryTriples | RemoteTriples)
        return sorted(
            set(triples),
            key=lambda t: (t.subject != resource, str(t.subject), str(t.predicate), str(t.object)),
        )

    def select(self, sparql: str, **iris: str) -> QueryResult:
        """A query of the server's own (trusted: no limits), `PREFIXES` declared, `?name` bound to `iris[name]`.

        Page code builds on this rather than on the store, so the store can change under it. The bindings go in
        as `VALUES`: Oxigraph plans a join from a bound term in the text, not from `substitutions` (an evidence
        query took 12 ms one way and 700 ms the other)."""
        bindings: dict[Variable, Term] = {Variable(name): _node(iri) for name, iri in iris.items()}
        return self._store.query(with_values(sparql, bindings) if bindings else sparql, prefixes=PREFIXES)

    def counts(self) -> list[ClassCount]:
        """How many resources each class of the ontology has (computed once: the data never changes)."""
        if self._counts is None:
            rows = self._store.query(COUNTS, prefixes=PREFIXES)
            assert isinstance(rows, QuerySolutions)
            self._counts = [ClassCount(r["class"].value, _text(r["label"]), int(r["n"].value)) for r in rows]
        return self._counts

    def summary(self) -> DatasetSummary:
        """The size of the default graph and of each graph with an IRI for a name (computed once)."""
        if self._summary is None:
            names = sorted((g for g in self._store.named_graphs() if isinstance(g, NamedNode)), key=str)
            listed = [GraphSize(g.value, self._size(g)) for g in names[:LISTED_GRAPHS]]
            self._summary = DatasetSummary(self._size(None), listed, len(names))
        return self._summary

    def dump(self, file: str) -> tuple[Dump, Path]:
        """The manifest entry called `file` and where it lies, or the build's `SHA256SUMS` (for `sha256sum -c`);
        nothing else under dumps/ is served."""
        for dump in self.dumps:
            if dump.name == file and self.build_dir is not None:
                return dump, self.build_dir / dump.file
        sums = self.build_dir / "dumps" / CHECKSUMS if self.build_dir is not None else None
        if file == CHECKSUMS and sums is not None and sums.is_file():
            data = sums.read_bytes()
            return Dump(f"dumps/{CHECKSUMS}", "text/plain", None, len(data), hashlib.sha256(data).hexdigest()), sums
        raise NotFound(f"no dump called {file!r}")

    def _size(self, graph: NamedNode | None) -> int:
        """Triples in `graph`, or in the default graph."""
        bound: dict[Variable, Term] = {Variable("graph"): graph} if graph else {}
        rows = self._store.query(NAMED_SIZE if graph else SIZE, substitutions=bound)
        assert isinstance(rows, QuerySolutions)
        return sum(int(row["n"].value) for row in rows)  # no row: an empty graph


def dataset_base(manifest: dict[str, Any], settings: Settings) -> str:
    """The base of the IRIs served: the one the build was made with (its manifest), else the one given
    (`--dataset-base`, else `--base-uri`), else the default. A base given that the build contradicts cannot
    work (every page would be a 404): refused."""
    meta = manifest.get("meta")
    built = meta.get("base_uri") if isinstance(meta, dict) else None
    if isinstance(built, str) and built:
        if settings.dataset_base is not None and settings.dataset_base != built:
            raise ValueError(
                f"build {manifest.get('build_id')} was made for the IRIs {built}id/..., not {settings.dataset_base}"
                "id/...: serve it without --dataset-base (it is served at any address), or build it again"
            )
        return built
    return settings.dataset_base or settings.base_uri or DEFAULT_BASE


def replaced_by(own: list[Triple]) -> list[str]:
    """What a resource whose own triples are `own` became (a later build split or merged it): the IRIs of its
    `dcterms:isReplacedBy`, sorted, when that is all there is about it; else [].

    >>> replaced_by([Triple(NamedNode("http://a.org/x"), NamedNode(DCTERMS_REPLACED_BY), NamedNode("http://a.org/y"))])
    ['http://a.org/y']
    """
    if any(triple.predicate.value != DCTERMS_REPLACED_BY for triple in own):
        return []
    return sorted({triple.object.value for triple in own if isinstance(triple.object, NamedNode)})


def read_only(path: str) -> Store:
    return Store.read_only(path)


def _dataset_format(path: Path) -> tuple[RdfFormat, bool]:
    """The file's RDF format by its extension, and whether it is gzipped (`.nq.gz`)."""
    name = path.name.lower()
    gzipped = name.endswith(".gz")
    extension = Path(name.removesuffix(".gz")).suffix.lstrip(".")
    rdf_format = DATASET_FORMATS.get(extension)
    if rdf_format is None:
        known = ", ".join(f".{extension}" for extension in DATASET_FORMATS)
        raise ValueError(f"{path}: unknown RDF file extension; one of {known}, each also gzipped (.gz)")
    return rdf_format, gzipped


def _fill_empty_default_graph(store: Store) -> bool:
    """Puts the union of the named graphs into the default graph when it is empty and there are named
    graphs (what a build serves); True if it did."""
    if next(store.quads_for_pattern(None, None, None, DefaultGraph()), None) is not None:
        return False
    if next(iter(store.named_graphs()), None) is None:
        return False
    store.bulk_extend(Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None))
    return True


def _file_manifest(path: Path, store: Store) -> dict[str, Any]:
    """What a build's manifest says, for a file: an id from its hash, its time, what it holds; no dumps."""
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    created = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    graphs = sum(1 for _ in store.named_graphs())
    return {
        "build_id": f"sha256-{digest[:16]}",
        "created": created,
        "meta": {"dataset": path.name, "sha256": digest},
        "counts": {"graphs": graphs, "quads": len(store)},
        "dumps": [],
    }


def _node(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError:
        raise NotFound(f"not a valid IRI: {iri!r}") from None


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)

"""The published build, opened read-only. The only module that touches the store or the disk.

`OUT/current -> builds/<id>` holds `store/` (each article a named graph, the deduplicated union
in the default graph), `dumps/` and `manifest.json`. Every query here reads the default graph.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, QueryTriples, Store, Triple, Variable

from server.config import Settings
from server.errors import BadRequest, NotFound, QueryTimeout
from server.namespaces import PREFIXES

T = TypeVar("T")
QueryResult = QuerySolutions | QueryBoolean | QueryTriples

RESOURCE = Variable("resource")
EXISTS = "ASK { ?resource ?p ?o }"
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
# pyoxigraph would call the network for SERVICE; refuse the keyword (not inside an IRI).
SERVICE = re.compile(r"(?<![\w/#:<])SERVICE\s+(SILENT\s+)?[<?$\w]", re.IGNORECASE)


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


class GraphStore:
    def __init__(self, store: Store, build_dir: Path, settings: Settings) -> None:
        self._store = store
        self._timeout_s = settings.query_timeout_s
        self._row_limit = settings.row_limit
        self._counts: list[ClassCount] | None = None
        self.build_dir = build_dir
        self.manifest: dict[str, Any] = json.loads((build_dir / "manifest.json").read_text("utf-8"))
        self.dumps = [
            Dump(d["file"], d["media_type"], d.get("encoding"), d["bytes"], d["sha256"])
            for d in self.manifest["dumps"]
        ]

    @classmethod
    def open(cls, settings: Settings) -> "GraphStore":
        """Opens `data_dir/current` (the build it points to at this moment) read-only."""
        build_dir = (settings.data_dir / "current").resolve()
        if not (build_dir / "store").is_dir():
            raise FileNotFoundError(
                f"no published build at {settings.data_dir / 'current'}: run `vankien build`"
            )
        return cls(Store.read_only(str(build_dir / "store")), build_dir, settings)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Runs a blocking store call in a worker thread and gives up after `query_timeout_s`.

        The thread itself runs to its end (pyoxigraph cannot be interrupted): a later issue
        moves queries to worker processes that can be killed."""
        try:
            with anyio.fail_after(self._timeout_s):
                return await anyio.to_thread.run_sync(function, *args, abandon_on_cancel=True)
        except TimeoutError:
            raise QueryTimeout(f"the query ran longer than {self._timeout_s:g} s and was abandoned") from None

    def exists(self, iri: str) -> bool:
        return bool(self._store.query(EXISTS, substitutions={RESOURCE: _node(iri)}))

    def describe(self, iri: str) -> list[Triple]:
        """The resource's outgoing triples, then the `rdfs:label`s of their objects; no repeats."""
        resource = _node(iri)
        triples = self._store.query(DESCRIBE, prefixes=PREFIXES, substitutions={RESOURCE: resource})
        assert isinstance(triples, QueryTriples)
        return sorted(
            set(triples),
            key=lambda t: (t.subject != resource, str(t.subject), str(t.predicate), str(t.object)),
        )

    def query(self, sparql: str) -> QueryResult:
        """Evaluates a read-only query (lazily). An answer longer than `row_limit` is refused, never cut."""
        if SERVICE.search(sparql):
            raise BadRequest("SERVICE is not allowed: this endpoint makes no outbound requests")
        if self._over_row_limit(sparql):
            raise BadRequest(
                f"the answer has more than {self._row_limit} rows; add LIMIT {self._row_limit} or less"
            )
        return self._evaluate(sparql)

    def select(self, sparql: str, **iris: str) -> QueryResult:
        """A query of the server's own (trusted: no limits), `PREFIXES` declared, `?name` bound to `iris[name]`.

        Page code builds on this rather than on the store, so the store can change under it."""
        bindings = {Variable(name): _node(iri) for name, iri in iris.items()}
        return self._store.query(sparql, prefixes=PREFIXES, substitutions=bindings)

    def counts(self) -> list[ClassCount]:
        """How many resources each class of the ontology has (computed once: the build never changes)."""
        if self._counts is None:
            rows = self._store.query(COUNTS, prefixes=PREFIXES)
            assert isinstance(rows, QuerySolutions)
            self._counts = [ClassCount(r["class"].value, _text(r["label"]), int(r["n"].value)) for r in rows]
        return self._counts

    def dump(self, file: str) -> tuple[Dump, Path]:
        """The manifest entry called `file` and where it lies; nothing else under dumps/ is served."""
        for dump in self.dumps:
            if dump.name == file:
                return dump, self.build_dir / dump.file
        raise NotFound(f"no dump called {file!r}")

    def _over_row_limit(self, sparql: str) -> bool:
        """Counts up to `row_limit + 1` rows in a first evaluation (pyoxigraph results are one-pass)."""
        rows = self._evaluate(sparql)
        return not isinstance(rows, QueryBoolean) and any(True for _ in islice(rows, self._row_limit, None))

    def _evaluate(self, sparql: str) -> QueryResult:
        try:
            return self._store.query(sparql)
        except SyntaxError as error:
            raise BadRequest(f"SPARQL syntax error: {error}") from None


def _node(iri: str) -> NamedNode:
    try:
        return NamedNode(iri)
    except ValueError:
        raise NotFound(f"not a valid IRI: {iri!r}") from None


def _text(term: Any) -> str | None:
    return None if term is None else str(term.value)

"""Real SPARQL stores for tests of the remote store mode: Oxigraph and Virtuoso, each started on free
loopback ports in a directory of its own, reached over the SPARQL 1.1 Protocol and Update, stopped
afterwards.

    with oxigraph_server(tmp_path) as store:          # RemoteStoreUrls(query, update, graph_store, name)
        update(store, 'INSERT DATA { GRAPH <g> { <s> <p> "Bí thư Tỉnh ủy"@vi } }')
        rows = select(store, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")

    with virtuoso_server(tmp_path, default_graph="http://example.org/union") as store: ...

A missing binary skips the test (pytest.skip, with what to install) — except under CI (`CI` set),
where it fails: `make test` installs both (`oxigraph` from the `test` extra, Debian's
`virtuoso-opensource` by apt), so a skip there would only hide a broken install step.
Each server writes its log into its directory; when it does not answer within STARTUP_TIMEOUT_S the
error carries the log's tail. On exit: SIGTERM, SIGKILL after 10 s, then the database files go
(logs stay, for a failed test to show).

Oxigraph (`oxigraph serve --location DIR --bind 127.0.0.1:PORT`, the CLI from the `oxigraph` wheel,
0.2-0.4 s to start here): read-write; `/query`, `/update`, Graph Store Protocol at `/store`; the
default graph is a graph of its own (no `--union-default-graph`).

Virtuoso (Debian's virtuoso-opensource 7.2, `virtuoso-t -f -c virtuoso.ini`, 5-10 s to start
since a new database is created each time: share one per module or session). The ini written here
gives it its own database files, SQL (ISQL) port and HTTP port, both bound to 127.0.0.1, and
DirsAllowed for its directory only. What was found about it (7.20.3229), relied on by
tests/test_stores_fixture.py:

* Updates. `/sparql` takes both queries and updates (SPARQL 1.1 Protocol: `update=` form field or
  `application/sparql-update` body). Anonymous requests run as SQL user "SPARQL", which may not
  update out of the box ("SR186: No permission to execute procedure
  DB.DBA.SPARQL_INSERT_DICT_CONTENT"). `GRANT SPARQL_UPDATE TO "SPARQL"` alone makes INSERT/DELETE
  DATA, INSERT/DELETE WHERE, CLEAR, DROP, CREATE, MOVE, COPY and ADD work without authentication
  (the two EXECUTE grants in VIRTUOSO_GRANTS add nothing to it here but do no harm); all three
  run through isql-vt as dba/dba. The Graph Store Protocol endpoint `/sparql-graph-crud` then also
  answers GET/PUT/POST/DELETE without authentication, with `graph=` or `graph-uri=`
  (`/sparql-graph-crud-auth` wants HTTP digest auth); without the grant PUT/POST get 403.
* Unicode needs no fix. Vietnamese in NFC or NFD, astral characters, quotes, backslashes and
  newlines go in by form field or `application/sparql-update` body, with or without
  `charset=utf-8`, with or without `Charset = UTF-8` in [HTTPServer] (written here anyway, as
  Debian's ini has it), and come back byte for byte in application/sparql-results+json (written as
  \\uXXXX escapes, which JSON decodes to the same string; N-Triples output escapes the same way);
  a lookup by the literal finds them. Non-ASCII IRIs come back as sent too.
* Terms. JSON results type datatyped literals "typed-literal" (SPARQL 1.1 says "literal"); an
  explicit ^^xsd:string is kept; xsd:boolean "true" comes back "1", xsd:integer "01" as "1" (so
  does Oxigraph's), language tags lower-cased (so do Oxigraph's). Blank nodes are refused in
  INSERT DATA ("SP031: Blank node '_:b' is not allowed in a constant clause"); `INSERT { ... }
  WHERE { }` takes them.
* Graphs do not exist apart from their triples, unless made with CREATE GRAPH: `DROP GRAPH <g>`
  without SILENT fails (500, "has not been explicitly created before") for a graph that has triples
  but was never CREATEd; use DROP SILENT or CLEAR. `MOVE GRAPH <missing> TO <g>` (with or without
  SILENT) succeeds and empties <g>, where the standard makes it an error without SILENT (Oxigraph:
  500 without SILENT; with SILENT it too empties <g>).
* An update request of several operations is not atomic: when one fails (e.g. `DROP GRAPH` of a
  graph never created, or CREATE of one that exists: 500), the operations before it in the same
  request stay applied; `define sql:log-enable 0..3` changes nothing. Oxigraph applies a request
  whole or not at all.
* The default graph is the union of all graphs, system graphs included, kept as a bag: a triple in
  two graphs comes twice from `{ ?s ?p ?o }` with no FROM (so does a default graph of several
  FROM / default-graph-uri graphs). `GRAPH ?g` ranges over every graph, including the system graphs
  <http://www.openlinksw.com/schemas/virtrdf#> (~2,500 triples), <http://www.w3.org/ns/ldp#> (3)
  and <http://localuriqaserver/sparql> (14, the service description) — also when the query has
  FROM but no FROM NAMED (openlink/virtuoso-opensource#451, by design).
* `virtuoso_set_default_graph` (or `virtuoso_server(..., default_graph=G)`) puts a row
  ('%', G) into DB.DBA.SYS_SPARQL_HOST: the `/sparql` endpoint then prefixes every request that has
  no `default-graph-uri` parameter with `define input:default-graph-uri <G>`. Queries without FROM
  see only G (so no duplicates), `GRAPH ?g` still ranges over all graphs, an update's triples
  outside GRAPH go into G, and graph store `?default` is G. But:
  - `GRAPH <iri> { }` with a constant IRI then finds nothing unless the graph is listed (FROM NAMED
    <iri> or a `named-graph-uri` parameter); `VALUES ?g { <iri> } GRAPH ?g { }` finds it. The same
    happens without the row whenever a request names a default graph (FROM, `default-graph-uri`,
    define input:default-graph-uri or -exclude): Virtuoso treats the named graphs as "none listed"
    for a constant and "all" for a variable.
  - A query with `FROM <x>` reads x *and* G (the define does not replace FROM); a
    `default-graph-uri` parameter turns the row off for that request but does not replace FROM
    either (both read, unioned). So a client that wants FROM honoured sends the query's FROM
    graphs as `default-graph-uri` parameters as well.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serving import free_port, stop

STARTUP_TIMEOUT_S = 60
STOP_TIMEOUT_S = 10
VIRTUOSO_DBA = ("dba", "dba")
# SPARQL_UPDATE is what anonymous updates need; the EXECUTE grants add nothing to it on 7.2.5.
VIRTUOSO_GRANTS = (
    'GRANT SPARQL_UPDATE TO "SPARQL"',
    'GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL"',
    'GRANT EXECUTE ON DB.DBA.SPARQL_DELETE_DICT_CONTENT TO "SPARQL"',
)
# SQL LIKE pattern of the HTTP Host header a SYS_SPARQL_HOST row applies to: every host.
ANY_HOST = "%"
JSON_RESULTS = "application/sparql-results+json"


@dataclass(frozen=True)
class RemoteStoreUrls:
    """Where a running store answers: SPARQL query, SPARQL update, Graph Store Protocol (or None)."""

    query: str
    update: str
    graph_store: str | None
    name: str


@dataclass(frozen=True)
class VirtuosoUrls(RemoteStoreUrls):
    """A Virtuoso instance, plus its SQL port ("127.0.0.1:PORT", user dba/dba) for administration."""

    isql: str


def select(store: RemoteStoreUrls, query: str, **params: str) -> list[dict[str, Any]]:
    """Run a SELECT (POST form) and return its JSON bindings; raises on any status but 200."""
    response = httpx.post(
        store.query, data={"query": query, **params}, headers={"Accept": JSON_RESULTS}, timeout=30
    )
    response.raise_for_status()
    return list(response.json()["results"]["bindings"])


def update(store: RemoteStoreUrls, request: str) -> httpx.Response:
    """Send one SPARQL Update request (`application/sparql-update; charset=utf-8` body); the response
    is returned whatever its status."""
    return httpx.post(
        store.update,
        content=request.encode("utf-8"),
        headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        timeout=60,
    )


# --------------------------------------------------------------------------------------------------
# Oxigraph


@contextmanager
def oxigraph_server(directory: Path) -> Iterator[RemoteStoreUrls]:
    """`oxigraph serve` (read-write, own default graph) on a free loopback port, with its store in a
    new directory under `directory`."""
    binary = _find_binary("oxigraph", [Path(sys.executable).parent / "oxigraph"], "pip install oxigraph")
    work = Path(tempfile.mkdtemp(prefix="oxigraph-", dir=directory))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    store = RemoteStoreUrls(query=f"{base}/query", update=f"{base}/update", graph_store=f"{base}/store",
                            name="oxigraph")
    command = [binary, "serve", "--location", str(work / "store"), "--bind", f"127.0.0.1:{port}"]
    try:
        with _running(command, work, work / "oxigraph.log", lambda: _answers(store.query)):
            yield store
    finally:
        shutil.rmtree(work / "store", ignore_errors=True)


# --------------------------------------------------------------------------------------------------
# Virtuoso

VIRTUOSO_INI = """\
; Written by tests/stores.py: a private instance for one test run.
[Database]
DatabaseFile       = {work}/virtuoso.db
ErrorLogFile       = {work}/virtuoso.log
LockFile           = {work}/virtuoso.lck
TransactionFile    = {work}/virtuoso.trx
xa_persistent_file = {work}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {work}/virtuoso-temp.db
TransactionFile    = {work}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {work}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {work}/vsp
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[URIQA]
DefaultHost = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso_server(directory: Path, default_graph: str | None = None) -> Iterator[VirtuosoUrls]:
    """A private Virtuoso (`virtuoso-t -f`) on free loopback ports with a new database under
    `directory`, anonymous SPARQL Update allowed (VIRTUOSO_GRANTS) and, if given, `default_graph` as
    the `/sparql` endpoint's default graph (see `virtuoso_set_default_graph`)."""
    binary = _find_binary("virtuoso-t", [Path("/usr/bin/virtuoso-t")],
                          "apt-get install virtuoso-opensource")
    isql = _find_binary("isql-vt", [Path("/usr/bin/isql-vt"), Path("/usr/bin/isql-v")],
                        "apt-get install virtuoso-opensource")
    work = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=directory)).resolve()
    (work / "vsp").mkdir()
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    (work / "virtuoso.ini").write_text(VIRTUOSO_INI.format(work=work, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    store = VirtuosoUrls(query=f"{base}/sparql", update=f"{base}/sparql",
                         graph_store=f"{base}/sparql-graph-crud", name="virtuoso",
                         isql=f"127.0.0.1:{sql_port}")
    command = [binary, "-f", "-c", str(work / "virtuoso.ini")]
    log = work / "virtuoso-stdout.log"

    def ready() -> bool:
        # HTTP comes up a moment before the SQL port: wait for both.
        return _answers(store.query) and _sql_answers(isql, store.isql)

    try:
        with _running(command, work, log, ready, extra_log=work / "virtuoso.log"):
            _isql(isql, store.isql, *VIRTUOSO_GRANTS)
            if default_graph is not None:
                virtuoso_set_default_graph(store, default_graph)
            yield store
    finally:
        for name in ("virtuoso.db", "virtuoso-temp.db", "virtuoso.trx", "virtuoso-temp.trx",
                     "virtuoso.pxa", "virtuoso.lck"):
            (work / name).unlink(missing_ok=True)


def virtuoso_set_default_graph(store: VirtuosoUrls, graph: str | None) -> None:
    """Make `graph` the default graph of `/sparql` requests that name none (no `default-graph-uri`
    parameter), whatever their Host header; None goes back to Virtuoso's own (the union of all
    graphs). A row of DB.DBA.SYS_SPARQL_HOST (SH_HOST pattern '%', SH_GRAPH_URI); takes effect at
    once. Caveat (module docstring): a query with FROM then reads FROM's graphs *and* `graph`."""
    isql = _find_binary("isql-vt", [Path("/usr/bin/isql-vt"), Path("/usr/bin/isql-v")],
                        "apt-get install virtuoso-opensource")
    statements = [f"DELETE FROM DB.DBA.SYS_SPARQL_HOST WHERE SH_HOST = {_sql_string(ANY_HOST)}"]
    if graph is not None:
        statements.append(
            "INSERT INTO DB.DBA.SYS_SPARQL_HOST (SH_HOST, SH_GRAPH_URI) "
            f"VALUES ({_sql_string(ANY_HOST)}, {_sql_string(graph)})"
        )
    _isql(isql, store.isql, *statements)


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _isql(isql: str, address: str, *statements: str) -> str:
    """Run SQL statements through isql-vt as dba; raises with the output when one fails."""
    user, password = VIRTUOSO_DBA
    script = "".join(f"{statement};\n" for statement in statements)
    result = subprocess.run(
        [isql, address, user, password, "VERBOSE=OFF", "BANNER=OFF", f"EXEC={script}"],
        check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 or "*** Error" in output:
        raise RuntimeError(f"isql-vt {address} failed (exit {result.returncode}):\n{script}\n{output}")
    return output


def _sql_answers(isql: str, address: str) -> bool:
    user, password = VIRTUOSO_DBA
    try:
        result = subprocess.run(
            [isql, address, user, password, "VERBOSE=OFF", "BANNER=OFF", "EXEC=SELECT 1;"],
            check=False, stdin=subprocess.DEVNULL, capture_output=True, timeout=10,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0 and b"*** Error" not in result.stdout + result.stderr


# --------------------------------------------------------------------------------------------------
# Processes


def _find_binary(name: str, candidates: list[Path], install: str) -> str:
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    reason = f"{name} not found ({install}; `make test` installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: under CI every store must run")
    pytest.skip(reason)


def _answers(query_url: str) -> bool:
    try:
        response = httpx.get(query_url, params={"query": "ASK {}"}, headers={"Accept": JSON_RESULTS},
                             timeout=2)
    except httpx.TransportError:
        return False
    return response.status_code == 200


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path} missing)"
    return f"--- {path} (last {lines} lines) ---\n" + "\n".join(text.splitlines()[-lines:])


@contextmanager
def _running(
    command: list[str], cwd: Path, log: Path, ready: Callable[[], bool], extra_log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command` (output to `log`), wait until `ready()` is true, stop it afterwards."""
    logs = [log] + ([extra_log] if extra_log else [])
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                # only a prctl call in the child (the library is loaded beforehand)
                                start_new_session=True, preexec_fn=_die_with_parent)  # noqa: PLW1509
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not ready():
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {proc.returncode} before it answered:\n"
                                   + "\n".join(_tail(path) for path in logs))
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer within {STARTUP_TIMEOUT_S} s:\n"
                                   + "\n".join(_tail(path) for path in logs))
            time.sleep(0.1)
        yield proc
    finally:
        stop(proc, STOP_TIMEOUT_S)


_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies, so that a killed test run
    leaves no server behind (Linux prctl PR_SET_PDEATHSIG; nothing elsewhere)."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)



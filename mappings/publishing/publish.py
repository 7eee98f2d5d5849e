"""Publish a build: the on-disk store and the dumps, switched in atomically (DESIGN.md, step 6).

Layout under `out`:

    build.lock                  held (flock) while a build or a rollback runs
    current -> builds/<id>      the published build; replaced atomically by a symlink rename
    served                      the id of every build `current` has pointed to, one per line
    builds/<id>/                a complete, checked build (the newest `keep` are kept, and any a server uses:
                                each server serving it holds a shared flock on the directory)
        store/                  pyoxigraph store: one named graph per article + the union as default graph
        dumps/                  vankien.{nq,trig,nt,ttl,jsonld}.gz and SHA256SUMS
        manifest.json           build id, time, meta, counts, and per dump: media type, bytes, sha256, count
        pages.sqlite            what every resource page asks for, prepared from the store (page_data.py)
        parts.pickle            each graph's place in the dumps and what it was made of; union-counts.gz: the union's
                                counts (parts.py): a build made from this one starts from them (writer.update_build)
    builds/<id>.partial/        a build being written, or the leftover of one that failed or was killed

A build is written under `<id>.partial`, checked, renamed, and only then pointed to by `current`;
old builds are renamed to `.partial` before being deleted. So a failure or a SIGKILL at any moment
leaves `current` on the previous complete build, untouched. A build killed between its rename and
the switch is complete but was never served: rollback never goes to it, and the next build deletes it.

A running server holds a shared flock on its build's directory (`lease_build`) for as long as it serves it
(the build's files stay as they were), so `--keep` never deletes a build under a server: pruning takes
the lock exclusively (without waiting) before renaming the build away, and skips a build it cannot lock;
the next build prunes it once free.
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mappings.publishing.dumps import (
    Dump,
    check_dumps,
    context_prefixes,
    fsync_dir,
    fsync_tree,
    write_durably,
)
from mappings.publishing.page_data import check_page_data, write_page_data
from mappings.publishing.page_data_update import update_page_data
from mappings.publishing.parts import digests
from mappings.publishing.store import BuildCheckError, StoreCounts, check_store
from mappings.publishing.writer import Change, Graphs, update_build, write_build

__all__ = [
    "BuildCheckError",
    "BuildLockedError",
    "Lease",
    "PublishError",
    "PublishedBuild",
    "build_lock",
    "current_build",
    "lease_build",
    "load_context",
    "publish",
    "read_manifest",
    "remove_leftovers",
    "rollback",
]

PARTIAL = ".partial"
SERVED = "served"


class PublishError(RuntimeError):
    """Nothing was published or switched; `current` is as it was."""


class BuildLockedError(PublishError):
    """Another build (or rollback) holds the build lock."""


@dataclass(frozen=True, slots=True)
class PublishedBuild:
    build_id: str
    path: Path  # out/builds/<build_id>
    manifest: dict[str, object]


def publish(out: Path, graphs: Graphs, *, meta: Mapping[str, object] | Callable[[], Mapping[str, object]],
            context: Path, keep: int = 3, sort_buffer: int = 200_000,
            beside: Callable[[Path, Change | None], object] | None = None, earlier: Path | None = None) -> PublishedBuild:
    """Build the store and dumps from `graphs`, check them, publish them.

    `graphs` come sorted by IRI: (graph IRI, pyoxigraph triples) pairs, or graphs the build rendered
    already (mappings.publishing.dumps.Rendered); they are written as they come. `meta` goes into manifest.json; a
    callable is called once every graph is written (so it may tell what the stream found). `context`
    is the project's JSON-LD context file, embedded in the JSON-LD dump. `sort_buffer` bounds the lines
    held in memory while sorting the union. `beside(partial, change)` writes files beside the store once it is
    written (mappings/publishing/search_index.py); `change` is what an update changed, None when written anew.
    `earlier`: a published build that `graphs` may reuse graphs of (`writer.Reused`); the build is then made from
    it (`writer.update_build`), and its page data updated (`page_data_update.update_page_data`). Raises BuildLockedError if another build runs; on any error,
    an exception raised by the `graphs` iterator included, `current` keeps pointing at the previous build.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    json_context = load_context(context)  # fail now, not after the build
    if not callable(meta):
        _json_meta(meta)
    with build_lock(out):  # 1. one build at a time; clear what killed builds left
        builds = remove_leftovers(out)
        build_id, created = _new_build_id()
        partial = builds / f"{build_id}{PARTIAL}"
        counts, dumps, change = _write_build(partial, graphs, json_context, sort_buffer, earlier)  # 2. write
        if beside is not None:  # files made from the written store (the search index)
            beside(partial, change)
        manifest = _manifest(partial, build_id, created, _json_meta(meta() if callable(meta) else meta), counts, dumps)
        write_durably(partial / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        fsync_dir(partial)
        _check_build(partial, manifest, counts, dumps)  # 3. check, before anything points at it
        os.rename(partial, builds / build_id)  # 4. publish: rename, then swap `current`
        fsync_dir(builds)
        _point_current(out, build_id)
        _prune(out, keep)
    return PublishedBuild(build_id, builds / build_id, manifest)


def current_build(out: Path) -> Path | None:
    """The published build directory (out/builds/<id>), or None when nothing is published."""
    try:
        target = os.readlink(out / "current")
    except FileNotFoundError:
        return None
    build = out / target
    return build if build.is_dir() else None


def read_manifest(build: Path) -> dict[str, object]:
    """The build's manifest.json; {} when it cannot be read."""
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def lease_build(build: Path) -> Lease | None:
    """Marks `build` as served until the lease is closed (the kernel drops it when the process dies); None
    when the build is gone or being deleted."""
    try:
        lease = Lease(os.open(build, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
    except (FileNotFoundError, NotADirectoryError):
        return None
    fcntl.flock(lease.fd, fcntl.LOCK_SH)  # waits only while a pruner renames it away
    if not (build / "manifest.json").is_file():  # it was renamed for deletion in between
        lease.close()
        return None
    return lease


class Lease:
    """A shared flock on a build directory, held by a server that serves the build."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def rollback(out: Path) -> Path:
    """Point `current` back at the newest kept build older than the current one; return it."""
    with build_lock(out):
        current = current_build(out)
        if current is None:
            raise PublishError(f"{out / 'current'}: nothing is published, nothing to roll back")
        names = [build.name for build in _served_builds(out)]
        if current.name not in names or names.index(current.name) == 0:
            raise PublishError(f"{out / 'builds'}: no kept build older than {current.name}")
        previous = names[names.index(current.name) - 1]
        _point_current(out, previous)
        return out / "builds" / previous


def load_context(path: Path) -> object:
    """The @context of the project's context file (a bare context object is accepted too)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: cannot read the JSON-LD context: {error}") from error
    context = document.get("@context", document) if isinstance(document, dict) else None
    if not isinstance(context, dict | list):
        raise ValueError(f"{path}: expected a JSON object with an @context object")  # noqa: TRY004 - bad input
    if _refers_remotely(context):
        raise ValueError(f"{path}: the context refers to another document; dumps must embed all of it")
    return context


def _json_meta(meta: Mapping[str, object]) -> object:
    try:
        return json.loads(json.dumps(dict(meta), ensure_ascii=False))
    except (TypeError, ValueError) as error:
        raise TypeError(f"meta must be JSON-serialisable for manifest.json: {error}") from error


def _refers_remotely(value: object) -> bool:
    """True when a (scoped) context or @import names a document by URL instead of embedding it."""
    if isinstance(value, list):
        return any(isinstance(item, str) or _refers_remotely(item) for item in value)
    if not isinstance(value, dict):
        return False
    if "@import" in value or isinstance(value.get("@context"), str):
        return True
    return any(_refers_remotely(item) for item in value.values())


_HELD = threading.local()  # lock paths this thread holds
_LOCK_FDS: set[int] = set()  # descriptors of the build locks this process holds


def _drop_locks_in_child() -> None:
    """A forked worker must not keep the lock alive when the build dies before it (a SIGKILL): its copy of
    each lock descriptor is pointed at /dev/null, which drops its share of the lock."""
    if _LOCK_FDS:
        null = os.open(os.devnull, os.O_RDONLY)
        for fd in _LOCK_FDS:
            os.dup2(null, fd)
        os.close(null)
        _LOCK_FDS.clear()


os.register_at_fork(after_in_child=_drop_locks_in_child)


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """An exclusive, non-blocking flock; the kernel drops it when the process dies, even by SIGKILL.

    Re-entrant within one thread, so a whole build can hold it around extraction and `publish`.
    """
    out.mkdir(parents=True, exist_ok=True)
    lock = (out / "build.lock").resolve()
    held: set[Path] = _HELD.__dict__.setdefault("locks", set())
    if lock in held:
        yield
        return
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BuildLockedError(f"{lock}: another build holds the lock") from error
        held.add(lock)
        _LOCK_FDS.add(handle.fileno())
        try:
            yield
        finally:
            _LOCK_FDS.discard(handle.fileno())
            held.discard(lock)
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(out: Path) -> Path:
    """Delete what interrupted builds left: partial builds and unrenamed `current` symlinks."""
    builds = out / "builds"
    builds.mkdir(exist_ok=True)
    for partial in builds.glob(f"*{PARTIAL}"):
        shutil.rmtree(partial)
    for link in out.glob(".current-*.tmp"):
        link.unlink()
    served = _served_builds(out)
    for build in _complete_builds(builds):  # killed after their rename, before their switch
        if build not in served:
            _delete(build)
    return builds


def _new_build_id() -> tuple[str, str]:
    now = datetime.now(UTC)
    created = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}", created


def _write_build(partial: Path, graphs: Graphs, context: object, sort_buffer: int,
                 earlier: Path | None) -> tuple[StoreCounts, list[Dump], Change | None]:
    partial.mkdir()
    prefixes = context_prefixes(context)
    if earlier is None:
        counts, dumps = write_build(partial, graphs, context=context, prefixes=prefixes, sort_buffer=sort_buffer)
        change = None
    else:
        counts, dumps, change = update_build(partial, earlier, graphs, context=context, prefixes=prefixes,
                                             sort_buffer=sort_buffer)
    fsync_tree(partial / "store")
    if earlier is None or change is None:
        write_page_data(partial)
    else:
        update_page_data(earlier, partial, change.quads(change.removed), change.quads(change.added))
    return counts, dumps, change


def _manifest(partial: Path, build_id: str, created: str, meta: object, counts: StoreCounts,
              dumps: list[Dump]) -> dict[str, object]:
    return {
        "build_id": build_id,
        "created": created,
        "meta": meta,
        "counts": {"graphs": counts.graphs, "quads": counts.quads, "union_triples": counts.union_triples},
        "store": {"path": "store", "quads": counts.quads + counts.union_triples},
        "dumps": [dump.manifest_entry() for dump in dumps],
        "parts": digests(partial),
    }


def _check_build(partial: Path, manifest: dict[str, object], counts: StoreCounts, dumps: list[Dump]) -> None:
    """Check the build as it lies on disk before anything points at it."""
    written = json.loads((partial / "manifest.json").read_text(encoding="utf-8"))
    if written != manifest:
        raise BuildCheckError(f"{partial / 'manifest.json'}: does not read back as written")
    check_store(partial / "store", counts)
    check_page_data(partial, counts.quads + counts.union_triples)
    check_dumps(partial, dumps)


def _point_current(out: Path, build_id: str) -> None:
    """Swap `current` in one rename: readers see the old build or the new one, never neither. Both are
    recorded as served first (the old one may predate the record, or its recording may have been cut)."""
    previous = current_build(out)
    _record_served(out, *([previous.name] if previous else []), build_id)
    link = out / f".current-{build_id}.tmp"
    link.unlink(missing_ok=True)
    os.symlink(Path("builds") / build_id, link)
    os.replace(link, out / "current")
    fsync_dir(out)


def _complete_builds(builds: Path) -> list[Path]:
    """Published-ready builds, oldest first (by the manifest's creation time, not the directory name)."""
    found = [(created, build) for build in builds.iterdir()
             if not build.name.endswith(PARTIAL) and (created := _created(build))]
    return [build for _, build in sorted(found)]


def _created(build: Path) -> str:
    try:
        return str(json.loads((build / "manifest.json").read_text(encoding="utf-8"))["created"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _record_served(out: Path, *build_ids: str) -> None:
    with open(out / SERVED, "a", encoding="utf-8") as record:
        record.write("".join(f"{build_id}\n" for build_id in build_ids))
        record.flush()
        os.fsync(record.fileno())


def _served_builds(out: Path) -> list[Path]:
    """Complete builds that were served (all of them in a directory from before the record), oldest first."""
    complete = _complete_builds(out / "builds")
    try:
        served = set((out / SERVED).read_text(encoding="utf-8").split())
    except FileNotFoundError:
        return complete
    current = current_build(out)
    return [build for build in complete if build.name in served or (current and build.name == current.name)]


def _prune(out: Path, keep: int) -> None:
    """Delete all but the newest `keep` served builds, never the current one nor one a server still uses."""
    current = current_build(out)
    for build in _served_builds(out)[:-keep]:
        if current is None or build.name != current.name:
            _delete_unless_leased(build)


def _delete_unless_leased(build: Path) -> None:
    """Deletes `build` unless a server holds its lease (`lease_build`); the lock is held over the rename, so
    a server that opens the lease meanwhile finds the build gone."""
    fd = os.open(build, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # served: the next build prunes it once it is free
        _delete(build)
    finally:
        os.close(fd)


def _delete(build: Path) -> None:
    doomed = build.with_name(build.name + PARTIAL)
    os.rename(build, doomed)  # a half-deleted build must never look complete
    shutil.rmtree(doomed)

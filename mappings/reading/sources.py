"""What the build reads: the paths it is given walked into sources (a text article, a web page, a web archive's
record), and every other thing found named with the reason it is not read.

    folder   walked recursively, in name order; a symbolic link is followed only to a file inside the folder,
             one to a folder inside is not walked twice, one leading outside is named and not read; a hidden
             folder (`.git`) is named and not walked
    file     by its extension, in any case: `.txt` a text article (`article.py`), `.html` `.htm` a saved web page
             (`pages.py`), `.warc` `.warc.gz` a web archive whose HTML responses are articles (`archives.py`);
             anything else is named; so is a file that is not a regular file (a named pipe, a device, a socket)

A file reached twice (two paths naming it, a link to it) is read once. A source's name is its path relative to
the folder given (the path as given when several are): reports name it, and its identifier's hash, when two
sources share a key, comes from it (`identifiers.unique`), so it stays the same from build to build.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mappings.reading.archives import Index, index_archive, read_record
from mappings.reading.article import MAX_BYTES, Article, file_text, parse_article
from mappings.reading.files import kind_of, read_bounded
from mappings.reading.identifiers import path_key, url_key
from mappings.reading.pages import MAX_PAGE_BYTES, page_digest, parse_page

TEXT, PAGE, ARCHIVE, RECORD = "text", "page", "archive", "record"
SUFFIXES = {".txt": TEXT, ".html": PAGE, ".htm": PAGE, ".warc": ARCHIVE, ".warc.gz": ARCHIVE}
READ = ".txt, .html, .htm, .warc, .warc.gz"


@dataclass(frozen=True, slots=True)
class Source:
    """One article to read: a file, or a record of a web archive (its offset and target URI)."""

    path: Path
    name: str                  # relative to the folder given (printable); `archive.warc.gz@OFFSET` for a record
    kind: str                  # TEXT, PAGE or RECORD
    offset: int = 0
    uri: str | None = None

    @property
    def shown(self) -> str:
        """The source in a message: the path as given (printable), a record's offset and URI after it."""
        where = file_text(str(self.path))
        return f"{where}@{self.offset} <{file_text(self.uri or '')}>" if self.kind == RECORD else where

    @property
    def stem(self) -> str:
        name = self.path.name
        return name[: -len(".warc.gz")] if name.lower().endswith(".warc.gz") else self.path.stem


@dataclass
class Found:
    sources: list[Source] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)   # name → the line that says why it is not read
    notes: list[str] = field(default_factory=list)          # what each web archive held


def find_sources(paths: Sequence[Path], index: Callable[[Path], Index] = index_archive) -> Found:
    """Every source under `paths`, and every thing that is not one with the reason; `FileNotFoundError` for a
    path given that does not exist. `index` lists a web archive's records (the build remembers them per file)."""
    found, seen = Found(), set[tuple[int, int]]()
    for root in paths:
        if not os.path.lexists(root):
            raise FileNotFoundError(f"{file_text(str(root))}: no such file or folder")
        several = len(paths) > 1
        if root.is_dir():
            for path, name in _walk(root, root.resolve(), found, str(root) if several else ""):
                _add(path, name, found, seen, index)
        else:
            _add(root, str(root) if several else root.name, found, seen, index)
    return found


def _walk(folder: Path, root: Path, found: Found, relative: str = "") -> Iterator[tuple[Path, str]]:
    """(path, name relative to the root) of each file under `folder`, in name order; what is not walked goes
    into `found.skipped`."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as err:
        _skip(found, relative or str(folder), folder, f"the folder cannot be read: {err.strerror}")
        return
    for entry in entries:
        path, name = Path(entry.path), os.path.join(relative, entry.name) if relative else entry.name
        if entry.is_symlink():
            target = path.resolve()
            if target != root and root not in target.parents:
                _skip(found, name, path, f"a symbolic link leading outside {file_text(str(root))} "
                                         f"(to {file_text(str(target))}): not read")
                continue
            if target.is_dir():
                continue  # a folder inside the tree: walked where it is
        if entry.is_dir(follow_symlinks=False):
            if entry.name.startswith("."):
                _skip(found, name, path, "a hidden folder: not walked")
            else:
                yield from _walk(path, root, found, name)
            continue
        yield path, name


def _add(path: Path, name: str, found: Found, seen: set[tuple[int, int]], index: Callable[[Path], Index]) -> None:
    try:
        info = path.stat()
    except OSError as err:
        _skip(found, name, path, f"cannot be read: {err.strerror or err}")
        return
    if (kind := kind_of(info.st_mode)) is not None:
        _skip(found, name, path, f"{kind}, not a regular file: not read")
        return
    if (info.st_dev, info.st_ino) in seen:
        return  # the same file, reached again
    seen.add((info.st_dev, info.st_ino))
    suffix = next((s for s in SUFFIXES if path.name.lower().endswith(s)), None)
    if suffix is None:
        _skip(found, name, path, f"not an article: the build reads {READ} files")
    elif SUFFIXES[suffix] == ARCHIVE:
        _add_archive(path, name, found, lambda: index(path))
    else:
        found.sources.append(Source(path, name, SUFFIXES[suffix]))


def _add_archive(path: Path, name: str, found: Found, listed: Callable[[], Index]) -> None:
    try:
        index = listed()
    except OSError as err:
        _skip(found, name, path, f"cannot be read: {err.strerror or err}")
        return
    found.sources += [Source(path, f"{name}@{r.offset}", RECORD, r.offset, r.uri) for r in index.records]
    found.notes.append(f"{file_text(str(path))}: {index.summary()}")
    if index.error:
        _skip(found, name, path, f"web archive {index.error}")


def _skip(found: Found, name: str, path: Path, reason: str) -> None:
    found.skipped[file_text(name)] = f"{file_text(str(path))}: skipped, {reason}"


# --- reading one source ------------------------------------------------------------------------------------

def read_source(source: Source) -> bytes:
    """The source's bytes (a record's HTTP body), bounded; `NotReadable` or `OSError` if they cannot be had."""
    if source.kind == RECORD:
        return read_record(source.path, source.offset, MAX_PAGE_BYTES)[1]
    return read_bounded(source.path, MAX_BYTES if source.kind == TEXT else MAX_PAGE_BYTES)


def source_digest(source: Source, data: bytes) -> str:
    """The cache key of the source's bytes: a text's SHA-256; a page's also covers its URL and the extractors."""
    return hashlib.sha256(data).hexdigest() if source.kind == TEXT else page_digest(data, source.uri)


def parse_source(source: Source, data: bytes) -> Article:
    if source.kind == TEXT:
        return parse_article(data, source.path, source_key(source, None))
    return parse_page(data, source.shown, source.stem, source.uri)


def source_key(source: Source, url: str | None) -> str:
    """The source's key before the build makes keys unique: a text's stem, a page's canonical URL (or stem)."""
    return url_key(url) if source.kind != TEXT and url else path_key(source.stem)


def is_canonical(source: Source, key: str) -> bool:
    """The source's own name is its key (`a.txt` for `a`): it keeps the key when another source has it too."""
    return source.kind == TEXT and source.stem == key


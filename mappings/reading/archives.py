"""Web archives (`.warc`, `.warc.gz`, as crawlers and browsers' archiving tools write them): which records are
articles, and the bytes of one record.

Each HTTP response with status 200 and an HTML body (and each HTML `resource` record) is an article, its target
URI the URL it was fetched from. Every other response is skipped and counted by what it is: an image, a script,
a stylesheet, a redirect, an error status, a revisit. Requests, metadata and `warcinfo` records hold no page.

`index_archive` runs once over the archive and keeps each article record's offset; `read_record` reads one record
back from its offset, so the build's workers read the records of one archive in parallel. That needs an archive
compressed record by record (the standard for `.warc.gz`); one compressed as a single stream is named, with
the command that recompresses it.
"""
from __future__ import annotations

import contextlib
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

from mappings.reading.files import NotReadable, kind_of

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class Record:
    offset: int    # of the record in the archive file
    uri: str       # WARC-Target-URI


@dataclass
class Index:
    records: list[Record] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)   # what a skipped response is → how many
    error: str | None = None        # why the archive could not be read to its end (the records before are kept)

    def summary(self) -> str:
        """`3 HTML pages; skipped 4 responses: 2 image, 1 script, 1 redirect`."""
        said = f"{len(self.records)} HTML page{'s' if len(self.records) != 1 else ''}"
        if self.skipped:
            kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.skipped.items(), key=lambda i: (-i[1], i[0])))
            said += f"; skipped {sum(self.skipped.values())} response(s): {kinds}"
        return said


def index_archive(path: Path) -> Index:
    """The article records of an archive, and the responses skipped; `NotReadable` for a file that is not
    a regular file."""
    index = Index()
    noise = io.StringIO()   # warcio writes warnings of bad record lengths to stderr: they are counted instead
    with _open(path) as handle, contextlib.redirect_stderr(noise):
        records = ArchiveIterator(handle, arc2warc=True)
        try:
            for record in records:
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                what = _skipped(record)
                if what is None:
                    index.records.append(Record(records.get_record_offset(), uri))
                elif what:
                    index.skipped[what] += 1
        except ArchiveLoadFailed as err:
            if "non-chunked gzip" in str(err):
                index.records.clear()   # offsets into one stream: no record can be read back from its own
            index.error = ("compressed as one gzip stream, not record by record: recompress it with "
                           "`warcio recompress`" if "non-chunked gzip" in str(err) else f"not a readable WARC: {_line(err)}")
        except Exception as err:  # noqa: BLE001  a damaged archive: what was read before is kept, and it is named
            index.error = f"damaged after {len(index.records)} page(s): {type(err).__name__}: {_line(err)}"
    if records.err_count:
        index.skipped["record with a wrong length"] += records.err_count
    return index


def read_record(path: Path, offset: int, limit: int) -> tuple[str, bytes]:
    """The target URI and the HTTP body (transfer and content encodings undone) of the record at `offset`, at most
    `limit` bytes of it, else `NotReadable`."""
    with _open(path) as handle:
        handle.seek(offset)
        record = next(iter(ArchiveIterator(handle, arc2warc=True)))
        data = record.content_stream().read(limit + 1)
    if len(data) > limit:
        raise NotReadable(f"the page has more than the {limit} bytes it may have")
    return record.rec_headers.get_header("WARC-Target-URI") or "", data


def _skipped(record: object) -> str | None:
    """None for an article; what the record is when it is a response skipped; "" for a record that is no response."""
    kind = record.rec_type  # type: ignore[attr-defined]
    if kind == "revisit":
        return "revisit"
    if kind == "resource":
        content = (record.rec_headers.get_header("Content-Type") or "").lower()  # type: ignore[attr-defined]
        return None if content.startswith(HTML_TYPES) else ""
    if kind != "response":
        return ""
    headers = record.http_headers  # type: ignore[attr-defined]
    if headers is None:
        return "not HTTP"
    status = headers.get_statuscode() or ""
    if status.startswith("3"):
        return "redirect"
    if status != "200":
        return f"status {status or 'missing'}"
    content = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content in HTML_TYPES:
        return None
    major = content.split("/")[0]
    return ("image" if major == "image" else "script" if "javascript" in content or "ecmascript" in content
            else "stylesheet" if content == "text/css" else content or "no content type")


@contextlib.contextmanager
def _open(path: Path):  # type: ignore[no-untyped-def]
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if (kind := kind_of(os.fstat(descriptor).st_mode)) is not None:
            raise NotReadable(f"{kind}, not a regular file: not read")
        handle = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with handle:
        yield handle


def _line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]

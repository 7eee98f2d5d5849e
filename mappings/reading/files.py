"""Open and read one input file safely: regular files only, the size checked before a byte is read.

A named pipe (`mkfifo x.txt`) would block `open` until some writer came, a device (`/dev/zero`) never ends:
the file is opened without blocking, `fstat`ed, and read only when it is a regular file no larger than the
limit, and then no more than the limit plus one byte (a file that grows while read is still caught).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder", stat.S_IFLNK: "a symbolic link"}


class NotReadable(OSError):
    """A file that is not read: what it is, or why not (the message, without the file's name)."""


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None: a regular file)."""
    return None if stat.S_ISREG(mode) else KINDS.get(stat.S_IFMT(mode), "not a regular file")


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, else `NotReadable` saying why; `OSError` as opened."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if (kind := kind_of(info.st_mode)) is not None:
            raise NotReadable(f"{kind}, not a regular file: not read")
        if info.st_size > limit:
            raise NotReadable(f"the file has {info.st_size} bytes, more than the {limit} it may have")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise NotReadable(f"the file grew past the {limit} bytes it may have while it was read")
    return data

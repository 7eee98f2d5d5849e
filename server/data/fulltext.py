"""The build's full-text search index (`search.sqlite`, mappings/publishing/search_index.py), read-only.

A build without one (an older build, `serve --dataset`, `serve --store`) has none: `open_index` answers None
and search falls back to the in-memory index of labels (server/pages/search.py). Connections are opened
read-only and immutable, one per thread (SQLite connections are not shared between threads).
"""

import json
import re
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mappings.publishing.search_index import (
    FILE,
    NAMES,
    SYMBOL_KIND,
    VERSION,
    WEIGHTS,
    exact_keys,
    match_expression,
    words,
)
from mappings.reading.text import fold
from server.data.store import GraphStore

SNIPPET = 90  # characters of an article's body either side of what matched
SPREAD = 300  # characters at most from the first word asked to the last shown together
RANKED = f"""
SELECT search.rowid, (search.rowid IN (SELECT id FROM exact WHERE key IN (?, ?))) AS exact,
       (search.rowid IN (SELECT rowid FROM search WHERE search MATCH ?)) AS named,
       bm25(search, {", ".join(map(str, WEIGHTS))}) * entries.boost AS score
FROM search JOIN entries ON entries.id = search.rowid
WHERE search MATCH ? {{within}}
ORDER BY exact DESC, named DESC, score, entries.iri
"""
WITHIN = "AND search.rowid IN (SELECT id FROM classes WHERE class = ?)"


@dataclass(frozen=True, slots=True)
class Found:
    iri: str
    classes: frozenset[str]
    labels: dict[str, str]  # language → label
    description: dict[str, object]  # date, places (language → label), title, posts
    matched: str | None  # the name, text or passage of the body that holds the query's words


class FullText:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self.ranked = lru_cache(maxsize=256)(self._ranked)  # paging through one query ranks it once

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro&immutable=1", uri=True)
        return db

    def _ranked(self, text: str, within: str | None = None) -> tuple[int, ...]:
        """The entries holding every word of `text` (of class `within`), best first: named exactly as asked,
        then named with every word, then by bm25 (names over other texts over article bodies) times the class's boost."""
        expression = match_expression(text)
        if expression is None:
            return ()
        sql = RANKED.format(within=WITHIN if within else "")
        named = f"{{names}} : ({expression})"
        rows = self._db().execute(sql, (*exact_keys(text), named, expression, *((within,) if within else ())))
        return tuple(row[0] for row in rows)

    def found(self, numbers: list[int], text: str) -> list[Found]:
        """The entries `numbers`, in that order, each with what matched `text`."""
        db, asked = self._db(), words(text)
        marks = ",".join("?" * len(numbers))
        rows = {row[0]: row[1:] for row in db.execute(
            f"SELECT id, iri, classes, labels, description FROM entries WHERE id IN ({marks})", numbers)}
        out = []
        for number in numbers:
            iri, classes, labels, description = rows[number]
            out.append(Found(iri, frozenset(json.loads(classes)), json.loads(labels), json.loads(description),
                             self._matched(db, number, asked)))
        return out

    @staticmethod
    def _matched(db: sqlite3.Connection, number: int, asked: list[str]) -> str | None:
        """The shortest name or text holding every word asked (a symbol first), else the passage of the body."""
        wanted = set(asked)
        texts = db.execute("SELECT kind, value FROM texts WHERE id = ?", (number,)).fetchall()
        holding = [(kind != SYMBOL_KIND, kind != NAMES, len(value), value) for kind, value in texts
                   if wanted <= set(words(value))]
        if holding:
            return str(min(holding)[3])
        body = db.execute("SELECT text FROM bodies WHERE id = ?", (number,)).fetchone()
        return passage(str(body[0]), asked) if body else None


def passage(text: str, asked: list[str]) -> str | None:
    """The part of `text` around the first place where the words asked stand closest together.

    >>> shown = passage("Mở đầu. " * 30 + "Quán triệt Chỉ thị số 39-CT/TW. " + "Kết thúc. " * 30, ["chi", "thi", "39"])
    >>> shown[:9], "Quán triệt Chỉ thị số 39-CT/TW." in shown, len(shown) < 230, shown[-10:]
    ('… Mở đầu.', True, True, 'húc. Kết …')
    """
    found = [(match.start(), match.end(), words(match.group())[0]) for match in _pattern(tuple(asked)).finditer(text)]
    if not found:
        return None
    best, start, end = None, found[0][0], found[0][1]
    for i, (at, _, _) in enumerate(found):  # the shortest run of found words holding each word asked
        seen: set[str] = set()
        for _, stop, word in found[i:]:
            if stop - at > SPREAD:  # too far apart to show together: the next start
                break
            seen.add(word)
            if seen >= set(asked):
                if best is None or stop - at < best:
                    best, start, end = stop - at, at, stop
                break
    left = text.rfind(" ", 0, max(0, start - SNIPPET)) + 1 if start > SNIPPET else 0
    right = text.find(" ", min(len(text), end + SNIPPET))
    right = len(text) if right < 0 else right
    cut = " ".join(text[left:right].split())
    return ("… " if left else "") + cut + (" …" if right < len(text) else "")


def _letters() -> dict[str, str]:
    """Each folded letter → every letter that folds to it (`a` → `aàáảãạăằ…ẬA…`)."""
    table: dict[str, str] = {}
    for code in (*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        letter = chr(code)
        if len(base := fold(letter)) == 1 and base.isascii():
            table[base] = table.get(base, "") + letter + letter.upper()
    return table


LETTERS = _letters()


@lru_cache(maxsize=256)
def _pattern(asked: tuple[str, ...]) -> re.Pattern[str]:
    """The words asked as they may be written: any marks, any case, a number with leading zeros. Finding them
    so in a body is a C loop; folding the body word by word took 50 ms a page of results."""
    def written(word: str) -> str:
        if word.isdigit():
            return f"0*{word}"
        return "".join(f"[{re.escape(LETTERS[c])}]" if c in LETTERS else re.escape(c) for c in word)
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(map(written, sorted(set(asked), key=len, reverse=True)))})(?![^\W_])")


def open_index(store: GraphStore) -> FullText | None:
    """The full-text index of the build `store` serves, or None when it has none (of this version)."""
    if store.build_dir is None or not (path := store.build_dir / FILE).is_file():
        return None
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True) as db:
            if db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                return None
    except sqlite3.Error:
        return None
    return FullText(path)

